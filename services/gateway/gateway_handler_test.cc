#include "services/gateway/gateway_handler.h"

#include <catch2/catch.hpp>

#include "libs/fhir/resource_types.h"
#include "libs/json/json.h"

namespace planapi::gateway {
namespace {

// A stateful fake: records calls, answers from scripted results, synchronously.
class FakeUpstreams : public Upstreams {
 public:
  void Fhir(Upstream to, FhirCall call, const rpc::CallInfo& info,
            absl::AnyInvocable<void(absl::StatusOr<FhirResult>)> done) override {
    fhir_calls.push_back({to, call});
    last_info = info;
    done(fhir_result);
  }
  void Web(Upstream to, WebCall call, const rpc::CallInfo& info,
           absl::AnyInvocable<void(absl::StatusOr<WebResult>)> done) override {
    web_calls.push_back({to, call});
    last_info = info;
    done(web_result);
  }
  void Health(Upstream to, const rpc::CallInfo&,
              absl::AnyInvocable<void(absl::Status)> done) override {
    done(down.contains(to) ? absl::FailedPreconditionError("not serving") : absl::OkStatus());
  }

  std::vector<std::pair<Upstream, FhirCall>> fhir_calls;
  std::vector<std::pair<Upstream, WebCall>> web_calls;
  rpc::CallInfo last_info;
  absl::StatusOr<FhirResult> fhir_result = FhirResult{.json = R"({"resourceType":"X"})"};
  absl::StatusOr<WebResult> web_result = WebResult{.status = 200, .body = "ok"};
  std::set<Upstream> down;
};

// Accepts the tokens it was told about, for the realm and public URL it was told.
class FakeAuthenticator : public Authenticator {
 public:
  absl::StatusOr<std::shared_ptr<const Authenticated>> Authenticate(
      absl::string_view token, Realm realm, absl::string_view public_base) override {
    auto it = accepted.find(std::string(token));
    if (it == accepted.end() || it->second.first != realm || public_base != "https://api.example") {
      return absl::UnauthenticatedError("the token's signature does not verify");
    }
    return MakeAuthenticated(it->second.second);
  }
  void Accept(const std::string& token, Realm realm, absl::string_view scopes,
              std::optional<std::string> patient = "pat-1") {
    accepted[token] = {realm, authz::Principal{.client_id = "app", .subject = "member",
                                               .patient = std::move(patient),
                                               .scopes = authz::ParseScopes(
                                                   scopes, fhir::PatientAccessTypes()).scopes}};
  }
  std::map<std::string, std::pair<Realm, authz::Principal>> accepted;
};

struct Fixture {
  Fixture() {
    config.public_url = "https://api.example";
    config.upstream_deadline = std::chrono::milliseconds(1234);
  }
  http::Response Run(http::Request request) {
    auto [path, query] = http::SplitTarget(request.target);
    request.path = path;
    request.query = query;
    http::Response out;
    handler.Handle(std::move(request), [&out](http::Response r) { out = std::move(r); });
    return out;
  }
  http::Response Get(std::string target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Run({.method = "GET", .target = std::move(target), .headers = std::move(headers)});
  }

  GatewayConfig config;
  FakeUpstreams upstreams;
  Metrics metrics;
  StaticFiles files;
  FakeAuthenticator authn;
  GatewayHandler handler{config, upstreams, metrics, files, authn};
};

std::string HeaderOf(const http::Response& r, absl::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) {
      return v;
    }
  }
  return "";
}

std::string IssueCode(const http::Response& r) {
  auto doc = json::Parse(r.body);
  REQUIRE(doc.ok());
  REQUIRE(json::GetString(*doc, "resourceType") == "OperationOutcome");
  return std::string(*json::GetString((*doc)["issue"][0], "code"));
}

TEST_CASE("FHIR metadata is forwarded to the right service with realm and base", "[gateway]") {
  Fixture f;
  http::Response r = f.Get("/sandbox/fhir/r4/metadata");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"resourceType":"X"})");
  CHECK(HeaderOf(r, "Content-Type") == "application/fhir+json; charset=utf-8");
  REQUIRE(f.upstreams.fhir_calls.size() == 1);
  CHECK(f.upstreams.fhir_calls[0].first == Upstream::kFhir);
  CHECK(f.upstreams.fhir_calls[0].second.interaction == FhirInteraction::kCapabilities);
  CHECK(f.upstreams.fhir_calls[0].second.realm == Realm::kSandbox);
  CHECK(f.upstreams.fhir_calls[0].second.base_url == "https://api.example/sandbox/fhir/r4");
  CHECK(f.upstreams.last_info.deadline == std::chrono::milliseconds(1234));

  f.Get("/directory/r4/Practitioner?name=Smith&name=Jo%20n");
  REQUIRE(f.upstreams.fhir_calls.size() == 2);
  const FhirCall& search = f.upstreams.fhir_calls[1].second;
  CHECK(f.upstreams.fhir_calls[1].first == Upstream::kDirectory);
  CHECK(search.interaction == FhirInteraction::kSearchType);
  CHECK(search.type == "Practitioner");
  REQUIRE(search.params.size() == 2);
  CHECK(search.params[1] == std::pair<std::string, std::string>("name", "Jo n"));
}

TEST_CASE("every answer carries a request id and the security headers", "[gateway]") {
  Fixture f;
  http::Response given = f.Get("/healthz", {{"x-request-id", "abc-123"}});
  CHECK(given.status == 200);
  CHECK(HeaderOf(given, "X-Request-Id") == "abc-123");
  CHECK(HeaderOf(given, "Strict-Transport-Security").find("max-age=") == 0);
  CHECK(HeaderOf(given, "X-Content-Type-Options") == "nosniff");
  CHECK(HeaderOf(given, "Cache-Control") == "no-store");
  // A malformed id from the client is replaced, not echoed.
  http::Response bad = f.Get("/healthz", {{"x-request-id", "bad id\r\nx: y"}});
  CHECK(HeaderOf(bad, "X-Request-Id").size() == 32);
  f.Get("/fhir/r4/metadata", {{"x-request-id", "rid-7"}});
  CHECK(f.upstreams.last_info.request_id == "rid-7");
}

TEST_CASE("errors on FHIR bases are OperationOutcomes with the mapped status", "[gateway]") {
  Fixture f;
  CHECK(f.Get("/fhir/r4/lowercase").status == 404);
  http::Response bad_id = f.Get("/fhir/r4/Patient/a_b");
  CHECK(bad_id.status == 400);
  CHECK(IssueCode(bad_id) == "invalid");
  http::Response bad_query = f.Get("/fhir/r4/Patient?name=%zz");
  CHECK(bad_query.status == 400);
  CHECK(f.upstreams.fhir_calls.empty());

  http::Response wrong = f.Run({.method = "DELETE", .target = "/fhir/r4/metadata"});
  CHECK(wrong.status == 405);
  CHECK(HeaderOf(wrong, "Allow") == "GET, HEAD");
  CHECK(IssueCode(wrong) == "invalid");

  f.upstreams.fhir_result = absl::UnavailableError("failed to connect to all addresses; ipv4:10.0.0.1");
  http::Response down = f.Get("/directory/r4/Location/1");
  CHECK(down.status == 503);
  CHECK(IssueCode(down) == "transient");
  CHECK(down.body.find("10.0.0.1") == std::string::npos);
  CHECK(HeaderOf(down, "Retry-After") == "1");

  f.upstreams.fhir_result = absl::InternalError("stack trace here");
  http::Response internal = f.Get("/directory/r4/Location/1");
  CHECK(internal.status == 500);
  CHECK(internal.body.find("stack trace") == std::string::npos);
}

TEST_CASE("member data is refused without a verified token and never reaches fhir", "[gateway]") {
  Fixture f;
  http::Response anonymous = f.Get("/fhir/r4/Patient/1");
  CHECK(anonymous.status == 401);
  CHECK(IssueCode(anonymous) == "login");
  CHECK(HeaderOf(anonymous, "WWW-Authenticate") == R"(Bearer realm="planapi")");
  http::Response bearer = f.Get("/sandbox/fhir/r4/Observation?patient=1",
                                {{"authorization", "Bearer made-up"}});
  CHECK(bearer.status == 401);
  CHECK(HeaderOf(bearer, "WWW-Authenticate") == R"(Bearer realm="planapi", error="invalid_token")");
  CHECK(f.upstreams.fhir_calls.empty());
  // The CapabilityStatement and the Provider Directory stay public.
  CHECK(f.Get("/fhir/r4/metadata").status == 200);
  CHECK(f.Get("/directory/r4/Practitioner?name=x").status == 200);
  CHECK(f.upstreams.fhir_calls.size() == 2);
}

TEST_CASE("writes without a token are refused on every base", "[gateway]") {
  Fixture f;
  for (const char* target : {"/directory/r4/Location/1", "/fhir/r4/Patient/1"}) {
    http::Response put = f.Run({.method = "PUT", .target = target, .body = "{}"});
    CHECK(put.status == 401);
    CHECK(IssueCode(put) == "login");
  }
  CHECK(f.Run({.method = "POST", .target = "/directory/r4/Location", .body = "{}"}).status == 401);
  CHECK(f.Run({.method = "DELETE", .target = "/directory/r4/Location/1"}).status == 401);
  CHECK(f.Run({.method = "POST", .target = "/fhir/r4", .body = "{}"}).status == 401);
  // The directory is written over gRPC only (planctl import): no token opens it.
  f.authn.Accept("system", Realm::kProduction, "system/*.cruds", std::nullopt);
  CHECK(f.Run({.method = "DELETE", .target = "/directory/r4/Location/1",
               .headers = {{"authorization", "Bearer system"}}}).status == 401);
  CHECK(f.upstreams.fhir_calls.empty());
}

http::Request Write(std::string method, std::string target, std::string token, std::string body = "",
                    std::vector<std::pair<std::string, std::string>> extra = {}) {
  http::Request r{.method = std::move(method), .target = std::move(target), .body = std::move(body)};
  r.headers = {{"authorization", "Bearer " + token}, {"content-type", "application/fhir+json"}};
  r.headers.insert(r.headers.end(), extra.begin(), extra.end());
  return r;
}

TEST_CASE("system tokens write: create, conditional create, update, delete", "[gateway]") {
  Fixture f;
  f.authn.Accept("system", Realm::kProduction, "system/*.cruds", std::nullopt);
  f.upstreams.fhir_result = FhirResult{.json = R"({"resourceType":"Coverage","id":"c9"})",
                                       .version_id = "1",
                                       .last_updated = "2026-11-29T10:00:00.000Z",
                                       .created = true,
                                       .id = "c9"};
  http::Response created = f.Run(Write("POST", "/fhir/r4/Coverage", "system",
                                       R"({"resourceType":"Coverage"})",
                                       {{"if-none-exist", "identifier=x|1"}}));
  CHECK(created.status == 201);
  CHECK(HeaderOf(created, "Location") == "https://api.example/fhir/r4/Coverage/c9/_history/1");
  CHECK(HeaderOf(created, "ETag") == "W/\"1\"");
  CHECK(HeaderOf(created, "Last-Modified") == "Sun, 29 Nov 2026 10:00:00 GMT");
  CHECK(HeaderOf(created, "Cache-Control") == "no-store");
  CHECK(created.body == R"({"resourceType":"Coverage","id":"c9"})");
  REQUIRE(f.upstreams.fhir_calls.size() == 1);
  const FhirCall& create = f.upstreams.fhir_calls[0].second;
  CHECK(create.interaction == FhirInteraction::kCreate);
  CHECK(create.body == R"({"resourceType":"Coverage"})");
  CHECK(create.if_none_exist == "identifier=x|1");
  CHECK(create.principal_client == "app");
  CHECK(create.principal_patient.empty());

  f.upstreams.fhir_result->created = false;
  f.upstreams.fhir_result->version_id = "2";
  http::Response updated = f.Run(Write("PUT", "/fhir/r4/Coverage/c9", "system", "{}"));
  CHECK(updated.status == 200);
  CHECK(HeaderOf(updated, "Location").empty());
  CHECK(HeaderOf(updated, "ETag") == "W/\"2\"");
  CHECK(f.upstreams.fhir_calls.back().second.interaction == FhirInteraction::kUpdate);
  CHECK(f.upstreams.fhir_calls.back().second.id == "c9");
  CHECK(f.upstreams.fhir_calls.back().second.if_match.empty());
  // Version-aware: the service compares the ETag with the current version (412 when stale).
  http::Response matched =
      f.Run(Write("PUT", "/fhir/r4/Coverage/c9", "system", "{}", {{"if-match", "W/\"1\""}}));
  CHECK(matched.status == 200);
  CHECK(f.upstreams.fhir_calls.back().second.if_match == "W/\"1\"");
  http::Response minimal =
      f.Run(Write("PUT", "/fhir/r4/Coverage/c9", "system", "{}", {{"prefer", "return=minimal"}}));
  CHECK(minimal.status == 204);
  CHECK(minimal.body.empty());

  http::Response deleted = f.Run(Write("DELETE", "/fhir/r4/Coverage/c9", "system"));
  CHECK(deleted.status == 204);
  CHECK(deleted.body.empty());
  CHECK(f.upstreams.fhir_calls.back().second.interaction == FhirInteraction::kDelete);
  f.Run(Write("DELETE", "/fhir/r4/Coverage/c9", "system", "", {{"if-match", "W/\"2\""}}));
  CHECK(f.upstreams.fhir_calls.back().second.if_match == "W/\"2\"");

  f.upstreams.fhir_result = FhirResult{.json = R"({"resourceType":"Bundle"})"};
  const std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
      {"request":{"method":"DELETE","url":"Coverage/c1"}},
      {"request":{"method":"GET","url":"Coverage?beneficiary=p1"}}]})";
  http::Response tx = f.Run(Write("POST", "/fhir/r4", "system", bundle));
  CHECK(tx.status == 200);
  CHECK(f.upstreams.fhir_calls.back().second.interaction == FhirInteraction::kTransaction);
  CHECK(f.upstreams.fhir_calls.back().second.body == bundle);
}

TEST_CASE("writes: member apps, missing scopes and bad requests are refused", "[gateway]") {
  Fixture f;
  f.authn.Accept("member", Realm::kProduction, "patient/*.cruds");
  f.authn.Accept("reader", Realm::kProduction, "system/*.rs", std::nullopt);
  f.authn.Accept("coverage", Realm::kProduction, "system/Coverage.cud", std::nullopt);
  f.authn.Accept("granular", Realm::kProduction, "system/Observation.cud?category=laboratory",
                 std::nullopt);
  f.authn.Accept("sandbox", Realm::kSandbox, "system/*.cud", std::nullopt);
  struct Case {
    const char* name;
    http::Request request;
    int status;
  };
  const std::string tx_with_patient = R"({"resourceType":"Bundle","type":"batch","entry":[
      {"resource":{"resourceType":"Coverage"},"request":{"method":"POST","url":"Coverage"}},
      {"resource":{"resourceType":"Patient"},"request":{"method":"PUT","url":"Patient/p1"}}]})";
  const std::vector<Case> cases = {
      {"a member's app", Write("PUT", "/fhir/r4/Observation/o1", "member", "{}"), 403},
      {"a member's app, transaction", Write("POST", "/fhir/r4", "member", R"({"resourceType":"Bundle"})"), 403},
      {"read-only system scopes", Write("POST", "/fhir/r4/Coverage", "reader", "{}"), 403},
      {"another type", Write("DELETE", "/fhir/r4/Patient/p1", "coverage"), 403},
      {"one entry of another type", Write("POST", "/fhir/r4", "coverage", tx_with_patient), 403},
      {"granular scope", Write("POST", "/fhir/r4/Observation", "granular", "{}"), 403},
      {"other realm's token", Write("POST", "/fhir/r4/Coverage", "sandbox", "{}"), 401},
      {"not a Bundle", Write("POST", "/fhir/r4", "coverage", "[1]"), 400},
      {"entry without request", Write("POST", "/fhir/r4", "coverage",
                                      R"({"resourceType":"Bundle","entry":[{"resource":{}}]})"), 400},
      {"entry with a bad url", Write("POST", "/fhir/r4", "coverage",
           R"({"resourceType":"Bundle","entry":[{"request":{"method":"POST","url":"/"}}]})"), 400},
      {"entry with a bad method", Write("POST", "/fhir/r4", "coverage",
           R"({"resourceType":"Bundle","entry":[{"request":{"method":"TRACE","url":"Coverage"}}]})"), 400},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    http::Response r = f.Run(c.request);
    CHECK(r.status == c.status);
    CHECK(IssueCode(r) != "");
  }
  http::Request xml = Write("POST", "/fhir/r4/Coverage", "coverage", "<Coverage/>");
  xml.headers[1].second = "application/fhir+xml";
  http::Response unsupported = f.Run(xml);
  CHECK(unsupported.status == 415);
  CHECK(f.upstreams.fhir_calls.empty());
}

TEST_CASE("directory reads: vread, history and conditional reads", "[gateway]") {
  Fixture f;
  f.upstreams.fhir_result = FhirResult{.json = "{}", .version_id = "4",
                                       .last_updated = "2026-11-29T10:00:00.000Z"};
  http::Response read = f.Get("/directory/r4/Location/l1");
  CHECK(read.status == 200);
  CHECK(HeaderOf(read, "ETag") == "W/\"4\"");
  CHECK(HeaderOf(read, "Last-Modified") == "Sun, 29 Nov 2026 10:00:00 GMT");
  http::Response same = f.Get("/directory/r4/Location/l1", {{"if-none-match", "W/\"4\""}});
  CHECK(same.status == 304);
  CHECK(same.body.empty());
  CHECK(f.Get("/directory/r4/Location/l1", {{"if-none-match", "W/\"3\""}}).status == 200);
  f.Get("/directory/r4/Location/l1/_history/2");
  CHECK(f.upstreams.fhir_calls.back().second.interaction == FhirInteraction::kVRead);
  CHECK(f.upstreams.fhir_calls.back().second.version_id == "2");
  f.Get("/directory/r4/Location/l1/_history?_count=5");
  CHECK(f.upstreams.fhir_calls.back().second.count == 5);
  const size_t calls = f.upstreams.fhir_calls.size();
  CHECK(f.Get("/directory/r4/Location/l1/_history?_count=0").status == 400);
  CHECK(f.Get("/directory/r4/Location/l1/_history?_since=2020").status == 400);
  CHECK(f.upstreams.fhir_calls.size() == calls);
  // The type's history takes _count, _since and the _cursor of a next link; nothing else.
  f.Get("/directory/r4/Location/_history?_count=5&_since=2026-01-01&_cursor=abc");
  REQUIRE(f.upstreams.fhir_calls.size() == calls + 1);
  const FhirCall& history = f.upstreams.fhir_calls.back().second;
  CHECK(history.interaction == FhirInteraction::kHistoryType);
  CHECK(history.type == "Location");
  CHECK(history.id.empty());
  CHECK(history.count == 5);
  CHECK(history.since == "2026-01-01");
  CHECK(history.cursor == "abc");
  CHECK(f.Get("/directory/r4/Location/_history?name=x").status == 400);
  CHECK(f.Get("/directory/r4/Location/_history?_count=-1").status == 400);
  CHECK(f.Run({.method = "POST", .target = "/directory/r4/Location/_history"}).status == 405);
  CHECK(f.upstreams.fhir_calls.size() == calls + 1);
}

TEST_CASE("FHIR routes speak CORS, public answers may be cached, member data never", "[gateway]") {
  Fixture f;
  http::Response preflight = f.Run({.method = "OPTIONS", .target = "/fhir/r4/Observation"});
  CHECK(preflight.status == 204);
  CHECK(HeaderOf(preflight, "Access-Control-Allow-Origin") == "*");
  CHECK(HeaderOf(preflight, "Access-Control-Allow-Headers").find("Authorization") !=
        std::string::npos);
  CHECK(f.upstreams.fhir_calls.empty());
  http::Response metadata = f.Get("/fhir/r4/metadata");
  CHECK(HeaderOf(metadata, "Access-Control-Allow-Origin") == "*");
  CHECK(HeaderOf(metadata, "Cache-Control") == "public, max-age=300");
  CHECK(HeaderOf(f.Get("/directory/r4/Location/1"), "Cache-Control") == "public, max-age=60");
  http::Response member = f.Get("/fhir/r4/Patient/1");
  CHECK(HeaderOf(member, "Cache-Control") == "no-store");
  CHECK(HeaderOf(member, "Access-Control-Expose-Headers").find("WWW-Authenticate") !=
        std::string::npos);
  // Errors are never cached, even on public routes.
  f.upstreams.fhir_result = absl::NotFoundError("no");
  CHECK(HeaderOf(f.Get("/directory/r4/Location/2"), "Cache-Control") == "no-store");
  // Not on the web routes.
  CHECK(HeaderOf(f.Get("/healthz"), "Access-Control-Allow-Origin").empty());
}

TEST_CASE("POST _search takes parameters from a form body", "[gateway]") {
  Fixture f;
  http::Response r = f.Run({.method = "POST",
                            .target = "/directory/r4/Location/_search?address-city=Boston",
                            .headers = {{"content-type", "application/x-www-form-urlencoded"}},
                            .body = "code=a%7Cb&date=ge2020"});
  CHECK(r.status == 200);
  REQUIRE(f.upstreams.fhir_calls.size() == 1);
  const auto& params = f.upstreams.fhir_calls[0].second.params;
  REQUIRE(params.size() == 3);
  CHECK(params[1].second == "a|b");
  CHECK(f.Run({.method = "POST", .target = "/directory/r4/Location/_search", .body = "x=1"}).status ==
        400);
}

TEST_CASE("portal and auth routes forward as web calls, and their errors are problems", "[gateway]") {
  Fixture f;
  http::Response r = f.Run({.method = "POST",
                            .target = "/sandbox/auth/token?x=1",
                            .headers = {{"content-type", "application/x-www-form-urlencoded"},
                                        {"connection", "keep-alive"}},
                            .body = "grant_type=x"});
  CHECK(r.status == 200);
  REQUIRE(f.upstreams.web_calls.size() == 1);
  const WebCall& call = f.upstreams.web_calls[0].second;
  CHECK(f.upstreams.web_calls[0].first == Upstream::kAuth);
  CHECK(call.realm == Realm::kSandbox);
  CHECK(call.path == "/token");
  CHECK(call.query == "x=1");
  CHECK(call.body == "grant_type=x");
  for (const auto& [name, value] : call.headers) {
    CHECK(name != "connection");
  }
  f.upstreams.web_result = absl::NotFoundError("no endpoint /nope");
  http::Response missing = f.Get("/portal/nope");
  CHECK(missing.status == 404);
  CHECK(HeaderOf(missing, "Content-Type") == "application/problem+json");
  CHECK(f.upstreams.web_calls.back().first == Upstream::kRegistry);
}

TEST_CASE("without a configured public URL, absolute URLs follow a plain Host", "[gateway]") {
  Fixture f;
  f.config.public_url = "";
  f.Get("/fhir/r4/metadata", {{"host", "localhost:9443"}});
  f.Get("/fhir/r4/metadata", {{"host", "evil.example/<script>"}});
  REQUIRE(f.upstreams.fhir_calls.size() == 2);
  CHECK(f.upstreams.fhir_calls[0].second.base_url == "https://localhost:9443/fhir/r4");
  CHECK(f.upstreams.fhir_calls[1].second.base_url == "https://localhost/fhir/r4");
}

TEST_CASE("services see the peer address, never the client's X-Forwarded-For", "[gateway]") {
  Fixture f;
  f.Run({.method = "GET",
         .target = "/portal/x",
         .headers = {{"x-forwarded-for", "6.6.6.6"},
                     {"x-forwarded-host", "evil.example"},
                     {"forwarded", "for=6.6.6.6"},
                     {"x-real-ip", "6.6.6.6"}},
         .remote_address = "10.1.2.3"});
  REQUIRE(f.upstreams.web_calls.size() == 1);
  int seen = 0;
  for (const auto& [name, value] : f.upstreams.web_calls[0].second.headers) {
    if (name == "x-forwarded-for") {
      ++seen;
      CHECK(value == "10.1.2.3");
    }
    CHECK(name != "x-forwarded-host");
    CHECK(name != "forwarded");
    CHECK(name != "x-real-ip");
  }
  CHECK(seen == 1);
}

TEST_CASE("problem bodies carry the status actually sent", "[gateway]") {
  Fixture f;
  http::Response r = f.Run({.method = "POST", .target = "/metrics"});
  CHECK(r.status == 405);
  auto doc = json::Parse(r.body);
  REQUIRE(doc.ok());
  CHECK(json::GetInt(*doc, "status") == 405);
  CHECK(json::GetString(*doc, "title") == "Method Not Allowed");
}

TEST_CASE("readyz names the services that are not serving", "[gateway]") {
  Fixture f;
  CHECK(f.Get("/readyz").status == 200);
  f.upstreams.down = {Upstream::kReview, Upstream::kFhir};
  http::Response r = f.Get("/readyz");
  CHECK(r.status == 503);
  auto doc = json::Parse(r.body);
  REQUIRE(doc.ok());
  CHECK(json::GetString(*doc, "status") == "unavailable");
  REQUIRE((*doc)["unavailable"].Size() == 2);
  CHECK(json::GetString((*doc)["upstreams"], "review") == "not serving");
  CHECK(json::GetString((*doc)["upstreams"], "auth") == "serving");
}

TEST_CASE("unknown paths are 404 and local routes refuse other methods", "[gateway]") {
  Fixture f;
  CHECK(f.Get("/nothing/here").status == 404);
  http::Response post = f.Run({.method = "POST", .target = "/healthz"});
  CHECK(post.status == 405);
  CHECK(HeaderOf(post, "Allow") == "GET, HEAD");
}

TEST_CASE("edge errors are rendered for the route and counted", "[gateway]") {
  Fixture f;
  http::Response r = f.handler.EdgeError(413, "request body exceeds 10 bytes", "/fhir/r4/Bundle");
  CHECK(r.status == 413);
  CHECK(IssueCode(r) == "too-long");
  CHECK(HeaderOf(r, "Access-Control-Allow-Origin") == "*");
  http::Response p = f.handler.EdgeError(400, "malformed request", "");
  CHECK(HeaderOf(p, "Content-Type") == "application/problem+json");
  CHECK(f.metrics.Render().find("route=\"fhir\",code=\"413\"} 1") != std::string::npos);
}

TEST_CASE("metrics count requests by route class and status", "[gateway]") {
  Fixture f;
  f.Get("/fhir/r4/metadata");
  f.Get("/fhir/r4/metadata");
  f.Get("/healthz");
  const std::string text = f.Get("/metrics").body;
  CHECK(text.find("planapi_gateway_requests_total{route=\"fhir\",code=\"200\"} 2") !=
        std::string::npos);
  CHECK(text.find("planapi_gateway_request_duration_seconds_count{route=\"fhir\"} 2") !=
        std::string::npos);
  CHECK(text.find("planapi_gateway_requests_total{route=\"local\",code=\"200\"} 1") !=
        std::string::npos);
}

}  // namespace
}  // namespace planapi::gateway

namespace planapi::gateway {
namespace {

TEST_CASE("a token with the route's scope reaches the service with its patient and scopes",
          "[gateway]") {
  Fixture f;
  f.authn.Accept("tok-1", Realm::kProduction,
                 "launch/patient patient/Observation.rs?category=laboratory patient/Patient.r");
  http::Response search =
      f.Get("/fhir/r4/Observation?code=1234-5", {{"authorization", "Bearer tok-1"}});
  CHECK(search.status == 200);
  REQUIRE(f.upstreams.fhir_calls.size() == 1);
  const FhirCall& call = f.upstreams.fhir_calls[0].second;
  CHECK(call.principal_patient == "pat-1");
  CHECK(call.principal_scopes ==
        "launch/patient patient/Observation.rs?category=laboratory patient/Patient.r");
  CHECK(call.principal_client == "app");
  CHECK(f.Get("/fhir/r4/Patient/pat-1", {{"authorization", "Bearer tok-1"}}).status == 200);
}

TEST_CASE("a token without the route's scope gets 403 and never reaches the service",
          "[gateway]") {
  Fixture f;
  f.authn.Accept("tok-1", Realm::kProduction, "patient/Patient.r");
  for (const char* target : {"/fhir/r4/Observation?code=x", "/fhir/r4/Patient?name=x",
                             "/fhir/r4/Condition/1"}) {
    http::Response r = f.Get(target, {{"authorization", "Bearer tok-1"}});
    INFO(target);
    CHECK(r.status == 403);
    CHECK(IssueCode(r) == "forbidden");
    CHECK(HeaderOf(r, "WWW-Authenticate") == R"(Bearer realm="planapi", error="insufficient_scope")");
  }
  CHECK(f.upstreams.fhir_calls.empty());
}

TEST_CASE("tokens are bound to their realm, and bad tokens get 401", "[gateway]") {
  Fixture f;
  f.authn.Accept("sandbox-tok", Realm::kSandbox, "patient/*.rs");
  CHECK(f.Get("/sandbox/fhir/r4/Coverage?x=1", {{"authorization", "Bearer sandbox-tok"}}).status ==
        200);
  http::Response cross = f.Get("/fhir/r4/Coverage?x=1", {{"authorization", "Bearer sandbox-tok"}});
  CHECK(cross.status == 401);
  CHECK(HeaderOf(cross, "WWW-Authenticate") == R"(Bearer realm="planapi", error="invalid_token")");
  CHECK(f.Get("/fhir/r4/Coverage?x=1", {{"authorization", "Bearer "}}).status == 401);
  CHECK(f.Get("/fhir/r4/Coverage?x=1", {{"authorization", "Basic abc"}}).status == 401);
  CHECK(f.upstreams.fhir_calls.size() == 1);
}

}  // namespace
}  // namespace planapi::gateway

namespace planapi::gateway {
namespace {

TEST_CASE("a client over its rate gets 429 with Retry-After", "[gateway]") {
  Fixture f;
  f.config.client_rate_limit = 1;
  f.config.client_rate_burst = 2;
  FakeAuthenticator authn;
  authn.Accept("tok-1", Realm::kProduction, "patient/*.rs");
  GatewayHandler handler{f.config, f.upstreams, f.metrics, f.files, authn};
  auto get = [&] {
    http::Request request{.method = "GET", .target = "/fhir/r4/Coverage?x=1",
                          .headers = {{"authorization", "Bearer tok-1"}}};
    auto [path, query] = http::SplitTarget(request.target);
    request.path = path;
    request.query = query;
    http::Response out;
    handler.Handle(std::move(request), [&out](http::Response r) { out = std::move(r); });
    return out;
  };
  CHECK(get().status == 200);
  CHECK(get().status == 200);
  http::Response limited = get();
  CHECK(limited.status == 429);
  CHECK(IssueCode(limited) == "throttled");
  CHECK(HeaderOf(limited, "Retry-After") == "1");
  CHECK(f.upstreams.fhir_calls.size() == 2);
}

}  // namespace
}  // namespace planapi::gateway
