#include "libs/jose/jwt.h"

#include <catch2/catch.hpp>

namespace planapi::jose {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

rapidjson::Document Claims(absl::string_view json) {
  auto doc = ParseClaims(json);
  REQUIRE(doc.ok());
  return *std::move(doc);
}

ClaimsCheck Check() {
  return ClaimsCheck{.now = kNow, .issuer = "https://as.test/auth", .audience = "https://as.test/fhir/r4"};
}

absl::StatusCode CodeOf(absl::string_view json, const ClaimsCheck& check = Check()) {
  return CheckClaims(Claims(json), check).code();
}

TEST_CASE("valid claims pass, audience may be a string or an array", "[jose]") {
  CHECK(CodeOf(R"({"iss":"https://as.test/auth","aud":"https://as.test/fhir/r4","exp":1800000300,"iat":1800000000,"nbf":1800000000})") ==
        absl::StatusCode::kOk);
  CHECK(CodeOf(R"({"iss":"https://as.test/auth","aud":["x","https://as.test/fhir/r4"],"exp":1800000300})") ==
        absl::StatusCode::kOk);
  // Fractional NumericDates are allowed by RFC 7519.
  CHECK(CodeOf(R"({"iss":"https://as.test/auth","aud":"https://as.test/fhir/r4","exp":1800000300.5})") ==
        absl::StatusCode::kOk);
}

TEST_CASE("expiry, not-before and issued-at honour the leeway", "[jose]") {
  const absl::string_view base = R"("iss":"https://as.test/auth","aud":"https://as.test/fhir/r4")";
  auto with = [&](absl::string_view extra) { return absl::StrCat("{", base, ",", extra, "}"); };
  CHECK(CodeOf(with(R"("exp":1799999999)")) == absl::StatusCode::kOk);  // 1 s late, within 30 s
  CHECK(CodeOf(with(R"("exp":1799999970)")) == absl::StatusCode::kUnauthenticated);
  CHECK(CodeOf(with(R"("exp":1800000300,"nbf":1800000020)")) == absl::StatusCode::kOk);
  CHECK(CodeOf(with(R"("exp":1800000300,"nbf":1800000031)")) == absl::StatusCode::kUnauthenticated);
  CHECK(CodeOf(with(R"("exp":1800000300,"iat":1800000031)")) == absl::StatusCode::kUnauthenticated);
  ClaimsCheck strict = Check();
  strict.leeway = absl::ZeroDuration();
  CHECK(CodeOf(with(R"("exp":1800000000)"), strict) == absl::StatusCode::kUnauthenticated);
  CHECK(CodeOf(with(R"("exp":1800000001)"), strict) == absl::StatusCode::kOk);
}

TEST_CASE("missing or malformed exp, wrong issuer or audience are refused", "[jose]") {
  for (absl::string_view bad : {
           R"({"iss":"https://as.test/auth","aud":"https://as.test/fhir/r4"})",
           R"({"iss":"https://as.test/auth","aud":"https://as.test/fhir/r4","exp":"1800000300"})",
           R"({"iss":"https://as.test/auth","aud":"https://as.test/fhir/r4","exp":null})",
           R"({"iss":"https://as.test/auth","aud":"https://as.test/fhir/r4","exp":1800000300,"nbf":"x"})",
           R"({"iss":"https://as.test/sandbox/auth","aud":"https://as.test/fhir/r4","exp":1800000300})",
           R"({"aud":"https://as.test/fhir/r4","exp":1800000300})",
           R"({"iss":"https://as.test/auth","aud":"https://as.test/sandbox/fhir/r4","exp":1800000300})",
           R"({"iss":"https://as.test/auth","aud":["https://as.test/sandbox/fhir/r4"],"exp":1800000300})",
           R"({"iss":"https://as.test/auth","aud":[],"exp":1800000300})",
           R"({"iss":"https://as.test/auth","aud":[7],"exp":1800000300})",
           R"({"iss":"https://as.test/auth","exp":1800000300})",
       }) {
    INFO(bad);
    CHECK(CodeOf(bad) == absl::StatusCode::kUnauthenticated);
  }
  ClaimsCheck lax{.now = kNow, .require_exp = false};
  CHECK(CodeOf(R"({})", lax) == absl::StatusCode::kOk);
  CHECK(ParseClaims("[1]").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ParseClaims("{").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a maximum lifetime refuses far-future expiry", "[jose]") {
  ClaimsCheck check{.now = kNow, .max_lifetime = absl::Minutes(5)};
  CHECK(CodeOf(R"({"exp":1800000300})", check) == absl::StatusCode::kOk);
  CHECK(CodeOf(R"({"exp":1800000400})", check) == absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace planapi::jose
