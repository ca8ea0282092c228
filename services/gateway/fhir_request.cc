#include "services/gateway/fhir_request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/fhir/resource_types.h"
#include "libs/status/status_macros.h"

namespace planapi::gateway {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 64) {
    return false;
  }
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> PercentDecode(absl::string_view in, bool form) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      const int hi = i + 2 < in.size() ? HexValue(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError("malformed percent-encoding in the query");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && form) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseForm(absl::string_view form) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view part : absl::StrSplit(form, '&', absl::SkipEmpty())) {
    const size_t eq = part.find('=');
    absl::string_view name = part.substr(0, eq);
    absl::string_view value = eq == absl::string_view::npos ? "" : part.substr(eq + 1);
    PLANAPI_ASSIGN_OR_RETURN(std::string n, PercentDecode(name, true));
    PLANAPI_ASSIGN_OR_RETURN(std::string v, PercentDecode(value, true));
    if (n.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("query part '", part, "' has no name"));
    }
    out.emplace_back(std::move(n), std::move(v));
  }
  return out;
}

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
  if (!IsValidId(segments[1])) {
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
