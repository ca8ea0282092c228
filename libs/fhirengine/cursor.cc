#include "libs/fhirengine/cursor.h"

#include "absl/strings/escaping.h"
#include "libs/json/json.h"

namespace planapi::fhirengine {

std::string EncodeCursor(const PageCursor& cursor) {
  json::Writer w;
  w.StartArray().String(cursor.previous ? "p" : "n");
  for (const auto& k : cursor.keys) {
    if (k.has_value()) {
      w.String(*k);
    } else {
      w.Null();
    }
  }
  w.EndArray();
  return absl::WebSafeBase64Escape(w.Take());
}

absl::Status BadCursor() {
  return absl::InvalidArgumentError(
      "search parameter '_cursor': not a cursor this server issued here; follow the Bundle's "
      "links");
}

absl::StatusOr<PageCursor> DecodeCursor(absl::string_view text, size_t keys) {
  std::string raw;
  const absl::Status bad = BadCursor();
  if (!absl::WebSafeBase64Unescape(text, &raw)) {
    return bad;
  }
  absl::StatusOr<rapidjson::Document> doc = json::Parse(raw);
  if (!doc.ok() || !doc->IsArray() || doc->Size() != keys + 1 || !(*doc)[0].IsString()) {
    return bad;
  }
  PageCursor c;
  c.previous = absl::string_view((*doc)[0].GetString()) == "p";
  for (rapidjson::SizeType i = 1; i < doc->Size(); ++i) {
    const auto& v = (*doc)[i];
    if (v.IsNull()) {
      c.keys.emplace_back();
    } else if (v.IsString()) {
      c.keys.emplace_back(std::string(v.GetString(), v.GetStringLength()));
    } else {
      return bad;
    }
  }
  if (c.keys.empty() || !c.keys.back().has_value()) {
    return bad;
  }
  return c;
}

}  // namespace planapi::fhirengine
