#include "libs/authz/access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"

namespace planapi::authz {

uint8_t PermissionOf(Interaction interaction) {
  switch (interaction) {
    case Interaction::kRead:
    case Interaction::kVRead:
    case Interaction::kHistory:
      return kRead;
    case Interaction::kSearch:
      return kSearch;
    case Interaction::kCreate:
      return kCreate;
    case Interaction::kUpdate:
    case Interaction::kPatch:
      return kUpdate;
    case Interaction::kDelete:
      return kDelete;
  }
  PLANAPI_CHECK(false);
  return 0;
}

absl::string_view InteractionName(Interaction interaction) {
  switch (interaction) {
    case Interaction::kRead:
      return "read";
    case Interaction::kVRead:
      return "vread";
    case Interaction::kHistory:
      return "history";
    case Interaction::kSearch:
      return "search";
    case Interaction::kCreate:
      return "create";
    case Interaction::kUpdate:
      return "update";
    case Interaction::kPatch:
      return "patch";
    case Interaction::kDelete:
      return "delete";
  }
  PLANAPI_CHECK(false);
  return "";
}

absl::StatusOr<Grant> CheckAccess(const Principal& principal, const Access& access) {
  const uint8_t needed = PermissionOf(access.interaction);
  bool allowed = false;
  bool unconstrained = false;
  std::vector<std::string> categories;
  for (const ResourceScope& scope : principal.scopes.resources) {
    if ((scope.permissions & needed) == 0 || (scope.type != "*" && scope.type != access.type)) {
      continue;
    }
    if (scope.context != Context::kSystem && !principal.patient.has_value()) {
      continue;  // a patient/ or user/ scope means nothing without the patient it confines to
    }
    allowed = true;
    if (scope.category.empty()) {
      unconstrained = true;
    } else if (std::find(categories.begin(), categories.end(), scope.category) == categories.end()) {
      categories.push_back(scope.category);
    }
  }
  if (!allowed) {
    constexpr absl::string_view kLetters = "cruds";
    absl::string_view letter = "r";
    for (size_t i = 0; i < kLetters.size(); ++i) {
      if (needed == (1u << i)) {  // the Permission bits follow the letters' order
        letter = kLetters.substr(i, 1);
      }
    }
    return absl::PermissionDeniedError(absl::StrCat(
        InteractionName(access.interaction), " of ", access.type, " needs a scope such as ",
        principal.patient.has_value() ? "patient/" : "system/", access.type, ".", letter));
  }
  Grant grant{.patient = principal.patient};
  if (!unconstrained) {
    grant.categories = std::move(categories);
  }
  return grant;
}

}  // namespace planapi::authz
