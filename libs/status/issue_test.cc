#include "libs/status/issue.h"

#include <catch2/catch.hpp>

#include "libs/status/status_macros.h"

namespace planapi::status {
namespace {

TEST_CASE("issue type survives on the status and round-trips through its code", "[status]") {
  absl::Status s = WithIssue(absl::NotFoundError("gone"), IssueType::kDeleted);
  REQUIRE(IssueTypeOf(s) == IssueType::kDeleted);
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK(s.message() == "gone");
  for (IssueType t : {IssueType::kInvalid, IssueType::kBusinessRule, IssueType::kTooCostly}) {
    CHECK(ParseIssueCode(IssueCode(t)) == t);
  }
  CHECK_FALSE(ParseIssueCode("no-such-code").has_value());
}

TEST_CASE("an OK status carries no issue", "[status]") {
  CHECK_FALSE(IssueTypeOf(WithIssue(absl::OkStatus(), IssueType::kInvalid)).has_value());
  CHECK_FALSE(IssueTypeOf(absl::InternalError("x")).has_value());
}

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) {
    return absl::InvalidArgumentError("odd");
  }
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  PLANAPI_ASSIGN_OR_RETURN(int half, Half(x));
  PLANAPI_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST_CASE("status macros propagate the first error", "[status]") {
  CHECK(*Quarter(8) == 2);
  CHECK(Quarter(6).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(Quarter(3).status().message() == "odd");
}

}  // namespace
}  // namespace planapi::status
