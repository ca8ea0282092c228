// Schema migrations: each service owns one PostgreSQL schema and an ordered list of SQL scripts
// (services/<svc>/migrations/NNNN_name.sql, compiled into the binary). ApplyMigrations brings the
// schema up to date in one transaction under an advisory lock, so that replicas or a Helm Job
// running at once do not race, and a failed script leaves the schema exactly as it was.
#pragma once

#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "libs/pg/pg.h"
#include "absl/strings/string_view.h"

namespace planapi::pg {

struct Migration {
  int version;
  absl::string_view name;
  absl::string_view sql;
};

// Creates `schema` and its bookkeeping table when missing, then applies the migrations newer than
// the recorded version in order. Returns the schema's version afterwards. INVALID_ARGUMENT if the
// list is not strictly increasing or if the database is ahead of this build (a newer release
// migrated it); the failing script's status otherwise.
absl::StatusOr<int> ApplyMigrations(Connection& conn, absl::string_view schema,
                                    std::span<const Migration> migrations);

// The schema's current version. FAILED_PRECONDITION when it has never been migrated (no
// bookkeeping table), so a service can tell "empty schema list" from "forgot --migrate".
absl::StatusOr<int> SchemaVersion(Connection& conn, absl::string_view schema);

}  // namespace planapi::pg
