// Writes a resource's search index rows (libs/fhirsearch) into the index tables of migrations
// 0002 and 0005, replacing the previous version's, in one statement on the caller's transaction.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/fhirengine/store.h"
#include "libs/fhirsearch/search_params.h"
#include "libs/pg/pg.h"

namespace planapi::fhirengine {

// One resource's new index: `rows` nullptr removes its rows (a deletion); `fresh` says no
// earlier version can have rows, which saves the deletes (bulk loads).
struct IndexUpdate {
  std::string type;
  std::string id;
  const fhirsearch::IndexRows* rows = nullptr;
  bool fresh = false;
};

// Replaces the index rows of every listed resource, all in one statement.
absl::Status WriteIndex(pg::Connection& c, Realm realm, const std::vector<IndexUpdate>& updates);

// A PostgreSQL array literal of `values` ({"a","b"}), quoting every element.
std::string TextArray(const std::vector<std::string>& values);

}  // namespace planapi::fhirengine
