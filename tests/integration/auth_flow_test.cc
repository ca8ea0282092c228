// A SMART standalone launch through the real gateway over TLS: discovery below the FHIR base,
// authorize -> login -> consent pages with the browser cookie, the token endpoint, userinfo and
// jwks, all forwarded to the real auth process.
#include <grpcpp/grpcpp.h>

#include <thread>

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/json/json.h"
#include "libs/rpc/channel.h"
#include "planapi/auth/v1/auth_service.grpc.pb.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

namespace pb = planapi::auth::v1;

constexpr char kRedirect[] = "https://app.example/cb";
constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr char kChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

std::string Encode(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      absl::StrAppend(&out, "%", absl::BytesToHexString(absl::string_view(&c, 1)));
    }
  }
  return out;
}

std::string Between(const std::string& text, const std::string& before, char end) {
  const size_t at = text.find(before);
  REQUIRE(at != std::string::npos);
  const size_t from = at + before.size();
  return text.substr(from, text.find(end, from) - from);
}

TEST_CASE("a standalone launch through the gateway: discovery, pages, token, userinfo",
          "[integration]") {
  auto suite = Suite::Start();
  auto stub = pb::Auth::NewStub(rpc::MakeChannel(suite->service("auth").address()));
  pb::CreateClientRequest req;
  req.set_name("Flow App");
  req.set_type(pb::CLIENT_TYPE_CONFIDENTIAL);
  req.add_redirect_uris(kRedirect);
  pb::CreateClientResponse client;
  {
    grpc::ClientContext ctx;
    REQUIRE(stub->CreateClient(&ctx, req, &client).ok());
  }
  pb::CreateAccountRequest member;
  member.set_kind(pb::ACCOUNT_KIND_MEMBER);
  member.set_realm(pb::REALM_SANDBOX);
  member.set_username("erin");
  member.set_password("erin-password");
  member.set_patient_id("pat-9");
  pb::Account account;
  {
    grpc::ClientContext ctx;
    REQUIRE(stub->CreateAccount(&ctx, member, &account).ok());
  }

  testing::HttpsClient http = suite->Client();
  const std::string base = suite->base_url();
  auto smart = http.Get("/sandbox/fhir/r4/.well-known/smart-configuration");
  REQUIRE(smart.status == 200);
  CHECK(smart.headers["access-control-allow-origin"] == "*");
  auto config = json::Parse(smart.body);
  REQUIRE(config.ok());
  CHECK(json::GetString(*config, "issuer") == base + "/sandbox/auth");
  CHECK(json::GetString(*config, "token_endpoint") == base + "/sandbox/auth/token");
  CHECK(http.Get("/fhir/r4/.well-known/smart-configuration").status == 200);
  CHECK(http.Get("/auth/.well-known/openid-configuration").status == 200);
  CHECK(http.Get("/sandbox/auth/jwks").status == 200);

  const std::string query = absl::StrCat(
      "response_type=code&client_id=", client.client().client_id(),
      "&redirect_uri=", Encode(kRedirect), "&scope=", Encode("openid fhirUser launch/patient patient/*.rs"),
      "&state=s1&aud=", Encode(base + "/sandbox/fhir/r4"), "&code_challenge=", kChallenge,
      "&code_challenge_method=S256");
  auto login = http.Get("/sandbox/auth/authorize?" + query);
  REQUIRE(login.status == 200);
  CHECK(absl::StartsWith(login.headers["content-type"], "text/html"));
  const std::string cookie = login.headers["set-cookie"].substr(0, login.headers["set-cookie"].find(';'));
  REQUIRE(absl::StartsWith(cookie, "planapi_authz="));
  const std::string request_id = Between(login.body, "name=\"request\" value=\"", '"');
  const std::vector<std::string> form_headers = {
      "Content-Type: application/x-www-form-urlencoded", "Cookie: " + cookie};

  auto consent = http.Send("POST", "/sandbox/auth/login",
                           absl::StrCat("request=", request_id, "&username=erin&password=erin-password"),
                           form_headers);
  REQUIRE(consent.status == 200);
  CHECK(absl::StrContains(consent.body, "name=\"scope\" value=\"patient/*.rs\" checked"));
  auto redirect = http.Send(
      "POST", "/sandbox/auth/consent",
      absl::StrCat("request=", request_id,
                   "&action=approve&scope=openid&scope=fhirUser&scope=launch%2Fpatient&scope=patient%2F%2A.rs"),
      form_headers);
  REQUIRE(redirect.status == 302);
  const std::string location = redirect.headers["location"];
  REQUIRE(absl::StartsWith(location, std::string(kRedirect) + "?code="));
  CHECK(absl::EndsWith(location, "&state=s1"));
  const std::string code = Between(location, "?code=", '&');

  auto token = http.Send(
      "POST", "/sandbox/auth/token",
      absl::StrCat("grant_type=authorization_code&code=", code, "&redirect_uri=", Encode(kRedirect),
                   "&code_verifier=", kVerifier),
      {"Content-Type: application/x-www-form-urlencoded",
       "Authorization: Basic " + absl::Base64Escape(absl::StrCat(client.client().client_id(), ":",
                                                                 client.client_secret()))});
  REQUIRE(token.status == 200);
  CHECK(token.headers["cache-control"] == "no-store");
  auto t = json::Parse(token.body);
  REQUIRE(t.ok());
  CHECK(json::GetString(*t, "patient") == "pat-9");
  CHECK(json::GetString(*t, "scope") == "openid fhirUser launch/patient patient/*.rs");
  const std::string access(json::GetString(*t, "access_token").value_or(""));
  auto userinfo = http.Get("/sandbox/auth/userinfo", {"Authorization: Bearer " + access});
  REQUIRE(userinfo.status == 200);
  CHECK(absl::StrContains(userinfo.body, base + "/sandbox/fhir/r4/Patient/pat-9"));
  // The same token in the other realm is nobody's.
  CHECK(http.Get("/auth/userinfo", {"Authorization: Bearer " + access}).status == 401);

  // The gateway verifies it on FHIR routes: past authentication and scope in the sandbox (what the
  // FHIR service then answers is its own business), 401 in production and without it.
  const std::string bearer = "Authorization: Bearer " + access;
  auto read = http.Get("/sandbox/fhir/r4/Patient/pat-9", {bearer});
  CHECK(read.status != 401);
  CHECK(read.status != 403);
  CHECK(http.Get("/fhir/r4/Patient/pat-9", {bearer}).status == 401);
  CHECK(http.Get("/sandbox/fhir/r4/Patient/pat-9").status == 401);
  std::string tampered = access;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  CHECK(http.Get("/sandbox/fhir/r4/Patient/pat-9", {"Authorization: Bearer " + tampered}).status ==
        401);

  // Revoking the grant reaches the gateway over the revocation stream within about a second.
  pb::ListGrantsRequest list;
  list.set_username("erin");
  list.set_realm(pb::REALM_SANDBOX);
  pb::ListGrantsResponse grants;
  {
    grpc::ClientContext ctx;
    REQUIRE(stub->ListGrants(&ctx, list, &grants).ok());
  }
  REQUIRE(grants.grants_size() == 1);
  pb::RevokeGrantRequest revoke;
  revoke.set_grant_id(grants.grants(0).grant_id());
  pb::Grant revoked;
  {
    grpc::ClientContext ctx;
    REQUIRE(stub->RevokeGrant(&ctx, revoke, &revoked).ok());
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    status = http.Get("/sandbox/fhir/r4/Patient/pat-9", {bearer}).status;
    if (status == 401) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(status == 401);
}

}  // namespace
}  // namespace planapi::integration
