// Builds the CapabilityStatement an endpoint answers at [base]/metadata from what the server is
// configured with, so the statement never claims more than the engine does.
#pragma once

#include <span>
#include <string>
#include "absl/strings/string_view.h"

namespace planapi::fhir {

struct ServerDescription {
  absl::string_view name;          // e.g. "planapi Patient Access API"
  absl::string_view software_version;
  absl::string_view base_url;      // absolute, as clients see it
  std::span<const absl::string_view> types;
  // FHIR interactions implemented for every listed type (e.g. "read", "search-type"); empty
  // until the engine serves them.
  std::span<const absl::string_view> type_interactions;
};

// A CapabilityStatement (kind "instance", FHIR 4.0.1, JSON) as text. `date` is an RFC 3339 date.
std::string CapabilityStatementJson(const ServerDescription& server, absl::string_view date);

}  // namespace planapi::fhir
