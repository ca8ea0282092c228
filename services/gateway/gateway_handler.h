// Routes, checks and forwards one HTTPS request; renders every error in the format of the route's
// audience (OperationOutcome on FHIR bases, problem+json elsewhere); adds the request id and the
// security headers to every answer; counts it in the metrics (and logs server errors). The pipeline is plain code over
// immutable configuration and interfaces, so it is unit-tested without sockets or services.
// Thread-safe. Dependencies are owned by main() and outlive the handler.
#pragma once

#include <chrono>
#include <string>

#include "libs/http/server.h"
#include "services/gateway/authenticator.h"
#include "services/gateway/config.h"
#include "services/gateway/metrics.h"
#include "services/gateway/rate_limiter.h"
#include "services/gateway/routes.h"
#include "services/gateway/static_files.h"
#include "services/gateway/upstreams.h"

namespace planapi::gateway {

class GatewayHandler final : public http::Handler {
 public:
  GatewayHandler(const GatewayConfig& config, Upstreams& upstreams, Metrics& metrics,
                 const StaticFiles& files, Authenticator& authenticator);

  void Handle(http::Request request, absl::AnyInvocable<void(http::Response)> done) override;
  http::Response EdgeError(int status, absl::string_view message,
                           absl::string_view target) override;

 private:
  // Per-request state that travels with the asynchronous steps.
  struct Context {
    std::string request_id;
    std::string traceparent;
    std::string route_class;
    bool fhir_errors = false;  // render errors as OperationOutcome
    bool cors = false;         // a FHIR route: any origin may read the answer
    std::string cache_control; // for a successful answer; empty: no-store
    std::chrono::steady_clock::time_point start;
    absl::AnyInvocable<void(http::Response)> done;
  };

  void HandleLocal(const http::Request& request, std::unique_ptr<Context> ctx);
  void HandleStatic(const http::Request& request, std::unique_ptr<Context> ctx);
  void HandleFhir(http::Request request, const RouteMatch& match,
                  std::unique_ptr<Context> ctx);
  void HandleWeb(http::Request request, const RouteMatch& match, std::unique_ptr<Context> ctx);
  void Readyz(std::unique_ptr<Context> ctx);

  // Completes the request: common headers, metrics, log.
  void Finish(std::unique_ptr<Context> ctx, http::Response response);
  void FinishError(std::unique_ptr<Context> ctx, const absl::Status& status);
  // The error as the route's audience reads it; `http_status` overrides the status mapped from
  // the code (405, 413, 431 have no canonical code of their own).
  http::Response ErrorResponse(bool fhir, const absl::Status& status, absl::string_view request_id,
                               int http_status = 0) const;
  http::Response MethodNotAllowed(bool fhir, absl::string_view method, absl::string_view allowed,
                                  absl::string_view request_id) const;
  // The public base URL: configured, else https:// and the request's Host.
  std::string PublicUrl(const http::Request& request) const;
  rpc::CallInfo CallInfoOf(const Context& ctx) const;

  const GatewayConfig& config_;
  Upstreams& upstreams_;
  Metrics& metrics_;
  const StaticFiles& files_;
  Authenticator& authenticator_;
  ClientRateLimiter rate_limiter_;
  const std::string hsts_;
};

// The authz interaction a FHIR interaction needs (capabilities never reach the check).
authz::Interaction ToAuthzInteraction(FhirInteraction interaction);

// A request id from the client's X-Request-Id when it is 1..128 of [A-Za-z0-9._:-], else a new
// random one.
std::string RequestIdFrom(const http::Request& request);

}  // namespace planapi::gateway
