// Bad configuration: one line naming the setting, exit code 2, and no port bound.
#include <catch2/catch.hpp>

#include "libs/pg/pg.h"
#include "libs/testing/postgres.h"
#include "libs/testing/process.h"
#include "libs/testing/service.h"

namespace planapi::integration {
namespace {

struct Outcome {
  int exit_code;
  std::string output;
};

Outcome Run(const std::string& binary, std::vector<std::string> args,
            const std::map<std::string, std::string>& env) {
  testing::TempDir dir;
  const std::string log = dir.path() + "/out.log";
  args.insert(args.begin(), testing::BinDir() + "/planapi-" + binary);
  auto rc = testing::RunCommand(args, env, log);
  REQUIRE(rc.ok());
  return {*rc, testing::ReadFile(log)};
}

TEST_CASE("backends refuse bad configuration with exit code 2, naming the setting",
          "[integration]") {
  // auth reads its own secrets before the unknown-flag check: give it good ones.
  testing::TempDir keys;
  REQUIRE(*testing::RunCommand(
              {"bash", testing::SourceDir() + "/deploy/local/auth-keys.sh", keys.path()}) == 0);
  const std::map<std::string, std::string> good_db = {
      {"PLANAPI_DATABASE_URL", "host=/nonexistent dbname=x"},
      {"PLANAPI_CLIENT_SECRET_KEY_FILE", keys.path() + "/client_secret_key"},
      {"PLANAPI_SIGNING_KEYS_FILE", keys.path() + "/signing_keys.pem"}};
  auto with_key = [&](std::string key) {
    auto env = good_db;
    env["PLANAPI_SERVICE_KEY"] = std::move(key);  // replaces the one the tests share
    return env;
  };
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string names;
  };
  const Case cases[] = {
      {{}, with_key(""), "PLANAPI_SERVICE_KEY (--service-key) or PLANAPI_SERVICE_KEY_FILE"},
      {{}, with_key("short"), "PLANAPI_SERVICE_KEY (--service-key): the service key must be at least 32"},
      {{"--grpc-port=http"}, good_db, "PLANAPI_GRPC_PORT (--grpc-port): 'http' is not an integer"},
      {{}, {}, "PLANAPI_DATABASE_URL (--database-url) or PLANAPI_DATABASE_URL_FILE"},
      {{"--database-url-file=/nonexistent/secret"}, {}, "cannot read '/nonexistent/secret'"},
      {{"--db-pool-size=0"}, good_db, "PLANAPI_DB_POOL_SIZE (--db-pool-size): 0 is outside"},
      {{"--grpc-threads=1"}, good_db, "PLANAPI_GRPC_THREADS (--grpc-threads): 1 is outside"},
      {{"--log-level=loud"}, good_db, "PLANAPI_LOG_LEVEL"},
      {{"--grcp-port=1"}, good_db, "unknown flag --grcp-port"},
      {{"stray"}, good_db, "unexpected argument 'stray'"},
      {{"--database-url=host='unterminated"}, {}, "PLANAPI_DATABASE_URL: malformed database URL"},
  };
  for (const char* svc : {"auth", "fhir", "directory", "registry", "review"}) {
    for (const Case& c : cases) {
      Outcome o = Run(svc, c.args, c.env);
      INFO(svc << ": " << o.output);
      CHECK(o.exit_code == 2);
      CHECK(o.output.find(c.names) != std::string::npos);
      // One line, and nothing was started (no "listening" log line).
      CHECK(std::count(o.output.begin(), o.output.end(), '\n') == 1);
      CHECK(o.output.find("listening") == std::string::npos);
    }
  }
}

TEST_CASE("the gateway refuses bad configuration with exit code 2", "[integration]") {
  const std::map<std::string, std::string> base = {
      {"PLANAPI_TLS_CERT_FILE", "/nonexistent/cert.pem"},
      {"PLANAPI_TLS_KEY_FILE", "/nonexistent/key.pem"},
      {"PLANAPI_AUTH_ADDR", "127.0.0.1:1"},      {"PLANAPI_FHIR_ADDR", "127.0.0.1:2"},
      {"PLANAPI_DIRECTORY_ADDR", "127.0.0.1:3"}, {"PLANAPI_REGISTRY_ADDR", "127.0.0.1:4"},
      {"PLANAPI_REVIEW_ADDR", "127.0.0.1:5"},    {"PLANAPI_HTTPS_PORT", "0"}};
  auto with = [&](std::string key, std::string value) {
    auto env = base;
    env[key] = value;
    return env;
  };
  auto without = [&](std::string key) {
    auto env = base;
    env.erase(key);
    return env;
  };
  struct Case {
    std::map<std::string, std::string> env;
    std::string names;
  };
  const Case cases[] = {
      {base, "PLANAPI_TLS_CERT_FILE: cannot load '/nonexistent/cert.pem'"},
      {without("PLANAPI_FHIR_ADDR"), "PLANAPI_FHIR_ADDR (--fhir-addr) is required"},
      {with("PLANAPI_REVIEW_ADDR", "nocolon"), "PLANAPI_REVIEW_ADDR (--review-addr): 'nocolon' is not host:port"},
      {with("PLANAPI_PUBLIC_URL", "http://plain"), "PLANAPI_PUBLIC_URL (--public-url): 'http://plain' must be an https:// URL"},
      {with("PLANAPI_PUBLIC_URL", "https://api.example/base"), "must be scheme and host only"},
      {with("PLANAPI_MAX_BODY_BYTES", "ten"), "PLANAPI_MAX_BODY_BYTES"},
      {with("PLANAPI_HTTPS_HOST", "not-an-ip"), "PLANAPI_HTTPS_HOST"},
      {with("PLANAPI_WEB_ROOT", "/nonexistent/web"), "PLANAPI_WEB_ROOT (--web-root): cannot read"},
      {with("PLANAPI_SERVICE_KEY", ""), "PLANAPI_SERVICE_KEY (--service-key) or PLANAPI_SERVICE_KEY_FILE"},
      {with("PLANAPI_SERVICE_KEY", "short"), "PLANAPI_SERVICE_KEY (--service-key) must be at least 32"},
  };
  for (const Case& c : cases) {
    Outcome o = Run("gateway", {}, c.env);
    INFO(o.output);
    CHECK(o.exit_code == 2);
    CHECK(o.output.find(c.names) != std::string::npos);
    CHECK(std::count(o.output.begin(), o.output.end(), '\n') == 1);
  }
}

TEST_CASE("migrate mode applies a service's schema and can run again", "[integration]") {
  testing::Database db = testing::Postgres::Shared().CreateDatabase();
  // Migration runs before the deployment's secrets exist (a Helm hook): no service key needed.
  const std::map<std::string, std::string> env = {{"PLANAPI_DATABASE_URL", db.conninfo()},
                                                  {"PLANAPI_SERVICE_KEY", ""}};
  for (int round = 0; round < 2; ++round) {
    for (const char* svc : {"auth", "fhir", "directory", "registry", "review"}) {
      Outcome o = Run(svc, {"--migrate"}, env);
      INFO(svc << ": " << o.output);
      CHECK(o.exit_code == 0);
      CHECK(o.output.find("schema migrated") != std::string::npos);
    }
  }
  auto conn = pg::Connection::Open(db.conninfo(), "", std::chrono::seconds(10));
  REQUIRE(conn.ok());
  auto schemas = (*conn)->Exec(
      "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations' AND schemaname IN "
      "('auth', 'fhir', 'directory', 'registry', 'review')");
  REQUIRE(schemas.ok());
  CHECK(schemas->Get(0, 0) == "5");
  // An unreachable database is a run-time failure (exit 1), not a configuration error.
  Outcome unreachable = Run("fhir", {"--migrate"}, {{"PLANAPI_DATABASE_URL", "host=/nonexistent dbname=x"}});
  CHECK(unreachable.exit_code == 1);
  CHECK(unreachable.output.find("cannot connect to PostgreSQL") != std::string::npos);
}

}  // namespace
}  // namespace planapi::integration
