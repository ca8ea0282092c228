// Versioned resource storage on PostgreSQL for the FHIR engine: every write makes a new version
// in the same transaction as its history row, reads return the stored JSON text with
// meta.versionId and meta.lastUpdated already in it, and the search index rows the registry's
// parameters extract replaced in that same transaction. Table-driven: one table for all types.
// Thread-safe (the pool is).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/fhir/resource_types.h"
#include "libs/fhirsearch/search_params.h"
#include "libs/pg/migrate.h"
#include "libs/pg/pg.h"

namespace planapi::fhirengine {

// Which data set; values match planapi.fhir.v1.Realm and the realm column.
enum class Realm { kProduction = 1, kSandbox = 2, kDirectory = 3 };

struct StoredVersion {
  std::string type;
  std::string id;
  int version = 0;
  std::string last_updated;  // FHIR instant, UTC
  bool deleted = false;
  std::string json;          // empty when deleted
};

using fhir::IsValidId;

// The schema the store needs (libs/fhirengine/migrations), for the services' --migrate.
std::span<const pg::Migration> Migrations();

// A further condition on the row a read returns, over the row's columns (the table is `t`), with
// its parameters numbered from $4 (after realm, type and id). A patient's reads use it so the
// compartment check and the read are one statement.
struct RowCondition {
  std::string sql;
  std::vector<pg::Param> params;
};

class ResourceStore {
 public:
  // `registry` (which may be null: no index is kept) and `pool` must outlive the store.
  ResourceStore(pg::Pool& pool, const fhirsearch::Registry* registry)
      : pool_(pool), registry_(registry) {}

  // Writes `json` (an object whose resourceType is `type`) as the next version of type/id, or
  // version 1. INVALID_ARGUMENT for malformed JSON, a type or id that does not match.
  // FAILED_PRECONDITION when `if_match` is given and is not the current version (If-Match).
  absl::StatusOr<StoredVersion> Put(Realm realm, absl::string_view type, absl::string_view id,
                                    absl::string_view json,
                                    std::optional<int> if_match = std::nullopt);
  // Writes several resources in one transaction: all of them, or (on any error) none.
  struct Write {
    std::string type;
    std::string id;
    std::string json;
    int entry = 0;        // the caller's position (e.g. in a Bundle), named in errors
    bool remove = false;  // a deletion: `json` is ignored
    std::optional<int> if_match;  // the version that must be current (If-Match), if any
  };
  // The result holds one version per write, ordered by (type, id). A deletion of something
  // unknown or already deleted changes nothing and comes back deleted, with version 0 when it
  // never existed.
  absl::StatusOr<std::vector<StoredVersion>> PutAll(Realm realm, const std::vector<Write>& writes);
  // Marks type/id deleted as a new version. NOT_FOUND when it never existed; deleting a deleted
  // resource changes nothing and returns its deleted version.
  absl::StatusOr<StoredVersion> Delete(Realm realm, absl::string_view type, absl::string_view id,
                                       std::optional<int> if_match = std::nullopt);

  // The current version. NOT_FOUND when unknown (or `condition`, when given, excludes it);
  // NOT_FOUND with issue `deleted` when deleted.
  absl::StatusOr<StoredVersion> Read(Realm realm, absl::string_view type, absl::string_view id,
                                     const RowCondition* condition = nullptr);
  // One version. NOT_FOUND when unknown, `deleted` issue when that version is a deletion.
  absl::StatusOr<StoredVersion> ReadVersion(Realm realm, absl::string_view type,
                                            absl::string_view id, int version);
  // Versions newest first, at most `count`. NOT_FOUND when the resource never existed.
  absl::StatusOr<std::vector<StoredVersion>> History(Realm realm, absl::string_view type,
                                                     absl::string_view id, int count);

  // Where a page of a type's history ends: the last version it holds.
  struct HistoryPosition {
    std::string last_updated;  // as StoredVersion::last_updated
    std::string id;
    int version = 0;
  };
  // Every version of every resource of `type`, newest first (then by id and version, both
  // descending), from `since` (an instant, inclusive) when given, after `after` when given; at
  // most `count`.
  absl::StatusOr<std::vector<StoredVersion>> TypeHistory(
      Realm realm, absl::string_view type, int count, const std::optional<std::string>& since,
      const std::optional<HistoryPosition>& after);

 private:
  pg::Pool& pool_;
  const fhirsearch::Registry* registry_;
};

}  // namespace planapi::fhirengine
