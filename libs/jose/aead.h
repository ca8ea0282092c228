// Authenticated encryption of small secrets at rest (client secrets, which vendors may view again):
// AES-256-GCM with a random 96-bit nonce per message and caller-chosen associated data that binds a
// ciphertext to its row (e.g. the client id), so a ciphertext copied to another row does not open.
// Sealed format: 0x01 (version) || nonce (12) || ciphertext || tag (16). Immutable; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace planapi::jose {

class SecretBox {
 public:
  // A 32-byte key, raw. INVALID_ARGUMENT for any other length.
  static absl::StatusOr<SecretBox> FromKey(absl::string_view key);
  // The key as configured: base64 (standard or URL-safe, padding optional) of 32 bytes, e.g. from
  // `openssl rand -base64 32`. INVALID_ARGUMENT names what is wrong but never echoes the key.
  static absl::StatusOr<SecretBox> FromEncodedKey(absl::string_view encoded);

  ~SecretBox();
  SecretBox(SecretBox&&) noexcept = default;
  SecretBox& operator=(SecretBox&&) noexcept = default;

  std::string Seal(absl::string_view plaintext, absl::string_view associated_data) const;

  // INVALID_ARGUMENT when `sealed` is malformed or does not authenticate under this key and
  // `associated_data` (tampered, truncated, another row's, another key's).
  absl::StatusOr<std::string> Open(absl::string_view sealed,
                                   absl::string_view associated_data) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace planapi::jose
