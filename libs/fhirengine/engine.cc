#include "libs/fhirengine/engine.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/fhir/capability.h"
#include "libs/fhir/resource_types.h"
#include "libs/json/json.h"
#include "libs/status/issue.h"
#include "libs/status/status_macros.h"

namespace planapi::fhirengine {
namespace {

constexpr int kDefaultHistoryCount = 50;
constexpr int kMaxHistoryCount = 1000;
// What this engine does for every type today; the CapabilityStatement says exactly this.
constexpr absl::string_view kInteractions[] = {"read", "vread", "history-instance", "search-type",
                                               "create", "update", "delete"};

ResourceResult ResultOf(StoredVersion v, bool created = false) {
  return {.json = std::move(v.json),
          .version_id = absl::StrCat(v.version),
          .last_updated = std::move(v.last_updated),
          .created = created,
          .id = std::move(v.id)};
}

std::string NewId() {
  thread_local absl::BitGen gen;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(gen), absl::Uniform<uint64_t>(gen));
}

}  // namespace

bool IsValidId(absl::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '.';
  });
}

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
      searcher_(*registry_, config_.types, pool) {
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
  fhir::ServerDescription description{.name = config_.name,
                                      .software_version = PLANAPI_VERSION,
                                      .base_url = context.base_url,
                                      .types = config_.types,
                                      .type_interactions = kInteractions,
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
  PLANAPI_RETURN_IF_ERROR(CheckVisible(context, type, id));
  PLANAPI_ASSIGN_OR_RETURN(StoredVersion v, store_.Read(context.realm, type, id));
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
  PLANAPI_ASSIGN_OR_RETURN(StoredVersion v, store_.ReadVersion(context.realm, type, id, number));
  return ResultOf(std::move(v));
}

absl::StatusOr<ResourceResult> Engine::History(const Context& context, absl::string_view type,
                                               absl::string_view id, int count) const {
  PLANAPI_RETURN_IF_ERROR(CheckAddress(context, type, id));
  if (count < 0) {
    return absl::InvalidArgumentError("_count must not be negative");
  }
  count = count == 0 ? kDefaultHistoryCount : std::min(count, kMaxHistoryCount);
  PLANAPI_RETURN_IF_ERROR(CheckVisible(context, type, id));
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
    w.StartObject().Field("fullUrl", self);
    if (!v.deleted) {
      w.Key("resource").Raw(v.json);
    }
    const bool first = v.version == 1;
    w.Key("request")
        .StartObject()
        .Field("method", v.deleted ? "DELETE" : first ? "POST" : "PUT")
        .Field("url", first && !v.deleted ? std::string(type) : absl::StrCat(type, "/", id))
        .EndObject();
    w.Key("response")
        .StartObject()
        .Field("status", v.deleted ? "204" : first ? "201" : "200")
        .Field("etag", absl::StrCat("W/\"", v.version, "\""))
        .Field("lastModified", v.last_updated)
        .EndObject();
    w.EndObject();
  }
  w.EndArray().EndObject();
  return ResourceResult{.json = w.Take()};
}

absl::StatusOr<ResourceResult> Engine::Search(
    const Context& context, absl::string_view type,
    const std::vector<std::pair<std::string, std::string>>& params) const {
  PLANAPI_RETURN_IF_ERROR(Check(context, type));
  PLANAPI_ASSIGN_OR_RETURN(std::string bundle,
                           searcher_.Search({.realm = context.realm,
                                             .type = std::string(type),
                                             .params = params,
                                             .base_url = context.base_url,
                                             .patient = context.patient,
                                             .lenient = context.lenient}));
  return ResourceResult{.json = std::move(bundle)};
}

absl::StatusOr<ResourceResult> Engine::Everything(
    const Context& context, absl::string_view id,
    const std::vector<std::pair<std::string, std::string>>& params) const {
  PLANAPI_RETURN_IF_ERROR(Check(context, "Patient"));
  PLANAPI_ASSIGN_OR_RETURN(std::string bundle,
                           searcher_.Everything({.realm = context.realm,
                                                 .params = params,
                                                 .base_url = context.base_url,
                                                 .patient = context.patient},
                                                id));
  return ResourceResult{.json = std::move(bundle)};
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

absl::StatusOr<ResourceResult> Engine::Update(const Context& context, absl::string_view type,
                                              absl::string_view id,
                                              absl::string_view json) const {
  PLANAPI_RETURN_IF_ERROR(CheckAddress(context, type, id));
  PLANAPI_ASSIGN_OR_RETURN(StoredVersion v, store_.Put(context.realm, type, id, json));
  const bool created = v.version == 1;
  return ResultOf(std::move(v), created);
}

absl::StatusOr<ResourceResult> Engine::Delete(const Context& context, absl::string_view type,
                                              absl::string_view id) const {
  PLANAPI_RETURN_IF_ERROR(CheckAddress(context, type, id));
  PLANAPI_ASSIGN_OR_RETURN(StoredVersion v, store_.Delete(context.realm, type, id));
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
