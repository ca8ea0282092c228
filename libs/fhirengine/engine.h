// The FHIR engine shared by the fhir (Patient Access) and directory (Provider Directory)
// services. They differ only in the EngineConfig they pass: which resource types and realms,
// which name. It serves the CapabilityStatement, versioned reads and writes on PostgreSQL
// (ResourceStore), instance history and search (Searcher) over the index the published
// SearchParameters define (libs/fhirsearch).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "libs/fhir/capability.h"
#include "libs/fhirengine/audit.h"
#include "libs/fhirengine/search.h"
#include "libs/fhirengine/store.h"
#include "libs/fhirsearch/search_params.h"
#include "libs/pg/pg.h"

namespace planapi::fhirengine {

struct EngineConfig {
  std::string name;  // shown in the CapabilityStatement
  std::span<const absl::string_view> types;
  std::vector<Realm> realms;  // the data sets this endpoint may address
  // Protected by SMART on FHIR: the CapabilityStatement names the realm's OAuth endpoints
  // (the base URL's trailing /fhir/r4 replaced by /auth).
  bool smart = false;
  // Reads by apps (requests carrying an OAuth client) are written to the audit trail.
  bool audit = false;
  // The gateway forwards the payer's writes here over HTTP (with system/ scopes), so the
  // CapabilityStatement declares create, update, delete, transaction and batch. Otherwise writes
  // arrive over gRPC only and the statement declares the reads.
  bool rest_writes = false;
};

struct Context {
  Realm realm = Realm::kProduction;
  std::string base_url;  // absolute base of the endpoint, e.g. https://host/fhir/r4
  // A patient-scoped caller: only this patient's compartment (and what it refers to) exists.
  std::string patient;
  bool lenient = false;  // Prefer: handling=lenient
  // Granular scopes: only resources in one of these categories may be read (empty: any).
  std::vector<std::string> categories;
  // When set, the only types the caller's scopes let it search: what _include, _revinclude,
  // _has and chains may reach.
  std::optional<std::vector<std::string>> allowed_types;
};

struct ResourceResult {
  std::string json;
  std::string version_id;
  std::string last_updated;
  bool created = false;
  std::string id;
  // What was returned ("Type/id"): the resource, or a Bundle's entries. For the audit trail.
  std::vector<std::string> resources;
};

// Thread-safe: immutable after construction but for a small cache of CapabilityStatements.
// `pool` must outlive the engine.
class Engine {
 public:
  // Loads the search parameters of the configured types. INTERNAL when the embedded definitions
  // cannot be used (a bug in the data).
  static absl::StatusOr<std::unique_ptr<const Engine>> Create(EngineConfig config, pg::Pool& pool);
  Engine(EngineConfig config, pg::Pool& pool, std::shared_ptr<const fhirsearch::Registry> registry);

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
  // The history of every resource of `type` (history-type): versions newest first, from
  // `since` (an instant, inclusive) when given, paged like History with a `next` link whose
  // `_cursor` continues it. PERMISSION_DENIED for a patient's or category-limited caller;
  // INVALID_ARGUMENT for a bad _since or _cursor.
  absl::StatusOr<ResourceResult> TypeHistory(const Context& context, absl::string_view type,
                                             int count, absl::string_view since,
                                             absl::string_view cursor) const;
  // A searchset Bundle (Searcher::Search): INVALID_ARGUMENT naming a bad parameter.
  absl::StatusOr<ResourceResult> Search(
      const Context& context, absl::string_view type,
      const std::vector<std::pair<std::string, std::string>>& params) const;

  // Patient/[id]/$everything (Searcher::Everything). NOT_FOUND (not-supported) where Patient is
  // not served.
  absl::StatusOr<ResourceResult> Everything(
      const Context& context, absl::string_view id,
      const std::vector<std::pair<std::string, std::string>>& params) const;

  // Writes `event` to the audit trail when this engine keeps one (EngineConfig::audit).
  absl::Status Audit(const AuditEvent& event) const;
  bool audits() const { return config_.audit; }
  // A patient's audit trail, newest first (AuditLog::ForPatient).
  absl::StatusOr<std::vector<AuditEvent>> AuditTrail(Realm realm, absl::string_view patient,
                                                     int limit) const;

  // Create with a server-assigned id; update (or create) with the client's id. INVALID_ARGUMENT
  // for malformed JSON or a resourceType/id that does not match the address. `if_match`, when
  // given, is an If-Match ETag (W/"3"): the update or delete is made only if that is the current
  // version, FAILED_PRECONDITION (412) otherwise, so that two clients never overwrite each
  // other's changes unseen.
  absl::StatusOr<ResourceResult> Create(const Context& context, absl::string_view type,
                                        absl::string_view json) const;
  absl::StatusOr<ResourceResult> Update(const Context& context, absl::string_view type,
                                        absl::string_view id, absl::string_view json,
                                        absl::string_view if_match = {}) const;
  absl::StatusOr<ResourceResult> Delete(const Context& context, absl::string_view type,
                                        absl::string_view id,
                                        absl::string_view if_match = {}) const;

  // Create, unless `if_none_exist` (a search query, as in the If-None-Exist header) matches: one
  // match is returned as is (created false); several are FAILED_PRECONDITION (412).
  absl::StatusOr<ResourceResult> ConditionalCreate(const Context& context, absl::string_view type,
                                                   absl::string_view json,
                                                   absl::string_view if_none_exist) const;

  // A FHIR transaction or batch Bundle (POST [base]): entries' request.method POST (with
  // ifNoneExist), PUT, DELETE or GET (read). A transaction is all or nothing, with urn:uuid
  // references rewritten to the ids it assigns, and answers a transaction-response; a batch runs
  // each entry on its own and answers a batch-response with each entry's status.
  // INVALID_ARGUMENT naming the entry for a malformed Bundle or (transaction) entry.
  absl::StatusOr<ResourceResult> Transaction(const Context& context, absl::string_view json) const;

  // Loads many documents (Import's rules for each): consecutive single resources are written in
  // one transaction, so bulk NDJSON costs a few statements per batch rather than per resource;
  // when one of them is refused the rest are written one by one so each gets its own answer.
  // Each outcome holds what Import returns for that document. Fails as a whole (what was
  // written stays) only on a fault that is not the input's: the database, say.
  struct ImportDocument {
    std::string source;
    std::string json;
  };
  struct ImportOutcome {
    absl::Status status;
    std::vector<std::string> written;
    std::vector<std::string> skipped;
  };
  absl::StatusOr<std::vector<ImportOutcome>> ImportMany(
      const Context& context, const std::vector<ImportDocument>& documents) const;

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

  // NOT_FOUND, as for an unknown resource, when a patient-scoped caller may not see type/id.
  absl::Status CheckVisible(const Context& context, absl::string_view type,
                            absl::string_view id) const;
  // PERMISSION_DENIED (403) when granular scopes confine the caller to categories and type/id is
  // in none of them: a search of `category` on that one resource decides, so it is data-driven.
  absl::Status CheckCategory(const Context& context, absl::string_view type,
                             absl::string_view id) const;

  const EngineConfig config_;
  const std::shared_ptr<const fhirsearch::Registry> registry_;
  mutable ResourceStore store_;
  const Searcher searcher_;
  mutable AuditLog audit_;
  // searchParam / searchInclude / searchRevInclude of every type, from the registry.
  std::map<std::string, fhir::TypeSearch, std::less<>> search_capabilities_;
  // CapabilityStatement text by base URL, rebuilt when the date changes. Bounded: base URLs may
  // come from clients' Host headers.
  struct CachedStatement {
    std::string date;
    std::string json;
  };
  mutable absl::Mutex mu_;
  mutable std::map<std::string, CachedStatement, std::less<>> capabilities_ ABSL_GUARDED_BY(mu_);
};

}  // namespace planapi::fhirengine
