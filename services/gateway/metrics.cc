#include "services/gateway/metrics.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace planapi::gateway {

void Metrics::CountRequest(absl::string_view route_class, int http_status,
                           std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) {
    ++bucket;
  }
  absl::MutexLock lock(&mu_);
  ++requests_[{std::string(route_class), http_status}];
  Histogram& h = latency_[std::string(route_class)];
  if (bucket < kBuckets.size()) {
    ++h.buckets[bucket];
  }
  ++h.count;
  h.sum_seconds += seconds;
}

void Metrics::CountUpstreamError(absl::string_view upstream, absl::StatusCode code) {
  absl::MutexLock lock(&mu_);
  ++upstream_errors_[{std::string(upstream), absl::AsciiStrToLower(absl::StatusCodeToString(code))}];
}

std::string Metrics::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  out +=
      "# HELP planapi_gateway_requests_total HTTP requests answered, by route class and status.\n"
      "# TYPE planapi_gateway_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    absl::StrAppend(&out, "planapi_gateway_requests_total{route=\"", key.first, "\",code=\"",
                    key.second, "\"} ", n, "\n");
  }
  out +=
      "# HELP planapi_gateway_request_duration_seconds Time from request read to response "
      "ready.\n"
      "# TYPE planapi_gateway_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      absl::StrAppend(&out, "planapi_gateway_request_duration_seconds_bucket{route=\"", route,
                      "\",le=\"", absl::StrFormat("%g", kBuckets[i]), "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, "planapi_gateway_request_duration_seconds_bucket{route=\"", route,
                    "\",le=\"+Inf\"} ", h.count, "\n");
    absl::StrAppend(&out, "planapi_gateway_request_duration_seconds_sum{route=\"", route, "\"} ",
                    absl::StrFormat("%.6f", h.sum_seconds), "\n");
    absl::StrAppend(&out, "planapi_gateway_request_duration_seconds_count{route=\"", route,
                    "\"} ", h.count, "\n");
  }
  out +=
      "# HELP planapi_gateway_upstream_errors_total Failed calls to services, by service and "
      "gRPC code.\n"
      "# TYPE planapi_gateway_upstream_errors_total counter\n";
  for (const auto& [key, n] : upstream_errors_) {
    absl::StrAppend(&out, "planapi_gateway_upstream_errors_total{upstream=\"", key.first,
                    "\",code=\"", key.second, "\"} ", n, "\n");
  }
  return out;
}

}  // namespace planapi::gateway
