// Asymmetric signing keys for JOSE: RSA (2048 bits or more) and EC P-256/P-384, generated here or
// imported from a JWK (RFC 7517/7518) or PEM; exported as public or private JWK with a kid that is
// the RFC 7638 thumbprint unless the JWK named one. Not for symmetric keys (see aead.h).
//
// A Key is an immutable, cheaply copyable handle (copies share the OpenSSL key); it is safe to use
// from many threads at once.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header.

namespace planapi::jose {

// The JWS algorithms we sign and verify. "none" and the HMAC family are absent on purpose: a token
// naming them can never verify.
enum class Algorithm { kRs256, kRs384, kEs256, kEs384 };

// "RS256", ... .
absl::string_view AlgorithmName(Algorithm alg);
// nullopt for anything we do not support, including "none".
std::optional<Algorithm> AlgorithmFromName(absl::string_view name);

enum class KeyType { kRsa, kEcP256, kEcP384 };

class Key {
 public:
  // A fresh key pair: RSA 2048 or an EC key on the named curve. INTERNAL if OpenSSL fails.
  static absl::StatusOr<Key> Generate(KeyType type);

  // A public or private JWK. INVALID_ARGUMENT for unsupported kty/crv, members of the wrong length,
  // an EC point off its curve, an RSA modulus under 2048 bits, or a private key without its public
  // half. A "kid" member is kept; otherwise the kid is the thumbprint.
  static absl::StatusOr<Key> FromJwk(const rapidjson::Value& jwk);
  static absl::StatusOr<Key> FromJwk(absl::string_view json);

  // A PEM private key (PKCS#8 or traditional) or public key (SubjectPublicKeyInfo), for operators
  // who make keys with `openssl genpkey`. Same refusals as FromJwk.
  static absl::StatusOr<Key> FromPem(absl::string_view pem);

  Key(const Key& other);
  Key& operator=(const Key& other);
  Key(Key&& other) noexcept;
  Key& operator=(Key&& other) noexcept;
  ~Key();

  KeyType type() const { return type_; }
  bool has_private() const { return has_private_; }
  const std::string& kid() const { return kid_; }
  // The JWK "alg" this key was registered with, if any; signing and verification then accept only it.
  std::optional<Algorithm> alg() const { return alg_; }

  // The same key under another kid / pinned to one algorithm.
  Key WithKid(absl::string_view kid) const;
  Key WithAlg(Algorithm alg) const;

  // Whether this key can sign or verify `alg` (RS* with RSA, ES256 with P-256, ES384 with P-384,
  // and only the pinned alg if there is one).
  bool Supports(Algorithm alg) const;

  // The algorithm a signer should use by default: the pinned one, else RS256 / ES256 / ES384.
  Algorithm DefaultAlgorithm() const;

  // The RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key.
  std::string Thumbprint() const;

  // JWK JSON text. PublicJwk carries kty, the public members, kid, use=sig and alg when pinned.
  std::string PublicJwk() const;
  // PrivateJwk adds the private members; only for keys with a private half (else crashes).
  std::string PrivateJwk() const;
  // PKCS#8 PEM of the private key; only for keys with a private half (else crashes).
  std::string PrivatePem() const;

  // The OpenSSL key, for the signing code in this library.
  evp_pkey_st* pkey() const { return pkey_; }

 private:
  Key(evp_pkey_st* pkey, KeyType type, bool has_private);

  evp_pkey_st* pkey_;  // owned: one reference
  KeyType type_;
  bool has_private_;
  std::string kid_;
  std::optional<Algorithm> alg_;
};

}  // namespace planapi::jose
