#include "libs/pg/migrate.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"

namespace planapi::pg {
namespace {

std::string Quote(absl::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') {
      out.push_back('"');
    }
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

absl::StatusOr<int> SchemaVersion(Connection& conn, absl::string_view schema) {
  const Param params[] = {std::string(schema)};
  PLANAPI_ASSIGN_OR_RETURN(
      Result exists,
      conn.Exec("SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_migrations'",
                params));
  if (exists.rows() == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("schema ", schema, " has never been migrated: run with --migrate"));
  }
  PLANAPI_ASSIGN_OR_RETURN(
      Result r, conn.Exec(absl::StrCat("SELECT coalesce(max(version), 0) FROM ", Quote(schema),
                                       ".schema_migrations")));
  int version = 0;
  if (!absl::SimpleAtoi(r.Get(0, 0), &version)) {
    return absl::InternalError("unreadable schema version");
  }
  return version;
}

absl::StatusOr<int> ApplyMigrations(Connection& conn, absl::string_view schema,
                                    std::span<const Migration> migrations) {
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration versions must increase: ", migrations[i - 1].version,
                       " then ", migrations[i].version));
    }
  }
  const std::string q = Quote(schema);
  int version = 0;
  PLANAPI_RETURN_IF_ERROR(InTransaction(conn, [&](Connection& c) -> absl::Status {
    // One lock per schema for the whole database, held to the end of this transaction.
    const Param lock_key[] = {absl::StrCat("planapi-migrate:", schema)};
    PLANAPI_RETURN_IF_ERROR(
        c.Exec("SELECT pg_advisory_xact_lock(hashtext($1))", lock_key).status());
    PLANAPI_RETURN_IF_ERROR(c.ExecScript(absl::StrCat(
        "CREATE SCHEMA IF NOT EXISTS ", q, "; CREATE TABLE IF NOT EXISTS ", q,
        ".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())")));
    PLANAPI_ASSIGN_OR_RETURN(version, SchemaVersion(c, schema));  // the table exists now
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    if (version > latest) {
      return absl::InvalidArgumentError(absl::StrCat(
          "schema ", schema, " is at version ", version, ", newer than this build's ", latest));
    }
    for (const Migration& m : migrations) {
      if (m.version <= version) {
        continue;
      }
      // Scripts name their tables unqualified; they land in the service's schema.
      PLANAPI_RETURN_IF_ERROR(c.ExecScript(absl::StrCat("SET LOCAL search_path TO ", q)));
      if (absl::Status s = c.ExecScript(m.sql); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat("migration ", m.version, " (", m.name,
                                                   ") failed: ", s.message()));
      }
      const Param row[] = {absl::StrCat(m.version), std::string(m.name)};
      PLANAPI_RETURN_IF_ERROR(
          c.Exec(absl::StrCat("INSERT INTO ", q, ".schema_migrations (version, name) "
                              "VALUES ($1::integer, $2)"),
                 row)
              .status());
      version = m.version;
    }
    return absl::OkStatus();
  }));
  return version;
}

}  // namespace planapi::pg
