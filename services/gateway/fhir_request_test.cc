#include "services/gateway/fhir_request.h"

#include <catch2/catch.hpp>

#include "services/gateway/routes.h"

namespace planapi::gateway {
namespace {

TEST_CASE("routes match whole path segments", "[gateway]") {
  CHECK(MatchRoute("/fhir/r4/Patient/1")->route->route_class == "fhir");
  CHECK(MatchRoute("/fhir/r4/Patient/1")->rest == "/Patient/1");
  CHECK(MatchRoute("/sandbox/fhir/r4")->route->route_class == "sandbox_fhir");
  CHECK(MatchRoute("/directory/r4/$export")->route->kind == RouteKind::kWeb);
  CHECK(MatchRoute("/directory/r4/%24export/status")->rest == "/status");
  CHECK(MatchRoute("/directory/r4/$exportx")->route->route_class == "directory");
  CHECK(MatchRoute("/fhir/r4x")->route->kind == RouteKind::kStatic);
  CHECK(MatchRoute("/authority")->route->kind == RouteKind::kStatic);
  CHECK(MatchRoute("/auth/token")->route->upstream == Upstream::kAuth);
  CHECK(MatchRoute("/fhir/r4/.well-known/smart-configuration")->route->upstream == Upstream::kAuth);
  CHECK(MatchRoute("/fhir/r4/.well-known/smart-configuration")->rest == "/smart-configuration");
  CHECK(MatchRoute("/sandbox/fhir/r4/.well-known/smart-configuration")->route->realm ==
        Realm::kSandbox);
  CHECK(MatchRoute("/portal/api/apps")->route->upstream == Upstream::kRegistry);
  CHECK(MatchRoute("/healthz")->route->kind == RouteKind::kLocal);
  CHECK(IsFhirPath("/directory/r4/Location"));
  CHECK_FALSE(IsFhirPath("/portal"));
}

TEST_CASE("form parsing decodes and keeps order and repeats", "[gateway]") {
  auto p = ParseForm("a=1&b=x+y&a=%7C&c&&d=");
  REQUIRE(p.ok());
  REQUIRE(p->size() == 5);
  CHECK((*p)[1].second == "x y");
  CHECK((*p)[2] == std::pair<std::string, std::string>("a", "|"));
  CHECK((*p)[3].second.empty());
  CHECK_FALSE(ParseForm("a=%").ok());
  CHECK_FALSE(ParseForm("a=%4").ok());
  CHECK_FALSE(ParseForm("=v").ok());
}

TEST_CASE("FHIR paths become interactions", "[gateway]") {
  http::Request get{.method = "GET"};
  CHECK(ParseFhirRequest(get, "/metadata")->call.interaction == FhirInteraction::kCapabilities);
  auto read = ParseFhirRequest(get, "/Patient/abc.1");
  REQUIRE(read.ok());
  CHECK(read->call.interaction == FhirInteraction::kRead);
  CHECK(read->call.id == "abc.1");
  CHECK(ParseFhirRequest(get, "").status().code() == absl::StatusCode::kNotFound);
  CHECK(ParseFhirRequest(get, "/Patient/1/2/3").status().code() == absl::StatusCode::kNotFound);
  CHECK(ParseFhirRequest(get, "/Patient/" + std::string(65, 'a')).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ParseFhirRequest(get, "/Patient/1/_history")->call.interaction ==
        FhirInteraction::kHistoryInstance);
  auto vread = ParseFhirRequest(get, "/Patient/1/_history/3");
  REQUIRE(vread.ok());
  CHECK(vread->call.interaction == FhirInteraction::kVRead);
  CHECK(vread->call.version_id == "3");
  CHECK(ParseFhirRequest(get, "/Patient/1/_history/3/x").status().code() ==
        absl::StatusCode::kNotFound);
  http::Request put{.method = "PUT"};
  CHECK(ParseFhirRequest(put, "/Patient/1")->call.interaction == FhirInteraction::kUpdate);
  CHECK(ParseFhirRequest(http::Request{.method = "DELETE"}, "/Patient/1")->call.interaction ==
        FhirInteraction::kDelete);
  CHECK(ParseFhirRequest(http::Request{.method = "POST"}, "/Patient")->call.interaction ==
        FhirInteraction::kCreate);
  CHECK(ParseFhirRequest(http::Request{.method = "PATCH"}, "/Patient/1")->allowed ==
        "GET, HEAD, PUT, DELETE");
  CHECK(ParseFhirRequest(put, "/Patient/1/_history")->allowed == "GET, HEAD");
  CHECK(ParseFhirRequest(get, "/Patient/_search")->allowed == "POST");
  CHECK(ParseFhirRequest(get, "/Patient/1/$everything")->call.interaction ==
        FhirInteraction::kEverything);
  CHECK(ParseFhirRequest(get, "/Patient/1/%24everything")->call.id == "1");
  CHECK(ParseFhirRequest(put, "/Patient/1/$everything")->allowed == "GET, HEAD");
  CHECK(ParseFhirRequest(get, "/Observation/1/$everything").status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(ParseFhirRequest(http::Request{.method = "POST"}, "")->call.interaction ==
        FhirInteraction::kTransaction);
  CHECK(IsWrite(FhirInteraction::kTransaction));
}

TEST_CASE("Prefer: handling=lenient reaches the search", "[gateway]") {
  http::Request strict{.method = "GET", .query = "name=x"};
  CHECK_FALSE(ParseFhirRequest(strict, "/Patient")->call.lenient);
  http::Request lenient{.method = "GET", .query = "name=x"};
  lenient.headers.emplace_back("prefer", "return=minimal, Handling=Lenient");
  CHECK(ParseFhirRequest(lenient, "/Patient")->call.lenient);
}

}  // namespace
}  // namespace planapi::gateway
