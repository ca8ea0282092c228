// The auth service's signing keys, from configuration: a JWKS of private keys, or PEM private keys
// one after the other (what `openssl genpkey` writes). The first RSA key signs id_tokens (RS256,
// as SMART requires); the first EC P-256 key signs access tokens (ES256 is ~15x cheaper to sign
// and only our gateways verify them), else the RSA key does. Every key's public half is published,
// so rotation is: put the new key first, keep the old one listed until its tokens have expired.
// Immutable; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/jose/jwks.h"
#include "libs/jose/key.h"

namespace planapi::auth_service {

class SigningKeys {
 public:
  // INVALID_ARGUMENT for text that holds no usable private key, a public-only key, a key that does
  // not import (see jose::Key), duplicate kids, or no RSA key (id_tokens need one).
  static absl::StatusOr<SigningKeys> Parse(absl::string_view text);

  const jose::Key& id_token_key() const { return keys_.keys()[id_token_index_]; }
  const jose::Key& access_token_key() const { return keys_.keys()[access_token_index_]; }
  jose::Algorithm access_token_alg() const { return access_token_key().DefaultAlgorithm(); }

  // The public JWKS (what the jwks endpoint serves).
  std::string PublicJwks() const { return keys_.ToJson(); }
  // The keys for verifying our own tokens (id_token_hint, introspection).
  const jose::KeySet& verification_keys() const { return keys_; }

 private:
  explicit SigningKeys(jose::KeySet keys, size_t id_token_index, size_t access_token_index)
      : keys_(std::move(keys)),
        id_token_index_(id_token_index),
        access_token_index_(access_token_index) {}
  jose::KeySet keys_;  // private keys; ToJson publishes public halves only
  size_t id_token_index_;
  size_t access_token_index_;
};

}  // namespace planapi::auth_service
