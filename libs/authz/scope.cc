#include "libs/authz/scope.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/fhir/resource_types.h"

namespace planapi::authz {
namespace {

// v2 permissions: a non-empty subsequence of "cruds" (SMART App Launch 2 §3.0.2.2 fixes the order).
std::optional<uint8_t> ParseV2Permissions(absl::string_view text) {
  constexpr struct {
    char letter;
    uint8_t bit;
  } kOrder[] = {{'c', kCreate}, {'r', kRead}, {'u', kUpdate}, {'d', kDelete}, {'s', kSearch}};
  if (text.empty()) {
    return std::nullopt;
  }
  uint8_t bits = 0;
  size_t next = 0;
  for (char c : text) {
    while (next < std::size(kOrder) && kOrder[next].letter != c) {
      ++next;
    }
    if (next == std::size(kOrder)) {
      return std::nullopt;  // unknown letter, repeated, or out of order
    }
    bits |= kOrder[next].bit;
    ++next;
  }
  return bits;
}

// The granular part after '?': exactly one `category=<token>`; nullopt for anything else.
std::optional<std::string> ParseCategory(absl::string_view query) {
  constexpr absl::string_view kPrefix = "category=";
  if (!absl::StartsWith(query, kPrefix)) {
    return std::nullopt;
  }
  absl::string_view value = query.substr(kPrefix.size());
  if (value.empty() || absl::StrContains(value, '&') || absl::StrContains(value, ',') ||
      absl::StrContains(value, '=') || value.front() == '|' || value.back() == '|' ||
      std::count(value.begin(), value.end(), '|') > 1) {
    return std::nullopt;
  }
  // RFC 6749 NQCHAR only: the value is echoed in token responses and on the consent page.
  for (char c : value) {
    if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
      return std::nullopt;
    }
  }
  return std::string(value);
}

std::optional<ResourceScope> ParseResourceScope(absl::string_view token,
                                                std::span<const absl::string_view> types) {
  ResourceScope scope{.text = std::string(token)};
  absl::string_view rest = token;
  if (absl::ConsumePrefix(&rest, "patient/")) {
    scope.context = Context::kPatient;
  } else if (absl::ConsumePrefix(&rest, "user/")) {
    scope.context = Context::kUser;
  } else if (absl::ConsumePrefix(&rest, "system/")) {
    scope.context = Context::kSystem;
  } else {
    return std::nullopt;
  }
  absl::string_view query;
  if (const size_t q = rest.find('?'); q != absl::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    if (query.empty()) {
      return std::nullopt;
    }
  }
  const size_t dot = rest.find('.');
  if (dot == absl::string_view::npos) {
    return std::nullopt;
  }
  const absl::string_view type = rest.substr(0, dot);
  const absl::string_view perms = rest.substr(dot + 1);
  if (type != "*" && !fhir::Contains(types, type)) {
    return std::nullopt;
  }
  scope.type = std::string(type);
  const bool v1 = perms == "read" || perms == "write" || perms == "*";
  if (perms == "read") {
    scope.permissions = kRead | kSearch;
  } else if (perms == "write") {
    scope.permissions = kCreate | kUpdate | kDelete;
  } else if (perms == "*") {
    scope.permissions = kAllPermissions;
  } else if (std::optional<uint8_t> bits = ParseV2Permissions(perms); bits.has_value()) {
    scope.permissions = *bits;
  } else {
    return std::nullopt;
  }
  if (!query.empty()) {
    // Granular scopes are a v2 feature; a v1 scope with a query is malformed.
    std::optional<std::string> category = ParseCategory(query);
    if (v1 || !category.has_value()) {
      return std::nullopt;
    }
    scope.category = *std::move(category);
  }
  return scope;
}

}  // namespace

bool ResourceScope::Covers(const ResourceScope& other) const {
  return context == other.context && (type == "*" || type == other.type) &&
         (permissions & other.permissions) == other.permissions &&
         (category.empty() || category == other.category);
}

std::string ScopeSet::ToString() const {
  std::vector<absl::string_view> parts;
  if (openid) parts.push_back("openid");
  if (fhir_user) parts.push_back("fhirUser");
  if (profile) parts.push_back("profile");
  if (launch) parts.push_back("launch");
  if (launch_patient) parts.push_back("launch/patient");
  if (offline_access) parts.push_back("offline_access");
  for (const ResourceScope& scope : resources) {
    parts.push_back(scope.text);
  }
  return absl::StrJoin(parts, " ");
}

bool ScopeSet::Covers(const ScopeSet& other) const {
  if ((other.openid && !openid) || (other.fhir_user && !fhir_user) ||
      (other.profile && !profile) || (other.launch && !launch) ||
      (other.launch_patient && !launch_patient) || (other.offline_access && !offline_access)) {
    return false;
  }
  return std::all_of(other.resources.begin(), other.resources.end(), [&](const ResourceScope& s) {
    return std::any_of(resources.begin(), resources.end(),
                       [&](const ResourceScope& mine) { return mine.Covers(s); });
  });
}

ScopeSet ScopeSet::Intersect(const ScopeSet& other) const {
  ScopeSet out{.openid = openid && other.openid,
               .fhir_user = fhir_user && other.fhir_user,
               .profile = profile && other.profile,
               .launch = launch && other.launch,
               .launch_patient = launch_patient && other.launch_patient,
               .offline_access = offline_access && other.offline_access};
  for (const ResourceScope& scope : resources) {
    if (std::any_of(other.resources.begin(), other.resources.end(),
                    [&](const ResourceScope& theirs) { return theirs.Covers(scope); })) {
      out.resources.push_back(scope);
    }
  }
  return out;
}

bool ScopeSet::HasContext(Context context) const {
  return std::any_of(resources.begin(), resources.end(),
                     [&](const ResourceScope& s) { return s.context == context; });
}

bool ScopeSet::empty() const {
  return resources.empty() && !openid && !fhir_user && !profile && !launch && !launch_patient &&
         !offline_access;
}

ParsedScopes ParseScopes(absl::string_view text, std::span<const absl::string_view> supported_types) {
  ParsedScopes out;
  // RFC 6749 §3.3: scope tokens are separated by single spaces; be lenient about runs of them.
  for (absl::string_view token : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    ScopeSet& s = out.scopes;
    if (token == "openid") {
      s.openid = true;
    } else if (token == "fhirUser") {
      s.fhir_user = true;
    } else if (token == "profile") {
      s.profile = true;
    } else if (token == "launch") {
      s.launch = true;
    } else if (token == "launch/patient") {
      s.launch_patient = true;
    } else if (token == "offline_access") {
      s.offline_access = true;
    } else if (std::optional<ResourceScope> scope = ParseResourceScope(token, supported_types);
               scope.has_value()) {
      const bool duplicate = std::any_of(s.resources.begin(), s.resources.end(),
                                         [&](const ResourceScope& r) { return r.text == token; });
      if (!duplicate) {
        s.resources.push_back(*std::move(scope));
      }
    } else {
      out.dropped.emplace_back(token);
    }
  }
  return out;
}

}  // namespace planapi::authz
