#include "services/gateway/authenticator.h"

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/jose/jws.h"
#include "libs/json/json.h"

namespace planapi::gateway {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'900'000'000);
constexpr char kBase[] = "https://api.example";

struct Claims {
  std::string iss = "https://api.example/auth";
  std::string aud = "https://api.example/fhir/r4";
  std::string scope = "patient/*.rs";
  std::string gid = "g1";
  std::string jti = "j1";
  std::string client_id = "app";
  int64_t iat = 1'900'000'000 - 10;
  int64_t exp = 1'900'000'000 + 290;
};

std::string Token(const jose::Key& key, const Claims& c, absl::string_view typ = "at+jwt") {
  json::Writer w;
  w.StartObject()
      .Field("iss", c.iss)
      .Field("aud", c.aud)
      .Field("sub", "member-1")
      .Field("client_id", c.client_id)
      .Field("scope", c.scope)
      .Field("patient", "pat-1")
      .Field("gid", c.gid)
      .Field("jti", c.jti)
      .Field("iat", c.iat)
      .Field("exp", c.exp)
      .EndObject();
  return *jose::Sign(key, jose::Algorithm::kEs256, w.Take(), typ);
}

struct Fixture {
  Fixture() : key(*jose::Key::Generate(jose::KeyType::kEcP256)) {
    verifier.SetKeys(jose::KeySet({key}));
    verifier.SetNowForTest([this] { return now; });
    verifier.SetOnUnknownKey([this] { ++unknown_key_calls; });
  }
  absl::StatusCode Code(const std::string& token, Realm realm = Realm::kProduction) {
    return verifier.Authenticate(token, realm, kBase).status().code();
  }
  jose::Key key;
  TokenVerifier verifier;
  absl::Time now = kNow;
  int unknown_key_calls = 0;
};

TEST_CASE("a valid access token yields its principal, and is cached", "[gateway]") {
  Fixture f;
  const std::string token = Token(f.key, {});
  auto p = f.verifier.Authenticate(token, Realm::kProduction, kBase);
  REQUIRE(p.ok());
  CHECK((*p)->principal.client_id == "app");
  CHECK((*p)->principal.subject == "member-1");
  CHECK((*p)->principal.patient == "pat-1");
  CHECK((*p)->scopes_text == "patient/*.rs");
  // Worked out once per token: every type the wildcard scope may search.
  CHECK(absl::StrContains((*p)->searchable_types, "Observation"));
  CHECK(absl::StrContains((*p)->searchable_types, "Patient"));
  // Cached: a key change no longer matters for it, but expiry still does.
  f.verifier.SetKeys(jose::KeySet());
  CHECK(f.verifier.Authenticate(token, Realm::kProduction, kBase).ok());
  f.now = kNow + absl::Seconds(291);
  CHECK(f.Code(token) == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("issuer, audience and realm must match the URL's realm", "[gateway]") {
  Fixture f;
  Claims sandbox{.iss = "https://api.example/sandbox/auth", .aud = "https://api.example/sandbox/fhir/r4"};
  const std::string token = Token(f.key, sandbox);
  CHECK(f.Code(token, Realm::kSandbox) == absl::StatusCode::kOk);
  CHECK(f.Code(token, Realm::kProduction) == absl::StatusCode::kUnauthenticated);  // cached path
  CHECK(f.Code(Token(f.key, {.iss = "https://other.example/auth"})) ==
        absl::StatusCode::kUnauthenticated);
  CHECK(f.Code(Token(f.key, {.aud = "https://api.example/sandbox/fhir/r4", .jti = "j2"})) ==
        absl::StatusCode::kUnauthenticated);
  CHECK(f.Code(Token(f.key, {.jti = "j3"}), Realm::kDirectory) == absl::StatusCode::kUnauthenticated);
  CHECK(f.verifier.Authenticate(Token(f.key, {.jti = "j4"}), Realm::kProduction, "https://evil.example")
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("expired, tampered, foreign-key and non-access tokens are refused", "[gateway]") {
  Fixture f;
  CHECK(f.Code(Token(f.key, {.iat = 1'899'999'000, .exp = 1'899'999'990})) ==
        absl::StatusCode::kUnauthenticated);
  std::string tampered = Token(f.key, {.jti = "j5"});
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  CHECK(f.Code(tampered) == absl::StatusCode::kUnauthenticated);
  CHECK(f.Code(Token(f.key, {.jti = "j6"}, "JWT")) == absl::StatusCode::kUnauthenticated);
  CHECK(f.Code("not-a-jwt") == absl::StatusCode::kUnauthenticated);
  CHECK(f.unknown_key_calls == 0);
  const jose::Key other = *jose::Key::Generate(jose::KeyType::kEcP256);
  CHECK(f.Code(Token(other, {.jti = "j7"})) == absl::StatusCode::kUnauthenticated);
  CHECK(f.unknown_key_calls == 1);  // an unknown kid asks for fresh keys
  // Once the new key arrives, the token verifies.
  f.verifier.SetKeys(jose::KeySet({f.key, other}));
  CHECK(f.Code(Token(other, {.jti = "j7"})) == absl::StatusCode::kOk);
}

TEST_CASE("revoked grants, tokens and clients are refused, cached or not", "[gateway]") {
  Fixture f;
  const std::string a = Token(f.key, {.gid = "g-a", .jti = "ja"});
  const std::string b = Token(f.key, {.gid = "g-b", .jti = "jb"});
  REQUIRE(f.Code(a) == absl::StatusCode::kOk);  // now cached
  f.verifier.Revoke("grant", "g-a", kNow);
  f.verifier.Revoke("token", "jb", kNow);
  CHECK(f.Code(a) == absl::StatusCode::kUnauthenticated);
  CHECK(f.Code(b) == absl::StatusCode::kUnauthenticated);
  // A client suspension ends tokens issued up to it, not those issued after reactivation.
  const std::string before = Token(f.key, {.gid = "g-c", .jti = "jc", .client_id = "c2"});
  f.verifier.Revoke("client", "c2", kNow);
  CHECK(f.Code(before) == absl::StatusCode::kUnauthenticated);
  const std::string after = Token(f.key, {.gid = "g-d", .jti = "jd", .client_id = "c2",
                                          .iat = 1'900'000'000 + 60, .exp = 1'900'000'000 + 300});
  f.now = kNow + absl::Seconds(61);
  CHECK(f.Code(after) == absl::StatusCode::kOk);
}

TEST_CASE("without keys nothing verifies", "[gateway]") {
  TokenVerifier verifier;
  CHECK_FALSE(verifier.has_keys());
  auto key = jose::Key::Generate(jose::KeyType::kEcP256);
  CHECK(verifier.Authenticate(Token(*key, {}), Realm::kProduction, kBase).status().code() ==
        absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace planapi::gateway
