// Per-client rate limiting at the edge: one token bucket per OAuth client id, refilled at a
// steady rate up to a burst. In memory, per gateway replica (a client's share of the total scales
// with the replicas, which is what a noisy-neighbour guard needs). Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace planapi::gateway {

class ClientRateLimiter {
 public:
  // `per_second` 0 disables the limit.
  ClientRateLimiter(double per_second, double burst,
                    std::function<absl::Time()> now = [] { return absl::Now(); });

  // nullopt when the request may go; else how long until one token is back (Retry-After).
  std::optional<absl::Duration> Take(absl::string_view client_id);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  const double per_second_;
  const double burst_;
  std::function<absl::Time()> now_;
  absl::Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace planapi::gateway
