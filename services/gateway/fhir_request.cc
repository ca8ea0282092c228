#include "services/gateway/fhir_request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/fhir/resource_types.h"
#include "libs/status/status_macros.h"

namespace planapi::gateway {
absl::StatusOr<FhirParse> ParseFhirRequest(const http::Request& request, absl::string_view rest) {
  FhirParse parse;
  std::vector<absl::string_view> segments = absl::StrSplit(rest, '/', absl::SkipEmpty());
  const absl::string_view method = request.method;
  if (segments.empty()) {
    if (method == "POST") {
      parse.call.interaction = FhirInteraction::kTransaction;
      return parse;
    }
    return absl::NotFoundError("no resource type in the path");
  }
  if (segments.size() == 1 && segments[0] == "metadata") {
    if (method != "GET" && method != "HEAD") {
      parse.allowed = "GET, HEAD";
      return parse;
    }
    parse.call.interaction = FhirInteraction::kCapabilities;
    return parse;
  }
  const absl::string_view type = segments[0];
  if (!fhir::LooksLikeTypeName(type)) {
    return absl::NotFoundError(absl::StrCat("'", type, "' is not a resource type"));
  }
  parse.call.type = std::string(type);
  parse.call.lenient = absl::StrContains(
      absl::AsciiStrToLower(request.Header("prefer").value_or("")), "handling=lenient");
  const bool get = method == "GET" || method == "HEAD";
  if (segments.size() == 1) {
    if (get) {
      parse.call.interaction = FhirInteraction::kSearchType;
      PLANAPI_ASSIGN_OR_RETURN(parse.call.params, ParseForm(request.query));
    } else if (method == "POST") {
      parse.call.interaction = FhirInteraction::kCreate;
    } else {
      parse.allowed = "GET, HEAD, POST";
    }
    return parse;
  }
  if (segments.size() == 2 && segments[1] == "_search") {
    if (method != "POST") {
      parse.allowed = "POST";
      return parse;
    }
    const absl::string_view content_type = request.Header("content-type").value_or("");
    if (!absl::StartsWithIgnoreCase(content_type, "application/x-www-form-urlencoded")) {
      return absl::InvalidArgumentError(
          "POST _search needs Content-Type application/x-www-form-urlencoded");
    }
    parse.call.interaction = FhirInteraction::kSearchType;
    PLANAPI_ASSIGN_OR_RETURN(parse.call.params, ParseForm(request.query));
    PLANAPI_ASSIGN_OR_RETURN(auto body_params, ParseForm(request.body));
    parse.call.params.insert(parse.call.params.end(), body_params.begin(), body_params.end());
    return parse;
  }
  if (!fhir::IsValidId(segments[1])) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", segments[1], "' is not a valid resource id"));
  }
  parse.call.id = std::string(segments[1]);
  if (segments.size() == 2) {
    if (get) {
      parse.call.interaction = FhirInteraction::kRead;
    } else if (method == "PUT") {
      parse.call.interaction = FhirInteraction::kUpdate;
    } else if (method == "DELETE") {
      parse.call.interaction = FhirInteraction::kDelete;
    } else {
      parse.allowed = "GET, HEAD, PUT, DELETE";
    }
    return parse;
  }
  if (segments.size() == 3 && type == "Patient" &&
      (segments[2] == "$everything" || segments[2] == "%24everything")) {
    if (!get) {
      parse.allowed = "GET, HEAD";
      return parse;
    }
    parse.call.interaction = FhirInteraction::kEverything;
    PLANAPI_ASSIGN_OR_RETURN(parse.call.params, ParseForm(request.query));
    return parse;
  }
  if (segments[2] == "_history" && segments.size() <= 4) {
    if (!get) {
      parse.allowed = "GET, HEAD";
      return parse;
    }
    if (segments.size() == 3) {
      parse.call.interaction = FhirInteraction::kHistoryInstance;
      PLANAPI_ASSIGN_OR_RETURN(parse.call.params, ParseForm(request.query));
    } else {
      parse.call.interaction = FhirInteraction::kVRead;
      parse.call.version_id = std::string(segments[3]);
    }
    return parse;
  }
  return absl::NotFoundError(absl::StrCat("no FHIR interaction at ", rest));
}

}  // namespace planapi::gateway
