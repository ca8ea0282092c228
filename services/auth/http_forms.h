// The small HTTP vocabulary the OAuth endpoints need, as pure functions: form and query decoding
// (application/x-www-form-urlencoded), percent-encoding for redirect URIs, HTML escaping for the
// server-rendered pages, cookies, and Basic credentials.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace planapi::auth_service {

// Parameters in order; a name may repeat (consent's scope checkboxes).
using Params = std::vector<std::pair<std::string, std::string>>;

// Decodes `a=1&b=x+y&c=%2F`. INVALID_ARGUMENT for malformed percent-escapes.
absl::StatusOr<Params> ParseForm(absl::string_view text);

// The only value of `name`: nullopt when absent; INVALID_ARGUMENT when given more than once
// (RFC 6749 §3.1: parameters must not repeat).
absl::StatusOr<std::optional<std::string>> Single(const Params& params, absl::string_view name);
std::vector<std::string> All(const Params& params, absl::string_view name);

// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
std::string UrlEncode(absl::string_view text);

// `uri` with `params` appended to its query (keeping an existing query).
std::string AppendQuery(absl::string_view uri, const Params& params);

std::string HtmlEscape(absl::string_view text);

// The value of cookie `name` from a Cookie header; nullopt when absent.
std::optional<std::string> CookieValue(absl::string_view cookie_header, absl::string_view name);

// client_id and secret from `Authorization: Basic ...` (RFC 6749 §2.3.1: each form-encoded).
// nullopt when the header is not Basic; INVALID_ARGUMENT when it is malformed.
absl::StatusOr<std::optional<std::pair<std::string, std::string>>> BasicCredentials(
    absl::string_view authorization);

// The token of `Authorization: Bearer <token>`; nullopt otherwise.
std::optional<std::string> BearerToken(absl::string_view authorization);

}  // namespace planapi::auth_service
