#include <catch2/catch.hpp>

#include "libs/pg/pg.h"

namespace planapi::pg {
namespace {

TEST_CASE("SQLSTATE classes map onto the error model", "[pg]") {
  using C = absl::StatusCode;
  const std::pair<const char*, C> rows[] = {
      {"23505", C::kAlreadyExists},     {"23503", C::kFailedPrecondition},
      {"23514", C::kFailedPrecondition}, {"40001", C::kAborted},
      {"40P01", C::kAborted},           {"08006", C::kUnavailable},
      {"57P01", C::kUnavailable},       {"57014", C::kDeadlineExceeded},
      {"22P02", C::kInvalidArgument},   {"42P01", C::kInternal},
  };
  for (const auto& [state, code] : rows) {
    CHECK(MapSqlState(state, "m").code() == code);
  }
}

TEST_CASE("a malformed database URL is refused before any connection", "[pg]") {
  auto pool = Pool::Create({.conninfo = "host=/tmp port", .schema = "x"});
  CHECK(pool.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Pool::Create({.conninfo = "postgresql:///db", .size = 0}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("an unreachable server is UNAVAILABLE", "[pg]") {
  auto pool = Pool::Create({.conninfo = "host=/nonexistent-socket-dir dbname=x", .schema = "x"});
  REQUIRE(pool.ok());
  CHECK((*pool)->Acquire().status().code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace planapi::pg
