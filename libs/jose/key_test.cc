#include "libs/jose/key.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <catch2/catch.hpp>

#include "libs/jose/jwks.h"
#include "libs/json/json.h"

namespace planapi::jose {
namespace {

// RFC 7638 §3.1: an RSA key and its thumbprint.
constexpr absl::string_view kRfc7638Jwk =
    R"({"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"})";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

std::string MemberOf(const std::string& jwk, const char* name) {
  auto doc = json::Parse(jwk);
  REQUIRE(doc.ok());
  return std::string(json::GetString(*doc, name).value_or(""));
}

TEST_CASE("the RFC 7638 thumbprint of the RFC's example key", "[jose]") {
  auto key = Key::FromJwk(kRfc7638Jwk);
  REQUIRE(key.ok());
  CHECK(key->Thumbprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  CHECK(key->kid() == "2011-04-29");  // a given kid is kept
  CHECK(key->alg() == Algorithm::kRs256);
  CHECK_FALSE(key->has_private());
  CHECK(key->Supports(Algorithm::kRs256));
  CHECK_FALSE(key->Supports(Algorithm::kRs384));  // pinned by "alg"
}

TEST_CASE("generated keys export and re-import as public and private JWKs", "[jose]") {
  for (KeyType type : {KeyType::kRsa, KeyType::kEcP256, KeyType::kEcP384}) {
    auto key = Key::Generate(type);
    REQUIRE(key.ok());
    CHECK(key->has_private());
    CHECK(key->kid() == key->Thumbprint());

    const std::string pub = key->PublicJwk();
    CHECK(MemberOf(pub, "d").empty());
    CHECK(MemberOf(pub, "use") == "sig");
    auto pub_key = Key::FromJwk(pub);
    REQUIRE(pub_key.ok());
    CHECK_FALSE(pub_key->has_private());
    CHECK(pub_key->type() == type);
    CHECK(pub_key->Thumbprint() == key->Thumbprint());

    auto priv_key = Key::FromJwk(key->PrivateJwk());
    REQUIRE(priv_key.ok());
    CHECK(priv_key->has_private());
    CHECK(priv_key->Thumbprint() == key->Thumbprint());

    auto pem_key = Key::FromPem(key->PrivatePem());
    REQUIRE(pem_key.ok());
    CHECK(pem_key->has_private());
    CHECK(pem_key->Thumbprint() == key->Thumbprint());
  }
}

TEST_CASE("EC coordinates are fixed-width in JWK", "[jose]") {
  auto key = Key::Generate(KeyType::kEcP384);
  REQUIRE(key.ok());
  const std::string jwk = key->PrivateJwk();
  CHECK(MemberOf(jwk, "x").size() == 64);  // 48 bytes
  CHECK(MemberOf(jwk, "y").size() == 64);
  CHECK(MemberOf(jwk, "d").size() == 64);
  CHECK(MemberOf(jwk, "crv") == "P-384");
}

TEST_CASE("JWK import refuses malformed and unsafe keys", "[jose]") {
  auto ec = Key::Generate(KeyType::kEcP256);
  auto other = Key::Generate(KeyType::kEcP256);
  REQUIRE(ec.ok());
  REQUIRE(other.ok());
  const std::string pub = ec->PublicJwk();
  const std::string x = MemberOf(pub, "x");
  const std::string y = MemberOf(pub, "y");
  std::string y_flipped = y;
  y_flipped[5] = y_flipped[5] == 'A' ? 'B' : 'A';

  const std::vector<std::string> bad = {
      "[]",
      R"({"kty":"oct","k":"AAAA"})",
      R"({"n":"AQAB","e":"AQAB"})",
      R"({"kty":"RSA","e":"AQAB"})",
      R"({"kty":"RSA","n":5,"e":"AQAB"})",
      R"({"kty":"EC","crv":"P-521","x":"AA","y":"AA"})",
      R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
      Replace(pub, x, x.substr(0, 40)),                    // short coordinate
      Replace(pub, y, y_flipped),                          // point off the curve
      Replace(pub, x, x + "="),                            // padded base64
      Replace(pub, R"("crv":"P-256")", R"("crv":"P-384")"),  // wrong curve for the sizes
      Replace(pub, R"("use":"sig")", R"("use":"enc")"),
      Replace(pub, R"("use":"sig")", R"("use":"sig","alg":"RS256")"),  // alg does not fit
      Replace(pub, R"("use":"sig")", R"("use":"sig","alg":"none")"),
      // A private half that belongs to another key.
      Replace(pub, R"("use":"sig")",
              absl::StrCat(R"("use":"sig","d":")", MemberOf(other->PrivateJwk(), "d"), "\"")),
  };
  for (const std::string& jwk : bad) {
    INFO(jwk);
    CHECK(Key::FromJwk(absl::string_view(jwk)).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("RSA keys under 2048 bits are refused", "[jose]") {
  EVP_PKEY* small = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
  REQUIRE(small != nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PUBKEY(bio, small) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(small);
  auto key = Key::FromPem(pem);
  CHECK(key.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(key.status().message().find("2048") != absl::string_view::npos);
  CHECK(Key::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a public PEM imports without a private half", "[jose]") {
  auto key = Key::Generate(KeyType::kEcP256);
  REQUIRE(key.ok());
  EVP_PKEY* pkey = key->pkey();
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PUBKEY(bio, pkey) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  auto pub = Key::FromPem(pem);
  REQUIRE(pub.ok());
  CHECK_FALSE(pub->has_private());
  CHECK(pub->Thumbprint() == key->Thumbprint());
}

TEST_CASE("JWKS parsing skips foreign keys, drops private members and finds by kid", "[jose]") {
  auto rsa = Key::Generate(KeyType::kRsa);
  auto ec = Key::Generate(KeyType::kEcP384);
  REQUIRE(rsa.ok());
  REQUIRE(ec.ok());
  const std::string json = absl::StrCat(R"({"keys":[{"kty":"oct","k":"AAAA"},)", rsa->PrivateJwk(),
                                        ",", ec->PublicJwk(),
                                        R"(,{"kty":"EC","crv":"P-256","use":"enc","x":"A","y":"A"}]})");
  auto set = KeySet::FromJson(json);
  REQUIRE(set.ok());
  REQUIRE(set->keys().size() == 2);
  CHECK_FALSE(set->keys()[0].has_private());
  CHECK(set->ToJson().find("\"d\"") == std::string::npos);
  CHECK(set->Candidates(rsa->kid(), Algorithm::kRs256).size() == 1);
  CHECK(set->Candidates(rsa->kid(), Algorithm::kEs384).empty());  // kid fits, type does not
  CHECK(set->Candidates(std::nullopt, Algorithm::kEs384).size() == 1);
  CHECK(set->Candidates("nope", Algorithm::kRs256).empty());

  auto round = KeySet::FromJson(set->ToJson());
  REQUIRE(round.ok());
  CHECK(round->keys().size() == 2);

  for (absl::string_view bad : {"{}", R"({"keys":{}})", R"({"keys":[]})",
                                R"({"keys":[{"kty":"oct","k":"AAAA"}]})", R"({"keys":[1]})",
                                R"({"keys":[{"kty":"RSA","n":"AQAB"}]})"}) {
    INFO(bad);
    CHECK(KeySet::FromJson(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("algorithm names: none and HMAC are not algorithms", "[jose]") {
  CHECK(AlgorithmFromName("RS256") == Algorithm::kRs256);
  CHECK(AlgorithmFromName("ES384") == Algorithm::kEs384);
  CHECK(AlgorithmName(Algorithm::kRs384) == "RS384");
  CHECK_FALSE(AlgorithmFromName("none").has_value());
  CHECK_FALSE(AlgorithmFromName("HS256").has_value());
  CHECK_FALSE(AlgorithmFromName("rs256").has_value());
  CHECK_FALSE(AlgorithmFromName("PS256").has_value());
}

}  // namespace
}  // namespace planapi::jose
