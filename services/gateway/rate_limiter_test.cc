#include "services/gateway/rate_limiter.h"

#include <catch2/catch.hpp>

namespace planapi::gateway {
namespace {

TEST_CASE("each client gets its burst, then the steady rate", "[gateway]") {
  absl::Time now = absl::FromUnixSeconds(1000);
  ClientRateLimiter limiter(2, 3, [&] { return now; });
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(limiter.Take("a").has_value());
  }
  std::optional<absl::Duration> wait = limiter.Take("a");
  REQUIRE(wait.has_value());
  CHECK(*wait == absl::Milliseconds(500));
  CHECK_FALSE(limiter.Take("b").has_value());  // another client is not affected
  now += absl::Milliseconds(500);
  CHECK_FALSE(limiter.Take("a").has_value());
  CHECK(limiter.Take("a").has_value());
  now += absl::Seconds(60);  // refills up to the burst only
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(limiter.Take("a").has_value());
  }
  CHECK(limiter.Take("a").has_value());
}

TEST_CASE("a rate of 0 turns the limit off", "[gateway]") {
  ClientRateLimiter limiter(0, 1);
  for (int i = 0; i < 1000; ++i) {
    CHECK_FALSE(limiter.Take("a").has_value());
  }
}

}  // namespace
}  // namespace planapi::gateway
