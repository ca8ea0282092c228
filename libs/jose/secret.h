// Random secrets and their safe handling: tokens from the OS CSPRNG, SHA-256 for storing tokens
// hashed (refresh tokens, codes) and for PKCE, and a comparison whose time does not depend on where
// two secrets first differ. Thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace planapi::jose {

// `n` bytes from OpenSSL's CSPRNG. Crashes if the CSPRNG fails: no caller can do anything safe
// without randomness.
std::string RandomBytes(size_t n);

// A URL-safe random token carrying `bytes` bytes of entropy (default 256 bits).
std::string RandomToken(size_t bytes = 32);

// The raw 32-byte SHA-256 digest of `data`.
std::string Sha256(absl::string_view data);

// True when `a` equals `b`. The time taken depends only on the lengths, not on the contents.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace planapi::jose
