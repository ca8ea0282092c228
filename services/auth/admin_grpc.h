// The planapi.auth.v1.Auth gRPC adapter: proto -> Admin call -> proto, nothing else. Thread-safe
// (gRPC's sync server calls it from many threads; Admin is thread-safe).
#pragma once

#include <memory>

#include <grpcpp/impl/codegen/service_type.h>

#include "services/auth/admin.h"

namespace planapi::auth_service {

// `admin` must outlive the service; `owner`, when given, is kept alive by the service (main's
// wiring hands over the state the service and the web routes share).
std::unique_ptr<grpc::Service> MakeAuthGrpcService(Admin& admin,
                                                   std::shared_ptr<const void> owner = nullptr);

}  // namespace planapi::auth_service
