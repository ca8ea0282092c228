// The auth service (OAuth 2.0 / SMART authorization server: accounts, clients, grants, keys):
// builds its gRPC services for the bootstrap in libs/server - the Auth admin API
// (planapi.auth.v1) and the Web route table the gateway forwards /auth and /sandbox/auth to.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include <grpcpp/impl/codegen/service_type.h>

#include "absl/status/statusor.h"
#include "libs/pg/migrate.h"
#include "libs/pg/pg.h"
#include "libs/runtime/settings.h"
#include "libs/server/web_service.h"

namespace planapi::auth_service {

inline constexpr int kDefaultGrpcPort = 50051;

// Reads this service's own settings (config.h) and builds its gRPC services on `pool`.
// INVALID_ARGUMENT for bad configuration.
absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> MakeServices(runtime::Settings& settings,
                                                                        pg::Pool& pool);

// This service's schema migrations (generated from migrations/*.sql).
std::span<const pg::Migration> Migrations();

}  // namespace planapi::auth_service
