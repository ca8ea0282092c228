// The FHIR engine shared by the fhir (Patient Access) and directory (Provider Directory)
// services. They differ only in the EngineConfig they pass: which resource types and realms,
// which name. It serves the CapabilityStatement, versioned reads and writes on PostgreSQL
// (ResourceStore) and instance history; search arrives with the search-parameter work, in this
// same library.
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
#include "libs/fhirengine/store.h"
#include "libs/pg/pg.h"

namespace planapi::fhirengine {

struct EngineConfig {
  std::string name;  // shown in the CapabilityStatement
  std::span<const absl::string_view> types;
  std::vector<Realm> realms;  // the data sets this endpoint may address
};

struct Context {
  Realm realm = Realm::kProduction;
  std::string base_url;  // absolute base of the endpoint, e.g. https://host/fhir/r4
};

struct ResourceResult {
  std::string json;
  std::string version_id;
  std::string last_updated;
  bool created = false;
  std::string id;
};

// Thread-safe: immutable after construction but for a small cache of CapabilityStatements.
// `pool` must outlive the engine.
class Engine {
 public:
  Engine(EngineConfig config, pg::Pool& pool);

  // The CapabilityStatement for `context.base_url`; lists exactly what this engine serves.
  ResourceResult Capabilities(const Context& context) const;

  // Every call below: INVALID_ARGUMENT for a realm this endpoint does not serve or a malformed
  // id; NOT_FOUND (not-supported) for a type it does not serve.
  // NOT_FOUND for an unknown resource, NOT_FOUND + deleted (410) for a deleted one.
  absl::StatusOr<ResourceResult> Read(const Context& context, absl::string_view type,
                                      absl::string_view id) const;
  // INVALID_ARGUMENT for a version that is not a positive integer.
  absl::StatusOr<ResourceResult> VRead(const Context& context, absl::string_view type,
                                       absl::string_view id, absl::string_view version) const;
  // A Bundle of type history, newest first; `count` 0 means the default (50), at most 1000.
  absl::StatusOr<ResourceResult> History(const Context& context, absl::string_view type,
                                         absl::string_view id, int count) const;
  // UNIMPLEMENTED (not-supported) until search lands.
  absl::StatusOr<ResourceResult> Search(
      const Context& context, absl::string_view type,
      const std::vector<std::pair<std::string, std::string>>& params) const;

  // Create with a server-assigned id; update (or create) with the client's id. INVALID_ARGUMENT
  // for malformed JSON or a resourceType/id that does not match the address.
  absl::StatusOr<ResourceResult> Create(const Context& context, absl::string_view type,
                                        absl::string_view json) const;
  absl::StatusOr<ResourceResult> Update(const Context& context, absl::string_view type,
                                        absl::string_view id, absl::string_view json) const;
  absl::StatusOr<ResourceResult> Delete(const Context& context, absl::string_view type,
                                        absl::string_view id) const;

  // Loads one document: a resource (kept under its own id, or a new one), or a Bundle of type
  // transaction or collection (all entries in one transaction, `urn:uuid:` references rewritten
  // to Type/id) or batch (entries one by one). Returns the types written, one string per
  // resource, and the entries skipped with the reason. INVALID_ARGUMENT (nothing stored) when the
  // document or any entry of an all-or-nothing Bundle is refused.
  absl::StatusOr<std::vector<std::string>> Import(const Context& context, absl::string_view json,
                                                  std::vector<std::string>* skipped) const;

 private:
  absl::Status CheckRealm(const Context& context) const;
  absl::Status Check(const Context& context, absl::string_view type) const;
  absl::Status CheckAddress(const Context& context, absl::string_view type,
                            absl::string_view id) const;

  const EngineConfig config_;
  mutable ResourceStore store_;
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
