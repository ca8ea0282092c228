// The HTTP endpoints a backend owns behind the gateway (planapi.common.v1.Web): a table of
// {method, path} -> handler as data, with 404 for unknown paths and 405 (naming the allowed
// methods) for a known path with another method. Handlers see plain values, not protos.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/impl/codegen/service_type.h>

#include "absl/status/statusor.h"

namespace planapi::server {

struct WebRequest {
  std::string method;
  std::string path;   // below the gateway's route prefix, e.g. "/authorize"
  std::string query;  // raw, without '?'
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string realm;     // "production", "sandbox" or empty
  std::string base_url;  // the gateway's public base URL
  std::string request_id;
};

struct WebResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using WebHandler = std::function<absl::StatusOr<WebResponse>(const WebRequest&)>;

struct WebRoute {
  std::string method;
  std::string path;  // exact match
  WebHandler handler;
};

// Builds the gRPC service for `routes`. Errors from handlers travel as gRPC statuses; the gateway
// renders them for the route's audience (problem+json for portal APIs). Thread-safe if the
// handlers are.
std::unique_ptr<grpc::Service> MakeWebService(std::vector<WebRoute> routes);

// Routing alone, for tests and for the service: the handler's answer, NOT_FOUND for an unknown
// path, or a 405 response (with Allow) for a known path and another method.
absl::StatusOr<WebResponse> DispatchWeb(const std::vector<WebRoute>& routes,
                                        const WebRequest& request);

}  // namespace planapi::server
