#include "libs/fhirengine/engine.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/fhir/capability.h"
#include "libs/fhir/resource_types.h"
#include "libs/status/issue.h"
#include "libs/status/status_macros.h"

namespace planapi::fhirengine {

bool IsValidId(absl::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '.';
  });
}

Engine::Engine(EngineConfig config) : config_(std::move(config)) {}

ResourceResult Engine::Capabilities(const Context& context) const {
  const std::string date = absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
  {
    absl::MutexLock lock(&mu_);
    if (auto it = capabilities_.find(context.base_url);
        it != capabilities_.end() && it->second.date == date) {
      return {.json = it->second.json};
    }
  }
  std::string json = fhir::CapabilityStatementJson({.name = config_.name,
                                                    .software_version = PLANAPI_VERSION,
                                                    .base_url = context.base_url,
                                                    .types = config_.types,
                                                    .type_interactions = {}},
                                                   date);
  absl::MutexLock lock(&mu_);
  if (capabilities_.size() >= 16) {
    capabilities_.clear();
  }
  capabilities_[context.base_url] = {date, json};
  return {.json = std::move(json)};
}

absl::Status Engine::CheckType(absl::string_view type) const {
  if (!fhir::Contains(config_.types, type)) {
    return status::WithIssue(
        absl::NotFoundError(absl::StrCat("resource type '", type, "' is not served here")),
        status::IssueType::kNotSupported);
  }
  return absl::OkStatus();
}

absl::StatusOr<ResourceResult> Engine::Read(const Context&, absl::string_view type,
                                            absl::string_view id) const {
  PLANAPI_RETURN_IF_ERROR(CheckType(type));
  if (!IsValidId(id)) {
    return absl::InvalidArgumentError(absl::StrCat("'", id, "' is not a valid resource id"));
  }
  return status::NotSupportedError(absl::StrCat("read of ", type, " is not available yet"));
}

absl::StatusOr<ResourceResult> Engine::Search(
    const Context&, absl::string_view type,
    const std::vector<std::pair<std::string, std::string>>&) const {
  PLANAPI_RETURN_IF_ERROR(CheckType(type));
  return status::NotSupportedError(absl::StrCat("search of ", type, " is not available yet"));
}

}  // namespace planapi::fhirengine
