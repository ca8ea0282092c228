#include "libs/server/backend.h"

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <optional>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/rpc/identity.h"
#include "libs/rpc/server.h"
#include "libs/runtime/signals.h"
#include "libs/status/status_macros.h"

extern char** environ;

namespace planapi::server {

absl::StatusOr<BackendConfig> LoadBackendConfig(absl::string_view name, int default_grpc_port,
                                                runtime::Settings& settings) {
  BackendConfig c;
  c.name = std::string(name);
  PLANAPI_ASSIGN_OR_RETURN(c.grpc_host, settings.String("grpc-host", "0.0.0.0"));
  PLANAPI_ASSIGN_OR_RETURN(int64_t port, settings.Int("grpc-port", default_grpc_port, 0, 65535));
  c.grpc_port = static_cast<int>(port);
  PLANAPI_ASSIGN_OR_RETURN(c.port_file, settings.String("port-file", ""));
  PLANAPI_ASSIGN_OR_RETURN(c.database.conninfo, settings.RequiredSecret("database-url"));
  PLANAPI_ASSIGN_OR_RETURN(c.database.schema, settings.String("db-schema", name));
  if (c.database.schema.empty()) {
    return absl::InvalidArgumentError("PLANAPI_DB_SCHEMA (--db-schema) must not be empty");
  }
  PLANAPI_ASSIGN_OR_RETURN(int64_t pool_size, settings.Int("db-pool-size", 8, 1, 256));
  c.database.size = static_cast<int>(pool_size);
  PLANAPI_ASSIGN_OR_RETURN(int64_t threads, settings.Int("grpc-threads", pool_size + 2, 2, 1024));
  c.grpc_threads = static_cast<int>(threads);
  PLANAPI_ASSIGN_OR_RETURN(int64_t statement_ms,
                           settings.Int("db-statement-timeout-ms", 30000, 100, 3600000));
  c.database.statement_timeout = std::chrono::milliseconds(statement_ms);
  PLANAPI_ASSIGN_OR_RETURN(std::string level,
                           settings.Choice("log-level", "info", {"debug", "info", "warn", "error"}));
  c.log_level = *runtime::ParseLogLevel(level);
  PLANAPI_ASSIGN_OR_RETURN(c.shutdown_grace, settings.Seconds("shutdown-grace-seconds", 10, 0, 600));
  PLANAPI_ASSIGN_OR_RETURN(int64_t health_ms, settings.Int("health-interval-ms", 1000, 50, 60000));
  c.health_interval = std::chrono::milliseconds(health_ms);
  PLANAPI_ASSIGN_OR_RETURN(c.migrate_only, settings.Bool("migrate", false));
  return c;
}

namespace {

// Polls the database and reports through `on_change` whether the service can serve: reachable,
// and its schema at the version this build needs. Runs on its own thread until destroyed.
class DatabaseWatch {
 public:
  DatabaseWatch(pg::Pool& pool, const BackendConfig& config, int wanted_version,
                std::function<void(bool)> on_change)
      : pool_(pool), config_(config), wanted_(wanted_version), on_change_(std::move(on_change)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~DatabaseWatch() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  absl::Status Probe() {
    absl::StatusOr<pg::Pool::Lease> lease = pool_.Acquire();
    if (lease.status().code() == absl::StatusCode::kResourceExhausted) {
      return absl::OkStatus();  // every connection busy serving: the database is there
    }
    PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, std::move(lease));
    PLANAPI_ASSIGN_OR_RETURN(int version, pg::SchemaVersion(*conn, config_.database.schema));
    // A newer schema is fine: during a rolling upgrade the migration Job runs first and the
    // old replicas keep serving (migrations are additive until a release says otherwise).
    if (version < wanted_) {
      return absl::FailedPreconditionError(
          absl::StrCat("schema ", config_.database.schema, " is at version ", version,
                       ", this build needs ", wanted_, ": run with --migrate"));
    }
    return absl::OkStatus();
  }

  void Loop() {
    std::optional<bool> last;
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      absl::Status probe = Probe();
      lock.lock();
      if (stop_) {
        break;  // draining: health is the shutdown's to say now
      }
      const bool serving = probe.ok();
      if (last != serving) {
        if (serving) {
          runtime::LogInfo("database ready; serving");
        } else {
          runtime::LogWarn("not serving", {{"reason", probe.ToString()}});
        }
        on_change_(serving);
        last = serving;
      }
      cv_.wait_for(lock, config_.health_interval, [this] { return stop_; });
    }
  }

  pg::Pool& pool_;
  const BackendConfig& config_;
  const int wanted_;
  std::function<void(bool)> on_change_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

int Fail(const BackendSpec& spec, int code, const absl::Status& status) {
  std::cerr << "planapi-" << spec.name << ": " << (code == 2 ? "bad configuration: " : "")
            << status.message() << "\n";
  return code;
}

}  // namespace

int BackendMain(int argc, char** argv, const BackendSpec& spec) {
  runtime::PrepareServiceProcess();
  absl::StatusOr<runtime::Settings> settings = runtime::Settings::FromArgs(argc, argv, environ);
  if (!settings.ok()) {
    return Fail(spec, 2, settings.status());
  }
  absl::StatusOr<BackendConfig> config =
      LoadBackendConfig(spec.name, spec.default_grpc_port, *settings);
  if (!config.ok()) {
    return Fail(spec, 2, config.status());
  }
  runtime::InitLogging(spec.name, config->log_level);
  absl::StatusOr<std::unique_ptr<pg::Pool>> pool = pg::Pool::Create(config->database);
  if (!pool.ok()) {
    return Fail(spec, 2,
                absl::InvalidArgumentError(absl::StrCat("PLANAPI_DATABASE_URL: ", pool.status().message())));
  }
  const int wanted_version = spec.migrations.empty() ? 0 : spec.migrations.back().version;

  // Migration needs only the database: a Helm hook runs it before the service's own secrets
  // (keys and the like) exist.
  if (config->migrate_only) {
    absl::StatusOr<pg::Pool::Lease> conn = (*pool)->Acquire();
    if (!conn.ok()) {
      return Fail(spec, 1, conn.status());
    }
    absl::StatusOr<int> version =
        pg::ApplyMigrations(**conn, config->database.schema, spec.migrations);
    if (!version.ok()) {
      return Fail(spec, 1, version.status());
    }
    runtime::LogInfo("schema migrated", {{"schema", config->database.schema},
                                         {"version", absl::StrCat(*version)}});
    return 0;
  }

  // The service key is read here, with the other secrets, not with the settings above: migration
  // runs (as a Helm hook) before the deployment's secrets exist.
  absl::StatusOr<std::string> service_key = settings->RequiredSecret("service-key");
  if (service_key.ok()) {
    if (absl::Status s = rpc::SetServiceIdentity(spec.name, *service_key); !s.ok()) {
      service_key = absl::InvalidArgumentError(
          absl::StrCat("PLANAPI_SERVICE_KEY (--service-key): ", s.message()));
    }
  }
  if (!service_key.ok()) {
    return Fail(spec, 2, service_key.status());
  }
  auto services = spec.make_services(*settings, **pool);
  if (!services.ok()) {
    return Fail(spec, services.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1,
                services.status());
  }
  if (absl::Status unknown = settings->CheckNoUnknownFlags(); !unknown.ok()) {
    return Fail(spec, 2, unknown);
  }
  std::vector<grpc::Service*> raw;
  for (const auto& s : *services) {
    raw.push_back(s.get());
  }
  absl::StatusOr<std::unique_ptr<rpc::Server>> server = rpc::Server::Start(
      {.host = config->grpc_host,
       .port = config->grpc_port,
       .services = raw,
       .threads = config->grpc_threads});
  if (!server.ok()) {
    return Fail(spec, 1, server.status());
  }
  (*server)->SetServing(false);
  {
    // Health follows the database from here on; the port file tells tests and scripts we listen.
    DatabaseWatch watch(**pool, *config, wanted_version,
                        [&](bool serving) { (*server)->SetServing(serving); });
    if (!config->port_file.empty()) {
      runtime::WritePortFile(config->port_file, (*server)->port());
    }
    runtime::LogInfo("listening", {{"grpc", absl::StrCat(config->grpc_host, ":", (*server)->port())}});
    const int sig = runtime::WaitForShutdownSignal();
    runtime::LogInfo("draining", {{"signal", absl::StrCat(sig)}});
    // Out of rotation at once, before waiting for the watch to finish a probe.
    (*server)->SetServing(false);
  }
  (*server)->Shutdown(config->shutdown_grace);
  runtime::LogInfo("stopped");
  return 0;
}

}  // namespace planapi::server
