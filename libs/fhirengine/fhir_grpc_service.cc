#include "libs/fhirengine/fhir_grpc_service.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "libs/rpc/identity.h"
#include "libs/rpc/metadata.h"
#include "libs/rpc/status.h"
#include "planapi/fhir/v1/fhir_service.grpc.pb.h"

namespace planapi::fhirengine {
namespace {

namespace pb = planapi::fhir::v1;

// The patient a patient-scoped token confines the caller to, set by the gateway after it
// verified the token (only the gateway reaches the backends).
constexpr char kPatientKey[] = "x-planapi-patient";
// Granular scopes: the categories a read must fall in (comma-separated), set by the gateway.
constexpr char kCategoriesKey[] = "x-planapi-categories";
// The types the token may search (comma-separated), set by the gateway for member data.
constexpr char kTypesKey[] = "x-planapi-types";
// The OAuth client and the user (account) behind an app's request, for the audit trail.
constexpr char kClientKey[] = "x-planapi-client";
constexpr char kUserKey[] = "x-planapi-user";

std::string Metadata(const grpc::ServerContext& call, const char* key) {
  const auto& md = call.client_metadata();
  auto it = md.find(key);
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

std::string QueryOf(const google::protobuf::RepeatedPtrField<pb::QueryParam>& params) {
  std::string out;
  for (const auto& p : params) {
    absl::StrAppend(&out, out.empty() ? "" : "&", p.name(), "=", p.value());
  }
  return out;
}

Context ContextOf(const pb::RequestContext& in, const grpc::ServerContext* call = nullptr) {
  // A number outside the enum keeps its value, which no engine serves: the engine refuses it.
  Context c{.realm = static_cast<Realm>(in.realm()), .base_url = in.base_url()};
  if (call != nullptr) {
    const auto& md = call->client_metadata();
    if (auto it = md.find(kPatientKey); it != md.end()) {
      c.patient.assign(it->second.data(), it->second.size());
    }
    if (auto it = md.find(kTypesKey); it != md.end()) {
      c.allowed_types = absl::StrSplit(absl::string_view(it->second.data(), it->second.size()),
                                       ',', absl::SkipEmpty());
    }
    if (auto it = md.find(kCategoriesKey); it != md.end()) {
      c.categories = absl::StrSplit(absl::string_view(it->second.data(), it->second.size()), ',',
                                    absl::SkipEmpty());
    }
  }
  return c;
}

// Lists an import error, up to a bound: the summary must stay a small message however bad the
// input.
void AddError(pb::ImportResponse* out, const std::string& source, absl::string_view message) {
  constexpr int kMaxListed = 1000;
  if (out->errors_size() >= kMaxListed) {
    out->set_errors_not_listed(out->errors_not_listed() + 1);
    return;
  }
  auto* e = out->add_errors();
  e->set_source(source);
  e->set_message(std::string(message));
}

grpc::Status Answer(const grpc::ServerContext& context, absl::string_view method,
                    const absl::StatusOr<ResourceResult>& result, pb::ResourceResponse* out) {
  rpc::LogCallOutcome(context, method, result.status());
  if (!result.ok()) {
    return rpc::ToGrpcStatus(result.status());
  }
  out->set_resource_json(result->json);
  out->set_version_id(result->version_id);
  out->set_last_updated(result->last_updated);
  out->set_created(result->created);
  out->set_id(result->id);
  return grpc::Status::OK;
}

class FhirGrpcService final : public pb::Fhir::Service {
 public:
  explicit FhirGrpcService(std::unique_ptr<const Engine> engine) : engine_(std::move(engine)) {}

  // An app's read of member data (the gateway names its OAuth client) is written to the audit
  // trail before it is answered; when that fails, nothing is answered.
  absl::StatusOr<ResourceResult> Audited(const grpc::ServerContext& call, const Context& c,
                                         absl::string_view interaction, absl::string_view type,
                                         std::string query,
                                         absl::StatusOr<ResourceResult> result) const {
    if (!engine_->audits()) {
      return result;
    }
    std::string client = Metadata(call, kClientKey);
    if (client.empty()) {
      return result;
    }
    AuditEvent e{.realm = c.realm,
                 .client_id = std::move(client),
                 .user_id = Metadata(call, kUserKey),
                 .patient = c.patient,
                 .interaction = std::string(interaction),
                 .type = std::string(type),
                 .query = std::move(query),
                 .outcome = static_cast<int>(result.status().code()),
                 .request_id = rpc::RequestIdOf(call)};
    if (result.ok()) {
      e.resources = result->resources;
    }
    if (absl::Status s = engine_->Audit(e); !s.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "the access could not be written to the audit trail, so nothing is returned: ",
          s.message()));
    }
    return result;
  }

  grpc::Status Capabilities(grpc::ServerContext* context, const pb::CapabilitiesRequest* in,
                            pb::ResourceResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "Capabilities"); !who.ok()) {
      return who;
    }
    return Answer(*context, "Capabilities", engine_->Capabilities(ContextOf(in->context())), out);
  }

  grpc::Status Read(grpc::ServerContext* context, const pb::ReadRequest* in,
                    pb::ResourceResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "Read"); !who.ok()) {
      return who;
    }
    const Context c = ContextOf(in->context(), context);
    return Answer(*context, "Read",
                  Audited(*context, c, "read", in->type(), "",
                          engine_->Read(c, in->type(), in->id())),
                  out);
  }

  grpc::Status VRead(grpc::ServerContext* context, const pb::VReadRequest* in,
                     pb::ResourceResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "VRead"); !who.ok()) {
      return who;
    }
    const Context c = ContextOf(in->context(), context);
    return Answer(*context, "VRead",
                  Audited(*context, c, "vread", in->type(), "",
                          engine_->VRead(c, in->type(), in->id(), in->version_id())),
                  out);
  }

  grpc::Status History(grpc::ServerContext* context, const pb::HistoryRequest* in,
                       pb::ResourceResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "History"); !who.ok()) {
      return who;
    }
    const Context c = ContextOf(in->context(), context);
    if (in->id().empty()) {
      return Answer(*context, "History",
                    Audited(*context, c, "history-type", in->type(), "",
                            engine_->TypeHistory(c, in->type(), in->count(), in->since(),
                                                 in->cursor())),
                    out);
    }
    return Answer(*context, "History",
                  Audited(*context, c, "history", in->type(), "",
                          engine_->History(c, in->type(), in->id(), in->count())),
                  out);
  }

  grpc::Status Create(grpc::ServerContext* context, const pb::WriteRequest* in,
                      pb::ResourceResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "Create"); !who.ok()) {
      return who;
    }
    if (!in->id().empty()) {
      return Answer(*context, "Create",
                    absl::InvalidArgumentError("create assigns the id; use update for a given id"),
                    out);
    }
    if (!in->if_none_exist().empty()) {
      return Answer(*context, "Create",
                    engine_->ConditionalCreate(ContextOf(in->context()), in->type(),
                                               in->resource_json(), in->if_none_exist()),
                    out);
    }
    return Answer(*context, "Create",
                  engine_->Create(ContextOf(in->context()), in->type(), in->resource_json()), out);
  }

  grpc::Status Transaction(grpc::ServerContext* context, const pb::WriteRequest* in,
                           pb::ResourceResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "Transaction"); !who.ok()) {
      return who;
    }
    return Answer(*context, "Transaction",
                  engine_->Transaction(ContextOf(in->context()), in->resource_json()), out);
  }

  grpc::Status Update(grpc::ServerContext* context, const pb::WriteRequest* in,
                      pb::ResourceResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "Update"); !who.ok()) {
      return who;
    }
    return Answer(*context, "Update",
                  engine_->Update(ContextOf(in->context()), in->type(), in->id(),
                                  in->resource_json(), in->if_match()),
                  out);
  }

  grpc::Status Delete(grpc::ServerContext* context, const pb::DeleteRequest* in,
                      pb::ResourceResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "Delete"); !who.ok()) {
      return who;
    }
    return Answer(*context, "Delete",
                  engine_->Delete(ContextOf(in->context()), in->type(), in->id(), in->if_match()),
                  out);
  }

  grpc::Status Import(grpc::ServerContext* context, grpc::ServerReader<pb::ImportRequest>* reader,
                      pb::ImportResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "Import"); !who.ok()) {
      return who;
    }
    // Documents are stored in batches (ImportMany): up to kBatch documents or kBatchBytes,
    // whichever comes first, so memory stays bounded and NDJSON is not written a line at a time.
    constexpr size_t kBatch = 500;
    constexpr size_t kBatchBytes = 8 << 20;
    pb::ImportRequest in;
    std::map<std::string, int64_t> by_type;
    std::vector<Engine::ImportDocument> batch;
    size_t bytes = 0;
    Context batch_context;
    auto flush = [&]() -> absl::Status {
      if (batch.empty()) {
        return absl::OkStatus();
      }
      absl::StatusOr<std::vector<Engine::ImportOutcome>> outcomes =
          engine_->ImportMany(batch_context, batch);
      if (!outcomes.ok()) {
        // A fault, not bad input: stop, so the caller can retry from this batch.
        return absl::Status(outcomes.status().code(),
                            absl::StrCat(batch.front().source, ": ", outcomes.status().message()));
      }
      for (size_t i = 0; i < batch.size(); ++i) {
        const Engine::ImportOutcome& o = (*outcomes)[i];
        if (!o.status.ok()) {
          AddError(out, batch[i].source, o.status.message());
          continue;
        }
        for (const std::string& type : o.written) {
          ++by_type[type];
        }
        out->set_resources_written(out->resources_written() + static_cast<int64_t>(o.written.size()));
        for (const std::string& reason : o.skipped) {
          AddError(out, batch[i].source, reason);
        }
      }
      batch.clear();
      bytes = 0;
      return absl::OkStatus();
    };
    while (reader->Read(&in)) {
      out->set_documents(out->documents() + 1);
      const Context c = ContextOf(in.context());
      if (!batch.empty() && (c.realm != batch_context.realm || batch.size() >= kBatch ||
                             bytes >= kBatchBytes)) {
        if (absl::Status s = flush(); !s.ok()) {
          rpc::LogCallOutcome(*context, "Import", s);
          return rpc::ToGrpcStatus(s);
        }
      }
      batch_context = c;
      bytes += in.document().size();
      batch.push_back({std::move(*in.mutable_source()), std::move(*in.mutable_document())});
    }
    if (absl::Status s = flush(); !s.ok()) {
      rpc::LogCallOutcome(*context, "Import", s);
      return rpc::ToGrpcStatus(s);
    }
    for (const auto& [type, count] : by_type) {
      auto* c = out->add_written_by_type();
      c->set_type(type);
      c->set_count(count);
    }
    rpc::LogCallOutcome(*context, "Import", absl::OkStatus());
    return grpc::Status::OK;
  }

  grpc::Status Everything(grpc::ServerContext* context, const pb::EverythingRequest* in,
                          pb::ResourceResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "Everything"); !who.ok()) {
      return who;
    }
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& p : in->params()) {
      params.emplace_back(p.name(), p.value());
    }
    const Context c = ContextOf(in->context(), context);
    return Answer(*context, "Everything",
                  Audited(*context, c, "everything", "Patient", QueryOf(in->params()),
                          engine_->Everything(c, in->id(), params)),
                  out);
  }

  grpc::Status Search(grpc::ServerContext* context, const pb::SearchRequest* in,
                      pb::ResourceResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "Search"); !who.ok()) {
      return who;
    }
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& p : in->params()) {
      params.emplace_back(p.name(), p.value());
    }
    Context c = ContextOf(in->context(), context);
    c.lenient = in->lenient();
    return Answer(*context, "Search",
                  Audited(*context, c, "search", in->type(), QueryOf(in->params()),
                          engine_->Search(c, in->type(), params)),
                  out);
  }

  grpc::Status AuditTrail(grpc::ServerContext* context, const pb::AuditTrailRequest* in,
                          pb::AuditTrailResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "AuditTrail"); !who.ok()) {
      return who;
    }
    absl::StatusOr<std::vector<AuditEvent>> events =
        engine_->AuditTrail(static_cast<Realm>(in->context().realm()), in->patient(),
                            in->limit() == 0 ? 100 : in->limit());
    rpc::LogCallOutcome(*context, "AuditTrail", events.status());
    if (!events.ok()) {
      return rpc::ToGrpcStatus(events.status());
    }
    for (const AuditEvent& e : *events) {
      pb::AuditEvent* o = out->add_events();
      o->set_at(e.at);
      o->set_client_id(e.client_id);
      o->set_user_id(e.user_id);
      o->set_patient(e.patient);
      o->set_interaction(e.interaction);
      o->set_type(e.type);
      for (const std::string& r : e.resources) {
        o->add_resources(r);
      }
      o->set_query(e.query);
      o->set_outcome(e.outcome);
      o->set_request_id(e.request_id);
    }
    return grpc::Status::OK;
  }

 private:
  const std::unique_ptr<const Engine> engine_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeFhirGrpcService(std::unique_ptr<const Engine> engine) {
  return std::make_unique<FhirGrpcService>(std::move(engine));
}

}  // namespace planapi::fhirengine
