// The suite end to end: real processes, a real PostgreSQL, the gateway over real TLS, driven with
// libcurl. Every test ends by stopping the processes with SIGTERM and expecting a clean exit.
#include <catch2/catch.hpp>

#include "libs/json/json.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

std::string IssueCode(const std::string& body) {
  auto doc = json::Parse(body);
  REQUIRE(doc.ok());
  REQUIRE(json::GetString(*doc, "resourceType") == "OperationOutcome");
  return std::string(*json::GetString((*doc)["issue"][0], "code"));
}

void ExpectCleanExit(Suite& suite) {
  for (const auto& [name, code] : suite.Stop()) {
    INFO(name);
    CHECK(code == 0);
  }
}

TEST_CASE("metadata of both FHIR APIs comes from the services behind the gateway",
          "[integration]") {
  auto suite = Suite::Start();
  auto client = suite->Client();
  struct Row {
    std::string base;
    std::string name;
    std::string type;
  };
  for (const Row& row : {Row{"/fhir/r4", "planapi Patient Access API", "ExplanationOfBenefit"},
                         Row{"/sandbox/fhir/r4", "planapi Patient Access API", "Patient"},
                         Row{"/directory/r4", "planapi Provider Directory API", "PractitionerRole"}}) {
    auto r = client.Get(row.base + "/metadata");
    INFO(row.base << " " << r.body);
    REQUIRE(r.status == 200);
    CHECK(r.headers["content-type"] == "application/fhir+json; charset=utf-8");
    auto cs = json::Parse(r.body);
    REQUIRE(cs.ok());
    CHECK(json::GetString(*cs, "resourceType") == "CapabilityStatement");
    CHECK(json::GetString(*cs, "fhirVersion") == "4.0.1");
    CHECK(json::GetString((*cs)["software"], "name") == row.name);
    CHECK(json::GetString((*cs)["implementation"], "url") == suite->base_url() + row.base);
    bool has_type = false;
    for (const auto& res : (*cs)["rest"][0]["resource"].GetArray()) {
      has_type = has_type || json::GetString(res, "type") == row.type;
    }
    CHECK(has_type);
  }
  // Member data is refused until a token is verified (deny by default).
  auto member = client.Get("/fhir/r4/Patient/1");
  CHECK(member.status == 401);
  CHECK(member.headers["www-authenticate"] == "Bearer realm=\"planapi\"");
  CHECK(IssueCode(member.body) == "login");
  // The directory does not serve member data, and says so as FHIR.
  auto patient = client.Get("/directory/r4/Patient/1");
  CHECK(patient.status == 404);
  CHECK(IssueCode(patient.body) == "not-supported");
  ExpectCleanExit(*suite);
}

TEST_CASE("health, readiness, metrics and the common headers", "[integration]") {
  auto suite = Suite::Start();
  auto client = suite->Client();
  auto health = client.Get("/healthz", {"X-Request-Id: it-1"});
  CHECK(health.status == 200);
  CHECK(health.headers["x-request-id"] == "it-1");
  CHECK(health.headers["strict-transport-security"].find("max-age=31536000") == 0);
  CHECK(health.headers["x-content-type-options"] == "nosniff");

  auto ready = client.Get("/readyz");
  CHECK(ready.status == 200);
  auto doc = json::Parse(ready.body);
  REQUIRE(doc.ok());
  for (const char* svc : kBackends) {
    CHECK(json::GetString((*doc)["upstreams"], svc) == "serving");
  }
  client.Get("/fhir/r4/metadata");
  auto metrics = client.Get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("planapi_gateway_requests_total{route=\"fhir\",code=\"200\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("planapi_gateway_request_duration_seconds_bucket") != std::string::npos);
  // A generated request id when the client sends none.
  CHECK(client.Get("/healthz").headers["x-request-id"].size() == 32);
  // The web UI.
  auto page = client.Get("/");
  CHECK(page.status == 200);
  CHECK(page.headers["content-type"] == "text/html; charset=utf-8");
  ExpectCleanExit(*suite);
}

TEST_CASE("bad requests get clear 4xx answers and change nothing", "[integration]") {
  auto suite = Suite::Start({.gateway_env = {{"PLANAPI_MAX_BODY_BYTES", "4096"}}});
  auto client = suite->Client();
  CHECK(client.Get("/no/such/route").status == 404);
  auto wrong_method = client.Send("DELETE", "/fhir/r4/metadata", "");
  CHECK(wrong_method.status == 405);
  CHECK(wrong_method.headers["allow"] == "GET, HEAD");
  CHECK(IssueCode(wrong_method.body) == "invalid");
  auto too_big = client.Send("POST", "/fhir/r4/Observation/_search", std::string(10000, 'a'),
                             {"Content-Type: application/x-www-form-urlencoded"});
  CHECK(too_big.status == 413);
  CHECK(IssueCode(too_big.body) == "too-long");
  auto bad_query = client.Get("/fhir/r4/Observation?code=%ZZ");
  CHECK(bad_query.status == 400);
  CHECK(bad_query.body.find("percent-encoding") != std::string::npos);
  auto bad_id = client.Get("/fhir/r4/Patient/has*star");
  CHECK(bad_id.status == 400);
  // Forwarded to registry and auth, which answer that they have no such endpoint.
  auto portal = client.Get("/portal/api/nothing");
  CHECK(portal.status == 404);
  CHECK(portal.headers["content-type"] == "application/problem+json");
  CHECK(portal.body.find("no endpoint /api/nothing") != std::string::npos);
  CHECK(client.Get("/sandbox/auth/nothing").status == 404);
  // The gateway is still serving after all of that.
  CHECK(client.Get("/healthz").status == 200);
  ExpectCleanExit(*suite);
}

}  // namespace
}  // namespace planapi::integration
