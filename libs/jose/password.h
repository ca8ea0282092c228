// Password hashing with argon2id (RFC 9106) through Debian's libargon2, in the PHC string format
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so parameters can be raised later and old hashes
// still verify. Thread-safe; each call allocates `memory_kib` for its duration.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace planapi::jose {

struct PasswordParams {
  // OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): memory-hard, yet a login stays in the
  // tens of milliseconds on a small server.
  uint32_t memory_kib = 19 * 1024;
  uint32_t iterations = 2;
  uint32_t parallelism = 1;
};

// A fresh PHC-format hash with a random 16-byte salt. INVALID_ARGUMENT for passwords over 1024
// bytes (a cheap bound against hashing megabytes on a login form); INTERNAL if libargon2 fails.
absl::StatusOr<std::string> HashPassword(absl::string_view password,
                                         const PasswordParams& params = {});

// Whether `password` matches `encoded`. False for a mismatch and for anything that is not an
// argon2id PHC string (argon2i/argon2d hashes are refused too).
bool VerifyPassword(absl::string_view encoded, absl::string_view password);

}  // namespace planapi::jose
