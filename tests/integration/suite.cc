#include "tests/integration/suite.h"

#include <thread>

#include <catch2/catch.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/testing/process.h"

namespace planapi::integration {

std::map<std::string, std::string> Suite::BackendEnv() const {
  // The auth service's secrets; the other backends ignore them.
  return {{"PLANAPI_DATABASE_URL", db_->conninfo()},
          {"PLANAPI_CLIENT_SECRET_KEY_FILE", tls_->path() + "/auth/client_secret_key"},
          {"PLANAPI_SIGNING_KEYS_FILE", tls_->path() + "/auth/signing_keys.pem"},
          {"PLANAPI_GRPC_HOST", "127.0.0.1"},
          {"PLANAPI_HEALTH_INTERVAL_MS", "200"},
          {"PLANAPI_SHUTDOWN_GRACE_SECONDS", "5"}};
}

std::unique_ptr<Suite> Suite::Start(SuiteOptions options) {
  auto suite = std::unique_ptr<Suite>(new Suite());
  testing::Postgres& pg =
      options.postgres != nullptr ? *options.postgres : testing::Postgres::Shared();
  suite->db_ = std::make_unique<testing::Database>(pg.CreateDatabase());
  suite->tls_ = std::make_unique<testing::TempDir>();
  REQUIRE(*testing::RunCommand({"bash", testing::SourceDir() + "/deploy/local/tls.sh",
                                suite->tls_->path()}) == 0);
  suite->ca_file_ = suite->tls_->path() + "/ca.pem";
  REQUIRE(*testing::RunCommand({"bash", testing::SourceDir() + "/deploy/local/auth-keys.sh",
                                suite->tls_->path() + "/auth"}) == 0);

  std::map<std::string, std::string> gateway_env = {
      {"PLANAPI_HTTPS_HOST", "127.0.0.1"},
      {"PLANAPI_HTTPS_PORT", "0"},
      {"PLANAPI_TLS_CERT_FILE", suite->tls_->path() + "/server.pem"},
      {"PLANAPI_TLS_KEY_FILE", suite->tls_->path() + "/server.key"},
      {"PLANAPI_UPSTREAM_DEADLINE_MS", "3000"},
      {"PLANAPI_IO_THREADS", "2"},
      {"PLANAPI_WEB_ROOT", testing::SourceDir() + "/web"},
      {"PLANAPI_SHUTDOWN_GRACE_SECONDS", "5"},
  };
  for (const char* name : kBackends) {
    const std::string svc = name;
    const bool migrate = std::find(options.skip_migration.begin(), options.skip_migration.end(),
                                   svc) == options.skip_migration.end();
    if (migrate) {
      auto rc = testing::RunCommand({testing::BinDir() + "/planapi-" + svc, "--migrate"},
                                    suite->BackendEnv(), "/dev/null");
      REQUIRE(rc.ok());
      REQUIRE(*rc == 0);
    }
    auto env = suite->BackendEnv();
    env["PLANAPI_GRPC_PORT"] = "0";
    auto service = testing::Service::Start(svc, env);
    INFO(service.status());
    REQUIRE(service.ok());
    suite->ports_[svc] = (*service)->port();
    gateway_env[absl::StrCat("PLANAPI_", absl::AsciiStrToUpper(svc), "_ADDR")] =
        (*service)->address();
    suite->services_[svc] = *std::move(service);
  }
  for (const auto& [k, v] : options.gateway_env) {
    gateway_env[k] = v;
  }
  auto gateway = testing::Service::Start("gateway", gateway_env);
  INFO(gateway.status());
  REQUIRE(gateway.ok());
  suite->services_["gateway"] = *std::move(gateway);
  if (options.skip_migration.empty()) {
    REQUIRE(suite->WaitForStatus("/readyz", 200, std::chrono::seconds(20)) == 200);
  }
  return suite;
}

Suite::~Suite() { Stop(); }

std::string Suite::base_url() const {
  return absl::StrCat("https://localhost:", services_.at("gateway")->port());
}

testing::HttpsClient Suite::Client() const { return testing::HttpsClient(base_url(), ca_file_); }

void Suite::Restart(const std::string& name) {
  auto env = BackendEnv();
  env["PLANAPI_GRPC_PORT"] = std::to_string(ports_.at(name));
  services_.erase(name);
  auto service = testing::Service::Start(name, env);
  INFO(service.status());
  REQUIRE(service.ok());
  services_[name] = *std::move(service);
}

std::map<std::string, int> Suite::Stop() {
  std::map<std::string, int> codes;
  for (const std::string name : {"gateway", "auth", "fhir", "directory", "registry", "review"}) {
    auto it = services_.find(name);
    if (it == services_.end() || !it->second->Running()) {
      continue;
    }
    absl::StatusOr<int> code = it->second->Stop();
    codes[name] = code.ok() ? *code : -1;
    if (codes[name] != 0) {
      WARN(name << " exited " << codes[name] << "; log:\n" << it->second->Log());
    }
  }
  services_.clear();
  return codes;
}

int Suite::WaitForStatus(const std::string& path, int status, std::chrono::milliseconds timeout) {
  testing::HttpsClient client = Client();
  client.set_timeout_ms(5000);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int last = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    last = client.Get(path).status;
    if (last == status) {
      return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

}  // namespace planapi::integration
