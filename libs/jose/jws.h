// JWS Compact Serialization (RFC 7515) with RS256/RS384/ES256/ES384 (RFC 7518 §3.3-3.4). ECDSA
// signatures travel in the JOSE form (fixed-width r||s), not DER. Verification takes the list of
// algorithms the caller accepts, so a token cannot choose a weaker one ("none" and HMAC are never
// accepted: they are not Algorithms). Stateless and thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/jose/jwks.h"
#include "libs/jose/key.h"

namespace planapi::jose {

// The protected header members we read or write.
struct JwsHeader {
  Algorithm alg;
  std::optional<std::string> kid;
  std::optional<std::string> typ;
};

struct VerifiedJws {
  JwsHeader header;
  std::string payload;  // decoded bytes
  const Key* key;       // the key that verified it; points into the KeySet passed in
};

// Signs `payload` with `key` (which must have a private half and support `alg`; else crashes: a
// signer's configuration is checked at start-up). The header carries alg, kid = key.kid() (unless empty) and
// `typ` when not empty. INTERNAL only if OpenSSL fails.
absl::StatusOr<std::string> Sign(const Key& key, Algorithm alg, absl::string_view payload,
                                 absl::string_view typ = "JWT");

// Reads the protected header without verifying anything, to pick keys or route. INVALID_ARGUMENT
// for malformed tokens; UNAUTHENTICATED for an algorithm we do not support (incl. "none") or a
// "crit" header (we understand no extensions, so RFC 7515 §4.1.11 says refuse).
absl::StatusOr<JwsHeader> PeekHeader(absl::string_view compact);

// Verifies `compact` against `keys`: the algorithm must be in `allowed`, a key of the set must fit
// kid and algorithm, and the signature must check. Returns INVALID_ARGUMENT for malformed tokens,
// UNAUTHENTICATED for everything else that fails (wrong alg, unknown kid, bad signature).
// The result points into `keys`, which must outlive it.
absl::StatusOr<VerifiedJws> Verify(absl::string_view compact, const KeySet& keys,
                                   std::span<const Algorithm> allowed);

}  // namespace planapi::jose
