// The one bootstrap for the five backend services (auth, fhir, directory, registry, review):
// configuration shared by all of them, the --migrate mode, the gRPC server with the health
// service, a database watch that turns health to NOT_SERVING while PostgreSQL is unreachable or
// the schema is behind this build, and a graceful drain on SIGTERM. Each service's main() passes
// its name, its migrations and a factory that wires its gRPC services; nothing else is shared.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <grpcpp/impl/codegen/service_type.h>

#include "absl/status/statusor.h"
#include "libs/pg/migrate.h"
#include "libs/pg/pg.h"
#include "libs/runtime/log.h"
#include "libs/runtime/settings.h"

namespace planapi::server {

struct BackendConfig {
  std::string name;
  std::string grpc_host;
  int grpc_port = 0;
  int grpc_threads = 10;  // gRPC threads kept waiting for calls (db-pool-size + 2 by default)
  std::string port_file;
  pg::PoolOptions database;
  runtime::LogLevel log_level = runtime::LogLevel::kInfo;
  std::chrono::milliseconds shutdown_grace{10000};
  std::chrono::milliseconds health_interval{1000};
  bool migrate_only = false;
};

// Reads the settings every backend has (docs/configuration.md): grpc-host, grpc-port, port-file,
// database-url (or database-url-file), db-schema, db-pool-size, grpc-threads,
// db-statement-timeout-ms,
// log-level, shutdown-grace-seconds, health-interval-ms, migrate. INVALID_ARGUMENT naming the
// setting on a bad value.
absl::StatusOr<BackendConfig> LoadBackendConfig(absl::string_view name, int default_grpc_port,
                                                runtime::Settings& settings);

// What a service's main() provides.
struct BackendSpec {
  std::string name;
  int default_grpc_port;
  std::span<const pg::Migration> migrations;
  // Reads the service's own settings and builds its gRPC services on the pool. Called once at
  // start-up; INVALID_ARGUMENT means bad configuration (exit 2).
  std::function<absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>>(runtime::Settings&,
                                                                            pg::Pool&)>
      make_services;
};

// The whole life of a backend process; returns the process exit code: 0 after a clean drain or
// migration, 2 for bad configuration (before any port is bound), 1 for a failure at run time.
int BackendMain(int argc, char** argv, const BackendSpec& spec);

}  // namespace planapi::server
