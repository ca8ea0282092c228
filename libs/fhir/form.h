// application/x-www-form-urlencoded as FHIR uses it: search queries, POST _search bodies,
// If-None-Exist, Bundle entry URLs, $export parameters. One decoder and one encoder for the
// gateway and the services.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace planapi::fhir {

// Decodes %XX escapes (and '+' as space when `form`). INVALID_ARGUMENT when malformed.
absl::StatusOr<std::string> PercentDecode(absl::string_view in, bool form);

// Parses a form string (a query or a _search body) into decoded name/value pairs, in order.
// INVALID_ARGUMENT for broken percent-encoding or a part without a name.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseForm(absl::string_view form);

// Encodes a name or value for a query string, leaving FHIR's readable characters (: | / ,) as
// they are so that links stay legible.
std::string FormEncode(absl::string_view s);

}  // namespace planapi::fhir
