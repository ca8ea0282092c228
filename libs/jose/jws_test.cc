#include "libs/jose/jws.h"

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/jose/base64url.h"
#include "libs/jose/secret.h"

namespace planapi::jose {
namespace {

constexpr Algorithm kAll[] = {Algorithm::kRs256, Algorithm::kRs384, Algorithm::kEs256,
                              Algorithm::kEs384};

// Tokens signed by another implementation (Node 20's crypto, ieee-p1363 ECDSA encoding), so our
// verifier is checked against more than our own signer.
struct Vector {
  absl::string_view jwk;
  absl::string_view token;
};
constexpr Vector kNodeVectors[] = {
    {R"({"kty":"EC","x":"aEc2TNCOkdg9Mp7lbifbmeGqrxwQxq9ARJhLEWaysd4","y":"I1VTtv2p76jhLMc8P0xitkqSoMCX8jAqroYPJVDjQoY","crv":"P-256","kid":"node-ES256"})",
     "eyJhbGciOiJFUzI1NiIsImtpZCI6Im5vZGUtRVMyNTYiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwczovL2V4YW1wbGUudGVzdCIsInN1YiI6Im5vZGUiLCJleHAiOjQxMDI0NDQ4MDB9.9hf4ESTRrxzGa1taFEJj_h6wfPFghHixtTf4mGVpVFckJx-Gu_dvjKfRERwVvufwf0_v0jwACNWZZ2rdT_pz6Q"},
    {R"({"kty":"EC","x":"_stmK_YDcvTqDQqcxyP0_4qQ7TN2JTs8YIjzcX8f8CksV7elY9p05BZe_WGPsQ1D","y":"6mwdMn8Fa-vlyjhFw_yXZY18_IvTg6a2ch93U7bvz58NmXRRuC09J9XUk9hARrjn","crv":"P-384","kid":"node-ES384"})",
     "eyJhbGciOiJFUzM4NCIsImtpZCI6Im5vZGUtRVMzODQiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwczovL2V4YW1wbGUudGVzdCIsInN1YiI6Im5vZGUiLCJleHAiOjQxMDI0NDQ4MDB9.aNmeC7Y4BOgTR3qMRRsbLUnM0BsbuumOTY9nFHJVEdLfqjVOMmwu2Gj4gtUiEKb2NMasBx4iN293tVZt_CYgrF50v9YlbEiB2cFt8Yfv0dQUhGCiVmZQbUJpZo3I7ADN"},
    {R"({"kty":"RSA","n":"suzIdrvTj1VjWd90hAYPmRF0NF-AxJ_MflJrYebN0KJs5iXuusvcqF1cYdkm7gCUkxEdpjQfmjEH7R99Qq6gQKa4TYY_uooogOC-tHuYF501bhyukbKpRlpkuz5e7pdB4ZzC0ZW2LLeBJTpq-E8_uwGUmQ2BV1g3V2cwFkJe2RMeAr5_huuA12DYrj2W-1qvm8cyAUzoWBy0Ok-KVb6E0O_2o4AZ-igMHDEu7tgPMze1OMOWbfumVTofI5aSFNsvWxE1LtfQRoo6t2Qcp_71_Upy4H3kV7s7eh-y30Ct71nHgO2ZZQKh3JV7jt01TBdUFAEu0rvboomODBCTlmo38w","e":"AQAB","kid":"node-RS384"})",
     "eyJhbGciOiJSUzM4NCIsImtpZCI6Im5vZGUtUlMzODQiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwczovL2V4YW1wbGUudGVzdCIsInN1YiI6Im5vZGUiLCJleHAiOjQxMDI0NDQ4MDB9.QQ9_17ekf3wEk7d8gqOCd0F_AWWtE3gCNC6S40KtTJz9N7Y0XThzSuhlM7LVTWU0T3cZpt95VB6t9VFbZjdReChAibfxNPiHsszaAYJtC-a6ZzxgyiSbXqra6X6PwguxtBjtD0a6s7T02btyBIYci5PHknvK4alHmg2yRHuMP9V-S0EYAnk6CMsglggmveTfdUUKMdkY3hiw1l9jv-Zn5c9iCvHmDIAOj6IM3VlFIrExQaTYNLowfEj4rEn0gc_UdhRwNGjfnPhBhhaK-R6mjc9VeXyilvKLqlV-8WDLNmJOrMQumxfJP_o6nPHPAonbaRb3Sjal04DAfpU4Fjhnwg"},
};

Key Generate(KeyType type) {
  auto key = Key::Generate(type);
  REQUIRE(key.ok());
  return *key;
}

KeyType TypeFor(Algorithm alg) {
  switch (alg) {
    case Algorithm::kEs256:
      return KeyType::kEcP256;
    case Algorithm::kEs384:
      return KeyType::kEcP384;
    default:
      return KeyType::kRsa;
  }
}

std::vector<std::string> Parts(absl::string_view token) { return absl::StrSplit(token, '.'); }

std::string Header(absl::string_view json) { return Base64UrlEncode(json); }

TEST_CASE("tokens signed by another implementation verify", "[jose]") {
  for (const Vector& v : kNodeVectors) {
    auto key = Key::FromJwk(v.jwk);
    REQUIRE(key.ok());
    KeySet set({*key});
    auto verified = Verify(v.token, set, kAll);
    INFO(v.jwk);
    REQUIRE(verified.ok());
    CHECK(verified->payload == R"({"iss":"https://example.test","sub":"node","exp":4102444800})");
    CHECK(verified->header.kid == key->kid());
    CHECK(verified->header.typ == "JWT");
    CHECK(verified->key == &set.keys()[0]);
  }
}

TEST_CASE("sign then verify with every algorithm", "[jose]") {
  for (Algorithm alg : kAll) {
    const Key key = Generate(TypeFor(alg));
    auto token = Sign(key, alg, R"({"sub":"x"})");
    REQUIRE(token.ok());
    auto header = PeekHeader(*token);
    REQUIRE(header.ok());
    CHECK(header->alg == alg);
    CHECK(header->kid == key.kid());
    CHECK(header->typ == "JWT");
    auto verified = Verify(*token, KeySet({key}), kAll);
    REQUIRE(verified.ok());
    CHECK(verified->payload == R"({"sub":"x"})");
    // ECDSA in JOSE form: exactly r||s, not DER.
    const std::string signature = Base64UrlDecode(Parts(*token)[2]).value();
    if (alg == Algorithm::kEs256) {
      CHECK(signature.size() == 64);
    } else if (alg == Algorithm::kEs384) {
      CHECK(signature.size() == 96);
    } else {
      CHECK(signature.size() == 256);
    }
  }
}

TEST_CASE("tampered tokens do not verify", "[jose]") {
  for (Algorithm alg : kAll) {
    const Key key = Generate(TypeFor(alg));
    const KeySet set({key});
    const std::string token = Sign(key, alg, R"({"sub":"alice","scope":"patient/*.read"})").value();
    const std::vector<std::string> p = Parts(token);

    // Another payload under the original signature.
    const std::string other_payload =
        absl::StrCat(p[0], ".", Base64UrlEncode(R"({"sub":"mallory","scope":"patient/*.read"})"), ".", p[2]);
    // One flipped bit in the signature.
    std::string sig = Base64UrlDecode(p[2]).value();
    sig[sig.size() / 2] ^= 0x01;
    const std::string flipped = absl::StrCat(p[0], ".", p[1], ".", Base64UrlEncode(sig));
    // A truncated signature.
    const std::string truncated =
        absl::StrCat(p[0], ".", p[1], ".", Base64UrlEncode(sig.substr(0, sig.size() - 1)));
    // The signature moved under another header that also names a valid algorithm.
    const std::string rewritten_header = absl::StrCat(
        Header(absl::StrCat(R"({"alg":")", AlgorithmName(alg), R"(","kid":")", key.kid(),
                            R"(","typ":"at+jwt"})")),
        ".", p[1], ".", p[2]);

    for (const std::string& bad : {other_payload, flipped, truncated, rewritten_header}) {
      INFO(AlgorithmName(alg) << " " << bad);
      CHECK(Verify(bad, set, kAll).status().code() == absl::StatusCode::kUnauthenticated);
    }
  }
}

TEST_CASE("a DER-encoded ECDSA signature is refused", "[jose]") {
  // Some libraries emit DER; JOSE requires r||s, and accepting both would make a token malleable.
  const Key key = Generate(KeyType::kEcP256);
  const std::string token = Sign(key, Algorithm::kEs256, "{}").value();
  const std::vector<std::string> p = Parts(token);
  const std::string raw = Base64UrlDecode(p[2]).value();
  // DER SEQUENCE { INTEGER r, INTEGER s } with each integer given 33 bytes (leading 0x00).
  std::string der = "\x30\x46\x02\x21";
  der += '\0';
  der += raw.substr(0, 32);
  der += "\x02\x21";
  der += '\0';
  der += raw.substr(32);
  CHECK(Verify(absl::StrCat(p[0], ".", p[1], ".", Base64UrlEncode(der)), KeySet({key}), kAll)
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("a signature by another key does not verify", "[jose]") {
  const Key signer = Generate(KeyType::kEcP256);
  const Key trusted = Generate(KeyType::kEcP256);
  const std::string token = Sign(signer, Algorithm::kEs256, "{}").value();
  // Unknown kid.
  CHECK(Verify(token, KeySet({trusted}), kAll).status().code() ==
        absl::StatusCode::kUnauthenticated);
  // Same kid claimed, other key.
  CHECK(Verify(token, KeySet({trusted.WithKid(signer.kid())}), kAll).status().code() ==
        absl::StatusCode::kUnauthenticated);
  // No kid in the token: every key of the right type is tried, and none fits.
  const std::string no_kid = absl::StrCat(Header(R"({"alg":"ES256"})"), ".", Parts(token)[1], ".",
                                          Parts(token)[2]);
  CHECK(Verify(no_kid, KeySet({trusted}), kAll).status().code() ==
        absl::StatusCode::kUnauthenticated);
}

TEST_CASE("without a kid, every key that fits the algorithm is tried", "[jose]") {
  const Key a = Generate(KeyType::kEcP384);
  const Key b = Generate(KeyType::kEcP384);
  const Key rsa = Generate(KeyType::kRsa);
  const std::string token = Sign(b.WithKid(""), Algorithm::kEs384, "{}").value();
  CHECK_FALSE(PeekHeader(token)->kid.has_value());
  const KeySet set({rsa, a, b});  // outlives `verified`, which points into it
  auto verified = Verify(token, set, kAll);
  REQUIRE(verified.ok());
  CHECK(verified->key->kid() == b.kid());
  CHECK(Verify(token, KeySet({rsa, a}), kAll).status().code() ==
        absl::StatusCode::kUnauthenticated);
}

TEST_CASE("algorithm confusion is refused: none, HMAC, an alg not allowed, a key of another type",
          "[jose]") {
  const Key rsa = Generate(KeyType::kRsa);
  const KeySet set({rsa});
  const std::string token = Sign(rsa, Algorithm::kRs256, R"({"sub":"x"})").value();
  const std::vector<std::string> p = Parts(token);

  // alg=none with an empty and with a non-empty signature.
  const std::string none_empty = absl::StrCat(Header(R"({"alg":"none"})"), ".", p[1], ".");
  const std::string none_sig = absl::StrCat(Header(R"({"alg":"none"})"), ".", p[1], ".", p[2]);
  CHECK_FALSE(Verify(none_empty, set, kAll).ok());
  CHECK(Verify(none_sig, set, kAll).status().code() == absl::StatusCode::kUnauthenticated);
  // HS256 keyed with the public key text: the classic confusion attack.
  const std::string hs = absl::StrCat(Header(R"({"alg":"HS256"})"), ".", p[1], ".", p[2]);
  CHECK(Verify(hs, set, kAll).status().code() == absl::StatusCode::kUnauthenticated);
  // A valid RS256 token where only ES256 is accepted.
  constexpr Algorithm kOnlyEs256[] = {Algorithm::kEs256};
  CHECK(Verify(token, set, kOnlyEs256).status().code() == absl::StatusCode::kUnauthenticated);
  // The header claims ES256 but the only key is RSA.
  const std::string es = absl::StrCat(
      Header(absl::StrCat(R"({"alg":"ES256","kid":")", rsa.kid(), "\"}")), ".", p[1], ".", p[2]);
  CHECK(Verify(es, set, kAll).status().code() == absl::StatusCode::kUnauthenticated);
  // RS256 -> RS384 relabelled.
  const std::string rs384 = absl::StrCat(
      Header(absl::StrCat(R"({"alg":"RS384","kid":")", rsa.kid(), R"(","typ":"JWT"})")), ".", p[1],
      ".", p[2]);
  CHECK(Verify(rs384, set, kAll).status().code() == absl::StatusCode::kUnauthenticated);
  // A key pinned to RS384 does not verify RS256.
  CHECK(Verify(token, KeySet({rsa.WithAlg(Algorithm::kRs384)}), kAll).status().code() ==
        absl::StatusCode::kUnauthenticated);
  // "crit" extensions are refused, even from a trusted key.
  CHECK(PeekHeader(absl::StrCat(Header(R"({"alg":"RS256","crit":["exp"]})"), ".e30.AAAA"))
            .status()
            .code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("malformed tokens are INVALID_ARGUMENT", "[jose]") {
  const Key key = Generate(KeyType::kEcP256);
  const KeySet set({key});
  const std::string token = Sign(key, Algorithm::kEs256, "{}").value();
  const std::vector<std::string> p = Parts(token);
  const std::vector<std::string> bad = {
      "",
      "abc",
      absl::StrCat(p[0], ".", p[1]),
      absl::StrCat(token, ".x"),
      absl::StrCat(".", p[1], ".", p[2]),
      absl::StrCat(p[0], ".", p[1], "."),
      absl::StrCat(p[0], "=.", p[1], ".", p[2]),
      absl::StrCat(p[0], ".", p[1], ".", p[2], "="),
      absl::StrCat(p[0], ".!!.", p[2]),
      absl::StrCat(Base64UrlEncode("not json"), ".", p[1], ".", p[2]),
      absl::StrCat(Base64UrlEncode("[]"), ".", p[1], ".", p[2]),
      absl::StrCat(Header(R"({"kid":"x"})"), ".", p[1], ".", p[2]),
      absl::StrCat(Header(R"({"alg":"ES256","kid":7})"), ".", p[1], ".", p[2]),
      std::string(70000, 'a'),
  };
  for (const std::string& t : bad) {
    INFO(t.substr(0, 80));
    CHECK(Verify(t, set, kAll).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("an empty key set verifies nothing", "[jose]") {
  const Key key = Generate(KeyType::kEcP256);
  CHECK(Verify(Sign(key, Algorithm::kEs256, "{}").value(), KeySet(), kAll).status().code() ==
        absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace planapi::jose
