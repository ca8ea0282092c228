#include "services/gateway/metrics.h"

#include <catch2/catch.hpp>

namespace planapi::gateway {
namespace {

TEST_CASE("latency lands in cumulative buckets", "[gateway]") {
  Metrics m;
  m.CountRequest("fhir", 200, std::chrono::microseconds(300));
  m.CountRequest("fhir", 200, std::chrono::milliseconds(3));
  m.CountRequest("fhir", 503, std::chrono::seconds(20));
  m.CountUpstreamError("fhir", absl::StatusCode::kUnavailable);
  const std::string t = m.Render();
  CHECK(t.find("planapi_gateway_request_duration_seconds_bucket{route=\"fhir\",le=\"0.0005\"} 1") != std::string::npos);
  CHECK(t.find("planapi_gateway_request_duration_seconds_bucket{route=\"fhir\",le=\"0.005\"} 2") != std::string::npos);
  CHECK(t.find("planapi_gateway_request_duration_seconds_bucket{route=\"fhir\",le=\"10\"} 2") != std::string::npos);
  CHECK(t.find("planapi_gateway_request_duration_seconds_bucket{route=\"fhir\",le=\"+Inf\"} 3") != std::string::npos);
  CHECK(t.find("planapi_gateway_requests_total{route=\"fhir\",code=\"503\"} 1") != std::string::npos);
  CHECK(t.find("planapi_gateway_upstream_errors_total{upstream=\"fhir\",code=\"unavailable\"} 1") != std::string::npos);
}

}  // namespace
}  // namespace planapi::gateway
