#include "services/gateway/grpc_upstreams.h"

#include <optional>

#include "libs/rpc/channel.h"
#include "libs/rpc/status.h"
#include "planapi/common/v1/web.grpc.pb.h"
#include "planapi/fhir/v1/fhir_service.grpc.pb.h"

namespace planapi::gateway {

absl::string_view UpstreamName(Upstream upstream) {
  switch (upstream) {
    case Upstream::kAuth:
      return "auth";
    case Upstream::kFhir:
      return "fhir";
    case Upstream::kDirectory:
      return "directory";
    case Upstream::kRegistry:
      return "registry";
    case Upstream::kReview:
      return "review";
  }
  return "unknown";
}

absl::string_view RealmName(Realm realm) {
  switch (realm) {
    case Realm::kProduction:
      return "production";
    case Realm::kSandbox:
      return "sandbox";
    case Realm::kDirectory:
      return "directory";
    case Realm::kNone:
      break;
  }
  return "";
}

namespace {

namespace fhirpb = planapi::fhir::v1;
namespace commonpb = planapi::common::v1;

fhirpb::Realm ToProto(Realm realm) {
  switch (realm) {
    case Realm::kProduction:
      return fhirpb::REALM_PRODUCTION;
    case Realm::kSandbox:
      return fhirpb::REALM_SANDBOX;
    case Realm::kDirectory:
      return fhirpb::REALM_DIRECTORY;
    case Realm::kNone:
      break;
  }
  return fhirpb::REALM_UNSPECIFIED;
}

// One in-flight call: everything gRPC needs alive until the callback runs.
template <typename Request, typename Response, typename Result>
struct Call {
  grpc::ClientContext context;
  Request request;
  Response response;
  absl::AnyInvocable<void(absl::StatusOr<Result>)> done;
};

using FhirAsync = fhirpb::Fhir::StubInterface::async_interface;

// The verified caller of a member-data call, as gRPC metadata for the FHIR service.
struct PrincipalMetadata {
  std::string patient;
  std::string scopes;
  std::string client;
  std::string user;
  std::string categories;  // comma-separated: reads must fall in one of them
  std::string types;       // comma-separated: what includes, _has and chains may reach
  bool member = false;     // a member-data call: types is always sent, even when empty
};
// A unary FHIR method of the callback API (the explicit type picks the std::function overload).
template <typename Request>
using FhirMethod = void (FhirAsync::*)(grpc::ClientContext*, const Request*,
                                       fhirpb::ResourceResponse*, std::function<void(grpc::Status)>);

class GrpcUpstreams final : public Upstreams {
 public:
  GrpcUpstreams(const std::map<Upstream, std::string>& addresses, Metrics& metrics)
      : metrics_(metrics) {
    for (const auto& [upstream, address] : addresses) {
      Channel& c = channels_[upstream];
      c.channel = rpc::MakeChannel(address);
      c.fhir = fhirpb::Fhir::NewStub(c.channel);
      c.web = commonpb::Web::NewStub(c.channel);
    }
  }

  void Fhir(Upstream to, FhirCall call, const rpc::CallInfo& info,
            absl::AnyInvocable<void(absl::StatusOr<FhirResult>)> done) override {
    const PrincipalMetadata principal{call.principal_patient, call.principal_scopes,
                                      call.principal_client, call.principal_user,
                                      call.principal_categories, call.principal_types,
                                      !call.principal_client.empty()};
    fhirpb::RequestContext context;
    context.set_realm(ToProto(call.realm));
    context.set_base_url(call.base_url);
    auto with = [&](auto request) {
      *request.mutable_context() = std::move(context);
      return request;
    };
    switch (call.interaction) {
      case FhirInteraction::kCapabilities:
        return Unary(to, principal, &FhirAsync::Capabilities, with(fhirpb::CapabilitiesRequest()), info,
                     std::move(done));
      case FhirInteraction::kRead: {
        fhirpb::ReadRequest r = with(fhirpb::ReadRequest());
        r.set_type(call.type);
        r.set_id(call.id);
        return Unary(to, principal, &FhirAsync::Read, std::move(r), info, std::move(done));
      }
      case FhirInteraction::kVRead: {
        fhirpb::VReadRequest r = with(fhirpb::VReadRequest());
        r.set_type(call.type);
        r.set_id(call.id);
        r.set_version_id(call.version_id);
        return Unary(to, principal, &FhirAsync::VRead, std::move(r), info, std::move(done));
      }
      case FhirInteraction::kHistoryInstance:
      case FhirInteraction::kHistoryType: {
        fhirpb::HistoryRequest r = with(fhirpb::HistoryRequest());
        r.set_type(call.type);
        r.set_id(call.id);  // empty for the type's history
        r.set_count(call.count);
        r.set_since(std::move(call.since));
        r.set_cursor(std::move(call.cursor));
        return Unary(to, principal, &FhirAsync::History, std::move(r), info, std::move(done));
      }
      case FhirInteraction::kSearchType: {
        fhirpb::SearchRequest r = with(fhirpb::SearchRequest());
        r.set_type(call.type);
        r.set_lenient(call.lenient);
        for (auto& [name, value] : call.params) {
          auto* p = r.add_params();
          p->set_name(std::move(name));
          p->set_value(std::move(value));
        }
        return Unary(to, principal, &FhirAsync::Search, std::move(r), info, std::move(done));
      }
      case FhirInteraction::kEverything: {
        fhirpb::EverythingRequest r = with(fhirpb::EverythingRequest());
        r.set_id(call.id);
        for (auto& [name, value] : call.params) {
          auto* p = r.add_params();
          p->set_name(std::move(name));
          p->set_value(std::move(value));
        }
        return Unary(to, principal, &FhirAsync::Everything, std::move(r), info, std::move(done));
      }
      case FhirInteraction::kCreate:
      case FhirInteraction::kUpdate:
      case FhirInteraction::kTransaction: {
        // The gateway forwards writes only for tokens with system/ scopes (gateway_handler.cc).
        fhirpb::WriteRequest r = with(fhirpb::WriteRequest());
        r.set_type(call.type);
        r.set_id(call.id);
        r.set_resource_json(std::move(call.body));
        r.set_if_none_exist(std::move(call.if_none_exist));
        r.set_if_match(std::move(call.if_match));
        // Assigned one by one: each name is an overload set that only the target type resolves.
        FhirMethod<fhirpb::WriteRequest> method = &FhirAsync::Transaction;
        if (call.interaction == FhirInteraction::kCreate) {
          method = &FhirAsync::Create;
        } else if (call.interaction == FhirInteraction::kUpdate) {
          method = &FhirAsync::Update;
        }
        return Unary(to, principal, method, std::move(r), info, std::move(done));
      }
      case FhirInteraction::kDelete: {
        fhirpb::DeleteRequest r = with(fhirpb::DeleteRequest());
        r.set_type(call.type);
        r.set_id(call.id);
        r.set_if_match(std::move(call.if_match));
        return Unary(to, principal, &FhirAsync::Delete, std::move(r), info, std::move(done));
      }
    }
  }

  void Web(Upstream to, WebCall call, const rpc::CallInfo& info,
           absl::AnyInvocable<void(absl::StatusOr<WebResult>)> done) override {
    auto* c = new Call<commonpb::WebRequest, commonpb::WebResponse, WebResult>();
    c->done = std::move(done);
    c->request.set_method(std::move(call.method));
    c->request.set_path(std::move(call.path));
    c->request.set_query(std::move(call.query));
    for (auto& [name, value] : call.headers) {
      auto* h = c->request.add_headers();
      h->set_name(std::move(name));
      h->set_value(std::move(value));
    }
    c->request.set_body(std::move(call.body));
    c->request.set_realm(std::string(RealmName(call.realm)));
    c->request.set_base_url(std::move(call.base_url));
    rpc::PrepareClientContext(c->context, info);
    channels_.at(to).web->async()->Handle(
        &c->context, &c->request, &c->response, [this, c, to](grpc::Status status) {
          const absl::Status s = rpc::FromGrpcStatus(status);
          std::optional<WebResult> result;
          if (!s.ok()) {
            metrics_.CountUpstreamError(UpstreamName(to), s.code());
          } else {
            result.emplace(WebResult{.status = c->response.status(),
                                     .body = std::move(*c->response.mutable_body())});
            for (const auto& h : c->response.headers()) {
              result->headers.emplace_back(h.name(), h.value());
            }
          }
          // The call is gone before `done` runs (see rpc::CheckHealthAsync).
          auto done = std::move(c->done);
          delete c;
          if (result.has_value()) {
            done(*std::move(result));
          } else {
            done(s);
          }
        });
  }

  void Health(Upstream to, const rpc::CallInfo& info,
              absl::AnyInvocable<void(absl::Status)> done) override {
    // CheckHealthAsync takes a copyable callback; the AnyInvocable rides in a shared holder.
    auto holder = std::make_shared<absl::AnyInvocable<void(absl::Status)>>(std::move(done));
    rpc::CheckHealthAsync(*channels_.at(to).channel, info,
                          [holder](absl::Status s) { (*holder)(std::move(s)); });
  }

 private:
  struct Channel {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<fhirpb::Fhir::Stub> fhir;
    std::unique_ptr<commonpb::Web::Stub> web;
  };
  // Starts `method` on the upstream's channel; `done` gets the resource or the mapped status.
  template <typename Request>
  void Unary(Upstream to, const PrincipalMetadata& principal, FhirMethod<Request> method,
             Request request, const rpc::CallInfo& info,
             absl::AnyInvocable<void(absl::StatusOr<FhirResult>)> done) {
    auto* c = new Call<Request, fhirpb::ResourceResponse, FhirResult>();
    c->done = std::move(done);
    c->request = std::move(request);
    rpc::PrepareClientContext(c->context, info);
    if (!principal.patient.empty()) {
      c->context.AddMetadata("x-planapi-patient", principal.patient);
    }
    if (!principal.scopes.empty()) {
      c->context.AddMetadata("x-planapi-scopes", principal.scopes);
    }
    if (!principal.client.empty()) {
      c->context.AddMetadata("x-planapi-client", principal.client);
    }
    if (!principal.user.empty()) {
      c->context.AddMetadata("x-planapi-user", principal.user);
    }
    if (!principal.categories.empty()) {
      c->context.AddMetadata("x-planapi-categories", principal.categories);
    }
    if (principal.member) {
      c->context.AddMetadata("x-planapi-types", principal.types);
    }
    FhirAsync* async = channels_.at(to).fhir->async();
    (async->*method)(
        &c->context, &c->request, &c->response, [this, c, to](grpc::Status status) {
          const absl::Status s = rpc::FromGrpcStatus(status);
          std::optional<FhirResult> result;
          if (!s.ok()) {
            metrics_.CountUpstreamError(UpstreamName(to), s.code());
          } else {
            result.emplace(FhirResult{.json = std::move(*c->response.mutable_resource_json()),
                                      .version_id = c->response.version_id(),
                                      .last_updated = c->response.last_updated(),
                                      .created = c->response.created(),
                                      .id = c->response.id()});
          }
          // The call is gone before `done` runs (see rpc::CheckHealthAsync).
          auto done = std::move(c->done);
          delete c;
          if (result.has_value()) {
            done(*std::move(result));
          } else {
            done(s);
          }
        });
  }

  Metrics& metrics_;
  std::map<Upstream, Channel> channels_;  // fixed after construction
};

}  // namespace

std::unique_ptr<Upstreams> MakeGrpcUpstreams(const std::map<Upstream, std::string>& addresses,
                                             Metrics& metrics) {
  return std::make_unique<GrpcUpstreams>(addresses, metrics);
}

}  // namespace planapi::gateway
