// A gRPC server for the backends: binds host:port (0 = any free port), serves the standard
// grpc.health.v1 service, and drains in-flight calls on shutdown. Callers register generated
// service implementations they own.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>

#include "absl/status/statusor.h"

namespace planapi::rpc {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 0;
  std::vector<grpc::Service*> services;  // not owned; must outlive the Server
  // Threads kept waiting for calls. Handlers block (on PostgreSQL), so this should cover the
  // calls a process serves at once (about its database pool); gRPC's default of two made every
  // call beyond two start a thread and end it afterwards.
  int threads = 8;
};

class Server {
 public:
  // UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options);
  ~Server();

  int port() const { return port_; }
  // What the health service answers for the whole server ("").
  void SetServing(bool serving);
  // Stops accepting calls and waits up to `grace` for running ones; then cancels the rest.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  Server(std::unique_ptr<grpc::Server> server, int port);
  std::unique_ptr<grpc::Server> server_;
  int port_;
};

}  // namespace planapi::rpc
