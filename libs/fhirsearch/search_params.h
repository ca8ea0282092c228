// Search parameters as data: the published SearchParameter definitions (FHIR R4 core, US Core,
// CARIN BB, Plan-Net) and the patient CompartmentDefinition, embedded in the library from
// libs/fhirsearch/data, and what they extract from a resource into index rows. The FHIR engine
// stores these rows beside each version and turns queries into SQL over them; nothing here is
// written per resource type.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/fhirpath/fhirpath.h"
#include "rapidjson/document.h"

namespace planapi::fhirsearch {

enum class ParamType { kNumber, kDate, kString, kToken, kReference, kComposite, kQuantity, kUri, kSpecial };

// "token", "date", ... as in SearchParameter.type.
absl::string_view ParamTypeName(ParamType type);

struct SearchParam {
  std::string code;                  // "patient", "service-date"
  std::string url;                   // canonical URL of the definition
  ParamType type = ParamType::kToken;
  std::vector<std::string> bases;    // resource types it applies to (of those loaded)
  std::vector<std::string> targets;  // reference parameters: target types
  fhirpath::Expression expression;
};

// Immutable after Load; shared by every request.
class Registry {
 public:
  // The definitions whose base is one of `types`; an IG definition replaces a core one with the
  // same base and code. INVALID_ARGUMENT when an expression cannot be parsed (a bug in the data).
  static absl::StatusOr<std::shared_ptr<const Registry>> Load(std::span<const absl::string_view> types);

  // nullptr when `type` has no parameter `code`. `_id`, `_lastUpdated` and the other Resource
  // parameters are found too (base Resource/DomainResource applies to every type).
  const SearchParam* Find(absl::string_view type, absl::string_view code) const;
  // Every parameter of `type`, ordered by code.
  std::vector<const SearchParam*> ForType(absl::string_view type) const;
  // The parameters that put a resource of `type` in a patient's compartment (CompartmentDefinition
  // -patient); "{def}" for Patient itself. Empty when the type is outside the compartment.
  const std::vector<std::string>& PatientCompartment(absl::string_view type) const;

  // Implementation detail, public for the loader (and Extract, which reads the per-type tables
  // without copying them).
  struct Data;
  explicit Registry(std::unique_ptr<Data> data);
  ~Registry();
  const Data& data() const { return *data_; }

 private:
  std::unique_ptr<Data> data_;
};

// A point in time as microseconds since 1970-01-01T00:00:00Z.
inline constexpr int64_t kMinTime = INT64_MIN;  // open start
inline constexpr int64_t kMaxTime = INT64_MAX;  // open end

// The instants a FHIR date, dateTime or instant covers, both ends inclusive: "2020" covers
// 2020-01-01T00:00:00Z to 2020-12-31T23:59:59.999999Z; a time without a zone is taken as UTC.
struct DateRange {
  int64_t lo = kMinTime;
  int64_t hi = kMaxTime;
};
// INVALID_ARGUMENT saying what is wrong for text that is not a FHIR date/dateTime/instant.
absl::StatusOr<DateRange> ParseDateRange(absl::string_view text);

// The form string search compares: lower case, accents and other combining marks removed,
// punctuation kept, runs of white space made one space, trimmed.
std::string NormalizeString(absl::string_view text);

// The least string above every string that starts with `prefix`, in byte order (UTF-8 keeps code
// point order): the prefix with its last character replaced by the next code point, so that a
// prefix search is the range [prefix, bound). nullopt when there is none (an empty prefix, or one
// ending in U+10FFFF) or `prefix` does not end in a well-formed UTF-8 sequence.
std::optional<std::string> PrefixUpperBound(absl::string_view prefix);

// Index rows of one resource, one per value reached (duplicates removed).
struct TokenRow {
  std::string param;
  std::string system;  // empty when none
  std::string code;
  std::string text;    // normalised display/text for :text (CodeableConcept.text, Coding.display)
};
struct StringRow {
  std::string param;
  std::string normalized;  // NormalizeString(value)
  std::string exact;
};
struct DateRow {
  std::string param;
  int64_t lo = kMinTime;
  int64_t hi = kMaxTime;
};
struct ReferenceRow {
  std::string param;
  std::string target_type;  // from "Type/id" (relative or the last two segments of a URL)
  std::string target_id;
  std::string url;          // the reference as written, for absolute and canonical references
};
struct NumberRow {
  std::string param;
  double value = 0;
};
struct QuantityRow {
  std::string param;
  double value = 0;
  std::string system;
  std::string code;
  std::string unit;
};
struct UriRow {
  std::string param;
  std::string uri;
};
// A point on the earth, in degrees (WGS84, as Location.position). Special parameters have no
// value syntax of their own to index, but one whose expression reaches a value with a numeric
// latitude and longitude (R4's Location `near`, over Location.position) is searched by distance,
// so those values are kept as positions.
struct PositionRow {
  std::string param;
  double latitude = 0;
  double longitude = 0;
};
struct IndexRows {
  std::vector<TokenRow> tokens;
  std::vector<StringRow> strings;
  std::vector<DateRow> dates;
  std::vector<ReferenceRow> references;
  std::vector<NumberRow> numbers;
  std::vector<QuantityRow> quantities;
  std::vector<UriRow> uris;
  std::vector<PositionRow> positions;
  // The patient ids whose compartment holds the resource (the resource's own id for a Patient).
  std::vector<std::string> compartment_patients;
};

// Evaluates every parameter of `type` (but _id and _lastUpdated, which the engine stores as
// columns) on `resource`. Values of the wrong shape for a parameter are skipped, not errors:
// a resource that parses is always storable.
IndexRows Extract(const Registry& registry, absl::string_view type, const rapidjson::Value& resource);

}  // namespace planapi::fhirsearch
