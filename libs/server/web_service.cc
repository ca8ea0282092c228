#include "libs/server/web_service.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/rpc/identity.h"
#include "libs/rpc/metadata.h"
#include "libs/rpc/status.h"
#include "planapi/common/v1/web.grpc.pb.h"

namespace planapi::server {

absl::StatusOr<WebResponse> DispatchWeb(const std::vector<WebRoute>& routes,
                                        const WebRequest& request) {
  std::vector<std::string> allowed;
  for (const WebRoute& route : routes) {
    if (route.path != request.path) {
      continue;
    }
    if (route.method == request.method) {
      return route.handler(request);
    }
    allowed.push_back(route.method);
  }
  if (allowed.empty()) {
    return absl::NotFoundError(absl::StrCat("no endpoint ", request.path));
  }
  WebResponse r;
  r.status = 405;
  r.headers.emplace_back("Allow", absl::StrJoin(allowed, ", "));
  r.headers.emplace_back("Content-Type", "application/problem+json");
  r.body = absl::StrCat(R"({"title":"method not allowed","status":405,"detail":")",
                        request.method, " is not allowed here\"}");
  return r;
}

namespace {

class WebServiceImpl final : public planapi::common::v1::Web::Service {
 public:
  explicit WebServiceImpl(std::vector<WebRoute> routes) : routes_(std::move(routes)) {}

  grpc::Status Handle(grpc::ServerContext* context, const planapi::common::v1::WebRequest* in,
                      planapi::common::v1::WebResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*context, "Handle"); !who.ok()) {
      return who;
    }
    WebRequest request{.method = in->method(),
                       .path = in->path(),
                       .query = in->query(),
                       .body = in->body(),
                       .realm = in->realm(),
                       .base_url = in->base_url(),
                       .request_id = rpc::RequestIdOf(*context)};
    for (const auto& h : in->headers()) {
      request.headers.emplace(absl::AsciiStrToLower(h.name()), h.value());
    }
    absl::StatusOr<WebResponse> response = DispatchWeb(routes_, request);
    rpc::LogCallOutcome(*context, absl::StrCat("Web ", request.method, " ", request.path),
                        response.status());
    if (!response.ok()) {
      return rpc::ToGrpcStatus(response.status());
    }
    out->set_status(response->status);
    for (const auto& [name, value] : response->headers) {
      auto* h = out->add_headers();
      h->set_name(name);
      h->set_value(value);
    }
    out->set_body(std::move(response->body));
    return grpc::Status::OK;
  }

 private:
  const std::vector<WebRoute> routes_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeWebService(std::vector<WebRoute> routes) {
  return std::make_unique<WebServiceImpl>(std::move(routes));
}

}  // namespace planapi::server
