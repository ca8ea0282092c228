// The OAuth endpoints driven as a browser and an app would, through the Web route table, onto a
// real PostgreSQL: discovery, authorize -> login -> consent -> token, refresh, introspection,
// revocation, backend services, and the bad cases, each refused with nothing issued.
#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/jose/base64url.h"
#include "libs/jose/jws.h"
#include "libs/jose/jwt.h"
#include "libs/jose/secret.h"
#include "libs/json/json.h"
#include "libs/testing/postgres.h"
#include "services/auth/admin.h"
#include "services/auth/auth_service.h"
#include "services/auth/client_cache.h"
#include "services/auth/http_forms.h"
#include "services/auth/oauth.h"
#include "services/auth/oauth_pgtest_fixture.h"

namespace planapi::auth_service {
namespace {

TEST_CASE("discovery documents name every endpoint and capability", "[auth][pg]") {
  Fixture f;
  auto smart = f.Call("GET", "/smart-configuration", "");
  REQUIRE(smart.status == 200);
  CHECK(Header(smart, "Access-Control-Allow-Origin") == "*");
  auto doc = JsonOf(smart);
  CHECK(json::GetString(doc, "issuer") == "https://gw.test/sandbox/auth");
  CHECK(json::GetString(doc, "authorization_endpoint") == "https://gw.test/sandbox/auth/authorize");
  CHECK(json::GetString(doc, "token_endpoint") == "https://gw.test/sandbox/auth/token");
  CHECK(json::GetString(doc, "jwks_uri") == "https://gw.test/sandbox/auth/jwks");
  std::string caps = json::Serialize(doc["capabilities"]);
  for (const char* c : {"launch-standalone", "launch-ehr", "client-public",
                        "client-confidential-symmetric", "client-confidential-asymmetric",
                        "sso-openid-connect", "context-standalone-patient", "context-ehr-patient",
                        "permission-offline", "permission-patient", "permission-user",
                        "permission-v1", "permission-v2", "authorize-post"}) {
    INFO(c);
    CHECK(absl::StrContains(caps, absl::StrCat("\"", c, "\"")));
  }
  CHECK(json::Serialize(doc["code_challenge_methods_supported"]) == R"(["S256"])");
  auto prod = JsonOf(f.Call("GET", "/.well-known/smart-configuration", "", {}, "production"));
  CHECK(json::GetString(prod, "issuer") == "https://gw.test/auth");

  auto oidc = JsonOf(f.Call("GET", "/.well-known/openid-configuration", ""));
  CHECK(json::GetString(oidc, "issuer") == "https://gw.test/sandbox/auth");
  CHECK(json::Serialize(oidc["id_token_signing_alg_values_supported"]) == R"(["RS256"])");

  auto jwks = f.Call("GET", "/jwks", "");
  auto set = jose::KeySet::FromJson(jwks.body);
  REQUIRE(set.ok());
  CHECK(set->keys().size() == 2);
  CHECK_FALSE(absl::StrContains(jwks.body, "\"d\""));
  CHECK(f.Call("OPTIONS", "/token", "").status == 204);
}

TEST_CASE("standalone launch: unticked scopes are not granted, tokens verify, refresh rotates",
          "[auth][pg]") {
  Fixture f;
  Browser b{f};
  auto redirect = RunFlow(b, AuthorizeParams(f),
                          std::vector<std::string>{"openid", "fhirUser", "launch/patient",
                                                   "offline_access"});  // patient/*.rs unticked
  const std::string code = CodeFrom(redirect);
  auto token = Exchange(f, code);
  REQUIRE(token.status == 200);
  CHECK(Header(token, "Cache-Control") == "no-store");
  auto t = JsonOf(token);
  CHECK(json::GetString(t, "token_type") == "Bearer");
  CHECK(json::GetInt(t, "expires_in") == 300);
  CHECK(json::GetString(t, "scope") == "openid fhirUser launch/patient offline_access");
  CHECK(json::GetString(t, "patient") == "pat-1");
  const std::string access(*json::GetString(t, "access_token"));
  const std::string id_token(*json::GetString(t, "id_token"));
  const std::string refresh(*json::GetString(t, "refresh_token"));

  // Verify both against the published JWKS, as a client would.
  auto published = jose::KeySet::FromJson(f.Call("GET", "/jwks", "").body);
  REQUIRE(published.ok());
  constexpr jose::Algorithm kEs256[] = {jose::Algorithm::kEs256};
  constexpr jose::Algorithm kRs256[] = {jose::Algorithm::kRs256};
  auto at = jose::Verify(access, *published, kEs256);
  REQUIRE(at.ok());
  CHECK(at->header.typ == "at+jwt");
  auto at_claims = *jose::ParseClaims(at->payload);
  CHECK(jose::CheckClaims(at_claims, {.now = absl::Now(),
                                      .issuer = "https://gw.test/sandbox/auth",
                                      .audience = "https://gw.test/sandbox/fhir/r4"})
            .ok());
  CHECK(json::GetString(at_claims, "patient") == "pat-1");
  CHECK(json::GetString(at_claims, "client_id") == f.client_id);
  CHECK(json::GetString(at_claims, "sub") == f.member_id);
  auto id = jose::Verify(id_token, *published, kRs256);
  REQUIRE(id.ok());
  auto id_claims = *jose::ParseClaims(id->payload);
  CHECK(jose::CheckClaims(id_claims, {.now = absl::Now(), .issuer = "https://gw.test/sandbox/auth",
                                      .audience = f.client_id})
            .ok());
  CHECK(json::GetString(id_claims, "nonce") == "n-1");
  CHECK(json::GetString(id_claims, "fhirUser") == "https://gw.test/sandbox/fhir/r4/Patient/pat-1");

  CHECK(Active(f, access));
  CHECK(Active(f, refresh));
  auto userinfo = f.Call("GET", "/userinfo", "", {{"authorization", "Bearer " + access}});
  REQUIRE(userinfo.status == 200);
  CHECK(json::GetString(JsonOf(userinfo), "sub") == f.member_id);

  // The grant records what was granted.
  CHECK(f.Query("SELECT scopes FROM auth.grants") == "openid fhirUser launch/patient offline_access");

  // Refresh with narrowing, then the old refresh token again: reuse revokes the grant.
  auto refreshed = f.Call("POST", "/token",
                          Form({{"grant_type", "refresh_token"},
                                {"refresh_token", refresh},
                                {"scope", "openid launch/patient"}}),
                          Basic(f, f.client_secret));
  REQUIRE(refreshed.status == 200);
  auto r2 = JsonOf(refreshed);
  CHECK(json::GetString(r2, "scope") == "openid launch/patient");
  const std::string refresh2(*json::GetString(r2, "refresh_token"));
  CHECK(refresh2 != refresh);
  CHECK_FALSE(Active(f, refresh));
  CHECK(Active(f, refresh2));
  // Widening is refused.
  auto wider = f.Call("POST", "/token",
                      Form({{"grant_type", "refresh_token"},
                            {"refresh_token", refresh2},
                            {"scope", "openid patient/*.rs"}}),
                      Basic(f, f.client_secret));
  CHECK(wider.status == 400);
  CHECK(ErrorOf(wider) == "invalid_scope");
  auto reused = f.Call("POST", "/token",
                       Form({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}),
                       Basic(f, f.client_secret));
  CHECK(reused.status == 400);
  CHECK(ErrorOf(reused) == "invalid_grant");
  CHECK_FALSE(Active(f, refresh2));
  CHECK_FALSE(Active(f, access));
  CHECK(f.Query("SELECT count(*) FROM auth.grants WHERE revoked_at IS NOT NULL") == "1");
}

TEST_CASE("authorize errors: before the redirect URI is trusted on a page, after it at the app",
          "[auth][pg]") {
  Fixture f;
  Browser b{f};
  auto with = [&](const std::string& name, const std::string& value) {
    Params p = AuthorizeParams(f);
    bool found = false;
    for (auto& [k, v] : p) {
      if (k == name) {
        v = value;
        found = true;
      }
    }
    if (!found) {
      p.emplace_back(name, value);
    }
    return p;
  };
  auto without = [&](const std::string& name) {
    Params p;
    for (auto& kv : AuthorizeParams(f)) {
      if (kv.first != name) {
        p.push_back(kv);
      }
    }
    return p;
  };
  // Never redirected: unknown client, unregistered redirect URI.
  for (const Params& p : {with("client_id", "nope"), with("redirect_uri", "https://evil.example/cb"),
                          with("redirect_uri", "https://app.example/cb/"), without("client_id")}) {
    auto r = b.Authorize(p);
    CHECK(r.status == 400);
    CHECK(Header(r, "Location").empty());
    CHECK(absl::StartsWith(Header(r, "Content-Type"), "text/html"));
  }
  struct Case {
    Params params;
    std::string error;
  };
  const Case cases[] = {
      {without("code_challenge"), "invalid_request"},
      {without("code_challenge_method"), "invalid_request"},
      {with("code_challenge_method", "plain"), "invalid_request"},
      {with("code_challenge", "short"), "invalid_request"},
      {with("aud", "https://gw.test/fhir/r4"), "invalid_request"},  // the other realm's base
      {without("aud"), "invalid_request"},
      {without("state"), "invalid_request"},
      {with("response_type", "token"), "unsupported_response_type"},
      {with("scope", "system/*.rs patient/Foo.read"), "invalid_scope"},
      {with("scope", "user/Observation.cruds"), "invalid_scope"},  // not allowed for this client
  };
  for (const Case& c : cases) {
    auto r = b.Authorize(c.params);
    INFO(Form(c.params));
    REQUIRE(r.status == 302);
    CHECK(absl::StartsWith(Header(r, "Location"), kRedirect));
    CHECK(Single(RedirectParams(r), "error")->value_or("") == c.error);
  }
  CHECK(f.Query("SELECT count(*) FROM auth.authorization_requests") == "0");
  // A suspended client is refused at authorize.
  REQUIRE(f.admin->SetSuspended(f.client_id, true, "test").ok());
  auto suspended = b.Authorize(AuthorizeParams(f));
  CHECK(Single(RedirectParams(suspended), "error")->value_or("") == "unauthorized_client");
}

TEST_CASE("bad codes, verifiers, redirects and clients get nothing", "[auth][pg]") {
  Fixture f;
  Browser b{f};
  const std::string code = CodeFrom(RunFlow(b, AuthorizeParams(f)));
  struct Case {
    std::string what;
    server::WebResponse response;
    int status;
    std::string error;
  };
  std::vector<Case> cases;
  cases.push_back({"random code", Exchange(f, "random"), 400, "invalid_grant"});
  cases.push_back({"missing verifier", Exchange(f, code, ""), 400, "invalid_request"});
  cases.push_back({"plain verifier (= challenge)", Exchange(f, code, kChallenge), 400, "invalid_grant"});
  cases.push_back({"random verifier", Exchange(f, code, jose::RandomToken()), 400, "invalid_grant"});
  for (const Case& c : cases) {
    INFO(c.what << ": " << c.response.body);
    CHECK(c.response.status == c.status);
    CHECK(ErrorOf(c.response) == c.error);
  }
  // The failed attempts above used the code up: a code is single-use whatever happens.
  CHECK(ErrorOf(Exchange(f, code)) == "invalid_grant");

  const std::string code2 = CodeFrom(RunFlow(b, AuthorizeParams(f)));
  CHECK(ErrorOf(Exchange(f, code2, kVerifier, "https://app.example/other")) == "invalid_grant");
  const std::string code3 = CodeFrom(RunFlow(b, AuthorizeParams(f)));
  auto wrong_secret = f.Call("POST", "/token",
                             Form({{"grant_type", "authorization_code"},
                                   {"code", code3},
                                   {"redirect_uri", kRedirect},
                                   {"code_verifier", kVerifier}}),
                             Basic(f, "wrong"));
  CHECK(wrong_secret.status == 401);
  CHECK(ErrorOf(wrong_secret) == "invalid_client");
  CHECK(absl::StartsWith(Header(wrong_secret, "WWW-Authenticate"), "Basic"));
  // A public client cannot redeem a confidential client's code.
  auto pub = f.admin->CreateClient({.name = "Public", .type = ClientType::kPublic,
                                    .redirect_uris = {kRedirect}});
  REQUIRE(pub.ok());
  auto other = f.Call("POST", "/token",
                      Form({{"grant_type", "authorization_code"},
                            {"code", code3},
                            {"redirect_uri", kRedirect},
                            {"code_verifier", kVerifier},
                            {"client_id", pub->client.client_id}}));
  CHECK(ErrorOf(other) == "invalid_grant");

  // Expired code.
  const std::string code4 = CodeFrom(RunFlow(b, AuthorizeParams(f)));
  f.Query("UPDATE auth.authorization_codes SET expires_at = now() - interval '1 second' WHERE "
          "used_at IS NULL RETURNING 1");
  CHECK(ErrorOf(Exchange(f, code4)) == "invalid_grant");
  CHECK(f.Query("SELECT count(*) FROM auth.refresh_tokens") == "0");
  CHECK(f.Query("SELECT count(*) FROM auth.audit_log WHERE event = 'token.issued'") == "0");
  CHECK(f.Query("SELECT count(*) FROM auth.audit_log WHERE event = 'token.refused'") != "0");
}

TEST_CASE("a code used twice revokes what the first use issued", "[auth][pg]") {
  Fixture f;
  Browser b{f};
  const std::string code = CodeFrom(RunFlow(b, AuthorizeParams(f)));
  auto first = Exchange(f, code);
  REQUIRE(first.status == 200);
  const std::string access(*json::GetString(JsonOf(first), "access_token"));
  const std::string refresh(*json::GetString(JsonOf(first), "refresh_token"));
  CHECK(Active(f, access));
  CHECK(ErrorOf(Exchange(f, code)) == "invalid_grant");
  CHECK_FALSE(Active(f, access));
  CHECK_FALSE(Active(f, refresh));
}

TEST_CASE("a public client completes the flow with PKCE alone", "[auth][pg]") {
  Fixture f;
  auto pub = f.admin->CreateClient({.name = "Public", .type = ClientType::kPublic,
                                    .redirect_uris = {kRedirect}});
  REQUIRE(pub.ok());
  Browser b{f};
  Params p = AuthorizeParams(f, "launch/patient patient/Observation.rs");
  p[1].second = pub->client.client_id;
  const std::string code = CodeFrom(RunFlow(b, p, std::vector<std::string>{"launch/patient", "patient/Observation.rs"}));
  auto token = f.Call("POST", "/token",
                      Form({{"grant_type", "authorization_code"},
                            {"code", code},
                            {"redirect_uri", kRedirect},
                            {"code_verifier", kVerifier},
                            {"client_id", pub->client.client_id}}));
  REQUIRE(token.status == 200);
  auto t = JsonOf(token);
  CHECK(json::GetString(t, "scope") == "launch/patient patient/Observation.rs");
  CHECK_FALSE(t.HasMember("refresh_token"));  // no offline_access
  CHECK_FALSE(t.HasMember("id_token"));       // no openid
  // Public clients cannot introspect.
  auto introspect = f.Call("POST", "/introspect",
                           Form({{"token", std::string(*json::GetString(t, "access_token"))},
                                 {"client_id", pub->client.client_id}}));
  CHECK(introspect.status == 401);
}

TEST_CASE("login and consent forms: browser binding, no enumeration, throttling, deny",
          "[auth][pg]") {
  Fixture f;
  Browser b{f};
  auto page = b.Authorize(AuthorizeParams(f));
  REQUIRE(page.status == 200);
  CHECK(absl::StrContains(Header(page, "Set-Cookie"), "HttpOnly; Secure; SameSite=Lax"));
  CHECK(absl::StrContains(Header(page, "Set-Cookie"), "Path=/sandbox/auth"));
  const std::string id = RequestIdIn(page.body);

  // Another browser (no cookie, or its own) cannot use this request.
  Browser other{f, "planapi_authz=" + jose::RandomToken()};
  CHECK(other.Post("/login", {{"request", id}, {"username", "alice"}, {"password", "alice-password"}})
            .status == 403);
  Browser none{f};
  CHECK(none.Post("/consent", {{"request", id}, {"action", "approve"}, {"scope", "openid"}}).status ==
        403);
  // Consent before login.
  CHECK(b.Post("/consent", {{"request", id}, {"action", "approve"}, {"scope", "openid"}}).status == 403);

  auto unknown = b.Post("/login", {{"request", id}, {"username", "mallory"}, {"password", "x"}});
  auto wrong = b.Post("/login", {{"request", id}, {"username", "alice"}, {"password", "x"}});
  CHECK(unknown.status == 401);
  CHECK(wrong.status == 401);
  CHECK(absl::StrContains(unknown.body, "The username or password is not right."));
  CHECK(absl::StrContains(wrong.body, "The username or password is not right."));
  for (int i = 0; i < 4; ++i) {  // names are case-insensitive: these count for alice too
    b.Post("/login", {{"request", id}, {"username", "ALICE"}, {"password", "x"}});
  }
  // Five failures for alice: even the right password is now refused for a while.
  auto throttled = b.Post("/login", {{"request", id}, {"username", "alice"}, {"password", "alice-password"}});
  CHECK(throttled.status == 429);
  CHECK_FALSE(Header(throttled, "Retry-After").empty());
  CHECK(f.Query("SELECT count(*) FROM auth.audit_log WHERE event = 'login.throttled'") == "1");
  f.Query("DELETE FROM auth.login_attempts RETURNING 1");

  auto consent = b.Post("/login", {{"request", id}, {"username", "Alice"}, {"password", "alice-password"}});
  REQUIRE(consent.status == 200);
  auto deny = b.Post("/consent", {{"request", id}, {"action", "deny"}});
  REQUIRE(deny.status == 302);
  CHECK(Single(RedirectParams(deny), "error")->value_or("") == "access_denied");
  CHECK(Single(RedirectParams(deny), "state")->value_or("") == "st-1");
  // The request is gone after an answer.
  CHECK(b.Post("/consent", {{"request", id}, {"action", "approve"}}).status == 400);
  CHECK(f.Query("SELECT count(*) FROM auth.grants") == "0");

  // Unticking everything grants nothing.
  auto none_left = RunFlow(b, AuthorizeParams(f), std::vector<std::string>{});
  CHECK(Single(RedirectParams(none_left), "error")->value_or("") == "access_denied");
  // A scope that was not offered cannot be added by editing the form.
  const std::string code = CodeFrom(RunFlow(
      b, AuthorizeParams(f, "launch/patient patient/Observation.rs"),
      std::vector<std::string>{"launch/patient", "patient/Observation.rs", "patient/*.cruds"}));
  auto token = JsonOf(Exchange(f, code));
  CHECK(json::GetString(token, "scope") == "launch/patient patient/Observation.rs");
}

// A SMART Backend Services client assertion (RFC 7523).
std::string Assertion(const jose::Key& key, jose::Algorithm alg, const std::string& client_id,
                      const std::string& aud, const std::string& jti, int64_t lifetime = 240) {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  json::Writer w;
  w.StartObject()
      .Field("iss", client_id)
      .Field("sub", client_id)
      .Field("aud", aud)
      .Field("jti", jti)
      .Field("iat", now)
      .Field("exp", now + lifetime)
      .EndObject();
  return *jose::Sign(key, alg, w.Take(), "JWT");
}

TEST_CASE("backend services: client_credentials with private_key_jwt", "[auth][pg]") {
  Fixture f;
  const jose::Key key = Generate(jose::KeyType::kEcP384);
  const jose::Key rsa = Generate(jose::KeyType::kRsa);
  const jose::Key stranger = Generate(jose::KeyType::kEcP384);
  auto created = f.admin->CreateClient(
      {.name = "Bulk", .type = ClientType::kBackend, .scopes = "system/*.rs",
       .jwks = absl::StrCat(R"({"keys":[)", key.PublicJwk(), ",", rsa.PublicJwk(), "]}")});
  REQUIRE(created.ok());
  const std::string id = created->client.client_id;
  const std::string aud = "https://gw.test/sandbox/auth/token";
  auto request = [&](const std::string& assertion, const std::string& scope = "system/Coverage.rs") {
    return f.Call("POST", "/token",
                  Form({{"grant_type", "client_credentials"},
                        {"scope", scope},
                        {"client_assertion_type",
                         "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                        {"client_assertion", assertion}}));
  };
  const std::string good = Assertion(key, jose::Algorithm::kEs384, id, aud, "jti-1");
  auto ok = request(good);
  REQUIRE(ok.status == 200);
  auto t = JsonOf(ok);
  CHECK(json::GetString(t, "scope") == "system/Coverage.rs");
  CHECK_FALSE(t.HasMember("refresh_token"));
  CHECK(Active(f, std::string(*json::GetString(t, "access_token"))));
  CHECK(request(Assertion(rsa, jose::Algorithm::kRs384, id, aud, "jti-rs")).status == 200);
  // The issuer identifier as audience (RFC 7523 clients such as openid-client) is fine too.
  CHECK(request(Assertion(key, jose::Algorithm::kEs384, id, "https://gw.test/sandbox/auth", "jti-iss"))
            .status == 200);

  struct Case {
    std::string what;
    std::string assertion;
    std::string scope;
    std::string error;
  };
  const Case cases[] = {
      {"replayed jti", good, "system/Coverage.rs", "invalid_client"},
      {"wrong audience", Assertion(key, jose::Algorithm::kEs384, id, "https://gw.test/auth/token", "j2"),
       "system/Coverage.rs", "invalid_client"},
      {"RS256 is not allowed", Assertion(rsa, jose::Algorithm::kRs256, id, aud, "j3"),
       "system/Coverage.rs", "invalid_client"},
      {"unregistered key", Assertion(stranger, jose::Algorithm::kEs384, id, aud, "j4"),
       "system/Coverage.rs", "invalid_client"},
      {"lives too long", Assertion(key, jose::Algorithm::kEs384, id, aud, "j5", 3600),
       "system/Coverage.rs", "invalid_client"},
      {"expired", Assertion(key, jose::Algorithm::kEs384, id, aud, "j6", -120),
       "system/Coverage.rs", "invalid_client"},
      {"unknown client", Assertion(key, jose::Algorithm::kEs384, "nobody", aud, "j7"),
       "system/Coverage.rs", "invalid_client"},
      {"not a JWT", "garbage", "system/Coverage.rs", "invalid_client"},
      {"patient scope", Assertion(key, jose::Algorithm::kEs384, id, aud, "j8"),
       "patient/Coverage.rs", "invalid_scope"},
  };
  for (const Case& c : cases) {
    auto r = request(c.assertion, c.scope);
    INFO(c.what << ": " << r.body);
    CHECK(ErrorOf(r) == c.error);
  }
  // An app client cannot use client_credentials.
  auto app = f.Call("POST", "/token", Form({{"grant_type", "client_credentials"}, {"scope", "system/*.rs"}}),
                    Basic(f, f.client_secret));
  CHECK(ErrorOf(app) == "unauthorized_client");
}

TEST_CASE("revocation: access tokens by jti, refresh tokens end the grant, realms stay apart",
          "[auth][pg]") {
  Fixture f;
  Browser b{f};
  auto t1 = JsonOf(Exchange(f, CodeFrom(RunFlow(b, AuthorizeParams(f)))));
  const std::string access(*json::GetString(t1, "access_token"));
  // A sandbox token means nothing in production.
  REQUIRE(f.admin->SetProduction(f.client_id, true).ok());
  auto prod = Introspect(f, access, "production");
  CHECK(json::GetBool(JsonOf(prod), "active") == false);
  CHECK(f.Call("GET", "/userinfo", "", {{"authorization", "Bearer " + access}}, "production").status == 401);

  auto revoke = f.Call("POST", "/revoke", Form({{"token", access}}), Basic(f, f.client_secret));
  CHECK(revoke.status == 200);
  CHECK_FALSE(Active(f, access));
  CHECK(f.Call("GET", "/userinfo", "", {{"authorization", "Bearer " + access}}).status == 401);

  auto t2 = JsonOf(Exchange(f, CodeFrom(RunFlow(b, AuthorizeParams(f)))));
  const std::string access2(*json::GetString(t2, "access_token"));
  const std::string refresh2(*json::GetString(t2, "refresh_token"));
  CHECK(f.Call("POST", "/revoke", Form({{"token", "garbage"}}), Basic(f, f.client_secret)).status == 200);
  CHECK(Active(f, access2));
  CHECK(f.Call("POST", "/revoke", Form({{"token", refresh2}}), Basic(f, f.client_secret)).status == 200);
  CHECK_FALSE(Active(f, refresh2));
  CHECK_FALSE(Active(f, access2));
  CHECK(f.Call("POST", "/revoke", Form({{"token", refresh2}}), Basic(f, "bad")).status == 401);

  // A tampered token is simply inactive.
  std::string tampered = access2;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  CHECK_FALSE(Active(f, tampered));
  // Suspending the client ends its live tokens.
  auto t3 = JsonOf(Exchange(f, CodeFrom(RunFlow(b, AuthorizeParams(f)))));
  const std::string access3(*json::GetString(t3, "access_token"));
  CHECK(Active(f, access3));
  REQUIRE(f.admin->SetSuspended(f.client_id, true, "test").ok());
  auto after = f.Call("POST", "/introspect", Form({{"token", access3}}), Basic(f, f.client_secret));
  CHECK(after.status == 401);  // a suspended client cannot even introspect
}

// ------------------------------------------------------------------------------- EHR launch

constexpr char kLaunchUrl[] = "https://app.example/launch?tenant=t1";

// Gives the fixture's client a launch URL and the launch scope, as an app that supports EHR launch
// registers.
void EnableEhrLaunch(Fixture& f) {
  REQUIRE(f.admin
              ->UpdateClient({.client_id = f.client_id,
                              .launch_url = kLaunchUrl,
                              .scopes = "openid fhirUser launch launch/patient offline_access "
                                        "patient/*.rs"})
              .ok());
}

CreatedLaunch NewLaunch(Fixture& f, LaunchSpec spec = {}) {
  if (spec.client_id.empty()) spec.client_id = f.client_id;
  if (spec.patient_id.empty()) spec.patient_id = "pat-1";
  if (spec.base_url.empty()) spec.base_url = kBase;
  auto launch = f.admin->CreateLaunch(spec);
  INFO(launch.status());
  REQUIRE(launch.ok());
  return *std::move(launch);
}

Params EhrParams(const Fixture& f, const std::string& launch,
                 const std::string& scope = "launch patient/*.rs") {
  Params p = AuthorizeParams(f, scope);
  p.emplace_back("launch", launch);
  return p;
}

std::string ErrorAt(const server::WebResponse& r) {
  REQUIRE(r.status == 302);
  REQUIRE(absl::StartsWith(Header(r, "Location"), kRedirect));
  const Params p = RedirectParams(r);
  CHECK_FALSE(Single(p, "code")->has_value());
  return Single(p, "error")->value_or("");
}

TEST_CASE("EHR launch: the launch URL carries iss and launch, and the token its patient",
          "[auth][pg]") {
  Fixture f;
  EnableEhrLaunch(f);
  const CreatedLaunch created = NewLaunch(f);
  // The registered URL's own query stays; iss and launch are added, URL-encoded.
  REQUIRE(absl::StartsWith(created.launch_url, "https://app.example/launch?tenant=t1&"));
  const Params query = *ParseForm(created.launch_url.substr(created.launch_url.find('?') + 1));
  CHECK(Single(query, "tenant")->value_or("") == "t1");
  CHECK(Single(query, "iss")->value_or("") == "https://gw.test/sandbox/fhir/r4");
  CHECK(Single(query, "launch")->value_or("") == created.launch);
  CHECK(absl::StrContains(created.launch_url, "iss=https%3A%2F%2Fgw.test%2Fsandbox%2Ffhir%2Fr4"));
  CHECK(created.launch.size() == 43);
  // Only the hash is stored.
  CHECK(f.Query("SELECT encode(id_hash, 'hex') FROM auth.launch_contexts") ==
        absl::BytesToHexString(jose::Sha256(created.launch)));
  CHECK(f.Query("SELECT count(*) FROM auth.audit_log WHERE event = 'launch.created'") == "1");

  Browser b{f};
  auto page = b.Authorize(EhrParams(f, created.launch, "launch openid patient/*.rs"));
  REQUIRE(page.status == 200);
  const std::string id = RequestIdIn(page.body);
  auto consent = b.Post("/login", {{"request", id}, {"username", "alice"}, {"password", "alice-password"}});
  REQUIRE(consent.status == 200);
  CHECK(absl::StrContains(consent.body, R"(name="scope" value="launch" checked)"));
  CHECK(f.Query("SELECT count(*) FROM auth.launch_contexts WHERE used_at IS NULL") == "1");
  const std::string code = CodeFrom(b.Post("/consent", {{"request", id},
                                                        {"action", "approve"},
                                                        {"scope", "launch"},
                                                        {"scope", "openid"},
                                                        {"scope", "patient/*.rs"}}));
  CHECK(f.Query("SELECT count(*) FROM auth.launch_contexts WHERE used_at IS NOT NULL") == "1");
  auto token = Exchange(f, code);
  REQUIRE(token.status == 200);
  auto t = JsonOf(token);
  CHECK(json::GetString(t, "scope") == "openid launch patient/*.rs");
  // context-ehr-patient: the patient comes with the launch, without launch/patient.
  CHECK(json::GetString(t, "patient") == "pat-1");
  CHECK(json::GetBool(t, "need_patient_banner") == true);
  constexpr jose::Algorithm kEs256[] = {jose::Algorithm::kEs256};
  auto verified = jose::Verify(std::string(*json::GetString(t, "access_token")),
                               f.keys->verification_keys(), kEs256);
  REQUIRE(verified.ok());
  auto claims = *jose::ParseClaims(verified->payload);
  CHECK(json::GetString(claims, "patient") == "pat-1");

  // Used once: the same launch again is refused at the redirect URI, and nothing is pending.
  CHECK(ErrorAt(b.Authorize(EhrParams(f, created.launch))) == "invalid_request");
  CHECK(f.Query("SELECT count(*) FROM auth.authorization_requests") == "0");
}

TEST_CASE("EHR launch: unknown, expired, foreign and scope-less launches issue nothing",
          "[auth][pg]") {
  Fixture f;
  EnableEhrLaunch(f);
  Browser b{f};
  auto other = f.admin->CreateClient({.name = "Other", .type = ClientType::kPublic,
                                      .redirect_uris = {kRedirect}, .launch_url = kLaunchUrl});
  REQUIRE(other.ok());
  REQUIRE(f.admin->SetProduction(f.client_id, true).ok());
  const CreatedLaunch expired = NewLaunch(f);
  f.Query(absl::StrCat("UPDATE auth.launch_contexts SET expires_at = now() - interval '1 second' "
                       "WHERE id_hash = decode('",
                       absl::BytesToHexString(jose::Sha256(expired.launch)), "', 'hex') RETURNING 1"));
  const CreatedLaunch for_other = NewLaunch(f, {.client_id = other->client.client_id});
  const CreatedLaunch for_production = NewLaunch(f, {.realm = Realm::kProduction});
  const CreatedLaunch good = NewLaunch(f);
  struct Case {
    std::string what;
    Params params;
    std::string error;
  };
  const Case cases[] = {
      {"unknown launch", EhrParams(f, "no-such-launch"), "invalid_request"},
      {"expired launch", EhrParams(f, expired.launch), "invalid_request"},
      {"another app's launch", EhrParams(f, for_other.launch), "invalid_request"},
      {"another realm's launch", EhrParams(f, for_production.launch), "invalid_request"},
      {"launch without the launch scope", EhrParams(f, good.launch, "patient/*.rs"),
       "invalid_request"},
      {"the launch scope alone, without a launch", AuthorizeParams(f, "launch"), "invalid_scope"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    auto r = b.Authorize(c.params);
    CHECK(ErrorAt(r) == c.error);
    CHECK(Single(RedirectParams(r), "state")->value_or("") == "st-1");
  }
  CHECK(f.Query("SELECT count(*) FROM auth.authorization_requests") == "0");
  CHECK(f.Query("SELECT count(*) FROM auth.launch_contexts WHERE used_at IS NOT NULL") == "0");
  CHECK(f.Query("SELECT count(*) FROM auth.grants") == "0");

  // The launch scope without a launch parameter is dropped, not an error: a standalone launch.
  const std::string code =
      CodeFrom(RunFlow(b, AuthorizeParams(f, "launch launch/patient patient/*.rs")));
  auto t = JsonOf(Exchange(f, code));
  CHECK(json::GetString(t, "scope") == "launch/patient patient/*.rs");
  CHECK_FALSE(t.HasMember("need_patient_banner"));
}

TEST_CASE("EHR launch: a member cannot be launched into another patient's record", "[auth][pg]") {
  Fixture f;
  EnableEhrLaunch(f);
  REQUIRE(f.admin->CreateAccount({.kind = AccountKind::kMember, .realm = Realm::kSandbox,
                                  .username = "bob", .password = "bob-password",
                                  .patient_id = "pat-2"})
              .ok());
  // carol shares alice's record (say, a parent's login); a launch naming alice still refuses her.
  REQUIRE(f.admin->CreateAccount({.kind = AccountKind::kMember, .realm = Realm::kSandbox,
                                  .username = "carol", .password = "carol-password",
                                  .patient_id = "pat-1"})
              .ok());
  Browser b{f};
  auto sign_in = [&](const CreatedLaunch& launch, const std::string& user) {
    auto page = b.Authorize(EhrParams(f, launch.launch));
    REQUIRE(page.status == 200);
    return b.Post("/login", {{"request", RequestIdIn(page.body)},
                             {"username", user},
                             {"password", user + "-password"}});
  };
  auto bob = sign_in(NewLaunch(f), "bob");
  CHECK(ErrorAt(bob) == "access_denied");
  CHECK(Single(RedirectParams(bob), "state")->value_or("") == "st-1");
  auto carol = sign_in(NewLaunch(f, {.member_username = "alice"}), "carol");
  CHECK(ErrorAt(carol) == "access_denied");
  CHECK(f.Query("SELECT count(*) FROM auth.authorization_requests") == "0");
  CHECK(f.Query("SELECT count(*) FROM auth.grants") == "0");
  CHECK(f.Query("SELECT count(*) FROM auth.launch_contexts WHERE used_at IS NOT NULL") == "0");

  // Two authorizations started from one launch: the first code uses it up, the second gets none.
  const CreatedLaunch shared = NewLaunch(f);
  auto first = b.Authorize(EhrParams(f, shared.launch));
  auto second = b.Authorize(EhrParams(f, shared.launch));
  const std::string id1 = RequestIdIn(first.body);
  const std::string id2 = RequestIdIn(second.body);
  for (const std::string& id : {id1, id2}) {
    REQUIRE(b.Post("/login", {{"request", id}, {"username", "alice"}, {"password", "alice-password"}})
                .status == 200);
  }
  const Params approve = {{"action", "approve"}, {"scope", "launch"}, {"scope", "patient/*.rs"}};
  Params form1 = approve, form2 = approve;
  form1.emplace_back("request", id1);
  form2.emplace_back("request", id2);
  CodeFrom(b.Post("/consent", form1));
  CHECK(ErrorAt(b.Post("/consent", form2)) == "invalid_request");
  CHECK(f.Query("SELECT count(*) FROM auth.authorization_codes") == "1");
}

TEST_CASE("CreateLaunch refuses what cannot be launched, naming why", "[auth][pg]") {
  Fixture f;
  // The fixture's client has no launch URL yet.
  CHECK(f.admin->CreateLaunch({.client_id = f.client_id, .patient_id = "pat-1", .base_url = kBase})
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  EnableEhrLaunch(f);
  struct Case {
    std::string what;
    LaunchSpec spec;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {"empty patient", {.client_id = f.client_id, .base_url = kBase},
       absl::StatusCode::kInvalidArgument},
      {"patient not a FHIR id", {.client_id = f.client_id, .patient_id = "pat 1/x", .base_url = kBase},
       absl::StatusCode::kInvalidArgument},
      {"no base URL", {.client_id = f.client_id, .patient_id = "pat-1"},
       absl::StatusCode::kInvalidArgument},
      {"http base URL", {.client_id = f.client_id, .patient_id = "pat-1", .base_url = "http://gw.test"},
       absl::StatusCode::kInvalidArgument},
      {"base URL with a path",
       {.client_id = f.client_id, .patient_id = "pat-1", .base_url = "https://gw.test/x"},
       absl::StatusCode::kInvalidArgument},
      {"unknown client", {.client_id = "nobody", .patient_id = "pat-1", .base_url = kBase},
       absl::StatusCode::kNotFound},
      {"unknown member",
       {.client_id = f.client_id, .patient_id = "pat-1", .member_username = "zed", .base_url = kBase},
       absl::StatusCode::kNotFound},
      {"member of another patient",
       {.client_id = f.client_id, .patient_id = "pat-9", .member_username = "alice", .base_url = kBase},
       absl::StatusCode::kFailedPrecondition},
      {"not admitted to production",
       {.realm = Realm::kProduction, .client_id = f.client_id, .patient_id = "pat-1", .base_url = kBase},
       absl::StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    auto r = f.admin->CreateLaunch(c.spec);
    INFO(c.what << ": " << r.status());
    CHECK(r.status().code() == c.code);
  }
  REQUIRE(f.admin->SetSuspended(f.client_id, true, "test").ok());
  auto suspended = f.admin->CreateLaunch({.client_id = f.client_id, .patient_id = "pat-1", .base_url = kBase});
  CHECK(suspended.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(suspended.status().message(), "suspended"));
  CHECK(f.Query("SELECT count(*) FROM auth.launch_contexts") == "0");
}

// A backend client with one ES384 key, and a client_credentials request for it.
struct Backend {
  explicit Backend(Fixture& f) : key(Generate(jose::KeyType::kEcP384)) {
    auto created = f.admin->CreateClient({.name = "Bulk", .type = ClientType::kBackend,
                                          .scopes = "system/*.rs",
                                          .jwks = absl::StrCat(R"({"keys":[)", key.PublicJwk(), "]}")});
    REQUIRE(created.ok());
    id = created->client.client_id;
  }
  std::string Body(const std::string& jti) const {
    return Form({{"grant_type", "client_credentials"},
                 {"scope", "system/Coverage.rs"},
                 {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                 {"client_assertion", Assertion(key, jose::Algorithm::kEs384, id,
                                                "https://gw.test/sandbox/auth/token", jti)}});
  }
  jose::Key key;
  std::string id;
};

TEST_CASE("a cached client that gets suspended is refused on the next token request",
          "[auth][pg]") {
  Fixture f;
  Backend backend(f);
  CHECK(f.Call("POST", "/token", backend.Body("c-1")).status == 200);
  CHECK(f.Call("POST", "/token", backend.Body("c-2")).status == 200);
  CHECK(f.clients->hits() >= 1);  // the second request found the client in memory
  REQUIRE(f.admin->SetSuspended(backend.id, true, "test").ok());
  auto refused = f.Call("POST", "/token", backend.Body("c-3"));
  CHECK(ErrorOf(refused) == "invalid_client");
  CHECK(absl::StrContains(refused.body, "suspended"));
  // Reactivated: served again, and new keys count at once too.
  REQUIRE(f.admin->SetSuspended(backend.id, false, "test").ok());
  CHECK(f.Call("POST", "/token", backend.Body("c-4")).status == 200);
  const jose::Key other = Generate(jose::KeyType::kEcP384);
  REQUIRE(f.admin->UpdateClient({.client_id = backend.id,
                                 .jwks = absl::StrCat(R"({"keys":[)", other.PublicJwk(), "]}")})
              .ok());
  CHECK(ErrorOf(f.Call("POST", "/token", backend.Body("c-5"))) == "invalid_client");
}

TEST_CASE("another replica's cache drops a client when the change is notified", "[auth][pg]") {
  Fixture f;
  Backend backend(f);
  // A second auth replica on the same database: its own store (no hook from f's admin), cache
  // and listener, as auth_service.cc wires them.
  AuthStore store(*f.pool);
  OAuthStore oauth_store(*f.pool, store);
  ClientCache clients(store);
  OAuthServer server(store, oauth_store, clients, *f.keys, *f.box);
  const std::vector<server::WebRoute> routes = server.Routes();
  auto call = [&](const std::string& body) {
    server::WebRequest r{.method = "POST", .path = "/token", .body = body, .realm = "sandbox",
                         .base_url = kBase};
    r.headers.emplace("content-type", "application/x-www-form-urlencoded");
    auto out = server::DispatchWeb(routes, r);
    REQUIRE(out.ok());
    return *std::move(out);
  };
  // Not listening yet: nothing is cached, every request reads the table.
  CHECK(call(backend.Body("r-0")).status == 200);
  CHECK(call(backend.Body("r-00")).status == 200);
  CHECK(clients.hits() == 0);
  pg::Listener listener({.conninfo = f.db.conninfo(), .channel = "auth_clients"},
                        [&](absl::string_view id) { clients.Invalidate(id); },
                        [&](bool on) { clients.SetListening(on); });
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!listener.listening() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  REQUIRE(listener.listening());
  CHECK(call(backend.Body("r-1")).status == 200);
  CHECK(call(backend.Body("r-2")).status == 200);
  CHECK(clients.hits() >= 1);
  const int64_t seen = clients.invalidations();
  REQUIRE(f.admin->SetSuspended(backend.id, true, "test").ok());
  // The notification comes on commit; wait for it (bounded), then the next request is refused.
  while (clients.invalidations() == seen && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  REQUIRE(clients.invalidations() > seen);
  CHECK(ErrorOf(call(backend.Body("r-3"))) == "invalid_client");
}

TEST_CASE("client_credentials: the assertion's jti and the audit row are stored together",
          "[auth][pg]") {
  Fixture f;
  Backend backend(f);
  const std::string body = backend.Body("a-1");
  auto ok = f.Call("POST", "/token", body);
  REQUIRE(ok.status == 200);
  CHECK(f.Query(absl::StrCat("SELECT count(*) FROM auth.assertion_jtis WHERE client_id = '",
                             backend.id, "' AND jti = 'a-1'")) == "1");
  CHECK(f.Query(absl::StrCat("SELECT detail FROM auth.audit_log WHERE event = 'token.issued' AND "
                             "client_id = '", backend.id, "'")) == "client_credentials");
  // The replay is refused and audited, and issues nothing.
  auto replay = f.Call("POST", "/token", body);
  CHECK(ErrorOf(replay) == "invalid_client");
  CHECK(f.Query(absl::StrCat("SELECT count(*) FROM auth.audit_log WHERE event = 'token.issued' "
                             "AND client_id = '", backend.id, "'")) == "1");
  CHECK(f.Query(absl::StrCat("SELECT detail FROM auth.audit_log WHERE event = 'token.refused' AND "
                             "client_id = '", backend.id, "'")) == "assertion jti was used before");
  // A refused scope spends the assertion too: it cannot be tried again with another scope.
  const std::string assertion = Assertion(backend.key, jose::Algorithm::kEs384, backend.id,
                                          "https://gw.test/sandbox/auth/token", "a-2");
  auto with_scope = [&](const std::string& scope) {
    return Form({{"grant_type", "client_credentials"},
                 {"scope", scope},
                 {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                 {"client_assertion", assertion}});
  };
  CHECK(ErrorOf(f.Call("POST", "/token", with_scope("patient/Coverage.rs"))) == "invalid_scope");
  CHECK(ErrorOf(f.Call("POST", "/token", with_scope("system/Coverage.rs"))) == "invalid_client");
}

}  // namespace
}  // namespace planapi::auth_service
