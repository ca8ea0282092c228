#include "services/auth/keys.h"

#include <openssl/pem.h>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "libs/jose/jws.h"

namespace planapi::auth_service {
namespace {

jose::Key Generate(jose::KeyType type) {
  auto key = jose::Key::Generate(type);
  REQUIRE(key.ok());
  return *key;
}

TEST_CASE("a JWKS of private keys: RSA signs id tokens, EC P-256 access tokens", "[auth]") {
  const jose::Key ec = Generate(jose::KeyType::kEcP256);
  const jose::Key rsa = Generate(jose::KeyType::kRsa);
  const jose::Key old_rsa = Generate(jose::KeyType::kRsa);
  auto keys = SigningKeys::Parse(absl::StrCat(R"({"keys":[)", ec.PrivateJwk(), ",",
                                              rsa.PrivateJwk(), ",", old_rsa.PrivateJwk(), "]}"));
  REQUIRE(keys.ok());
  CHECK(keys->id_token_key().kid() == rsa.kid());
  CHECK(keys->access_token_key().kid() == ec.kid());
  CHECK(keys->access_token_alg() == jose::Algorithm::kEs256);
  // Every key is published (rotation overlap), and only public halves.
  auto published = jose::KeySet::FromJson(keys->PublicJwks());
  REQUIRE(published.ok());
  CHECK(published->keys().size() == 3);
  CHECK(keys->PublicJwks().find("\"d\"") == std::string::npos);
  // A token signed by the old key still verifies against what we publish.
  auto token = jose::Sign(old_rsa, jose::Algorithm::kRs256, "{}");
  constexpr jose::Algorithm kRs256[] = {jose::Algorithm::kRs256};
  CHECK(jose::Verify(*token, *published, kRs256).ok());
}

TEST_CASE("PEM private keys one after the other, as openssl writes them", "[auth]") {
  const jose::Key rsa = Generate(jose::KeyType::kRsa);
  const jose::Key ec = Generate(jose::KeyType::kEcP256);
  auto keys = SigningKeys::Parse(absl::StrCat("\n", rsa.PrivatePem(), ec.PrivatePem(), "\n"));
  REQUIRE(keys.ok());
  CHECK(keys->id_token_key().kid() == rsa.Thumbprint());
  CHECK(keys->access_token_key().kid() == ec.Thumbprint());
  // RSA alone signs both.
  auto rsa_only = SigningKeys::Parse(rsa.PrivatePem());
  REQUIRE(rsa_only.ok());
  CHECK(rsa_only->access_token_alg() == jose::Algorithm::kRs256);
}

// Helm's genPrivateKey writes the traditional forms (BEGIN EC PRIVATE KEY / RSA PRIVATE KEY).
std::string TraditionalPem(const jose::Key& key) {
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PrivateKey_traditional(bio, key.pkey(), nullptr, nullptr, 0, nullptr,
                                               nullptr) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  return pem;
}

TEST_CASE("traditional PEM forms, as the Helm chart generates them", "[auth]") {
  const jose::Key ec = Generate(jose::KeyType::kEcP256);
  const jose::Key rsa = Generate(jose::KeyType::kRsa);
  const std::string text = absl::StrCat(TraditionalPem(ec), "\n", TraditionalPem(rsa), "\n");
  CHECK(text.find("BEGIN EC PRIVATE KEY") != std::string::npos);
  CHECK(text.find("BEGIN RSA PRIVATE KEY") != std::string::npos);
  auto keys = SigningKeys::Parse(text);
  REQUIRE(keys.ok());
  CHECK(keys->access_token_key().kid() == ec.Thumbprint());
  CHECK(keys->id_token_key().kid() == rsa.Thumbprint());
}

TEST_CASE("unusable signing key configuration is refused", "[auth]") {
  const jose::Key rsa = Generate(jose::KeyType::kRsa);
  const jose::Key ec = Generate(jose::KeyType::kEcP256);
  const std::string bad[] = {
      "",
      "garbage",
      R"({"keys":[]})",
      R"({"keys":{}})",
      absl::StrCat(R"({"keys":[)", rsa.PublicJwk(), "]}"),             // no private half
      absl::StrCat(R"({"keys":[)", ec.PrivateJwk(), "]}"),             // no RSA key
      absl::StrCat(R"({"keys":[)", rsa.PrivateJwk(), ",", rsa.PrivateJwk(), "]}"),  // kid twice
      "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
  };
  for (const std::string& text : bad) {
    INFO(text.substr(0, 60));
    CHECK(SigningKeys::Parse(text).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace planapi::auth_service
