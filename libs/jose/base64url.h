// Base64url without padding (RFC 4648 §5, as JOSE uses it, RFC 7515 §2). Decoding is strict:
// padding, whitespace, characters outside the URL-safe alphabet and non-canonical trailing bits are
// refused, so one value has exactly one encoding (a signature cannot be re-encoded to slip past a
// cache keyed on the token text).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace planapi::jose {

std::string Base64UrlEncode(absl::string_view bytes);

// Returns INVALID_ARGUMENT for anything but canonical unpadded base64url.
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace planapi::jose
