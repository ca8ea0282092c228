// The gateway's Prometheus metrics: requests by route class and status, a latency histogram per
// route class, and upstream errors by service and gRPC code. Thread-safe; cheap enough to update
// on every request (one short critical section).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace planapi::gateway {

class Metrics {
 public:
  void CountRequest(absl::string_view route_class, int http_status,
                    std::chrono::nanoseconds latency);
  void CountUpstreamError(absl::string_view upstream, absl::StatusCode code);

  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,  0.1,    0.25,  0.5,
                                                      1,      2.5,   5,      10};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};  // non-cumulative counts
    uint64_t count = 0;
    double sum_seconds = 0;
  };
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t, std::less<>> requests_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram, std::less<>> latency_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, uint64_t> upstream_errors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace planapi::gateway
