#include "libs/fhirengine/store.h"

#include <algorithm>
#include <map>
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
    "content";

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

// The rows of realm/type/id in `table` ("resource" or "resource_history", as `t`); `rest`
// continues the WHERE clause and may use $4.., bound to `extra`.
absl::StatusOr<std::vector<StoredVersion>> SelectVersions(pg::Connection& c,
                                                          absl::string_view table, Realm realm,
                                                          absl::string_view type,
                                                          absl::string_view id,
                                                          absl::string_view rest = "",
                                                          std::vector<pg::Param> extra = {}) {
  std::vector<pg::Param> p = {RealmParam(realm), std::string(type), std::string(id)};
  for (pg::Param& e : extra) {
    p.push_back(std::move(e));
  }
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      c.ExecPrepared(absl::StrCat("SELECT ", kColumns, " FROM ", table,
                                  " t WHERE realm = $1::smallint AND type = $2 AND id = $3 ", rest),
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

// Locks the resources for this transaction (advisory locks also cover "no row yet") and returns
// the current versions of those that exist, keyed "type/id". `keys` must be sorted: every writer
// locks in that one order, so two transactions cannot deadlock.
absl::StatusOr<std::map<std::string, StoredVersion, std::less<>>> LockAll(
    pg::Connection& c, Realm realm, const std::vector<std::pair<std::string, std::string>>& keys) {
  std::vector<std::string> lock_keys, types, ids;
  for (const auto& [type, id] : keys) {
    lock_keys.push_back(absl::StrCat(static_cast<int>(realm), "/", type, "/", id));
    types.push_back(type);
    ids.push_back(id);
  }
  const pg::Param lock[] = {TextArray(lock_keys)};
  PLANAPI_RETURN_IF_ERROR(
      c.Exec("SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM "
             "unnest($1::text[]) WITH ORDINALITY AS u(k, n)",
             lock)
          .status());
  const pg::Param select[] = {RealmParam(realm), TextArray(types), TextArray(ids)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      c.Exec(absl::StrCat("SELECT ", kColumns, " FROM resource WHERE realm = $1::smallint AND "
                          "(type, id) IN (SELECT * FROM unnest($2::text[], $3::text[]))"),
             select));
  std::map<std::string, StoredVersion, std::less<>> current;
  for (int i = 0; i < r.rows(); ++i) {
    StoredVersion v = FromRow(r, i);
    current.emplace(absl::StrCat(v.type, "/", v.id), std::move(v));
  }
  return current;
}

// Writes the versions (current row and history row of each) in one statement.
absl::Status WriteRows(pg::Connection& c, Realm realm, const std::vector<StoredVersion>& versions) {
  std::vector<std::string> types, ids, numbers, times, contents;
  std::string deleted = "{";
  for (const StoredVersion& v : versions) {
    types.push_back(v.type);
    ids.push_back(v.id);
    numbers.push_back(absl::StrCat(v.version));
    times.push_back(v.last_updated);
    contents.push_back(v.json);
    absl::StrAppend(&deleted, deleted.size() > 1 ? "," : "", v.deleted ? "t" : "f");
  }
  deleted += "}";
  const pg::Param p[] = {RealmParam(realm),     TextArray(types), TextArray(ids),
                         TextArray(numbers),    TextArray(times), deleted,
                         TextArray(contents)};
  return c
      .Exec("WITH v AS (SELECT t, i, n::integer AS n, lu::timestamptz AS lu, d, "
            "CASE WHEN d THEN NULL ELSE j END AS j FROM unnest($2::text[], $3::text[], "
            "$4::text[], $5::text[], $6::boolean[], $7::text[]) AS u(t, i, n, lu, d, j)), "
            "current AS (INSERT INTO resource (realm, type, id, version, last_updated, deleted, "
            "content) SELECT $1::smallint, t, i, n, lu, d, j FROM v "
            "ON CONFLICT (realm, type, id) DO UPDATE SET version = EXCLUDED.version, "
            "last_updated = EXCLUDED.last_updated, deleted = EXCLUDED.deleted, "
            "content = EXCLUDED.content) "
            "INSERT INTO resource_history (realm, type, id, version, last_updated, deleted, "
            "content) SELECT $1::smallint, t, i, n, lu, d, j FROM v",
            p)
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

// Whether a write's If-Match holds: `current` (null when type/id was never written) is at the
// version it names. Checked with the row locked, so no other write comes in between.
absl::Status CheckIfMatch(absl::string_view type, absl::string_view id,
                          std::optional<int> if_match, const StoredVersion* current) {
  if (!if_match.has_value()) {
    return absl::OkStatus();
  }
  if (current == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        type, "/", id, " does not exist, so If-Match W/\"", *if_match, "\" cannot hold; nothing written"));
  }
  if (current->version != *if_match) {
    return absl::FailedPreconditionError(
        absl::StrCat(type, "/", id, " is at version ", current->version, ", not ", *if_match,
                     " (If-Match); nothing written. Read it again and reapply the change"));
  }
  return absl::OkStatus();
}

// Writes `writes` (sorted by type and id, no address twice) as their next versions, with their
// index rows, on the caller's transaction: four statements whatever their number.
absl::StatusOr<std::vector<StoredVersion>> PutIn(pg::Connection& c,
                                                 const fhirsearch::Registry* registry, Realm realm,
                                                 const std::vector<const ResourceStore::Write*>& writes) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const ResourceStore::Write* w : writes) {
    keys.emplace_back(w->type, w->id);
  }
  PLANAPI_ASSIGN_OR_RETURN(auto current, LockAll(c, realm, keys));
  const std::string now = Now();
  std::vector<StoredVersion> written;  // one per write
  std::vector<StoredVersion> changed;  // the new versions
  std::vector<fhirsearch::IndexRows> rows;
  std::vector<IndexUpdate> updates;
  written.reserve(writes.size());
  rows.reserve(writes.size());
  for (const ResourceStore::Write* w : writes) {
    auto it = current.find(absl::StrCat(w->type, "/", w->id));
    if (absl::Status matched =
            CheckIfMatch(w->type, w->id, w->if_match, it == current.end() ? nullptr : &it->second);
        !matched.ok()) {
      return writes.size() == 1 ? matched
                                : absl::Status(matched.code(), absl::StrCat("entry ", w->entry, ": ",
                                                                            matched.message()));
    }
    StoredVersion v{.type = w->type,
                    .id = w->id,
                    .version = it == current.end() ? 1 : it->second.version + 1,
                    .last_updated = now};
    if (w->remove) {
      if (it == current.end() || it->second.deleted) {
        written.push_back(it == current.end()
                              ? StoredVersion{.type = w->type, .id = w->id, .deleted = true}
                              : it->second);
        continue;
      }
      v.deleted = true;
      updates.push_back({w->type, w->id, nullptr, false});
      changed.push_back(v);
      written.push_back(std::move(v));
      continue;
    }
    rapidjson::Document doc;
    absl::StatusOr<std::string> stamped = Stamp(w->type, w->id, w->json, v.version, now, doc);
    if (!stamped.ok()) {
      return writes.size() == 1
                 ? stamped.status()
                 : absl::Status(stamped.status().code(),
                                absl::StrCat("entry ", w->entry, " (", w->type, "/", w->id, "): ",
                                             stamped.status().message()));
    }
    v.json = *std::move(stamped);
    if (registry != nullptr) {
      rows.push_back(fhirsearch::Extract(*registry, w->type, doc));
      updates.push_back({w->type, w->id, &rows.back(), it == current.end()});
    }
    changed.push_back(v);
    written.push_back(std::move(v));
  }
  if (!changed.empty()) {
    PLANAPI_RETURN_IF_ERROR(WriteRows(c, realm, changed));
  }
  if (registry != nullptr) {
    PLANAPI_RETURN_IF_ERROR(WriteIndex(c, realm, updates));
  }
  return written;
}

}  // namespace

absl::StatusOr<StoredVersion> ResourceStore::Put(Realm realm, absl::string_view type,
                                                 absl::string_view id, absl::string_view json,
                                                 std::optional<int> if_match) {
  const Write w{.type = std::string(type),
                .id = std::string(id),
                .json = std::string(json),
                .if_match = if_match};
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  std::vector<StoredVersion> written;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& c) -> absl::Status {
    PLANAPI_ASSIGN_OR_RETURN(written, PutIn(c, registry_, realm, {&w}));
    return absl::OkStatus();
  }));
  return std::move(written[0]);
}

absl::StatusOr<std::vector<StoredVersion>> ResourceStore::PutAll(
    Realm realm, const std::vector<Write>& writes) {
  std::vector<const Write*> ordered;
  for (const Write& w : writes) {
    ordered.push_back(&w);
  }
  std::sort(ordered.begin(), ordered.end(), [](const Write* a, const Write* b) {
    return std::tie(a->type, a->id) < std::tie(b->type, b->id);
  });
  for (size_t i = 1; i < ordered.size(); ++i) {
    if (ordered[i]->type == ordered[i - 1]->type && ordered[i]->id == ordered[i - 1]->id) {
      return absl::InvalidArgumentError(
          absl::StrCat("entries ", std::min(ordered[i - 1]->entry, ordered[i]->entry), " and ",
                       std::max(ordered[i - 1]->entry, ordered[i]->entry), " both write ",
                       ordered[i]->type, "/", ordered[i]->id));
    }
  }
  if (ordered.empty()) {
    return std::vector<StoredVersion>{};
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  std::vector<StoredVersion> written;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& c) -> absl::Status {
    PLANAPI_ASSIGN_OR_RETURN(written, PutIn(c, registry_, realm, ordered));
    return absl::OkStatus();
  }));
  return written;
}

absl::StatusOr<StoredVersion> ResourceStore::Delete(Realm realm, absl::string_view type,
                                                    absl::string_view id,
                                                    std::optional<int> if_match) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  StoredVersion written;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& c) -> absl::Status {
    PLANAPI_ASSIGN_OR_RETURN(auto current,
                             LockAll(c, realm, {{std::string(type), std::string(id)}}));
    PLANAPI_RETURN_IF_ERROR(CheckIfMatch(type, id, if_match,
                                         current.empty() ? nullptr : &current.begin()->second));
    if (current.empty()) {
      return Unknown(type, id);
    }
    const StoredVersion& now = current.begin()->second;
    if (now.deleted) {
      written = now;
      return absl::OkStatus();
    }
    written = StoredVersion{.type = std::string(type),
                            .id = std::string(id),
                            .version = now.version + 1,
                            .last_updated = Now(),
                            .deleted = true};
    PLANAPI_RETURN_IF_ERROR(WriteRows(c, realm, {written}));
    return registry_ == nullptr
               ? absl::OkStatus()
               : WriteIndex(c, realm, {{std::string(type), std::string(id), nullptr, false}});
  }));
  return written;
}

absl::StatusOr<StoredVersion> ResourceStore::Read(Realm realm, absl::string_view type,
                                                  absl::string_view id,
                                                  const RowCondition* condition) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  PLANAPI_ASSIGN_OR_RETURN(
      std::vector<StoredVersion> rows,
      condition == nullptr
          ? SelectVersions(*conn, "resource", realm, type, id)
          : SelectVersions(*conn, "resource", realm, type, id,
                           absl::StrCat("AND ", condition->sql), condition->params));
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
                                          "AND version = $4::integer", {absl::StrCat(version)}));
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
                                          {absl::StrCat(count)}));
  if (rows.empty()) {
    return Unknown(type, id);
  }
  return rows;
}

absl::StatusOr<std::vector<StoredVersion>> ResourceStore::TypeHistory(
    Realm realm, absl::string_view type, int count, const std::optional<std::string>& since,
    const std::optional<HistoryPosition>& after) {
  std::vector<pg::Param> p = {RealmParam(realm), std::string(type), absl::StrCat(count)};
  std::string where;
  if (since.has_value()) {
    p.push_back(*since);
    absl::StrAppend(&where, " AND last_updated >= $", p.size(), "::timestamptz");
  }
  if (after.has_value()) {
    p.push_back(after->last_updated);
    p.push_back(after->id);
    p.push_back(absl::StrCat(after->version));
    absl::StrAppend(&where, " AND (last_updated, id, version) < ($", p.size() - 2,
                    "::timestamptz, $", p.size() - 1, ", $", p.size(), "::integer)");
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec(absl::StrCat("SELECT ", kColumns,
                              " FROM resource_history WHERE realm = $1::smallint AND type = $2",
                              where,
                              " ORDER BY last_updated DESC, id DESC, version DESC LIMIT "
                              "$3::integer"),
                 p));
  std::vector<StoredVersion> out;
  out.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(FromRow(r, i));
  }
  return out;
}

}  // namespace planapi::fhirengine
