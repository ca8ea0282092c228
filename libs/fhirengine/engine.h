// The FHIR engine shared by the fhir (Patient Access) and directory (Provider Directory)
// services. They differ only in the EngineConfig they pass: which resource types, which name.
// This first cut answers the CapabilityStatement and validates read/search requests; storage and
// search arrive with the Patient Access issue, in this same library.
#pragma once

#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace planapi::fhirengine {

struct EngineConfig {
  std::string name;  // shown in the CapabilityStatement
  std::span<const absl::string_view> types;
};

struct Context {
  std::string base_url;  // absolute base of the endpoint, e.g. https://host/fhir/r4
};

struct ResourceResult {
  std::string json;
  std::string version_id;
  std::string last_updated;
};

// Thread-safe: immutable after construction but for a small cache of CapabilityStatements.
class Engine {
 public:
  explicit Engine(EngineConfig config);

  // The CapabilityStatement for `context.base_url`; lists exactly what this engine serves.
  ResourceResult Capabilities(const Context& context) const;

  // NOT_FOUND for a type this endpoint does not serve; INVALID_ARGUMENT for a malformed id;
  // UNIMPLEMENTED (not-supported) until storage lands.
  absl::StatusOr<ResourceResult> Read(const Context& context, absl::string_view type,
                                      absl::string_view id) const;
  // NOT_FOUND for an unknown type; UNIMPLEMENTED (not-supported) until search lands.
  absl::StatusOr<ResourceResult> Search(
      const Context& context, absl::string_view type,
      const std::vector<std::pair<std::string, std::string>>& params) const;

 private:
  absl::Status CheckType(absl::string_view type) const;
  const EngineConfig config_;
  // CapabilityStatement text by base URL, rebuilt when the date changes. Bounded: base URLs may
  // come from clients' Host headers.
  struct CachedStatement {
    std::string date;
    std::string json;
  };
  mutable absl::Mutex mu_;
  mutable std::map<std::string, CachedStatement, std::less<>> capabilities_ ABSL_GUARDED_BY(mu_);
};

// Whether `id` is a valid FHIR logical id: [A-Za-z0-9\-\.]{1,64}.
bool IsValidId(absl::string_view id);

}  // namespace planapi::fhirengine
