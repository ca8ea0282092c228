#include "libs/rpc/server.h"

#include <algorithm>

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"

namespace planapi::rpc {
absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(absl::StrCat(options.host, ":", options.port),
                           grpc::InsecureServerCredentials(), &bound_port);
  builder.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  builder.SetMaxSendMessageSize(64 * 1024 * 1024);
  // Let clients' keepalive pings through without being treated as abuse.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Clients reconnect (and re-resolve) every few minutes, so new replicas join the rotation.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, 5 * 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30 * 1000);
  // The sync server starts a thread when every polling thread is busy, and ends a thread that
  // finishes a call while more than MAX_POLLERS (default 2) threads poll. Under concurrent calls
  // that meant a new thread for nearly every call (clone, a stack mapped and unmapped, a malloc
  // arena), seen under both the token and the read benchmarks. Threads that have served stay
  // and poll instead: as many as the calls the process serves at once (options.threads).
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::max(2, options.threads));
  for (grpc::Service* service : options.services) {
    builder.RegisterService(service);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", options.host, ":", options.port));
  }
  return std::unique_ptr<Server>(new Server(std::move(server), bound_port));
}

Server::Server(std::unique_ptr<grpc::Server> server, int port)
    : server_(std::move(server)), port_(port) {}

Server::~Server() { Shutdown(std::chrono::milliseconds(0)); }

void Server::SetServing(bool serving) {
  if (auto* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(serving);
  }
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  if (server_ == nullptr) {
    return;
  }
  SetServing(false);
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
  server_.reset();
}

}  // namespace planapi::rpc
