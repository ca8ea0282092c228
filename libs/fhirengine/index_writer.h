// Writes a resource's search index rows (libs/fhirsearch) into the index tables of migrations
// 0002 and 0003, replacing the previous version's, in one statement on the caller's transaction.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/fhirengine/store.h"
#include "libs/fhirsearch/search_params.h"
#include "libs/pg/pg.h"

namespace planapi::fhirengine {

// Replaces the index rows of realm/type/id with `rows`; nullptr removes them (a deletion).
// `fresh` says no earlier version can have rows, which saves the deletes (bulk loads).
absl::Status WriteIndex(pg::Connection& c, Realm realm, absl::string_view type,
                        absl::string_view id, const fhirsearch::IndexRows* rows, bool fresh);

// A PostgreSQL array literal of `values` ({"a","b"}), quoting every element.
std::string TextArray(const std::vector<std::string>& values);

}  // namespace planapi::fhirengine
