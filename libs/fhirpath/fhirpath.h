// The FHIRPath subset that published SearchParameter and CompartmentDefinition expressions use,
// evaluated over a resource held as RapidJSON: member paths with choice types (`Observation.value`
// reaches valueQuantity, valueString, ...), `|` unions, `as`/`is`/`ofType(T)`, `where(...)` with
// `resolve() is T`, `=`/`!=` against literals, `and`/`or`, `exists()`, `first()`, `extension('url')`
// and `.value`. Anything else is refused when parsed, so a definition we cannot honour is found at
// startup, not at query time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace planapi::fhirpath {

// One item of a result: a JSON value inside the evaluated resource, and its FHIR type when the
// path says it (a choice suffix such as valuePeriod gives "Period", `as`/`ofType` give theirs);
// empty when only the JSON shape can tell.
//
// Types are FHIR type names: complex types as written ("Period", "CodeableConcept",
// "Reference"), primitives with a lower-case first letter ("dateTime", "string", "code").
// `extension('url')` gives "Extension"; `resolve()` gives the referenced resource type ("Patient")
// with the Reference itself as the value. Results of `=`, `!=`, `and`, `or`, `is` and
// `exists()` are "boolean" items whose value, like that of a string literal, lives in the
// Expression rather than the resource.
struct Item {
  const rapidjson::Value* value = nullptr;
  std::string type;
};

// A parsed expression. Immutable and cheap to copy; safe to evaluate from many threads.
class Expression {
 public:
  Expression() = default;
  // INVALID_ARGUMENT naming the offending text for anything outside the subset.
  static absl::StatusOr<Expression> Parse(absl::string_view text);

  // The items `resource` yields. Union branches rooted at another resource type yield nothing,
  // so one expression published for many bases (`AllergyIntolerance.code | Condition.code`) is
  // evaluated as is. The items point into `resource`, which must outlive them.
  std::vector<Item> Evaluate(const rapidjson::Value& resource) const;

  const std::string& text() const { return text_; }
  bool empty() const { return root_ == nullptr; }

  struct Node;

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace planapi::fhirpath
