// FHIR search over the index tables: parses a search's parameters against the SearchParameter
// registry (types, modifiers, prefixes, chains, _has, _include/_revinclude, _sort, paging) and
// turns them into one SQL query per page, confined to a patient's compartment when the request
// carries one. Answers a searchset Bundle whose links are absolute URLs of the caller's base.
// Nothing here is per resource type.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/fhirengine/store.h"
#include "libs/fhirsearch/search_params.h"
#include "libs/pg/pg.h"

namespace planapi::fhirengine {

struct SearchQuery {
  Realm realm = Realm::kProduction;
  std::string type;
  std::vector<std::pair<std::string, std::string>> params;
  std::string base_url;  // absolute base the links are built on
  std::string patient;   // when not empty: only this patient's compartment is visible
  bool lenient = false;  // Prefer: handling=lenient: unknown parameters are ignored
  // When set, the types the caller may search: includes of other types are left out, and _has
  // or chains through them are refused (403).
  std::optional<std::vector<std::string>> allowed_types;
};

// Limits, documented in docs/api.md.
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;
inline constexpr int kMaxIncludesPerPage = 1000;
inline constexpr size_t kMaxValuesPerParameter = 1000;  // comma-separated values of one parameter
inline constexpr size_t kMaxBoundValues = 10000;        // values of a whole search
// `near` without a distance: what "near me" means for a provider search.
inline constexpr double kDefaultNearKm = 50;

// A page of results: the Bundle's text and the resources in it ("Type/id"), for the audit trail.
struct SearchPage {
  std::string json;
  std::vector<std::string> resources;
};

// Immutable; thread-safe. `registry`, `types` and `pool` must outlive it.
class Searcher {
 public:
  Searcher(const fhirsearch::Registry& registry, std::span<const absl::string_view> types,
           pg::Pool& pool)
      : registry_(registry), types_(types), pool_(pool) {}

  // The searchset Bundle. INVALID_ARGUMENT naming the parameter for an unknown (unless lenient)
  // or malformed parameter, modifier, prefix, chain, include or cursor; NOT_FOUND
  // (not-supported) for a type this endpoint does not serve.
  absl::StatusOr<SearchPage> Search(const SearchQuery& query) const;

  // Patient/[id]/$everything: the Patient, its compartment and the resources of other types its
  // data refers to, as a paged searchset Bundle ordered by type and id. Takes `_count`, `_since`
  // (an instant: only resources changed after it), `_type` (comma-separated) and `_cursor`.
  // `query.type` is ignored; `query.patient`, when set, must be `id`. NOT_FOUND when the Patient
  // is unknown or not visible; INVALID_ARGUMENT naming a bad parameter.
  absl::StatusOr<SearchPage> Everything(const SearchQuery& query, absl::string_view id) const;

  // Whether `patient` may read type/id: a resource of a compartment type in the compartment, a
  // resource of another type referenced from it or referring to the patient, or one that refers
  // through some parameter only to the patient's own record (what _revinclude shows them).
  absl::StatusOr<bool> Visible(Realm realm, absl::string_view patient, absl::string_view type,
                               absl::string_view id) const;
  // The same rule as a condition for ResourceStore::Read, so a patient's read is one statement.
  RowCondition VisibleTo(Realm realm, absl::string_view patient, absl::string_view type) const;

 private:
  const fhirsearch::Registry& registry_;
  std::span<const absl::string_view> types_;
  pg::Pool& pool_;
};

}  // namespace planapi::fhirengine
