// Service identity on internal gRPC calls (DESIGN.md: calls that change data require one). Every
// process of a deployment holds the same service key (a Kubernetes Secret; var/service_key
// locally). A caller names itself and proves it with HMAC-SHA256(key, name) in the
// x-planapi-service metadata, which rpc::MakeChannel's channels attach to every call; services
// check it first thing in every handler. The key itself never travels.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/server_context.h>
#include <grpcpp/support/client_interceptor.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace planapi::rpc {

inline constexpr char kServiceIdentityKey[] = "x-planapi-service";
inline constexpr size_t kMinServiceKeyLength = 32;

// Sets this process's name (e.g. "gateway", "planctl") and the deployment's key, for the calls
// it makes and the calls it serves. INVALID_ARGUMENT for a key shorter than kMinServiceKeyLength
// characters or a name outside [a-z0-9-]. Call at startup, before channels and servers exist.
absl::Status SetServiceIdentity(absl::string_view name, absl::string_view key);

// The verified name of the service that made `context`'s call. UNAUTHENTICATED, naming the
// metadata, when the call carries no valid identity or this process has no key.
absl::StatusOr<std::string> CallerOf(const grpc::ServerContext& context);

// For handlers: OK, or the UNAUTHENTICATED status of CallerOf as a gRPC status (logged).
grpc::Status RequireServiceIdentity(const grpc::ServerContext& context, absl::string_view method);

// Attaches this process's identity to every call of a channel (none when no identity is set).
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> IdentityInterceptorFactory();

}  // namespace planapi::rpc
