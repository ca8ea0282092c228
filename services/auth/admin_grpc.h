// The planapi.auth.v1.Auth gRPC adapter: proto -> Admin call -> proto, nothing else. Thread-safe
// (gRPC's sync server calls it from many threads; Admin is thread-safe).
#pragma once

#include <memory>

#include <grpcpp/impl/codegen/service_type.h>

#include "services/auth/admin.h"
#include "services/auth/keys.h"
#include "services/auth/oauth_store.h"

namespace planapi::auth_service {

// What the gateways need from auth: keys and the revocation feed.
struct GatewayFeed {
  const SigningKeys* keys = nullptr;
  OAuthStore* oauth = nullptr;
  // How far back a fresh watcher is sent revocations: the longest access-token lifetime.
  absl::Duration horizon = absl::Hours(1);
  // How often an open stream looks for new revocations.
  absl::Duration poll = absl::Milliseconds(200);
};

// `admin` (and the feed's pointees) must outlive the service; `owner`, when given, is kept alive
// by the service (main's wiring hands over the state the service and the web routes share).
// Without a feed, GetJwks and WatchRevocations answer UNIMPLEMENTED.
std::unique_ptr<grpc::Service> MakeAuthGrpcService(Admin& admin, GatewayFeed feed = {},
                                                   std::shared_ptr<const void> owner = nullptr);

}  // namespace planapi::auth_service
