#include "libs/fhirengine/engine.h"

#include <algorithm>
#include <optional>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/fhir/capability.h"
#include "libs/fhir/form.h"
#include "libs/fhir/outcome.h"
#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/cursor.h"
#include "libs/json/json.h"
#include "libs/status/issue.h"
#include "libs/status/status_macros.h"

namespace planapi::fhirengine {
namespace {

constexpr int kDefaultHistoryCount = 50;
constexpr int kMaxHistoryCount = 1000;
// What an endpoint does for every type over HTTP; the CapabilityStatement says exactly this.
constexpr absl::string_view kReadInteractions[] = {"read", "vread", "history-instance",
                                                   "history-type", "search-type"};
constexpr absl::string_view kReadWriteInteractions[] = {
    "read",   "vread",  "history-instance", "history-type", "search-type",
    "create", "update", "delete"};
constexpr absl::string_view kSystemWriteInteractions[] = {"transaction", "batch"};

ResourceResult ResultOf(StoredVersion v, bool created = false) {
  std::vector<std::string> resources = {absl::StrCat(v.type, "/", v.id)};
  return {.json = std::move(v.json),
          .version_id = absl::StrCat(v.version),
          .last_updated = std::move(v.last_updated),
          .created = created,
          .id = std::move(v.id),
          .resources = std::move(resources)};
}

std::string NewId() {
  thread_local absl::BitGen gen;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(gen), absl::Uniform<uint64_t>(gen));
}

}  // namespace


absl::StatusOr<std::unique_ptr<const Engine>> Engine::Create(EngineConfig config, pg::Pool& pool) {
  absl::StatusOr<std::shared_ptr<const fhirsearch::Registry>> registry =
      fhirsearch::Registry::Load(config.types);
  if (!registry.ok()) {
    return absl::InternalError(
        absl::StrCat("the search parameter definitions cannot be used: ", registry.status().message()));
  }
  return std::make_unique<const Engine>(std::move(config), pool, *std::move(registry));
}

Engine::Engine(EngineConfig config, pg::Pool& pool,
               std::shared_ptr<const fhirsearch::Registry> registry)
    : config_(std::move(config)),
      registry_(std::move(registry)),
      store_(pool, registry_.get()),
      searcher_(*registry_, config_.types, pool),
      audit_(pool) {
  for (absl::string_view type : config_.types) {
    fhir::TypeSearch& search = search_capabilities_[std::string(type)];
    for (const std::string code : {"_id", "_lastUpdated"}) {
      if (const fhirsearch::SearchParam* p = registry_->Find(type, code); p != nullptr) {
        search.params.push_back({p->code, p->url, std::string(fhirsearch::ParamTypeName(p->type))});
      }
    }
    for (const fhirsearch::SearchParam* p : registry_->ForType(type)) {
      if (p->type == fhirsearch::ParamType::kComposite || p->code == "_id" ||
          p->code == "_lastUpdated") {
        continue;  // not searchable here, or listed first
      }
      search.params.push_back({p->code, p->url, std::string(fhirsearch::ParamTypeName(p->type))});
      if (p->type != fhirsearch::ParamType::kReference) {
        continue;
      }
      search.includes.push_back(absl::StrCat(type, ":", p->code));
      for (const std::string& target : p->targets) {
        if (fhir::Contains(config_.types, target)) {
          search_capabilities_[target].revincludes.push_back(absl::StrCat(type, ":", p->code));
        }
      }
    }
    if (!search.includes.empty()) {
      search.includes.push_back(absl::StrCat(type, ":*"));
    }
  }
}

absl::Status Engine::CheckCategory(const Context& context, absl::string_view type,
                                   absl::string_view id) const {
  if (context.categories.empty()) {
    return absl::OkStatus();
  }
  absl::StatusOr<SearchPage> page =
      searcher_.Search({.realm = context.realm,
                        .type = std::string(type),
                        .params = {{"_id", std::string(id)},
                                   {"category", absl::StrJoin(context.categories, ",")}},
                        .base_url = context.base_url,
                        .patient = context.patient});
  if (page.ok() && !page->resources.empty()) {
    return absl::OkStatus();
  }
  if (!page.ok() && page.status().code() != absl::StatusCode::kInvalidArgument) {
    return page.status();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      type, "/", id, " is outside the categories the access token grants (",
      absl::StrJoin(context.categories, ", "), ")"));
}

absl::Status Engine::CheckVisible(const Context& context, absl::string_view type,
                                  absl::string_view id) const {
  if (context.patient.empty()) {
    return absl::OkStatus();
  }
  PLANAPI_ASSIGN_OR_RETURN(bool visible,
                           searcher_.Visible(context.realm, context.patient, type, id));
  if (!visible) {
    return absl::NotFoundError(absl::StrCat(type, "/", id, " is not known"));
  }
  return absl::OkStatus();
}

ResourceResult Engine::Capabilities(const Context& context) const {
  const std::string date = absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
  {
    absl::MutexLock lock(&mu_);
    if (auto it = capabilities_.find(context.base_url);
        it != capabilities_.end() && it->second.date == date) {
      return {.json = it->second.json};
    }
  }
  using Codes = std::span<const absl::string_view>;
  fhir::ServerDescription description{.name = config_.name,
                                      .software_version = PLANAPI_VERSION,
                                      .base_url = context.base_url,
                                      .types = config_.types,
                                      .type_interactions = config_.rest_writes
                                                               ? Codes(kReadWriteInteractions)
                                                               : Codes(kReadInteractions),
                                      .system_interactions = config_.rest_writes
                                                                 ? Codes(kSystemWriteInteractions)
                                                                 : Codes(),
                                      .search = &search_capabilities_};
  if (absl::string_view base = context.base_url; config_.smart && absl::ConsumeSuffix(&base, "/fhir/r4")) {
    description.authorize_url = absl::StrCat(base, "/auth/authorize");
    description.token_url = absl::StrCat(base, "/auth/token");
  }
  std::string json = fhir::CapabilityStatementJson(description, date);
  absl::MutexLock lock(&mu_);
  if (capabilities_.size() >= 16) {
    capabilities_.clear();
  }
  capabilities_[context.base_url] = {date, json};
  return {.json = std::move(json)};
}

absl::Status Engine::CheckRealm(const Context& context) const {
  if (std::find(config_.realms.begin(), config_.realms.end(), context.realm) ==
      config_.realms.end()) {
    return absl::InvalidArgumentError(absl::StrCat("realm ", static_cast<int>(context.realm),
                                                   " is not served here"));
  }
  return absl::OkStatus();
}

absl::Status Engine::Check(const Context& context, absl::string_view type) const {
  PLANAPI_RETURN_IF_ERROR(CheckRealm(context));
  if (!fhir::Contains(config_.types, type)) {
    return status::WithIssue(
        absl::NotFoundError(absl::StrCat("resource type '", type, "' is not served here")),
        status::IssueType::kNotSupported);
  }
  return absl::OkStatus();
}

absl::Status Engine::CheckAddress(const Context& context, absl::string_view type,
                                  absl::string_view id) const {
  PLANAPI_RETURN_IF_ERROR(Check(context, type));
  if (!IsValidId(id)) {
    return absl::InvalidArgumentError(absl::StrCat("'", id, "' is not a valid resource id"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ResourceResult> Engine::Read(const Context& context, absl::string_view type,
                                            absl::string_view id) const {
  PLANAPI_RETURN_IF_ERROR(CheckAddress(context, type, id));
  // A patient's read checks the compartment in the read itself: what they may not see is as
  // unknown as what does not exist.
  std::optional<RowCondition> visible;
  if (!context.patient.empty()) {
    visible = searcher_.VisibleTo(context.realm, context.patient, type);
  }
  PLANAPI_ASSIGN_OR_RETURN(StoredVersion v,
                           store_.Read(context.realm, type, id, visible ? &*visible : nullptr));
  PLANAPI_RETURN_IF_ERROR(CheckCategory(context, type, id));
  return ResultOf(std::move(v));
}

absl::StatusOr<ResourceResult> Engine::VRead(const Context& context, absl::string_view type,
                                             absl::string_view id,
                                             absl::string_view version) const {
  PLANAPI_RETURN_IF_ERROR(CheckAddress(context, type, id));
  int number = 0;
  if (!absl::SimpleAtoi(version, &number) || number < 1) {
    return absl::InvalidArgumentError(absl::StrCat("'", version, "' is not a version id"));
  }
  PLANAPI_RETURN_IF_ERROR(CheckVisible(context, type, id));
  PLANAPI_RETURN_IF_ERROR(CheckCategory(context, type, id));
  PLANAPI_ASSIGN_OR_RETURN(StoredVersion v, store_.ReadVersion(context.realm, type, id, number));
  return ResultOf(std::move(v));
}

namespace {
// One version as an entry of a history Bundle: the resource (none for a deletion) and the
// request and response that made it.
void WriteHistoryEntry(json::Writer& w, absl::string_view base_url, const StoredVersion& v) {
  w.StartObject().Field("fullUrl", absl::StrCat(base_url, "/", v.type, "/", v.id));
  if (!v.deleted) {
    w.Key("resource").Raw(v.json);
  }
  const bool first = v.version == 1;
  w.Key("request")
      .StartObject()
      .Field("method", v.deleted ? "DELETE" : first ? "POST" : "PUT")
      .Field("url", first && !v.deleted ? v.type : absl::StrCat(v.type, "/", v.id))
      .EndObject();
  w.Key("response")
      .StartObject()
      .Field("status", v.deleted ? "204" : first ? "201" : "200")
      .Field("etag", absl::StrCat("W/\"", v.version, "\""))
      .Field("lastModified", v.last_updated)
      .EndObject();
  w.EndObject();
}
}  // namespace

absl::StatusOr<ResourceResult> Engine::History(const Context& context, absl::string_view type,
                                               absl::string_view id, int count) const {
  PLANAPI_RETURN_IF_ERROR(CheckAddress(context, type, id));
  if (count < 0) {
    return absl::InvalidArgumentError("_count must not be negative");
  }
  count = count == 0 ? kDefaultHistoryCount : std::min(count, kMaxHistoryCount);
  PLANAPI_RETURN_IF_ERROR(CheckVisible(context, type, id));
  PLANAPI_RETURN_IF_ERROR(CheckCategory(context, type, id));
  PLANAPI_ASSIGN_OR_RETURN(std::vector<StoredVersion> versions,
                           store_.History(context.realm, type, id, count));
  const std::string self = absl::StrCat(context.base_url, "/", type, "/", id);
  json::Writer w;
  w.StartObject()
      .Field("resourceType", "Bundle")
      .Field("type", "history")
      .Key("link")
      .StartArray()
      .StartObject()
      .Field("relation", "self")
      .Field("url", absl::StrCat(self, "/_history?_count=", count))
      .EndObject()
      .EndArray()
      .Key("entry")
      .StartArray();
  for (const StoredVersion& v : versions) {
    WriteHistoryEntry(w, context.base_url, v);
  }
  w.EndArray().EndObject();
  return ResourceResult{.json = w.Take(), .resources = {absl::StrCat(type, "/", id)}};
}

namespace {
// A type history page's position as a cursor: the last version on the page.
std::string EncodeHistoryCursor(const StoredVersion& v) {
  return EncodeCursor({.keys = {v.last_updated, v.id, absl::StrCat(v.version)}});
}

absl::StatusOr<ResourceStore::HistoryPosition> DecodeHistoryCursor(absl::string_view cursor) {
  PLANAPI_ASSIGN_OR_RETURN(PageCursor c, DecodeCursor(cursor, 3));
  ResourceStore::HistoryPosition p;
  absl::Time t;
  std::string error;
  if (c.previous || !c.keys[0].has_value() || !c.keys[1].has_value() || !IsValidId(*c.keys[1]) ||
      !absl::SimpleAtoi(*c.keys[2], &p.version) || p.version < 1 ||
      !absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", *c.keys[0], &t, &error)) {
    return BadCursor();
  }
  p.last_updated = *std::move(c.keys[0]);
  p.id = *std::move(c.keys[1]);
  return p;
}
}  // namespace

absl::StatusOr<ResourceResult> Engine::TypeHistory(const Context& context, absl::string_view type,
                                                   int count, absl::string_view since,
                                                   absl::string_view cursor) const {
  PLANAPI_RETURN_IF_ERROR(Check(context, type));
  if (!context.patient.empty() || !context.categories.empty()) {
    // The history of a whole type would have to be confined version by version; a patient's
    // app searches (or reads one resource's history) instead.
    return absl::PermissionDeniedError(absl::StrCat(
        "the history of every ", type, " is for system and public callers; search instead"));
  }
  if (count < 0) {
    return absl::InvalidArgumentError("_count must not be negative");
  }
  count = count == 0 ? kDefaultHistoryCount : std::min(count, kMaxHistoryCount);
  std::optional<std::string> from;
  if (!since.empty()) {
    absl::StatusOr<fhirsearch::DateRange> range = fhirsearch::ParseDateRange(since);
    if (!range.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("_since: ", range.status().message()));
    }
    from = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(range->lo),
                            absl::UTCTimeZone());
  }
  std::optional<ResourceStore::HistoryPosition> after;
  if (!cursor.empty()) {
    PLANAPI_ASSIGN_OR_RETURN(after, DecodeHistoryCursor(cursor));
  }
  // One more than the page, to know whether there is a next one.
  PLANAPI_ASSIGN_OR_RETURN(std::vector<StoredVersion> versions,
                           store_.TypeHistory(context.realm, type, count + 1, from, after));
  const bool more = versions.size() > static_cast<size_t>(count);
  if (more) {
    versions.pop_back();
  }
  std::string query = absl::StrCat("_count=", count);
  if (!since.empty()) {
    absl::StrAppend(&query, "&_since=", fhir::FormEncode(since));
  }
  const std::string self = absl::StrCat(context.base_url, "/", type, "/_history?", query);
  json::Writer w;
  w.StartObject().Field("resourceType", "Bundle").Field("type", "history").Key("link").StartArray();
  w.StartObject()
      .Field("relation", "self")
      .Field("url", cursor.empty() ? self : absl::StrCat(self, "&_cursor=", cursor))
      .EndObject();
  if (more) {
    w.StartObject()
        .Field("relation", "next")
        .Field("url", absl::StrCat(self, "&_cursor=", EncodeHistoryCursor(versions.back())))
        .EndObject();
  }
  w.EndArray();
  std::vector<std::string> resources;
  if (!versions.empty()) {  // no empty arrays in FHIR's JSON
    w.Key("entry").StartArray();
    for (const StoredVersion& v : versions) {
      WriteHistoryEntry(w, context.base_url, v);
      resources.push_back(absl::StrCat(v.type, "/", v.id));
    }
    w.EndArray();
  }
  w.EndObject();
  return ResourceResult{.json = w.Take(), .resources = std::move(resources)};
}

absl::StatusOr<ResourceResult> Engine::Search(
    const Context& context, absl::string_view type,
    const std::vector<std::pair<std::string, std::string>>& params) const {
  PLANAPI_RETURN_IF_ERROR(Check(context, type));
  PLANAPI_ASSIGN_OR_RETURN(SearchPage page,
                           searcher_.Search({.realm = context.realm,
                                             .type = std::string(type),
                                             .params = params,
                                             .base_url = context.base_url,
                                             .patient = context.patient,
                                             .lenient = context.lenient,
                                             .allowed_types = context.allowed_types}));
  return ResourceResult{.json = std::move(page.json), .resources = std::move(page.resources)};
}

absl::StatusOr<ResourceResult> Engine::Everything(
    const Context& context, absl::string_view id,
    const std::vector<std::pair<std::string, std::string>>& params) const {
  PLANAPI_RETURN_IF_ERROR(Check(context, "Patient"));
  PLANAPI_ASSIGN_OR_RETURN(SearchPage page,
                           searcher_.Everything({.realm = context.realm,
                                                 .params = params,
                                                 .base_url = context.base_url,
                                                 .patient = context.patient},
                                                id));
  return ResourceResult{.json = std::move(page.json), .resources = std::move(page.resources)};
}

absl::Status Engine::Audit(const AuditEvent& event) const {
  return config_.audit ? audit_.Record(event) : absl::OkStatus();
}

absl::StatusOr<std::vector<AuditEvent>> Engine::AuditTrail(Realm realm, absl::string_view patient,
                                                           int limit) const {
  if (!config_.audit) {
    return status::NotSupportedError("this endpoint keeps no audit trail");
  }
  if (std::find(config_.realms.begin(), config_.realms.end(), realm) == config_.realms.end()) {
    return absl::InvalidArgumentError(absl::StrCat("realm ", static_cast<int>(realm),
                                                   " is not served here"));
  }
  return audit_.ForPatient(realm, patient, limit);
}

absl::StatusOr<ResourceResult> Engine::Create(const Context& context, absl::string_view type,
                                              absl::string_view json) const {
  PLANAPI_RETURN_IF_ERROR(Check(context, type));
  // The server assigns the id; one the client sent is replaced (FHIR create semantics).
  PLANAPI_ASSIGN_OR_RETURN(rapidjson::Document doc, json::Parse(json));
  if (!doc.IsObject()) {
    return absl::InvalidArgumentError("a resource must be a JSON object");
  }
  const std::string id = NewId();
  doc.RemoveMember("id");
  PLANAPI_ASSIGN_OR_RETURN(StoredVersion v,
                           store_.Put(context.realm, type, id, json::Serialize(doc)));
  return ResultOf(std::move(v), /*created=*/true);
}

namespace {
// The version an If-Match ETag names; nullopt when there is none.
absl::StatusOr<std::optional<int>> ExpectedVersion(absl::string_view if_match) {
  if (if_match.empty()) {
    return std::nullopt;
  }
  const std::optional<int> version = fhir::VersionOfETag(if_match);
  if (!version.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "If-Match '", if_match, "' is not a version ETag such as W/\"3\""));
  }
  return version;
}
}  // namespace

absl::StatusOr<ResourceResult> Engine::Update(const Context& context, absl::string_view type,
                                              absl::string_view id, absl::string_view json,
                                              absl::string_view if_match) const {
  PLANAPI_RETURN_IF_ERROR(CheckAddress(context, type, id));
  PLANAPI_ASSIGN_OR_RETURN(std::optional<int> expected, ExpectedVersion(if_match));
  PLANAPI_ASSIGN_OR_RETURN(StoredVersion v, store_.Put(context.realm, type, id, json, expected));
  const bool created = v.version == 1;
  return ResultOf(std::move(v), created);
}

absl::StatusOr<ResourceResult> Engine::Delete(const Context& context, absl::string_view type,
                                              absl::string_view id,
                                              absl::string_view if_match) const {
  PLANAPI_RETURN_IF_ERROR(CheckAddress(context, type, id));
  PLANAPI_ASSIGN_OR_RETURN(std::optional<int> expected, ExpectedVersion(if_match));
  PLANAPI_ASSIGN_OR_RETURN(StoredVersion v, store_.Delete(context.realm, type, id, expected));
  return ResultOf(std::move(v));
}

}  // namespace planapi::fhirengine

namespace planapi::fhirengine {
namespace {

// Replaces every "reference" that names a Bundle entry's fullUrl with the entry's Type/id.
void RewriteReferences(rapidjson::Value& value,
                       const std::map<std::string, std::string, std::less<>>& targets,
                       rapidjson::Document::AllocatorType& a) {
  if (value.IsObject()) {
    for (auto& m : value.GetObject()) {
      if (m.value.IsString() && absl::string_view(m.name.GetString()) == "reference") {
        if (auto it = targets.find(absl::string_view(m.value.GetString(), m.value.GetStringLength()));
            it != targets.end()) {
          m.value.SetString(it->second.c_str(), static_cast<rapidjson::SizeType>(it->second.size()),
                            a);
        }
      } else {
        RewriteReferences(m.value, targets, a);
      }
    }
  } else if (value.IsArray()) {
    for (auto& v : value.GetArray()) {
      RewriteReferences(v, targets, a);
    }
  }
}

}  // namespace

namespace {
// Whether a status is the input's fault (the document is refused) rather than the system's.
bool IsInputError(const absl::Status& s) {
  return s.code() == absl::StatusCode::kInvalidArgument || s.code() == absl::StatusCode::kNotFound;
}
}  // namespace

absl::StatusOr<std::vector<Engine::ImportOutcome>> Engine::ImportMany(
    const Context& context, const std::vector<ImportDocument>& documents) const {
  std::vector<ImportOutcome> out(documents.size());
  std::vector<ResourceStore::Write> writes;
  for (size_t i = 0; i < documents.size(); ++i) {
    ImportOutcome& o = out[i];
    absl::StatusOr<rapidjson::Document> doc = json::Parse(documents[i].json);
    if (!doc.ok() || !doc->IsObject()) {
      o.status = doc.ok() ? absl::InvalidArgumentError("a document must be a JSON object")
                          : doc.status();
      continue;
    }
    const std::string type(json::GetString(*doc, "resourceType").value_or(""));
    if (type == "Bundle") {
      absl::StatusOr<std::vector<std::string>> written = Import(context, documents[i].json, &o.skipped);
      if (!written.ok() && !IsInputError(written.status())) {
        return written.status();
      }
      o.status = written.status();
      if (written.ok()) {
        o.written = *std::move(written);
      }
      continue;
    }
    if (absl::Status s = Check(context, type); !s.ok()) {
      o.status = s;
      continue;
    }
    const std::optional<absl::string_view> id = json::GetString(*doc, "id");
    if (id.has_value()) {
      if (!IsValidId(*id)) {
        o.status = absl::InvalidArgumentError(absl::StrCat("'", *id, "' is not a valid resource id"));
        continue;
      }
      writes.push_back({type, std::string(*id), documents[i].json, static_cast<int>(i)});
    } else {
      const std::string new_id = NewId();
      doc->AddMember("id", rapidjson::Value(new_id.c_str(), doc->GetAllocator()), doc->GetAllocator());
      writes.push_back({type, new_id, json::Serialize(*doc), static_cast<int>(i)});
    }
  }
  if (writes.empty()) {
    return out;
  }
  absl::StatusOr<std::vector<StoredVersion>> stored = store_.PutAll(context.realm, writes);
  if (stored.ok()) {
    for (const ResourceStore::Write& w : writes) {
      out[w.entry].written = {w.type};
    }
    return out;
  }
  if (!IsInputError(stored.status())) {
    return stored.status();
  }
  // One of them was refused: write them one by one, so each document gets its own answer.
  for (const ResourceStore::Write& w : writes) {
    absl::StatusOr<StoredVersion> v = store_.Put(context.realm, w.type, w.id, w.json);
    if (!v.ok() && !IsInputError(v.status())) {
      return v.status();
    }
    out[w.entry].status = v.status();
    if (v.ok()) {
      out[w.entry].written = {w.type};
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> Engine::Import(const Context& context,
                                                        absl::string_view json,
                                                        std::vector<std::string>* skipped) const {
  PLANAPI_ASSIGN_OR_RETURN(rapidjson::Document doc, json::Parse(json));
  if (!doc.IsObject()) {
    return absl::InvalidArgumentError("a document must be a JSON object");
  }
  const std::string resource_type(json::GetString(doc, "resourceType").value_or(""));
  if (resource_type != "Bundle") {
    PLANAPI_RETURN_IF_ERROR(Check(context, resource_type));
    const std::optional<absl::string_view> id = json::GetString(doc, "id");
    absl::StatusOr<ResourceResult> r =
        id.has_value() ? Update(context, resource_type, *id, json) : Create(context, resource_type, json);
    PLANAPI_RETURN_IF_ERROR(r.status());
    return std::vector<std::string>{resource_type};
  }
  const std::string bundle_type(json::GetString(doc, "type").value_or(""));
  const bool batch = bundle_type == "batch";
  if (!batch && bundle_type != "transaction" && bundle_type != "collection") {
    return absl::InvalidArgumentError(
        absl::StrCat("Bundle type '", bundle_type, "' cannot be imported; use transaction, batch or collection"));
  }
  PLANAPI_RETURN_IF_ERROR(CheckRealm(context));
  auto entries = doc.FindMember("entry");
  if (entries == doc.MemberEnd() || !entries->value.IsArray()) {
    return std::vector<std::string>{};
  }
  // First pass: every entry's address, so references between entries can be rewritten.
  std::map<std::string, std::string, std::less<>> targets;
  struct Entry {
    rapidjson::Value* resource;
    std::string type;
    std::string id;
    int index;  // position in the Bundle, for error messages
  };
  std::vector<Entry> accepted;
  auto& a = doc.GetAllocator();
  int index = 0;
  for (auto& entry : entries->value.GetArray()) {
    const int i = index++;
    auto resource = entry.IsObject() ? entry.FindMember("resource") : entry.MemberEnd();
    if (!entry.IsObject() || resource == entry.MemberEnd() || !resource->value.IsObject()) {
      return absl::InvalidArgumentError(absl::StrCat("entry ", i, " has no resource"));
    }
    const std::string type(json::GetString(resource->value, "resourceType").value_or(""));
    if (!fhir::Contains(config_.types, type)) {
      skipped->push_back(absl::StrCat("entry ", i, ": type '", type, "' is not served here"));
      continue;
    }
    std::string id(json::GetString(resource->value, "id").value_or(""));
    const std::string full_url(json::GetString(entry, "fullUrl").value_or(""));
    if (!IsValidId(id)) {
      id = NewId();
      resource->value.RemoveMember("id");
      resource->value.AddMember("id", rapidjson::Value(id.c_str(), a), a);
    }
    if (!full_url.empty()) {
      targets[full_url] = absl::StrCat(type, "/", id);
    }
    accepted.push_back({&resource->value, type, id, i});
  }
  std::vector<ResourceStore::Write> writes;
  for (Entry& e : accepted) {
    RewriteReferences(*e.resource, targets, a);
    writes.push_back({e.type, e.id, json::Serialize(*e.resource), e.index});
  }
  std::vector<std::string> written;
  if (batch) {
    for (const ResourceStore::Write& w : writes) {
      absl::StatusOr<StoredVersion> v = store_.Put(context.realm, w.type, w.id, w.json);
      if (v.ok()) {
        written.push_back(w.type);
      } else if (v.status().code() == absl::StatusCode::kInvalidArgument) {
        skipped->push_back(absl::StrCat("entry ", w.entry, " (", w.type, "/", w.id,
                                        "): ", v.status().message()));
      } else {
        return v.status();  // a fault, not bad input: the caller stops and may retry
      }
    }
    return written;
  }
  PLANAPI_ASSIGN_OR_RETURN(std::vector<StoredVersion> stored, store_.PutAll(context.realm, writes));
  for (const StoredVersion& v : stored) {
    written.push_back(v.type);
  }
  return written;
}

}  // namespace planapi::fhirengine

namespace planapi::fhirengine {
namespace {

std::string StatusLine(int code) {
  switch (code) {
    case 200:
      return "200 OK";
    case 201:
      return "201 Created";
    case 204:
      return "204 No Content";
    default:
      return absl::StrCat(code);
  }
}

}  // namespace

absl::StatusOr<ResourceResult> Engine::ConditionalCreate(const Context& context,
                                                         absl::string_view type,
                                                         absl::string_view json,
                                                         absl::string_view if_none_exist) const {
  PLANAPI_RETURN_IF_ERROR(Check(context, type));
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> query =
      fhir::ParseForm(absl::StripPrefix(if_none_exist, "?"));
  if (!query.ok() || query->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("If-None-Exist '", if_none_exist,
                                                   "' is not a search query"));
  }
  query->emplace_back("_count", "2");
  PLANAPI_ASSIGN_OR_RETURN(SearchPage page, searcher_.Search({.realm = context.realm,
                                                              .type = std::string(type),
                                                              .params = *query,
                                                              .base_url = context.base_url}));
  if (page.resources.size() > 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "If-None-Exist '", if_none_exist, "' matches more than one ", type, "; nothing created"));
  }
  if (page.resources.size() == 1) {
    const std::string id = page.resources[0].substr(type.size() + 1);
    PLANAPI_ASSIGN_OR_RETURN(StoredVersion v, store_.Read(context.realm, type, id));
    return ResultOf(std::move(v));
  }
  return Create(context, type, json);
}

absl::StatusOr<ResourceResult> Engine::Transaction(const Context& context,
                                                   absl::string_view json) const {
  PLANAPI_RETURN_IF_ERROR(CheckRealm(context));
  PLANAPI_ASSIGN_OR_RETURN(rapidjson::Document doc, json::Parse(json));
  if (!doc.IsObject() || json::GetString(doc, "resourceType") != "Bundle") {
    return absl::InvalidArgumentError("POST [base] takes a Bundle");
  }
  const std::string bundle_type(json::GetString(doc, "type").value_or(""));
  const bool transaction = bundle_type == "transaction";
  if (!transaction && bundle_type != "batch") {
    return absl::InvalidArgumentError(absl::StrCat(
        "Bundle type '", bundle_type, "' cannot be processed here; use transaction or batch"));
  }
  auto& a = doc.GetAllocator();
  struct Op {
    std::string method;
    std::string type;
    std::string id;
    rapidjson::Value* resource = nullptr;
    std::vector<std::pair<std::string, std::string>> search;  // GET Type?query
    absl::Status error;    // a batch entry that failed before it ran
    bool existing = false;  // a conditional create that matched
    std::optional<int> if_match;  // PUT, DELETE: request.ifMatch
  };
  std::vector<Op> ops;
  std::map<std::string, std::string, std::less<>> targets;  // fullUrl -> Type/id
  auto entries = doc.FindMember("entry");
  if (entries != doc.MemberEnd() && !entries->value.IsArray()) {
    return absl::InvalidArgumentError("Bundle.entry must be an array");
  }
  const int count = entries == doc.MemberEnd() ? 0 : static_cast<int>(entries->value.Size());
  for (int i = 0; i < count; ++i) {
    rapidjson::Value& entry = entries->value[i];
    Op op;
    op.error = [&]() -> absl::Status {
      if (!entry.IsObject() || !entry.HasMember("request") || !entry["request"].IsObject()) {
        return absl::InvalidArgumentError("has no request");
      }
      const rapidjson::Value& request = entry["request"];
      op.method = std::string(json::GetString(request, "method").value_or(""));
      const std::string url(json::GetString(request, "url").value_or(""));
      const size_t q = url.find('?');
      std::vector<std::string> path = absl::StrSplit(url.substr(0, q), '/', absl::SkipEmpty());
      if (path.empty() || path.size() > 2) {
        return absl::InvalidArgumentError(absl::StrCat("request.url '", url, "' is not Type or Type/id"));
      }
      op.type = path[0];
      PLANAPI_RETURN_IF_ERROR(Check(context, op.type));
      if (path.size() == 2) {
        if (!IsValidId(path[1])) {
          return absl::InvalidArgumentError(absl::StrCat("'", path[1], "' is not a valid id"));
        }
        op.id = path[1];
      }
      auto resource = entry.FindMember("resource");
      const bool has_resource = resource != entry.MemberEnd() && resource->value.IsObject();
      if (op.method == "POST" || op.method == "PUT") {
        if (!has_resource) {
          return absl::InvalidArgumentError(absl::StrCat(op.method, " needs a resource"));
        }
        if (json::GetString(resource->value, "resourceType") != op.type) {
          return absl::InvalidArgumentError("the resource's type does not match request.url");
        }
        op.resource = &resource->value;
      }
      if (op.method == "POST") {
        if (path.size() != 1 || q != std::string::npos) {
          return absl::InvalidArgumentError("POST takes request.url Type");
        }
        op.id = NewId();
        if (auto cond = json::GetString(request, "ifNoneExist"); cond.has_value()) {
          auto query = fhir::ParseForm(*cond);
          if (!query.ok() || query->empty()) {
            return absl::InvalidArgumentError(absl::StrCat("ifNoneExist '", *cond, "' is not a search query"));
          }
          query->emplace_back("_count", "2");
          PLANAPI_ASSIGN_OR_RETURN(SearchPage page,
                                   searcher_.Search({.realm = context.realm,
                                                     .type = op.type,
                                                     .params = *query,
                                                     .base_url = context.base_url}));
          if (page.resources.size() > 1) {
            return absl::FailedPreconditionError(
                absl::StrCat("ifNoneExist '", *cond, "' matches more than one ", op.type));
          }
          if (page.resources.size() == 1) {
            op.existing = true;
            op.id = page.resources[0].substr(op.type.size() + 1);
          }
        }
      } else if (op.method == "PUT" || op.method == "DELETE") {
        if (path.size() != 2) {
          return absl::InvalidArgumentError(absl::StrCat(op.method, " takes request.url Type/id (conditional forms are not supported)"));
        }
        PLANAPI_ASSIGN_OR_RETURN(
            op.if_match,
            ExpectedVersion(json::GetString(request, "ifMatch").value_or(absl::string_view())));
      } else if (op.method == "GET") {
        if (q != std::string::npos) {
          if (path.size() != 1) {
            return absl::InvalidArgumentError("GET takes Type/id or Type?query");
          }
          PLANAPI_ASSIGN_OR_RETURN(op.search, fhir::ParseForm(url.substr(q + 1)));
        } else if (path.size() != 2) {
          return absl::InvalidArgumentError("GET takes Type/id or Type?query");
        }
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("request.method '", op.method, "' is not POST, PUT, DELETE or GET"));
      }
      if (const auto full_url = json::GetString(entry, "fullUrl");
          full_url.has_value() && op.resource != nullptr) {
        targets[std::string(*full_url)] = absl::StrCat(op.type, "/", op.id);
      }
      return absl::OkStatus();
    }();
    if (!op.error.ok() && transaction) {
      return absl::Status(op.error.code(), absl::StrCat("entry ", i, ": ", op.error.message()));
    }
    ops.push_back(std::move(op));
  }
  // References between entries (fullUrl, e.g. urn:uuid:) become the ids assigned above.
  std::vector<std::string> bodies(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    Op& op = ops[i];
    if (op.resource == nullptr || !op.error.ok()) {
      continue;
    }
    RewriteReferences(*op.resource, targets, a);
    op.resource->RemoveMember("id");
    op.resource->AddMember("id", rapidjson::Value(op.id.c_str(), a), a);
    bodies[i] = json::Serialize(*op.resource);
  }

  struct Outcome {
    absl::Status status;
    int http = 200;
    StoredVersion version;
    std::string body;  // GET: the resource or Bundle
  };
  std::vector<Outcome> outcomes(ops.size());
  auto run_get = [&](const Op& op, Outcome& out) {
    if (!op.search.empty() || op.id.empty()) {
      absl::StatusOr<SearchPage> page = searcher_.Search({.realm = context.realm,
                                                          .type = op.type,
                                                          .params = op.search,
                                                          .base_url = context.base_url});
      out.status = page.status();
      if (page.ok()) {
        out.body = std::move(page->json);
      }
      return;
    }
    absl::StatusOr<StoredVersion> v = store_.Read(context.realm, op.type, op.id);
    out.status = v.status();
    if (v.ok()) {
      out.body = v->json;
      out.version = *std::move(v);
    }
  };
  if (transaction) {
    std::vector<ResourceStore::Write> writes;
    for (size_t i = 0; i < ops.size(); ++i) {
      const Op& op = ops[i];
      if ((op.method == "POST" && !op.existing) || op.method == "PUT") {
        writes.push_back({.type = op.type,
                          .id = op.id,
                          .json = bodies[i],
                          .entry = static_cast<int>(i),
                          .if_match = op.if_match});
      } else if (op.method == "DELETE") {
        writes.push_back({.type = op.type,
                          .id = op.id,
                          .entry = static_cast<int>(i),
                          .remove = true,
                          .if_match = op.if_match});
      }
    }
    PLANAPI_ASSIGN_OR_RETURN(std::vector<StoredVersion> stored, store_.PutAll(context.realm, writes));
    std::map<std::string, StoredVersion, std::less<>> by_address;
    for (StoredVersion& v : stored) {
      by_address[absl::StrCat(v.type, "/", v.id)] = std::move(v);
    }
    for (size_t i = 0; i < ops.size(); ++i) {
      const Op& op = ops[i];
      Outcome& out = outcomes[i];
      if (op.method == "GET") {
        run_get(op, out);
        if (!out.status.ok()) {
          return absl::Status(out.status.code(),
                              absl::StrCat("entry ", i, ": ", out.status.message()));
        }
        continue;
      }
      if (op.existing) {
        absl::StatusOr<StoredVersion> v = store_.Read(context.realm, op.type, op.id);
        PLANAPI_RETURN_IF_ERROR(v.status());
        out.version = *std::move(v);
        continue;
      }
      out.version = by_address[absl::StrCat(op.type, "/", op.id)];
      out.http = op.method == "DELETE" ? 204 : out.version.version == 1 ? 201 : 200;
    }
  } else {
    for (size_t i = 0; i < ops.size(); ++i) {
      const Op& op = ops[i];
      Outcome& out = outcomes[i];
      if (!op.error.ok()) {
        out.status = op.error;
        continue;
      }
      if (op.method == "GET") {
        run_get(op, out);
      } else if (op.existing) {
        absl::StatusOr<StoredVersion> v = store_.Read(context.realm, op.type, op.id);
        out.status = v.status();
        if (v.ok()) out.version = *std::move(v);
      } else if (op.method == "DELETE") {
        absl::StatusOr<std::vector<StoredVersion>> v = store_.PutAll(
            context.realm,
            {{.type = op.type, .id = op.id, .remove = true, .if_match = op.if_match}});
        out.status = v.status();
        out.http = 204;
        if (v.ok()) out.version = (*v)[0];
      } else {
        absl::StatusOr<StoredVersion> v =
            store_.Put(context.realm, op.type, op.id, bodies[i], op.if_match);
        out.status = v.status();
        if (v.ok()) {
          out.http = v->version == 1 ? 201 : 200;
          out.version = *std::move(v);
        }
      }
    }
  }

  json::Writer w;
  w.StartObject()
      .Field("resourceType", "Bundle")
      .Field("type", transaction ? "transaction-response" : "batch-response");
  if (!ops.empty()) {  // no empty arrays in FHIR's JSON
    w.Key("entry").StartArray();
  }
  std::vector<std::string> touched;
  for (size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    const Outcome& out = outcomes[i];
    w.StartObject();
    if (out.status.ok() && op.method == "GET") {
      w.Key("resource").Raw(out.body);
    }
    w.Key("response").StartObject();
    if (!out.status.ok()) {
      const fhir::HttpError error = fhir::ToHttpError(out.status, "");
      w.Field("status", absl::StrCat(error.http_status)).Key("outcome").Raw(error.body);
    } else {
      w.Field("status", StatusLine(op.method == "GET" ? 200 : out.http));
      if (out.version.version > 0 && op.method != "GET") {
        w.Field("location", absl::StrCat(op.type, "/", op.id, "/_history/", out.version.version))
            .Field("etag", absl::StrCat("W/\"", out.version.version, "\""))
            .Field("lastModified", out.version.last_updated);
        touched.push_back(absl::StrCat(op.type, "/", op.id));
      }
    }
    w.EndObject().EndObject();
  }
  if (!ops.empty()) {
    w.EndArray();
  }
  w.EndObject();
  return ResourceResult{.json = w.Take(), .resources = std::move(touched)};
}

}  // namespace planapi::fhirengine
