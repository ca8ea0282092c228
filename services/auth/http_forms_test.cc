#include "services/auth/http_forms.h"

#include <catch2/catch.hpp>

namespace planapi::auth_service {
namespace {

TEST_CASE("forms decode plus, percent escapes and repeated names", "[auth]") {
  auto p = ParseForm("a=1&b=x+y&c=%2F%3d&scope=s1&scope=s2&empty=&bare");
  REQUIRE(p.ok());
  CHECK(Single(*p, "b")->value() == "x y");
  CHECK(Single(*p, "c")->value() == "/=");
  CHECK(Single(*p, "empty")->value() == "");
  CHECK(Single(*p, "bare")->value() == "");
  CHECK_FALSE(Single(*p, "missing")->has_value());
  CHECK(Single(*p, "scope").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(All(*p, "scope") == std::vector<std::string>{"s1", "s2"});
  for (absl::string_view bad : {"a=%", "a=%2", "a=%zz", "%G1=x"}) {
    INFO(bad);
    CHECK(ParseForm(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("redirects keep the existing query and encode values", "[auth]") {
  CHECK(AppendQuery("https://app.example/cb", {{"code", "a b"}, {"state", "x&y=z"}}) ==
        "https://app.example/cb?code=a%20b&state=x%26y%3Dz");
  CHECK(AppendQuery("https://app.example/cb?v=1", {{"code", "c"}}) ==
        "https://app.example/cb?v=1&code=c");
  CHECK(UrlEncode("AZaz09-._~/:?") == "AZaz09-._~%2F%3A%3F");
}

TEST_CASE("HTML escaping covers every markup character", "[auth]") {
  CHECK(HtmlEscape(R"(<a href="x" onclick='y'>&</a>)") ==
        "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

TEST_CASE("cookies, Basic and Bearer credentials", "[auth]") {
  CHECK(CookieValue("a=1; planapi_authz=xyz; b=2", "planapi_authz") == "xyz");
  CHECK_FALSE(CookieValue("xplanapi_authz=1", "planapi_authz").has_value());
  CHECK_FALSE(CookieValue("", "planapi_authz").has_value());

  // "my%20client:s%3Acret" -> client "my client", secret "s:cret" (RFC 6749 §2.3.1 encoding).
  auto basic = BasicCredentials("Basic bXklMjBjbGllbnQ6cyUzQWNyZXQ=");
  REQUIRE(basic.ok());
  REQUIRE(basic->has_value());
  CHECK((*basic)->first == "my client");
  CHECK((*basic)->second == "s:cret");
  CHECK_FALSE(BasicCredentials("Bearer abc")->has_value());
  CHECK(BasicCredentials("Basic !!!").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(BasicCredentials("Basic bm9jb2xvbg==").status().code() ==
        absl::StatusCode::kInvalidArgument);  // "nocolon"

  CHECK(BearerToken("Bearer abc.def") == "abc.def");
  CHECK(BearerToken("bearer  abc") == "abc");
  CHECK_FALSE(BearerToken("Bearer ").has_value());
  CHECK_FALSE(BearerToken("Basic abc").has_value());
}

}  // namespace
}  // namespace planapi::auth_service
