#include "services/gateway/gateway_handler.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/fhir/outcome.h"
#include "libs/fhir/resource_types.h"
#include "libs/json/json.h"
#include "libs/runtime/log.h"
#include "libs/status/issue.h"
#include "services/gateway/fhir_request.h"

namespace planapi::gateway {
namespace {

constexpr char kFhirJson[] = "application/fhir+json; charset=utf-8";

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-' || c == ':';
}

// W3C trace context: 00-<32 hex>-<16 hex>-<2 hex>.
bool IsTraceparent(absl::string_view v) {
  if (v.size() != 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') {
    return false;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (i != 2 && i != 35 && i != 52 && !absl::ascii_isxdigit(v[i])) {
      return false;
    }
  }
  return true;
}

std::string HttpDate(absl::Time t) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", t, absl::UTCTimeZone());
}

absl::string_view ReasonOf(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status >= 500 ? "Internal Server Error" : "Error";
  }
}

// Upstream transport failures carry addresses and library text; clients get a plain sentence.
absl::Status Sanitize(absl::Status status, Upstream upstream) {
  if (status.code() == absl::StatusCode::kUnavailable) {
    return absl::UnavailableError(
        absl::StrCat("the ", UpstreamName(upstream), " service is unavailable; try again shortly"));
  }
  if (status.code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::DeadlineExceededError(
        absl::StrCat("the ", UpstreamName(upstream), " service did not answer in time"));
  }
  return status;
}

// Hop-by-hop and gateway-owned headers are not forwarded to services.
bool IsForwardedHeader(absl::string_view name) {
  return name != "connection" && name != "keep-alive" && name != "transfer-encoding" &&
         name != "upgrade" && name != "te" && name != "proxy-authorization" &&
         name != "content-length" && name != "forwarded" && name != "x-real-ip" &&
         !absl::StartsWith(name, "x-forwarded-");
}

// A Host header fit to build URLs from: host or IP literal, optional port, nothing else.
bool IsPlainHost(absl::string_view host) {
  if (host.empty() || host.size() > 255) {
    return false;
  }
  for (char c : host) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']') {
      return false;
    }
  }
  return true;
}

}  // namespace

authz::Interaction ToAuthzInteraction(FhirInteraction interaction) {
  switch (interaction) {
    case FhirInteraction::kRead:
      return authz::Interaction::kRead;
    case FhirInteraction::kVRead:
      return authz::Interaction::kVRead;
    case FhirInteraction::kHistoryInstance:
      return authz::Interaction::kHistory;
    case FhirInteraction::kCreate:
      return authz::Interaction::kCreate;
    case FhirInteraction::kUpdate:
      return authz::Interaction::kUpdate;
    case FhirInteraction::kDelete:
      return authz::Interaction::kDelete;
    case FhirInteraction::kTransaction:
      return authz::Interaction::kCreate;
    case FhirInteraction::kCapabilities:
    case FhirInteraction::kSearchType:
    case FhirInteraction::kHistoryType:  // type-level history is a search (s) in SMART v2
    case FhirInteraction::kEverything:  // a search of the Patient, narrowed below to readable types
      break;
  }
  return authz::Interaction::kSearch;
}

std::string RequestIdFrom(const http::Request& request) {
  if (std::optional<absl::string_view> given = request.Header("x-request-id");
      given.has_value() && !given->empty() && given->size() <= 128) {
    bool ok = true;
    for (char c : *given) {
      ok = ok && IsTokenChar(c);
    }
    if (ok) {
      return std::string(*given);
    }
  }
  thread_local absl::BitGen gen;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(gen), absl::Uniform<uint64_t>(gen));
}

GatewayHandler::GatewayHandler(const GatewayConfig& config, Upstreams& upstreams,
                               Metrics& metrics, const StaticFiles& files,
                               Authenticator& authenticator)
    : config_(config),
      upstreams_(upstreams),
      metrics_(metrics),
      files_(files),
      authenticator_(authenticator),
      rate_limiter_(static_cast<double>(config.client_rate_limit),
                    static_cast<double>(config.client_rate_burst)),
      hsts_(absl::StrCat("max-age=", config.hsts_max_age, "; includeSubDomains")) {}

rpc::CallInfo GatewayHandler::CallInfoOf(const Context& ctx) const {
  return {.request_id = ctx.request_id,
          .traceparent = ctx.traceparent,
          .deadline = config_.upstream_deadline};
}

void GatewayHandler::Handle(http::Request request, absl::AnyInvocable<void(http::Response)> done) {
  auto ctx = std::make_unique<Context>();
  ctx->start = std::chrono::steady_clock::now();
  ctx->request_id = RequestIdFrom(request);
  if (auto tp = request.Header("traceparent"); tp.has_value() && IsTraceparent(*tp)) {
    ctx->traceparent = std::string(*tp);
  }
  ctx->done = std::move(done);
  absl::StatusOr<RouteMatch> match = MatchRoute(request.path);
  if (!match.ok()) {
    ctx->route_class = "unmatched";
    FinishError(std::move(ctx), match.status());
    return;
  }
  ctx->route_class = std::string(match->route->route_class);
  switch (match->route->kind) {
    case RouteKind::kLocal:
      HandleLocal(request, std::move(ctx));
      return;
    case RouteKind::kStatic:
      HandleStatic(request, std::move(ctx));
      return;
    case RouteKind::kFhir:
      ctx->fhir_errors = true;
      HandleFhir(std::move(request), *match, std::move(ctx));
      return;
    case RouteKind::kWeb:
      HandleWeb(std::move(request), *match, std::move(ctx));
      return;
  }
}

void GatewayHandler::HandleLocal(const http::Request& request, std::unique_ptr<Context> ctx) {
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = MethodNotAllowed(false, request.method, "GET, HEAD", ctx->request_id);
    Finish(std::move(ctx), std::move(r));
    return;
  }
  if (request.path == "/healthz") {
    http::Response r{.status = 200, .body = R"({"status":"ok"})"};
    r.SetHeader("Content-Type", "application/json");
    Finish(std::move(ctx), std::move(r));
  } else if (request.path == "/readyz") {
    Readyz(std::move(ctx));
  } else {
    http::Response r{.status = 200, .body = metrics_.Render()};
    r.SetHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    Finish(std::move(ctx), std::move(r));
  }
}

void GatewayHandler::Readyz(std::unique_ptr<Context> ctx) {
  // Asks every upstream at once; the last answer completes the request.
  struct Gather {
    std::mutex mu;
    std::map<Upstream, absl::Status> results;
    std::unique_ptr<Context> ctx;
  };
  auto gather = std::make_shared<Gather>();
  gather->ctx = std::move(ctx);
  rpc::CallInfo info = CallInfoOf(*gather->ctx);
  info.deadline = std::min(info.deadline, std::chrono::milliseconds(2000));
  for (Upstream u : kAllUpstreams) {
    upstreams_.Health(u, info, [this, gather, u](absl::Status s) {
      std::unique_lock lock(gather->mu);
      gather->results[u] = std::move(s);
      if (gather->results.size() < std::size(kAllUpstreams)) {
        return;
      }
      json::Writer w;
      w.StartObject();
      bool ready = true;
      for (const auto& [upstream, status] : gather->results) {
        ready = ready && status.ok();
      }
      w.Field("status", ready ? "ready" : "unavailable");
      if (!ready) {
        w.Key("unavailable").StartArray();
        for (const auto& [upstream, status] : gather->results) {
          if (!status.ok()) {
            w.String(UpstreamName(upstream));
          }
        }
        w.EndArray();
      }
      w.Key("upstreams").StartObject();
      for (const auto& [upstream, status] : gather->results) {
        w.Field(UpstreamName(upstream),
                status.ok()                                                  ? "serving"
                : status.code() == absl::StatusCode::kFailedPrecondition ? "not serving"
                                                                             : "unreachable");
      }
      w.EndObject().EndObject();
      http::Response r{.status = ready ? 200 : 503, .body = w.Take()};
      r.SetHeader("Content-Type", "application/json");
      std::unique_ptr<Context> c = std::move(gather->ctx);
      lock.unlock();
      Finish(std::move(c), std::move(r));
    });
  }
}

void GatewayHandler::HandleStatic(const http::Request& request, std::unique_ptr<Context> ctx) {
  const StaticFile* file = files_.Find(request.path);
  if (file == nullptr) {
    FinishError(std::move(ctx), absl::NotFoundError(absl::StrCat("no such page: ", request.path)));
    return;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = MethodNotAllowed(false, request.method, "GET, HEAD", ctx->request_id);
    Finish(std::move(ctx), std::move(r));
    return;
  }
  http::Response r;
  r.SetHeader("Content-Type", file->content_type);
  r.SetHeader("ETag", file->etag);
  r.SetHeader("Cache-Control", "no-cache");
  if (request.Header("if-none-match") == file->etag) {
    r.status = 304;
  } else {
    r.body = file->body;
  }
  Finish(std::move(ctx), std::move(r));
}

void GatewayHandler::HandleFhir(http::Request request, const RouteMatch& match,
                                std::unique_ptr<Context> ctx) {
  ctx->cors = true;
  if (request.method == "OPTIONS") {
    // CORS preflight: browser apps call the FHIR APIs with Bearer tokens, never cookies, so any
    // origin may; the token (or the public route) decides what they get.
    http::Response r{.status = 204};
    r.SetHeader("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS");
    r.SetHeader("Access-Control-Allow-Headers",
                "Authorization, Content-Type, Accept, If-None-Match, If-Match, Prefer, X-Request-Id");
    r.SetHeader("Access-Control-Max-Age", "600");
    Finish(std::move(ctx), std::move(r));
    return;
  }
  absl::StatusOr<FhirParse> parse = ParseFhirRequest(request, match.rest);
  if (!parse.ok()) {
    FinishError(std::move(ctx), parse.status());
    return;
  }
  if (!parse->allowed.empty()) {
    http::Response r = MethodNotAllowed(true, request.method, parse->allowed, ctx->request_id);
    Finish(std::move(ctx), std::move(r));
    return;
  }
  const bool write = IsWrite(parse->call.interaction);
  if (write) {
    parse->call.body = std::move(request.body);  // up to max-body-bytes: moved, not copied
  }
  // Member data needs a verified access token whose scopes allow this interaction on this type;
  // the route says what is needed, one generic check decides (authz::CheckAccess). Writes
  // elsewhere (the public directory) need a token no one is issued yet, so they stop here too.
  const bool member_data = match.route->access == Access::kMemberData &&
                           parse->call.interaction != FhirInteraction::kCapabilities;
  if (member_data || write) {
    absl::string_view authorization = request.Header("authorization").value_or("");
    const bool has_token = absl::StartsWithIgnoreCase(authorization, "Bearer ") &&
                           authorization.size() > 7;
    absl::StatusOr<std::shared_ptr<const Authenticated>> authenticated =
        has_token && member_data
            ? authenticator_.Authenticate(absl::StripAsciiWhitespace(authorization.substr(7)),
                                          match.route->realm, PublicUrl(request))
            : absl::UnauthenticatedError(has_token ? "the access token is not valid here"
                                                   : "this request needs a Bearer access token");
    if (!authenticated.ok()) {
      http::Response r = ErrorResponse(true, authenticated.status(), ctx->request_id);
      r.SetHeader("WWW-Authenticate",
                  has_token ? R"(Bearer realm="planapi", error="invalid_token")"
                            : R"(Bearer realm="planapi")");
      Finish(std::move(ctx), std::move(r));
      return;
    }
    const authz::Principal* principal = &(*authenticated)->principal;
    if (std::optional<absl::Duration> wait = rate_limiter_.Take(principal->client_id)) {
      http::Response r = ErrorResponse(
          true, absl::ResourceExhaustedError("this app is over its request rate; slow down"),
          ctx->request_id);
      r.SetHeader("Retry-After",
                  absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(*wait, absl::Seconds(1))))));
      Finish(std::move(ctx), std::move(r));
      return;
    }
    absl::StatusOr<authz::Grant> grant = authz::Grant{};
    if (parse->call.interaction == FhirInteraction::kTransaction) {
      // Every entry is checked as if it came on its own: a Bundle grants nothing extra.
      absl::StatusOr<std::vector<BundleEntryAccess>> entries = BundleAccesses(parse->call.body);
      if (!entries.ok()) {
        FinishError(std::move(ctx), entries.status());
        return;
      }
      for (const BundleEntryAccess& entry : *entries) {
        grant = authz::CheckAccess(*principal, {entry.type, ToAuthzInteraction(entry.interaction)});
        if (!grant.ok() || grant->patient.has_value() || !grant->categories.empty()) {
          break;
        }
      }
    } else {
      grant = authz::CheckAccess(
          *principal, {parse->call.type, ToAuthzInteraction(parse->call.interaction)});
    }
    if (grant.ok() && write &&
        (principal->patient.has_value() || grant->patient.has_value() ||
         !grant->categories.empty())) {
      // Payer ingest only: a member's app reads; it never changes the record it is shown.
      grant = absl::PermissionDeniedError(
          "writes are for the payer's backend services (unconstrained system/ scopes); an app "
          "acting for a member may only read");
    }
    if (!grant.ok()) {
      http::Response r = ErrorResponse(true, grant.status(), ctx->request_id);
      r.SetHeader("WWW-Authenticate", R"(Bearer realm="planapi", error="insufficient_scope")");
      Finish(std::move(ctx), std::move(r));
      return;
    }
    // The FHIR service confines the call to the patient's compartment and the granted
    // categories; it reads both from the call's metadata.
    parse->call.principal_patient = grant->patient.value_or("");
    parse->call.principal_scopes = (*authenticated)->scopes_text;
    parse->call.principal_client = principal->client_id;
    parse->call.principal_user = principal->subject;
    if (!grant->categories.empty()) {
      const std::string categories = absl::StrJoin(grant->categories, ",");
      parse->call.principal_categories = categories;
      if (parse->call.interaction == FhirInteraction::kSearchType) {
        // Granular scopes: the search is narrowed to the granted categories (AND with the rest).
        // Never leniently: a type without a category parameter must fail, not ignore it.
        parse->call.params.emplace_back("category", categories);
        parse->call.lenient = false;
      }
    }
    // What _include, _revinclude, _has and chains may reach: the types this token may search
    // without a category constraint (worked out once per token, see MakeAuthenticated).
    parse->call.principal_types = (*authenticated)->searchable_types;
    if (parse->call.interaction == FhirInteraction::kEverything) {
      // $everything returns only the types the token may search (and that the caller asked
      // for): the service narrows with _type.
      std::vector<std::string> asked;
      for (auto it = parse->call.params.begin(); it != parse->call.params.end();) {
        if (it->first == "_type") {
          for (absl::string_view t : absl::StrSplit(it->second, ',', absl::SkipEmpty())) {
            asked.emplace_back(t);
          }
          it = parse->call.params.erase(it);
        } else {
          ++it;
        }
      }
      std::vector<absl::string_view> allowed;
      for (absl::string_view type :
           absl::StrSplit((*authenticated)->searchable_types, ',', absl::SkipEmpty())) {
        if (asked.empty() || std::find(asked.begin(), asked.end(), type) != asked.end()) {
          allowed.push_back(type);
        }
      }
      parse->call.params.emplace_back("_type", absl::StrJoin(allowed, ","));
    }
  }
  if (parse->call.interaction == FhirInteraction::kHistoryInstance ||
      parse->call.interaction == FhirInteraction::kHistoryType) {
    const bool type_level = parse->call.interaction == FhirInteraction::kHistoryType;
    for (const auto& [name, value] : parse->call.params) {
      int count = 0;
      if (type_level && name == "_since") {
        parse->call.since = value;
        continue;
      }
      if (type_level && name == "_cursor") {
        parse->call.cursor = value;
        continue;
      }
      if (name != "_count") {
        FinishError(std::move(ctx), absl::InvalidArgumentError(absl::StrCat(
                                        "history does not support the parameter '", name, "'")));
        return;
      }
      if (!absl::SimpleAtoi(value, &count) || count < 1) {
        FinishError(std::move(ctx), absl::InvalidArgumentError(absl::StrCat(
                                        "_count must be a positive integer, not '", value, "'")));
        return;
      }
      parse->call.count = count;
    }
  }
  // Public answers may sit in a shared cache (a CDN) briefly; member data never does.
  if (parse->call.interaction == FhirInteraction::kCapabilities) {
    ctx->cache_control = "public, max-age=300";
  } else if (match.route->access == Access::kPublic) {
    ctx->cache_control = "public, max-age=60";
  }
  FhirCall call = std::move(parse->call);
  call.realm = match.route->realm;
  call.base_url = absl::StrCat(PublicUrl(request), match.route->prefix);
  if (call.interaction == FhirInteraction::kCreate || call.interaction == FhirInteraction::kUpdate ||
      call.interaction == FhirInteraction::kTransaction) {
    const absl::string_view content_type = request.Header("content-type").value_or("");
    if (!absl::StartsWithIgnoreCase(content_type, "application/fhir+json") &&
        !absl::StartsWithIgnoreCase(content_type, "application/json")) {
      http::Response r = ErrorResponse(
          true,
          absl::InvalidArgumentError(absl::StrCat(
              "send the resource as application/fhir+json, not '", content_type, "'")),
          ctx->request_id, 415);
      Finish(std::move(ctx), std::move(r));
      return;
    }
  }
  // Writes only: what the answer looks like (FHIR's Prefer: return=...) and where a created
  // resource lives; reads skip both.
  const bool minimal = write && absl::StrContains(absl::AsciiStrToLower(
                                                      request.Header("prefer").value_or("")),
                                                  "return=minimal");
  std::string location_base =
      write ? absl::StrCat(call.base_url, "/", call.type, "/") : std::string();
  const Upstream upstream = match.route->upstream;
  const rpc::CallInfo info = CallInfoOf(*ctx);
  std::string if_none_match(request.Header("if-none-match").value_or(""));
  const FhirInteraction interaction = call.interaction;
  upstreams_.Fhir(upstream, std::move(call), info,
                  [this, upstream, interaction, write, minimal,
                   location_base = std::move(location_base),
                   if_none_match = std::move(if_none_match),
                   ctx = std::move(ctx)](absl::StatusOr<FhirResult> result) mutable {
                    if (!result.ok()) {
                      FinishError(std::move(ctx), Sanitize(result.status(), upstream));
                      return;
                    }
                    http::Response r{.status = 200, .body = std::move(result->json)};
                    if (!ctx->cache_control.empty() && !write) {
                      r.SetHeader("Cache-Control", ctx->cache_control);
                    }
                    if (write) {
                      if (result->created) {
                        r.status = 201;
                        r.SetHeader("Location", absl::StrCat(location_base, result->id, "/_history/",
                                                             result->version_id));
                      }
                      if (interaction == FhirInteraction::kDelete ||
                          (minimal && interaction != FhirInteraction::kTransaction)) {
                        r.body.clear();
                        if (!result->created) {
                          r.status = 204;
                        }
                      }
                    }
                    if (!result->version_id.empty() && interaction != FhirInteraction::kTransaction) {
                      std::string etag = absl::StrCat("W/\"", result->version_id, "\"");
                      // Conditional read: the client's copy is current.
                      if (!write && (if_none_match == etag || if_none_match == "*")) {
                        r.status = 304;
                        r.body.clear();
                      }
                      r.SetHeader("ETag", std::move(etag));
                    }
                    absl::Time modified;
                    std::string err;
                    if (!result->last_updated.empty() &&
                        absl::ParseTime(absl::RFC3339_full, result->last_updated, &modified,
                                        &err)) {
                      r.SetHeader("Last-Modified", HttpDate(modified));
                    }
                    if (!r.body.empty()) {
                      r.SetHeader("Content-Type", kFhirJson);
                    }
                    Finish(std::move(ctx), std::move(r));
                  });
}

void GatewayHandler::HandleWeb(http::Request request, const RouteMatch& match,
                               std::unique_ptr<Context> ctx) {
  WebCall call{.method = std::move(request.method),
               .path = match.rest.empty() ? "/" : match.rest,
               .query = std::move(request.query),
               .body = std::move(request.body),
               .realm = match.route->realm,
               .base_url = PublicUrl(request)};
  for (auto& [name, value] : request.headers) {
    if (IsForwardedHeader(name)) {
      call.headers.emplace_back(std::move(name), std::move(value));
    }
  }
  // The client's own Forwarded/X-Forwarded-* are dropped above: services see only what we saw.
  call.headers.emplace_back("x-forwarded-for", request.remote_address);
  const Upstream upstream = match.route->upstream;
  const rpc::CallInfo info = CallInfoOf(*ctx);
  upstreams_.Web(upstream, std::move(call), info,
                 [this, upstream, ctx = std::move(ctx)](absl::StatusOr<WebResult> result) mutable {
                   if (!result.ok()) {
                     FinishError(std::move(ctx), Sanitize(result.status(), upstream));
                     return;
                   }
                   http::Response r{.status = result->status, .body = std::move(result->body)};
                   for (auto& [name, value] : result->headers) {
                     r.headers.emplace_back(std::move(name), std::move(value));
                   }
                   Finish(std::move(ctx), std::move(r));
                 });
}

std::string GatewayHandler::PublicUrl(const http::Request& request) const {
  if (!config_.public_url.empty()) {
    return config_.public_url;
  }
  const absl::string_view host = request.Header("host").value_or("");
  return IsPlainHost(host) ? absl::StrCat("https://", host) : "https://localhost";
}

http::Response GatewayHandler::MethodNotAllowed(bool fhir, absl::string_view method,
                                                absl::string_view allowed,
                                                absl::string_view request_id) const {
  http::Response r = ErrorResponse(
      fhir, absl::InvalidArgumentError(absl::StrCat(method, " is not allowed here; use ", allowed)),
      request_id, 405);
  r.SetHeader("Allow", std::string(allowed));
  return r;
}

http::Response GatewayHandler::ErrorResponse(bool fhir, const absl::Status& status,
                                             absl::string_view request_id,
                                             int http_status) const {
  http::Response r;
  if (fhir) {
    fhir::HttpError e = fhir::ToHttpError(status, request_id);
    r.status = http_status != 0 ? http_status : e.http_status;
    r.body = std::move(e.body);
    r.SetHeader("Content-Type", kFhirJson);
  } else {
    r.status = http_status != 0 ? http_status : fhir::HttpStatusOf(status);
    const bool hide = r.status == 500;
    json::Writer w;
    w.StartObject()
        .Field("type", "about:blank")
        .Field("title", ReasonOf(r.status))
        .Field("status", r.status)
        .Field("detail", hide ? absl::StrCat("internal error; request id ", request_id)
                              : std::string(status.message()))
        .Field("request_id", request_id)
        .EndObject();
    r.body = w.Take();
    r.SetHeader("Content-Type", "application/problem+json");
  }
  if (r.status == 503) {
    r.SetHeader("Retry-After", "1");
  }
  return r;
}

void GatewayHandler::FinishError(std::unique_ptr<Context> ctx, const absl::Status& status) {
  http::Response r = ErrorResponse(ctx->fhir_errors, status, ctx->request_id);
  if (r.status >= 500) {
    runtime::LogWarn("request failed", {{"request_id", ctx->request_id},
                                        {"route", ctx->route_class},
                                        {"status", status.ToString()}});
  }
  Finish(std::move(ctx), std::move(r));
}

void GatewayHandler::Finish(std::unique_ptr<Context> ctx, http::Response response) {
  response.SetHeader("X-Request-Id", ctx->request_id);
  response.SetHeader("Strict-Transport-Security", hsts_);
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("X-Frame-Options", "DENY");
  response.SetHeader("Referrer-Policy", "no-referrer");
  bool has_csp = false;
  bool has_cache = false;
  for (const auto& [name, value] : response.headers) {
    has_csp = has_csp || absl::EqualsIgnoreCase(name, "Content-Security-Policy");
    has_cache = has_cache || absl::EqualsIgnoreCase(name, "Cache-Control");
  }
  if (!has_csp) {
    response.SetHeader("Content-Security-Policy",
                       "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
  }
  if (!has_cache) {
    // Member data must not linger in shared caches; public routes opt in explicitly.
    response.SetHeader("Cache-Control", "no-store");
  }
  if (ctx->cors) {
    response.SetHeader("Access-Control-Allow-Origin", "*");
    response.SetHeader("Access-Control-Expose-Headers",
                       "ETag, Last-Modified, Location, X-Request-Id, WWW-Authenticate");
  }
  response.SetHeader("Date", HttpDate(absl::Now()));
  metrics_.CountRequest(ctx->route_class, response.status,
                        std::chrono::steady_clock::now() - ctx->start);
  ctx->done(std::move(response));
}

http::Response GatewayHandler::EdgeError(int status, absl::string_view message,
                                         absl::string_view target) {
  auto ctx = std::make_unique<Context>();
  ctx->start = std::chrono::steady_clock::now();
  ctx->request_id = RequestIdFrom(http::Request{});
  const std::string path = http::SplitTarget(target).first;
  ctx->fhir_errors = IsFhirPath(path);
  ctx->cors = ctx->fhir_errors;
  absl::StatusOr<RouteMatch> match = MatchRoute(path);
  ctx->route_class = match.ok() && !target.empty() ? std::string(match->route->route_class)
                                                   : "unmatched";
  absl::Status s = status == 413   ? status::WithIssue(absl::InvalidArgumentError(message),
                                                      status::IssueType::kTooLong)
                   : status == 503 ? absl::UnavailableError(message)
                                   : absl::InvalidArgumentError(message);
  http::Response r = ErrorResponse(ctx->fhir_errors, s, ctx->request_id, status);
  http::Response out;
  ctx->done = [&out](http::Response resp) { out = std::move(resp); };
  Finish(std::move(ctx), std::move(r));
  return out;
}

}  // namespace planapi::gateway
