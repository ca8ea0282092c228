// The whole suite for integration tests: a fresh database, every service migrated and started as
// its own process on a free port, and the gateway over real TLS with a CA made for the test.
// Stopping it (destructor or Stop) sends SIGTERM to each process and records the exit codes.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/testing/https_client.h"
#include "libs/testing/postgres.h"
#include "libs/testing/service.h"

namespace planapi::integration {

inline constexpr const char* kBackends[] = {"auth", "fhir", "directory", "registry", "review"};

struct SuiteOptions {
  // Extra environment for the gateway (e.g. PLANAPI_MAX_BODY_BYTES).
  std::map<std::string, std::string> gateway_env;
  // Use this cluster instead of the shared one (fault tests restart it).
  testing::Postgres* postgres = nullptr;
  // Leave these services' schemas unmigrated.
  std::vector<std::string> skip_migration;
};

class Suite {
 public:
  static std::unique_ptr<Suite> Start(SuiteOptions options = {});
  ~Suite();

  testing::HttpsClient Client() const;
  std::string base_url() const;
  testing::Service& service(const std::string& name) { return *services_.at(name); }
  const std::string& ca_file() const { return ca_file_; }
  const testing::Database& database() const { return *db_; }

  // Starts a stopped backend again on the port it had, as Kubernetes would restart a pod.
  void Restart(const std::string& name);
  // SIGTERM to every process, gateway first; returns name -> exit code.
  std::map<std::string, int> Stop();

  // Polls GET `path` until it answers `status` or `timeout` passes; returns the last status.
  int WaitForStatus(const std::string& path, int status, std::chrono::milliseconds timeout);

 private:
  std::map<std::string, std::string> BackendEnv() const;
  std::unique_ptr<testing::TempDir> tls_;
  std::string ca_file_;
  std::unique_ptr<testing::Database> db_;
  std::map<std::string, std::unique_ptr<testing::Service>> services_;
  std::map<std::string, int> ports_;
};

}  // namespace planapi::integration
