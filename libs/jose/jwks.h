// A JSON Web Key Set (RFC 7517 §5): the public keys a verifier trusts, looked up by kid and
// algorithm. Used for our own signing keys (served at the jwks endpoint, fetched by gateways) and
// for the keys a SMART Backend Services client registers. Immutable after construction; safe to
// share between threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/jose/key.h"

namespace planapi::jose {

class KeySet {
 public:
  KeySet() = default;
  explicit KeySet(std::vector<Key> keys) : keys_(std::move(keys)) {}

  // Parses {"keys":[...]}. Keys of a kind we do not support (other kty, curve, "use":"enc") are
  // skipped, as RFC 7517 §5 asks; a set left empty, a malformed document or a supported key that
  // does not import is INVALID_ARGUMENT. Private members are dropped: a set holds public keys.
  static absl::StatusOr<KeySet> FromJson(absl::string_view json);

  // {"keys":[...public JWKs...]}.
  std::string ToJson() const;

  const std::vector<Key>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }

  // The keys that may verify a signature made with `alg` under `kid`: the one with that kid when
  // `kid` is given, else every key that supports `alg`. Never a key of the wrong type.
  std::vector<const Key*> Candidates(std::optional<absl::string_view> kid, Algorithm alg) const;

 private:
  std::vector<Key> keys_;
};

}  // namespace planapi::jose
