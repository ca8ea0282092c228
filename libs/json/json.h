// JSON reading and writing on RapidJSON for the whole suite: strict parsing into a Document with
// errors as Status, and a small streaming writer that keeps RapidJSON's templates in one .cc.
// Not for modelling FHIR resources: resources stay JSON text end to end.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "rapidjson/document.h"
#include "absl/strings/string_view.h"

namespace planapi::json {

// Parses `text` (UTF-8, full document, no trailing garbage). Returns INVALID_ARGUMENT naming the
// byte offset and the reason on malformed input.
absl::StatusOr<rapidjson::Document> Parse(absl::string_view text);

// The compact JSON text of a value.
std::string Serialize(const rapidjson::Value& value);

// Typed member lookups: nullopt when absent or of another type.
std::optional<absl::string_view> GetString(const rapidjson::Value& object, absl::string_view key);
std::optional<int64_t> GetInt(const rapidjson::Value& object, absl::string_view key);
// The array `key` of `object`, or an empty one when it is absent or not an array: FHIR's JSON
// leaves out empty arrays (a Bundle without entries has no "entry").
rapidjson::Value::ConstArray GetArray(const rapidjson::Value& object, absl::string_view key);
std::optional<bool> GetBool(const rapidjson::Value& object, absl::string_view key);

// Appends JSON tokens to a string. Calls must form valid JSON (the writer checks nesting with
// PLANAPI_CHECK). Not thread-safe; one per document.
class Writer {
 public:
  Writer();
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Writer& StartObject();
  Writer& EndObject();
  Writer& StartArray();
  Writer& EndArray();
  Writer& Key(absl::string_view key);
  Writer& String(absl::string_view value);
  Writer& Int(int64_t value);
  Writer& Double(double value);
  Writer& Bool(bool value);
  Writer& Null();
  // Inserts already-serialised JSON (e.g. a stored resource) as one value, unchecked.
  Writer& Raw(absl::string_view json);

  // Key + value shorthands.
  Writer& Field(absl::string_view key, absl::string_view value) { return Key(key).String(value); }
  Writer& Field(absl::string_view key, const char* value) { return Key(key).String(value); }
  Writer& Field(absl::string_view key, int64_t value) { return Key(key).Int(value); }
  Writer& Field(absl::string_view key, int value) { return Key(key).Int(value); }
  Writer& Field(absl::string_view key, bool value) { return Key(key).Bool(value); }

  // The text written so far; complete once every object and array is closed.
  std::string Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace planapi::json
