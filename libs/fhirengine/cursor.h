// The opaque `_cursor` of a page's next and previous links: the position of the page's last (or
// first) row as its sort keys. One codec for searchsets, $everything and type history.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace planapi::fhirengine {

struct PageCursor {
  bool previous = false;                         // a link back to the page before
  std::vector<std::optional<std::string>> keys;  // sort key values, the last never null
};

std::string EncodeCursor(const PageCursor& cursor);

// INVALID_ARGUMENT (BadCursor) unless `text` is a cursor this server made with `keys` keys.
absl::StatusOr<PageCursor> DecodeCursor(absl::string_view text, size_t keys);

// The answer to a _cursor this server did not issue, or whose keys do not fit the page.
absl::Status BadCursor();

}  // namespace planapi::fhirengine
