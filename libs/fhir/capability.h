// Builds the CapabilityStatement an endpoint answers at [base]/metadata from what the server is
// configured with, so the statement never claims more than the engine does.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace planapi::fhir {

// What a type can be searched by, for the statement's searchParam, searchInclude and
// searchRevInclude.
struct TypeSearch {
  struct Param {
    std::string name;
    std::string definition;  // canonical URL of the SearchParameter
    std::string type;        // "token", "date", ...
  };
  std::vector<Param> params;
  std::vector<std::string> includes;     // "Type:param"
  std::vector<std::string> revincludes;  // "OtherType:param"
};

struct ServerDescription {
  absl::string_view name;          // e.g. "planapi Patient Access API"
  absl::string_view software_version;
  absl::string_view base_url;      // absolute, as clients see it
  std::span<const absl::string_view> types;
  // FHIR interactions implemented for every listed type (e.g. "read", "search-type"); empty
  // until the engine serves them.
  std::span<const absl::string_view> type_interactions;
  // System-level interactions (e.g. "transaction", "batch"), declared in rest.interaction.
  std::span<const absl::string_view> system_interactions;
  // Search capabilities by type; nullptr or a missing type: none declared.
  const std::map<std::string, TypeSearch, std::less<>>* search = nullptr;
  // When not empty, the SMART on FHIR security block names these OAuth endpoints.
  std::string authorize_url;
  std::string token_url;
};

// A CapabilityStatement (kind "instance", FHIR 4.0.1, JSON) as text. `date` is an RFC 3339 date.
std::string CapabilityStatementJson(const ServerDescription& server, absl::string_view date);

}  // namespace planapi::fhir
