#include "services/gateway/rate_limiter.h"

#include <algorithm>

namespace planapi::gateway {
namespace {

// Full buckets are dropped now and then, so idle clients cost no memory.
constexpr size_t kSweepAbove = 10000;

}  // namespace

ClientRateLimiter::ClientRateLimiter(double per_second, double burst,
                                     std::function<absl::Time()> now)
    : per_second_(per_second), burst_(std::max(1.0, burst)), now_(std::move(now)) {}

std::optional<absl::Duration> ClientRateLimiter::Take(absl::string_view client_id) {
  if (per_second_ <= 0) {
    return std::nullopt;
  }
  const absl::Time now = now_();
  absl::MutexLock lock(&mu_);
  if (buckets_.size() > kSweepAbove) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      const double refilled =
          it->second.tokens + absl::ToDoubleSeconds(now - it->second.updated) * per_second_;
      it = refilled >= burst_ ? buckets_.erase(it) : std::next(it);
    }
  }
  auto [it, inserted] = buckets_.try_emplace(std::string(client_id), Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    b.tokens = std::min(burst_, b.tokens + absl::ToDoubleSeconds(now - b.updated) * per_second_);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  return absl::Seconds((1.0 - b.tokens) / per_second_);
}

}  // namespace planapi::gateway
