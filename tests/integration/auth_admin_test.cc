// The auth service as operators meet it: its own configuration refused with exit code 2, and the
// admin API driven through planctl (JSON out, exit codes) against the real process and database.
#include <catch2/catch.hpp>

#include "absl/strings/str_split.h"
#include "libs/json/json.h"
#include "libs/pg/migrate.h"
#include "libs/testing/postgres.h"
#include "libs/testing/process.h"
#include "libs/testing/service.h"

namespace planapi::integration {
namespace {

struct Outcome {
  int exit_code;
  std::string output;
};

Outcome Run(std::vector<std::string> argv, const std::map<std::string, std::string>& env = {}) {
  testing::TempDir dir;
  const std::string log = dir.path() + "/out.log";
  auto rc = testing::RunCommand(argv, env, log);
  REQUIRE(rc.ok());
  return {*rc, testing::ReadFile(log)};
}

// The auth service alone, on a fresh database, with secrets made for the test.
struct Auth {
  Auth() : db(testing::Postgres::Shared().CreateDatabase()) {
    REQUIRE(*testing::RunCommand({"bash", testing::SourceDir() + "/deploy/local/auth-keys.sh",
                                  keys.path()}) == 0);
    env = {{"PLANAPI_DATABASE_URL", db.conninfo()},
           {"PLANAPI_CLIENT_SECRET_KEY_FILE", keys.path() + "/client_secret_key"},
           {"PLANAPI_SIGNING_KEYS_FILE", keys.path() + "/signing_keys.pem"},
           {"PLANAPI_GRPC_HOST", "127.0.0.1"},
           {"PLANAPI_GRPC_PORT", "0"}};
    REQUIRE(Run({testing::BinDir() + "/planapi-auth", "--migrate"}, env).exit_code == 0);
    auto s = testing::Service::Start("auth", env);
    INFO(s.status());
    REQUIRE(s.ok());
    service = *std::move(s);
  }
  ~Auth() {
    auto code = service->Stop();
    CHECK(code.ok());
    CHECK(*code == 0);
  }

  // planctl against this service; the JSON it printed last (stdout), if any.
  std::pair<int, rapidjson::Document> Planctl(std::vector<std::string> args) {
    args.insert(args.begin(), testing::BinDir() + "/planctl");
    args.push_back("--addr=" + service->address());
    Outcome o = Run(args);
    INFO(o.output);
    rapidjson::Document doc;
    std::vector<std::string> lines = absl::StrSplit(o.output, '\n', absl::SkipEmpty());
    if (!lines.empty()) {
      if (auto parsed = json::Parse(lines.back()); parsed.ok()) {
        doc = *std::move(parsed);
      }
    }
    return {o.exit_code, std::move(doc)};
  }

  testing::TempDir keys;
  testing::Database db;
  std::map<std::string, std::string> env;
  std::unique_ptr<testing::Service> service;
};

TEST_CASE("auth refuses missing or unusable secrets with exit code 2", "[integration]") {
  testing::TempDir keys;
  REQUIRE(*testing::RunCommand(
              {"bash", testing::SourceDir() + "/deploy/local/auth-keys.sh", keys.path()}) == 0);
  const std::string ec_only = keys.path() + "/ec.pem";
  REQUIRE(*testing::RunCommand({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                                "ec_paramgen_curve:P-256", "-out", ec_only}) == 0);
  const std::map<std::string, std::string> base = {
      {"PLANAPI_DATABASE_URL", "host=/nonexistent dbname=x"},
      {"PLANAPI_CLIENT_SECRET_KEY_FILE", keys.path() + "/client_secret_key"},
      {"PLANAPI_SIGNING_KEYS_FILE", keys.path() + "/signing_keys.pem"}};
  struct Case {
    std::string drop;
    std::map<std::string, std::string> set;
    std::string names;
  };
  const Case cases[] = {
      {"PLANAPI_CLIENT_SECRET_KEY_FILE", {},
       "PLANAPI_CLIENT_SECRET_KEY (--client-secret-key) or PLANAPI_CLIENT_SECRET_KEY_FILE"},
      {"PLANAPI_CLIENT_SECRET_KEY_FILE", {{"PLANAPI_CLIENT_SECRET_KEY", "dG9vIHNob3J0"}},
       "PLANAPI_CLIENT_SECRET_KEY (--client-secret-key): an AES-256-GCM key is 32 bytes"},
      {"PLANAPI_SIGNING_KEYS_FILE", {}, "PLANAPI_SIGNING_KEYS (--signing-keys) or"},
      {"PLANAPI_SIGNING_KEYS_FILE", {{"PLANAPI_SIGNING_KEYS_FILE", ec_only}},
       "PLANAPI_SIGNING_KEYS (--signing-keys): signing keys: an RSA key is required"},
      {"PLANAPI_SIGNING_KEYS_FILE", {{"PLANAPI_SIGNING_KEYS", "not a key"}},
       "PLANAPI_SIGNING_KEYS (--signing-keys): signing keys: no key found"},
  };
  for (const Case& c : cases) {
    auto env = base;
    env.erase(c.drop);
    for (const auto& [k, v] : c.set) {
      env[k] = v;
    }
    Outcome o = Run({testing::BinDir() + "/planapi-auth"}, env);
    INFO(o.output);
    CHECK(o.exit_code == 2);
    CHECK(o.output.find(c.names) != std::string::npos);
    CHECK(std::count(o.output.begin(), o.output.end(), '\n') == 1);
  }
}

TEST_CASE("planctl registers clients and accounts and manages grants, printing JSON",
          "[integration]") {
  Auth auth;
  auto [rc, client] = auth.Planctl({"client", "create", "--realm", "sandbox", "--name", "Demo App",
                                    "--type", "confidential", "--redirect-uri",
                                    "https://app.example/cb", "--scope",
                                    "openid fhirUser launch/patient patient/*.rs"});
  REQUIRE(rc == 0);
  CHECK(json::GetString(client, "client_id").value_or("").size() == 24);
  CHECK(json::GetString(client, "client_secret").value_or("").size() == 43);
  CHECK(json::GetString(client, "scopes") == "openid fhirUser launch/patient patient/*.rs");
  REQUIRE(client["realms"].Size() == 1);

  auto [prod_rc, prod] = auth.Planctl({"client", "create", "--realm=production", "--name=Public",
                                       "--type=public", "--redirect-uri=http://localhost:3000/cb"});
  REQUIRE(prod_rc == 0);
  CHECK(prod["realms"].Size() == 2);
  CHECK_FALSE(prod.HasMember("client_secret"));

  auto [m_rc, member] = auth.Planctl({"member", "create", "--realm", "production", "--username",
                                      "dana", "--password", "dana-password", "--patient", "p-1"});
  REQUIRE(m_rc == 0);
  CHECK(json::GetString(member, "patient") == "p-1");
  CHECK(json::GetString(member, "realm") == "production");
  auto [dup_rc, dup] = auth.Planctl({"member", "create", "--realm", "production", "--username",
                                     "DANA", "--password", "other-password", "--patient", "p-2"});
  CHECK(dup_rc == 1);
  auto [r_rc, reviewer] =
      auth.Planctl({"reviewer", "create", "--username", "rita", "--password", "rita-password"});
  CHECK(r_rc == 0);
  CHECK(json::GetString(reviewer, "kind") == "reviewer");

  auto [l_rc, grants] = auth.Planctl({"grants", "list", "--member", "dana", "--realm", "production"});
  REQUIRE(l_rc == 0);
  CHECK(grants["grants"].Size() == 0);
  CHECK(auth.Planctl({"grants", "list", "--member", "nobody", "--realm", "production"}).first == 1);
  auto [both_rc, both] = auth.Planctl({"grants", "list", "--member", "dana"});  // both realms
  CHECK(both_rc == 0);
  CHECK(both["grants"].IsArray());
  CHECK(auth.Planctl({"grants", "list", "--member", "nobody"}).first == 1);
  CHECK(auth.Planctl({"grants", "revoke", "--id", "00000000-0000-0000-0000-000000000000"}).first ==
        1);

  // Bad arguments: exit 2 before any call; a refused value: exit 1.
  CHECK(auth.Planctl({"client", "create", "--name", "x", "--type", "sideways"}).first == 2);
  CHECK(auth.Planctl({"client", "create", "--nmae", "x", "--type", "public"}).first == 2);
  CHECK(auth.Planctl({"grants", "list"}).first == 2);
  CHECK(auth.Planctl({"grants", "list", "--member", "dana", "--realm", "moon"}).first == 2);
  CHECK(auth.Planctl({"client", "destroy"}).first == 2);
  CHECK(auth.Planctl({"client", "create", "--name", "x", "--type", "public", "--redirect-uri",
                      "http://app.example/cb"})
            .first == 1);
}

TEST_CASE("planctl launch create prints the app's launch URL with iss and launch", "[integration]") {
  Auth auth;
  auto [rc, client] = auth.Planctl({"client", "create", "--realm", "sandbox", "--name", "EHR App",
                                    "--type", "public", "--redirect-uri", "https://app.example/cb",
                                    "--launch-url", "https://app.example/launch?v=2"});
  REQUIRE(rc == 0);
  const std::string client_id(json::GetString(client, "client_id").value_or(""));
  REQUIRE(auth.Planctl({"member", "create", "--realm", "sandbox", "--username", "erin",
                        "--password", "erin-password", "--patient", "p-7"})
              .first == 0);
  auto [l_rc, launch] = auth.Planctl({"launch", "create", "--realm", "sandbox", "--client",
                                      client_id, "--patient", "p-7", "--member", "erin",
                                      "--base-url", "https://api.example.test"});
  REQUIRE(l_rc == 0);
  const std::string launch_id(json::GetString(launch, "launch").value_or(""));
  CHECK(launch_id.size() == 43);
  CHECK(json::GetString(launch, "iss") == "https://api.example.test/sandbox/fhir/r4");
  CHECK(json::GetString(launch, "launch_url") ==
        "https://app.example/launch?v=2&iss=https%3A%2F%2Fapi.example.test%2Fsandbox%2Ffhir%2Fr4"
        "&launch=" + launch_id);
  CHECK(json::GetString(launch, "patient") == "p-7");
  CHECK(json::GetString(launch, "member") == "erin");
  CHECK_FALSE(json::GetString(launch, "expires_at").value_or("").empty());

  // Refused by auth: exit 1 (not admitted to production; another member's patient; bad patient).
  CHECK(auth.Planctl({"launch", "create", "--realm", "production", "--client", client_id,
                      "--patient", "p-7"})
            .first == 1);
  CHECK(auth.Planctl({"launch", "create", "--realm", "sandbox", "--client", client_id,
                      "--patient", "p-8", "--member", "erin"})
            .first == 1);
  CHECK(auth.Planctl({"launch", "create", "--realm", "sandbox", "--client", client_id,
                      "--patient", "p 7"})
            .first == 1);
  // Bad arguments: exit 2, nothing sent.
  CHECK(auth.Planctl({"launch", "create", "--client", client_id, "--patient", "p-7"}).first == 2);
  CHECK(auth.Planctl({"launch", "create", "--realm", "sandbox", "--patient", "p-7"}).first == 2);
  CHECK(auth.Planctl({"launch", "create", "--realm", "sandbox", "--client", client_id,
                      "--patient", "p-7", "--pateint", "x"})
            .first == 2);
}

}  // namespace
}  // namespace planapi::integration
