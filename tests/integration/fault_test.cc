// Faults: a service crashes and comes back, PostgreSQL restarts, a schema is not migrated. The
// gateway keeps every other route working and recovers by itself.
#include <catch2/catch.hpp>

#include "libs/json/json.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

TEST_CASE("a crashed service answers 503 on its routes only, and is found again",
          "[integration]") {
  auto suite = Suite::Start();
  auto client = suite->Client();
  REQUIRE(client.Get("/fhir/r4/metadata").status == 200);
  suite->service("fhir").Kill();

  const auto start = std::chrono::steady_clock::now();
  auto down = client.Get("/fhir/r4/metadata");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(down.status == 503);
  CHECK(down.body.find("\"transient\"") != std::string::npos);
  CHECK(down.headers["retry-after"] == "1");
  CHECK(elapsed < std::chrono::milliseconds(3500));  // within the route's deadline
  CHECK(client.Get("/sandbox/fhir/r4/metadata").status == 503);
  CHECK(client.Get("/directory/r4/metadata").status == 200);
  auto ready = client.Get("/readyz");
  CHECK(ready.status == 503);
  auto doc = json::Parse(ready.body);
  REQUIRE(doc.ok());
  REQUIRE((*doc)["unavailable"].Size() == 1);
  CHECK(std::string((*doc)["unavailable"][0].GetString()) == "fhir");
  CHECK(client.Get("/metrics").body.find(
            "planapi_gateway_upstream_errors_total{upstream=\"fhir\",code=\"unavailable\"}") !=
        std::string::npos);

  suite->Restart("fhir");
  CHECK(suite->WaitForStatus("/fhir/r4/metadata", 200, std::chrono::seconds(15)) == 200);
  CHECK(suite->WaitForStatus("/readyz", 200, std::chrono::seconds(15)) == 200);
}

TEST_CASE("services ride out a PostgreSQL restart without restarting", "[integration]") {
  auto pg = testing::Postgres::StartOwned();
  REQUIRE(pg.ok());
  auto suite = Suite::Start({.postgres = pg->get()});
  REQUIRE((*pg)->Stop().ok());
  CHECK(suite->WaitForStatus("/readyz", 503, std::chrono::seconds(15)) == 503);
  // Routes that need no database keep answering.
  CHECK(suite->Client().Get("/directory/r4/metadata").status == 200);
  REQUIRE((*pg)->Start().ok());
  CHECK(suite->WaitForStatus("/readyz", 200, std::chrono::seconds(20)) == 200);
  for (const auto& [name, code] : suite->Stop()) {
    INFO(name);
    CHECK(code == 0);
  }
}

TEST_CASE("a service whose schema is not migrated reports itself not ready", "[integration]") {
  auto suite = Suite::Start({.skip_migration = {"review"}});
  CHECK(suite->WaitForStatus("/readyz", 503, std::chrono::seconds(10)) == 503);
  auto ready = suite->Client().Get("/readyz");
  auto doc = json::Parse(ready.body);
  REQUIRE(doc.ok());
  CHECK(json::GetString((*doc)["upstreams"], "review") == "not serving");
  CHECK(json::GetString((*doc)["upstreams"], "auth") == "serving");
  CHECK(suite->service("review").Log().find("run with --migrate") != std::string::npos);
}

}  // namespace
}  // namespace planapi::integration
