#include "services/gateway/fhir_request.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/fhir/resource_types.h"
#include "libs/json/json.h"
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
      parse.call.if_none_exist = std::string(request.Header("if-none-exist").value_or(""));
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
  // A read-only interaction whose parameters come from the query.
  auto get_with_query = [&](FhirInteraction interaction) -> absl::StatusOr<FhirParse> {
    if (!get) {
      parse.allowed = "GET, HEAD";
      return parse;
    }
    parse.call.interaction = interaction;
    PLANAPI_ASSIGN_OR_RETURN(parse.call.params, ParseForm(request.query));
    return parse;
  };
  if (segments.size() == 2 && segments[1] == "_history") {
    return get_with_query(FhirInteraction::kHistoryType);
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
      parse.call.if_match = std::string(request.Header("if-match").value_or(""));
    } else if (method == "DELETE") {
      parse.call.interaction = FhirInteraction::kDelete;
      parse.call.if_match = std::string(request.Header("if-match").value_or(""));
    } else {
      parse.allowed = "GET, HEAD, PUT, DELETE";
    }
    return parse;
  }
  if (segments.size() == 3 && type == "Patient" &&
      (segments[2] == "$everything" || segments[2] == "%24everything")) {
    return get_with_query(FhirInteraction::kEverything);
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

absl::StatusOr<std::vector<BundleEntryAccess>> BundleAccesses(absl::string_view body) {
  absl::StatusOr<rapidjson::Document> doc = json::Parse(body);
  if (!doc.ok() || !doc->IsObject() || json::GetString(*doc, "resourceType") != "Bundle") {
    return absl::InvalidArgumentError(
        "POST to the FHIR base needs a transaction or batch Bundle as JSON");
  }
  std::vector<BundleEntryAccess> out;
  auto entries = doc->FindMember("entry");
  if (entries == doc->MemberEnd()) {
    return out;
  }
  if (!entries->value.IsArray()) {
    return absl::InvalidArgumentError("Bundle.entry must be an array");
  }
  int index = 0;
  for (const rapidjson::Value& entry : entries->value.GetArray()) {
    auto bad = [index](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("Bundle.entry[", index, "]: ", why));
    };
    if (!entry.IsObject()) {
      return bad("is not an object");
    }
    auto request = entry.FindMember("request");
    if (request == entry.MemberEnd() || !request->value.IsObject()) {
      return bad("has no request");
    }
    const absl::string_view method = json::GetString(request->value, "method").value_or("");
    const absl::string_view url = json::GetString(request->value, "url").value_or("");
    // "Type", "Type/id", "Type?query", or an absolute URL ending in one of those.
    absl::string_view path = url.substr(0, url.find('?'));
    const bool has_query = url.find('?') != absl::string_view::npos;
    std::vector<absl::string_view> segments = absl::StrSplit(path, '/', absl::SkipEmpty());
    if (auto h = std::find(segments.begin(), segments.end(), "_history"); h != segments.end()) {
      segments.erase(h, segments.end());  // Type/id/_history[/vid] reads Type/id
    }
    std::string type;
    if (const size_t n = segments.size(); n >= 2 && fhir::LooksLikeTypeName(segments[n - 2]) &&
                                           fhir::IsValidId(segments[n - 1])) {
      type = std::string(segments[n - 2]);
      segments = {segments[n - 2], segments[n - 1]};
    } else if (n >= 1 && fhir::LooksLikeTypeName(segments[n - 1])) {
      type = std::string(segments[n - 1]);
      segments = {segments[n - 1]};
    } else {
      return bad(absl::StrCat("request.url '", url, "' names no resource type"));
    }
    BundleEntryAccess access{.type = std::move(type)};
    if (method == "POST") {
      access.interaction = FhirInteraction::kCreate;
    } else if (method == "PUT" || method == "PATCH") {
      access.interaction = FhirInteraction::kUpdate;
    } else if (method == "DELETE") {
      access.interaction = FhirInteraction::kDelete;
    } else if (method == "GET" || method == "HEAD") {
      access.interaction = segments.size() == 2 && !has_query ? FhirInteraction::kRead
                                                              : FhirInteraction::kSearchType;
    } else {
      return bad(absl::StrCat("request.method '", method, "' is not GET, POST, PUT, PATCH or DELETE"));
    }
    out.push_back(std::move(access));
    ++index;
  }
  return out;
}

}  // namespace planapi::gateway
