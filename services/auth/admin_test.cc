#include "services/auth/admin.h"

#include <catch2/catch.hpp>

namespace planapi::auth_service {
namespace {

TEST_CASE("redirect URIs: https, loopback http, reverse-domain schemes", "[auth]") {
  for (absl::string_view good :
       {"https://app.example/callback", "https://app.example:8443/cb?x=1", "http://localhost/cb",
        "http://127.0.0.1:5173/cb", "http://[::1]:8080/cb", "com.example.app:/oauth2redirect",
        "https://app.example"}) {
    INFO(good);
    CHECK(ValidateRedirectUri(good).ok());
  }
  for (absl::string_view bad :
       {"", "/relative", "app.example/cb", "http://app.example/cb", "https://app.example/cb#frag",
        "https:///cb", "https://user@app.example/cb", "https://app.example/c b",
        "HTTPS://app.example/cb", "myapp:/cb", "javascript:alert(1)", "https://[::1/cb",
        "http://localhost.evil.example/cb", "data:text/html,x"}) {
    INFO(bad);
    CHECK(ValidateRedirectUri(bad).code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(ValidateRedirectUri(std::string(2001, 'a')).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("client scopes: known scopes only, system/ for backend clients only", "[auth]") {
  CHECK(ValidateClientScopes(ClientType::kPublic, "").ok());
  CHECK(ValidateClientScopes(ClientType::kPublic,
                             "openid fhirUser launch/patient offline_access patient/*.rs "
                             "user/Observation.read")
            .ok());
  CHECK(ValidateClientScopes(ClientType::kBackend, "system/*.rs system/Patient.read").ok());
  auto unknown = ValidateClientScopes(ClientType::kPublic, "patient/*.rs admin patient/Foo.read");
  CHECK(unknown.code() == absl::StatusCode::kInvalidArgument);
  CHECK(unknown.message() == "unsupported scopes: admin patient/Foo.read");
  CHECK(ValidateClientScopes(ClientType::kConfidential, "system/*.rs").code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ValidateClientScopes(ClientType::kBackend, "system/*.rs patient/*.rs").code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ValidateClientScopes(ClientType::kBackend, "openid system/*.rs").code() ==
        absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace planapi::auth_service
