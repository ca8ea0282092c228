#include "services/auth/pages.h"

#include <catch2/catch.hpp>

#include "absl/strings/match.h"

namespace planapi::auth_service {
namespace {

TEST_CASE("the login page has the named inputs and escapes what it shows", "[auth]") {
  const std::string page = LoginPage("production", "<Evil App>", "req\"1", "Wrong & bad");
  CHECK(absl::StrContains(page, R"(<form method="post" action="login">)"));
  CHECK(absl::StrContains(page, R"(name="username")"));
  CHECK(absl::StrContains(page, R"(name="password")"));
  CHECK(absl::StrContains(page, R"(<label for="username">)"));
  CHECK(absl::StrContains(page, R"(value="req&quot;1")"));
  CHECK(absl::StrContains(page, "&lt;Evil App&gt;"));
  CHECK_FALSE(absl::StrContains(page, "<Evil App>"));
  CHECK(absl::StrContains(page, R"(role="alert">Wrong &amp; bad)"));
  CHECK_FALSE(absl::StrContains(page, "<script"));
}

TEST_CASE("the consent page lists every scope as a checked checkbox", "[auth]") {
  const std::string page = ConsentPage(
      "sandbox", "App", "alice", "r1",
      {{"openid", DescribeScope("openid")},
       {"patient/Observation.rs?category=a|b", DescribeScope("patient/Observation.rs?category=a|b")}});
  CHECK(absl::StrContains(page, R"(name="scope" value="openid" checked)"));
  CHECK(absl::StrContains(page, R"(name="scope" value="patient/Observation.rs?category=a|b" checked)"));
  CHECK(absl::StrContains(page, R"(name="action" value="approve")"));
  CHECK(absl::StrContains(page, R"(name="action" value="deny")"));
  CHECK(absl::StrContains(page, "Read and search your Observation records (category b)"));
}

TEST_CASE("the grants page lists each app with a revoke form carrying the CSRF token", "[auth]") {
  Grant g{.grant_id = "g-1",
          .client_name = "<Evil App>",
          .scopes = "launch/patient patient/Observation.rs",
          .created_at = "2026-01-02T03:04:05Z",
          .updated_at = "2026-02-03T04:05:06Z"};
  const std::string page = GrantsPage({.realm_title = "production",
                                       .username = "alice",
                                       .path_prefix = "/auth",
                                       .csrf = "tok\"1",
                                       .grants = {g}});
  CHECK(absl::StrContains(page, "<h1>Connected apps</h1>"));
  CHECK(absl::StrContains(page, "&lt;Evil App&gt;"));
  CHECK_FALSE(absl::StrContains(page, "<Evil App>"));
  CHECK(absl::StrContains(page, R"(<form method="post" action="/auth/grants/revoke">)"));
  CHECK(absl::StrContains(page, R"(name="grant" value="g-1")"));
  CHECK(absl::StrContains(page, R"(name="csrf" value="tok&quot;1")"));
  CHECK(absl::StrContains(page, "Read and search your Observation records <code>patient/Observation.rs</code>"));
  CHECK(absl::StrContains(page, "2026-01-02T03:04:05Z"));
  CHECK(absl::StrContains(page, R"(action="/auth/grants/signout")"));
  CHECK_FALSE(absl::StrContains(page, "<script"));
  const std::string empty = GrantsPage({.realm_title = "sandbox", .username = "alice",
                                        .path_prefix = "/sandbox/auth", .csrf = "t"});
  CHECK(absl::StrContains(empty, "No apps are connected."));
  CHECK_FALSE(absl::StrContains(empty, "grants/revoke"));
}

TEST_CASE("scopes are described in plain words", "[auth]") {
  CHECK(DescribeScope("patient/*.read") == "Read and search all your health records");
  CHECK(DescribeScope("user/Condition.cruds") ==
        "Create, read, change, delete and search your Condition records");
  CHECK(DescribeScope("patient/Coverage.r") == "Read your Coverage records");
  CHECK(DescribeScope("offline_access") == "Keep access while you are not using the app");
}

}  // namespace
}  // namespace planapi::auth_service
