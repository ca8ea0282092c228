#include "libs/fhirengine/store.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/fhirengine/index_writer.h"
#include "libs/json/json.h"
#include "libs/status/issue.h"
#include "libs/status/status_macros.h"

namespace planapi::fhirengine {
namespace {

constexpr char kColumns[] =
    "type, id, version, "
    "to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), deleted, "
    "content::text";

std::string RealmParam(Realm realm) { return absl::StrCat(static_cast<int>(realm)); }

StoredVersion FromRow(const pg::Result& r, int row) {
  StoredVersion v;
  v.type = std::string(r.Get(row, 0));
  v.id = std::string(r.Get(row, 1));
  (void)absl::SimpleAtoi(r.Get(row, 2), &v.version);
  v.last_updated = std::string(r.Get(row, 3));
  v.deleted = r.Get(row, 4) == "t";
  if (!r.IsNull(row, 5)) {
    v.json = std::string(r.Get(row, 5));
  }
  return v;
}

// The rows of realm/type/id in `table` ("resource" or "resource_history"); `rest` continues the
// WHERE clause and may use $4, bound to `extra`.
absl::StatusOr<std::vector<StoredVersion>> SelectVersions(pg::Connection& c,
                                                          absl::string_view table, Realm realm,
                                                          absl::string_view type,
                                                          absl::string_view id,
                                                          absl::string_view rest = "",
                                                          pg::Param extra = std::nullopt) {
  std::vector<pg::Param> p = {RealmParam(realm), std::string(type), std::string(id)};
  if (extra.has_value()) {
    p.push_back(std::move(extra));
  }
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r, c.Exec(absl::StrCat("SELECT ", kColumns, " FROM ", table,
                                        " WHERE realm = $1::smallint AND type = $2 AND id = $3 ",
                                        rest),
                           p));
  std::vector<StoredVersion> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(FromRow(r, i));
  }
  return out;
}

// Checks the resource against its address and stamps the version into meta; `doc` holds the
// stamped resource afterwards.
absl::StatusOr<std::string> Stamp(absl::string_view type, absl::string_view id,
                                  absl::string_view json, int version,
                                  const std::string& last_updated, rapidjson::Document& doc) {
  PLANAPI_ASSIGN_OR_RETURN(doc, json::Parse(json));
  if (!doc.IsObject()) {
    return absl::InvalidArgumentError("a resource must be a JSON object");
  }
  const std::optional<absl::string_view> resource_type = json::GetString(doc, "resourceType");
  if (resource_type != type) {
    return absl::InvalidArgumentError(absl::StrCat("resourceType '", resource_type.value_or(""),
                                                   "' does not match the URL's type '", type,
                                                   "'"));
  }
  auto& a = doc.GetAllocator();
  if (auto it = doc.FindMember("id"); it != doc.MemberEnd()) {
    if (!it->value.IsString() || absl::string_view(it->value.GetString()) != id) {
      return absl::InvalidArgumentError(
          absl::StrCat("the resource's id does not match the URL's id '", id, "'"));
    }
  } else {
    doc.AddMember("id", rapidjson::Value(std::string(id).c_str(), a), a);
  }
  auto meta = doc.FindMember("meta");
  if (meta == doc.MemberEnd()) {
    doc.AddMember("meta", rapidjson::Value(rapidjson::kObjectType), a);
    meta = doc.FindMember("meta");
  } else if (!meta->value.IsObject()) {
    return absl::InvalidArgumentError("meta must be an object");
  }
  meta->value.RemoveMember("versionId");
  meta->value.RemoveMember("lastUpdated");
  meta->value.AddMember("versionId", rapidjson::Value(absl::StrCat(version).c_str(), a), a);
  meta->value.AddMember("lastUpdated", rapidjson::Value(last_updated.c_str(), a), a);
  return json::Serialize(doc);
}

// The resource's row locked for this transaction (an advisory lock also covers "no row yet").
absl::StatusOr<std::optional<StoredVersion>> LockCurrent(pg::Connection& c, Realm realm,
                                                         absl::string_view type,
                                                         absl::string_view id) {
  const pg::Param key[] = {absl::StrCat(static_cast<int>(realm), "/", type, "/", id)};
  PLANAPI_RETURN_IF_ERROR(
      c.Exec("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key).status());
  PLANAPI_ASSIGN_OR_RETURN(std::vector<StoredVersion> rows,
                           SelectVersions(c, "resource", realm, type, id));
  if (rows.empty()) {
    return std::optional<StoredVersion>();
  }
  return std::optional<StoredVersion>(std::move(rows[0]));
}

absl::Status WriteRow(pg::Connection& c, Realm realm, const StoredVersion& v) {
  const pg::Param row[] = {RealmParam(realm),
                           v.type,
                           v.id,
                           absl::StrCat(v.version),
                           v.last_updated,
                           v.deleted ? "t" : "f",
                           v.deleted ? pg::Param() : pg::Param(v.json)};
  PLANAPI_RETURN_IF_ERROR(
      c.Exec("INSERT INTO resource (realm, type, id, version, last_updated, deleted, content) "
             "VALUES ($1::smallint, $2, $3, $4::integer, $5::timestamptz, $6::boolean, $7::jsonb) "
             "ON CONFLICT (realm, type, id) DO UPDATE SET version = EXCLUDED.version, "
             "last_updated = EXCLUDED.last_updated, deleted = EXCLUDED.deleted, "
             "content = EXCLUDED.content",
             row)
          .status());
  return c.Exec("INSERT INTO resource_history (realm, type, id, version, last_updated, deleted, "
                "content) VALUES ($1::smallint, $2, $3, $4::integer, $5::timestamptz, "
                "$6::boolean, $7::jsonb)",
                row)
      .status();
}

std::string Now() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
}

absl::Status Gone(absl::string_view type, absl::string_view id) {
  return status::DeletedError(absl::StrCat(type, "/", id, " was deleted"));
}

absl::Status Unknown(absl::string_view type, absl::string_view id) {
  return absl::NotFoundError(absl::StrCat(type, "/", id, " is not known"));
}

}  // namespace

namespace {
absl::StatusOr<StoredVersion> PutIn(pg::Connection& c, const fhirsearch::Registry* registry,
                                    Realm realm, absl::string_view type, absl::string_view id,
                                    absl::string_view json) {
  PLANAPI_ASSIGN_OR_RETURN(std::optional<StoredVersion> current, LockCurrent(c, realm, type, id));
  StoredVersion written;
  written.type = std::string(type);
  written.id = std::string(id);
  written.version = current.has_value() ? current->version + 1 : 1;
  written.last_updated = Now();
  rapidjson::Document doc;
  PLANAPI_ASSIGN_OR_RETURN(written.json,
                           Stamp(type, id, json, written.version, written.last_updated, doc));
  PLANAPI_RETURN_IF_ERROR(WriteRow(c, realm, written));
  if (registry != nullptr) {
    const fhirsearch::IndexRows rows = fhirsearch::Extract(*registry, type, doc);
    PLANAPI_RETURN_IF_ERROR(WriteIndex(c, realm, type, id, &rows, !current.has_value()));
  }
  return written;
}
}  // namespace

absl::StatusOr<StoredVersion> ResourceStore::Put(Realm realm, absl::string_view type,
                                                 absl::string_view id, absl::string_view json) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  StoredVersion written;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& c) -> absl::Status {
    PLANAPI_ASSIGN_OR_RETURN(written, PutIn(c, registry_, realm, type, id, json));
    return absl::OkStatus();
  }));
  return written;
}

absl::StatusOr<std::vector<StoredVersion>> ResourceStore::PutAll(
    Realm realm, const std::vector<Write>& writes) {
  // Locks are taken in one global order (type, id), so two transactions touching the same
  // resources in different orders cannot deadlock.
  std::vector<const Write*> ordered;
  for (const Write& w : writes) {
    ordered.push_back(&w);
  }
  std::sort(ordered.begin(), ordered.end(), [](const Write* a, const Write* b) {
    return std::tie(a->type, a->id) < std::tie(b->type, b->id);
  });
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  std::vector<StoredVersion> written;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& c) -> absl::Status {
    written.clear();
    for (const Write* w : ordered) {
      absl::StatusOr<StoredVersion> v = PutIn(c, registry_, realm, w->type, w->id, w->json);
      if (!v.ok()) {
        return absl::Status(v.status().code(), absl::StrCat("entry ", w->entry, " (", w->type, "/",
                                                            w->id, "): ", v.status().message()));
      }
      written.push_back(*std::move(v));
    }
    return absl::OkStatus();
  }));
  return written;
}

absl::StatusOr<StoredVersion> ResourceStore::Delete(Realm realm, absl::string_view type,
                                                    absl::string_view id) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  StoredVersion written;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& c) -> absl::Status {
    PLANAPI_ASSIGN_OR_RETURN(std::optional<StoredVersion> current, LockCurrent(c, realm, type, id));
    if (!current.has_value()) {
      return Unknown(type, id);
    }
    if (current->deleted) {
      written = *current;
      return absl::OkStatus();
    }
    written = StoredVersion{.type = std::string(type),
                            .id = std::string(id),
                            .version = current->version + 1,
                            .last_updated = Now(),
                            .deleted = true};
    PLANAPI_RETURN_IF_ERROR(WriteRow(c, realm, written));
    return registry_ == nullptr ? absl::OkStatus()
                                : WriteIndex(c, realm, type, id, nullptr, /*fresh=*/false);
  }));
  return written;
}

absl::StatusOr<StoredVersion> ResourceStore::Read(Realm realm, absl::string_view type,
                                                  absl::string_view id) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  PLANAPI_ASSIGN_OR_RETURN(std::vector<StoredVersion> rows,
                           SelectVersions(*conn, "resource", realm, type, id));
  if (rows.empty()) {
    return Unknown(type, id);
  }
  if (rows[0].deleted) {
    return Gone(type, id);
  }
  return std::move(rows[0]);
}

absl::StatusOr<StoredVersion> ResourceStore::ReadVersion(Realm realm, absl::string_view type,
                                                         absl::string_view id, int version) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  PLANAPI_ASSIGN_OR_RETURN(std::vector<StoredVersion> rows,
                           SelectVersions(*conn, "resource_history", realm, type, id,
                                          "AND version = $4::integer", absl::StrCat(version)));
  if (rows.empty()) {
    return absl::NotFoundError(absl::StrCat(type, "/", id, " has no version ", version));
  }
  if (rows[0].deleted) {
    return status::DeletedError(absl::StrCat(type, "/", id, " version ", version, " is a deletion"));
  }
  return std::move(rows[0]);
}

absl::StatusOr<std::vector<StoredVersion>> ResourceStore::History(Realm realm,
                                                                  absl::string_view type,
                                                                  absl::string_view id,
                                                                  int count) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  PLANAPI_ASSIGN_OR_RETURN(std::vector<StoredVersion> rows,
                           SelectVersions(*conn, "resource_history", realm, type, id,
                                          "ORDER BY version DESC LIMIT $4::integer",
                                          absl::StrCat(count)));
  if (rows.empty()) {
    return Unknown(type, id);
  }
  return rows;
}

}  // namespace planapi::fhirengine
