#include "services/auth/oauth.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/strip.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/authz/scope.h"
#include "libs/fhir/resource_types.h"
#include "libs/jose/base64url.h"
#include "libs/jose/jws.h"
#include "libs/jose/jwt.h"
#include "libs/jose/password.h"
#include "libs/jose/secret.h"
#include "libs/json/json.h"
#include "libs/runtime/log.h"
#include "libs/status/status_macros.h"
#include "services/auth/http_forms.h"
#include "services/auth/pages.h"
#include "services/auth/web_answers.h"

namespace planapi::auth_service {
namespace {

using server::WebRequest;
using server::WebResponse;

constexpr char kBrowserCookie[] = "planapi_authz";
constexpr char kJwtBearer[] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
constexpr char kJtiReplayed[] = "assertion jti was used before";
// SMART Backend Services: clients sign assertions with RS384 or ES384.
constexpr jose::Algorithm kAssertionAlgs[] = {jose::Algorithm::kRs384, jose::Algorithm::kEs384};
// Our own tokens: ES256 access tokens (or RS256 without an EC key), RS256 id_tokens.
constexpr jose::Algorithm kOwnAlgs[] = {jose::Algorithm::kEs256, jose::Algorithm::kRs256};

void AddCors(WebResponse& r) { r.headers.emplace_back("Access-Control-Allow-Origin", "*"); }

WebResponse Json(int status, std::string body) {
  WebResponse r{.status = status, .body = std::move(body)};
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

// An RFC 6749 §5.2 error object.
WebResponse OAuthError(int status, absl::string_view error, absl::string_view description) {
  json::Writer w;
  w.StartObject().Field("error", error).Field("error_description", description).EndObject();
  WebResponse r = Json(status, w.Take());
  AddCors(r);
  return r;
}

WebResponse InvalidClient(absl::string_view description, bool basic) {
  WebResponse r = OAuthError(401, "invalid_client", description);
  if (basic) {
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"planapi\"");
  }
  return r;
}

WebResponse NoContentCors(absl::string_view methods) {
  WebResponse r{.status = 204};
  AddCors(r);
  r.headers.emplace_back("Access-Control-Allow-Methods", std::string(methods));
  r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
  r.headers.emplace_back("Access-Control-Max-Age", "600");
  return r;
}

// RFC 7636 §4.1: 43-128 unreserved characters.
bool ValidVerifier(absl::string_view v) {
  if (v.size() < 43 || v.size() > 128) {
    return false;
  }
  return std::all_of(v.begin(), v.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
  });
}

// An S256 challenge is the base64url of a SHA-256: exactly 43 characters.
bool ValidChallenge(absl::string_view c) {
  return c.size() == 43 && jose::Base64UrlDecode(c).ok();
}

std::string NewUuid() {
  std::string b = jose::RandomBytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  const std::string hex = absl::BytesToHexString(b);
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

authz::ScopeSet ParseScopeText(absl::string_view text) {
  return authz::ParseScopes(text, fhir::PatientAccessTypes()).scopes;
}

std::string FhirUser(const RealmUrls& urls, absl::string_view patient_id) {
  return absl::StrCat(urls.fhir_base, "/Patient/", patient_id);
}

}  // namespace

struct OAuthServer::TokenContext {
  Realm realm;
  RealmUrls urls;
  Params params;
  Client client;
  std::string auth_method;  // client_secret_basic | client_secret_post | private_key_jwt | none
  // private_key_jwt for client_credentials: the assertion's jti, not yet recorded.
  std::string assertion_jti;
  absl::Time assertion_expires;
};

namespace {

// What the token endpoint answers on success.
struct Minted {
  std::string access_token;
  std::string jti;
  std::string id_token;
  std::string refresh_token;
  std::string scope;
  std::string patient;  // launch/patient, or the patient of an EHR launch
  bool need_patient_banner = false;  // EHR launch: the app opens outside our portal's banner
};

}  // namespace

// --------------------------------------------------------------------------------- discovery

server::WebResponse OAuthServer::SmartConfiguration(const WebRequest& request) {
  std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    return OAuthError(404, "not_found", "no realm");
  }
  const RealmUrls urls = UrlsOf(*realm, request.base_url);
  json::Writer w;
  w.StartObject()
      .Field("issuer", urls.issuer)
      .Field("jwks_uri", urls.issuer + "/jwks")
      .Field("authorization_endpoint", urls.issuer + "/authorize")
      .Field("token_endpoint", urls.issuer + "/token")
      .Field("introspection_endpoint", urls.issuer + "/introspect")
      .Field("revocation_endpoint", urls.issuer + "/revoke")
      .Field("userinfo_endpoint", urls.issuer + "/userinfo");
  w.Key("grant_types_supported").StartArray().String("authorization_code").String("refresh_token")
      .String("client_credentials").EndArray();
  w.Key("token_endpoint_auth_methods_supported").StartArray().String("client_secret_basic")
      .String("client_secret_post").String("private_key_jwt").String("none").EndArray();
  w.Key("token_endpoint_auth_signing_alg_values_supported").StartArray().String("RS384")
      .String("ES384").EndArray();
  w.Key("scopes_supported").StartArray();
  for (const char* s : {"openid", "fhirUser", "profile", "launch", "launch/patient",
                        "offline_access", "patient/*.read", "patient/*.rs", "user/*.read",
                        "user/*.rs", "system/*.read", "system/*.rs"}) {
    w.String(s);
  }
  w.EndArray();
  w.Key("response_types_supported").StartArray().String("code").EndArray();
  w.Key("code_challenge_methods_supported").StartArray().String("S256").EndArray();
  w.Key("capabilities").StartArray();
  for (const char* c :
       {"launch-standalone", "launch-ehr", "client-public", "client-confidential-symmetric",
        "client-confidential-asymmetric", "sso-openid-connect", "context-standalone-patient",
        "context-ehr-patient", "permission-offline", "permission-patient", "permission-user",
        "permission-v1", "permission-v2", "authorize-post"}) {
    w.String(c);
  }
  w.EndArray().EndObject();
  WebResponse r = Json(200, w.Take());
  AddCors(r);
  return r;
}

server::WebResponse OAuthServer::OpenIdConfiguration(const WebRequest& request) {
  std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    return OAuthError(404, "not_found", "no realm");
  }
  const RealmUrls urls = UrlsOf(*realm, request.base_url);
  json::Writer w;
  w.StartObject()
      .Field("issuer", urls.issuer)
      .Field("authorization_endpoint", urls.issuer + "/authorize")
      .Field("token_endpoint", urls.issuer + "/token")
      .Field("userinfo_endpoint", urls.issuer + "/userinfo")
      .Field("jwks_uri", urls.issuer + "/jwks")
      .Field("introspection_endpoint", urls.issuer + "/introspect")
      .Field("revocation_endpoint", urls.issuer + "/revoke");
  w.Key("response_types_supported").StartArray().String("code").EndArray();
  w.Key("subject_types_supported").StartArray().String("public").EndArray();
  w.Key("id_token_signing_alg_values_supported").StartArray().String("RS256").EndArray();
  w.Key("grant_types_supported").StartArray().String("authorization_code").String("refresh_token")
      .String("client_credentials").EndArray();
  w.Key("token_endpoint_auth_methods_supported").StartArray().String("client_secret_basic")
      .String("client_secret_post").String("private_key_jwt").String("none").EndArray();
  w.Key("token_endpoint_auth_signing_alg_values_supported").StartArray().String("RS384")
      .String("ES384").EndArray();
  w.Key("code_challenge_methods_supported").StartArray().String("S256").EndArray();
  w.Key("scopes_supported").StartArray().String("openid").String("fhirUser").String("profile")
      .String("offline_access").EndArray();
  w.Key("claims_supported").StartArray();
  for (const char* c : {"iss", "sub", "aud", "exp", "iat", "nonce", "fhirUser", "preferred_username"}) {
    w.String(c);
  }
  w.EndArray().EndObject();
  WebResponse r = Json(200, w.Take());
  AddCors(r);
  return r;
}

server::WebResponse OAuthServer::Jwks(const WebRequest&) {
  WebResponse r{.status = 200, .body = keys_.PublicJwks()};
  r.headers.emplace_back("Content-Type", "application/json");
  // Gateways and clients may cache briefly; rotation overlaps by far more than this.
  r.headers.emplace_back("Cache-Control", "public, max-age=300");
  AddCors(r);
  return r;
}

// --------------------------------------------------------------------------------- authorize

absl::StatusOr<WebResponse> OAuthServer::Authorize(const WebRequest& request) {
  std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    return Html(404, ErrorPage("Not found", "This authorization server has no such realm."));
  }
  const RealmUrls urls = UrlsOf(*realm, request.base_url);
  absl::StatusOr<Params> params = ParamsOf(request);
  if (!params.ok()) {
    return Html(400, ErrorPage("Bad request", params.status().message()));
  }
  // Until client and redirect URI are verified, errors go to the page: redirecting them would make
  // us an open redirector (RFC 6749 §4.1.2.1).
  for (const char* name : {"client_id", "redirect_uri", "response_type", "scope", "state",
                           "code_challenge", "code_challenge_method", "aud", "nonce",
                           "launch"}) {
    if (!Single(*params, name).ok()) {
      return Html(400, ErrorPage("Bad request", absl::StrCat("Parameter ", name, " is repeated.")));
    }
  }
  const std::string client_id = Param(*params, "client_id");
  if (client_id.empty()) {
    return Html(400, ErrorPage("Bad request", "The request names no client_id."));
  }
  absl::StatusOr<std::shared_ptr<const Client>> client = clients_.Get(client_id);
  if (client.status().code() == absl::StatusCode::kNotFound) {
    return Html(400, ErrorPage("Unknown app", "No app is registered with this client_id."));
  }
  PLANAPI_RETURN_IF_ERROR(client.status());
  if ((*client)->type == ClientType::kBackend) {
    return Html(400, ErrorPage("Bad request", "A backend services client cannot ask a member."));
  }
  std::string redirect_uri = Param(*params, "redirect_uri");
  if (redirect_uri.empty() && (*client)->redirect_uris.size() == 1) {
    redirect_uri = (*client)->redirect_uris[0];
  }
  if (std::find((*client)->redirect_uris.begin(), (*client)->redirect_uris.end(), redirect_uri) ==
      (*client)->redirect_uris.end()) {
    return Html(400, ErrorPage("Bad request",
                               "The redirect_uri is not one this app registered (exact match)."));
  }
  const std::string state = Param(*params, "state");
  auto fail = [&](absl::string_view error, absl::string_view description) {
    Params out = {{"error", std::string(error)}, {"error_description", std::string(description)}};
    if (!state.empty()) {
      out.emplace_back("state", state);
    }
    (void)store_.Audit({.event = "authorize.refused", .realm = std::string(RealmName(*realm)),
                        .client_id = client_id, .detail = std::string(error)});
    return Redirect(AppendQuery(redirect_uri, out));
  };
  if ((*client)->suspended) {
    return fail("unauthorized_client", "this app is suspended");
  }
  if (!(*client)->AdmittedTo(*realm)) {
    return fail("unauthorized_client", "this app is not admitted to this realm");
  }
  if (Param(*params, "response_type") != "code") {
    return fail("unsupported_response_type", "response_type must be code");
  }
  if (state.empty()) {
    return fail("invalid_request", "state is required");
  }
  if (Param(*params, "code_challenge_method") != "S256") {
    return fail("invalid_request", "PKCE is required: code_challenge_method must be S256");
  }
  const std::string challenge = Param(*params, "code_challenge");
  if (!ValidChallenge(challenge)) {
    return fail("invalid_request", "code_challenge must be the base64url SHA-256 of the verifier");
  }
  if (Param(*params, "aud") != urls.fhir_base) {
    return fail("invalid_request", absl::StrCat("aud must be ", urls.fhir_base));
  }
  authz::ScopeSet requested = ParseScopeText(Param(*params, "scope"));
  // No system/ scopes through a member; then only what the client may ask for.
  authz::ScopeSet member_scopes = requested;
  member_scopes.resources.clear();
  for (const authz::ResourceScope& s : requested.resources) {
    if (s.context != authz::Context::kSystem) {
      member_scopes.resources.push_back(s);
    }
  }
  if (!(*client)->scopes.empty()) {
    member_scopes = member_scopes.Intersect(ParseScopeText((*client)->scopes));
  }
  // EHR launch (SMART App Launch 2): `launch` carries the context our portal opened the app with.
  // The `launch` scope asks for that context, so it means nothing without the parameter.
  const std::string launch = Param(*params, "launch");
  std::string launch_hash;
  if (launch.empty()) {
    member_scopes.launch = false;
  } else {
    if (!member_scopes.launch) {
      return fail("invalid_request",
                  "an EHR launch needs the launch scope (requested, and allowed for this app)");
    }
    absl::StatusOr<LaunchContext> context = store_.GetLaunch(jose::Sha256(launch));
    if (context.status().code() == absl::StatusCode::kNotFound) {
      return fail("invalid_request", "the launch is unknown");
    }
    PLANAPI_RETURN_IF_ERROR(context.status());
    if (context->client_id != client_id || context->realm != *realm) {
      return fail("invalid_request", "the launch was made for another app or realm");
    }
    if (context->expired) {
      return fail("invalid_request", "the launch has expired; start the app again from the portal");
    }
    if (context->used) {
      return fail("invalid_request", "the launch was already used; start the app again");
    }
    launch_hash = context->id_hash;
  }
  if (member_scopes.empty()) {
    return fail("invalid_scope", "none of the requested scopes can be granted");
  }
  const std::string request_id = jose::RandomToken();
  std::string browser = CookieValue(HeaderOf(request, "cookie").value_or(""), kBrowserCookie)
                            .value_or("");
  if (browser.size() != 43) {
    browser = jose::RandomToken();
  }
  PendingAuthorization pending{.id_hash = jose::Sha256(request_id),
                               .browser_hash = jose::Sha256(browser),
                               .realm = *realm,
                               .client_id = client_id,
                               .redirect_uri = redirect_uri,
                               .scopes = member_scopes.ToString(),
                               .state = state,
                               .code_challenge = challenge,
                               .nonce = Param(*params, "nonce"),
                               .launch_hash = launch_hash};
  PLANAPI_RETURN_IF_ERROR(oauth_.InsertPending(pending, options_.authorization_request_ttl));
  WebResponse r = Html(200, LoginPage(RealmTitle(*realm), (*client)->name, request_id, ""));
  r.headers.emplace_back(
      "Set-Cookie", absl::StrCat(kBrowserCookie, "=", browser, "; Path=", PathPrefix(*realm),
                                 "; Max-Age=", absl::ToInt64Seconds(options_.authorization_request_ttl),
                                 "; HttpOnly; Secure; SameSite=Lax"));
  return r;
}

namespace {

// The pending request a login or consent form refers to, if this browser started it.
absl::StatusOr<PendingAuthorization> PendingFor(OAuthStore& oauth, const WebRequest& request,
                                                const Params& form, Realm realm) {
  const std::string id = Param(form, "request");
  if (id.empty()) {
    return absl::InvalidArgumentError("The form lacks its request.");
  }
  absl::StatusOr<PendingAuthorization> p = oauth.GetPending(jose::Sha256(id));
  if (p.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError("This sign-in has expired or was already used. Start again from the app.");
  }
  PLANAPI_RETURN_IF_ERROR(p.status());
  const std::string browser =
      CookieValue(HeaderOf(request, "cookie").value_or(""), kBrowserCookie).value_or("");
  if (p->realm != realm || browser.empty() ||
      !jose::ConstantTimeEquals(jose::Sha256(browser), p->browser_hash)) {
    return absl::PermissionDeniedError(
        "This sign-in was started in another browser or window. Start again from the app.");
  }
  return p;
}

WebResponse FormError(const absl::Status& status) {
  const int http = status.code() == absl::StatusCode::kPermissionDenied ? 403 : 400;
  return Html(http, ErrorPage("Cannot continue", status.message()));
}

// What the login and consent posts both start from: the realm, the form, and the pending
// authorization the form continues. When the request cannot go on, `answer` holds the page to
// send (404 unknown realm, 400 bad form, 400/403 stale or foreign sign-in); database faults
// come back as errors.
struct FormStep {
  Realm realm{};
  Params form;
  PendingAuthorization pending;
  std::optional<WebResponse> answer;
};

absl::StatusOr<FormStep> StartFormStep(OAuthStore& oauth, const WebRequest& request) {
  FormStep step;
  std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    step.answer = Html(404, ErrorPage("Not found", "No such realm."));
    return step;
  }
  step.realm = *realm;
  absl::StatusOr<Params> form = ParamsOf(request);
  if (!form.ok()) {
    step.answer = Html(400, ErrorPage("Bad request", form.status().message()));
    return step;
  }
  step.form = *std::move(form);
  absl::StatusOr<PendingAuthorization> pending = PendingFor(oauth, request, step.form, step.realm);
  if (!pending.ok()) {
    if (pending.status().code() == absl::StatusCode::kUnavailable ||
        pending.status().code() == absl::StatusCode::kInternal) {
      return pending.status();
    }
    step.answer = FormError(pending.status());
    return step;
  }
  step.pending = *std::move(pending);
  return step;
}

std::vector<ScopeChoice> Choices(absl::string_view scopes) {
  std::vector<ScopeChoice> out;
  for (absl::string_view s : absl::StrSplit(scopes, ' ', absl::SkipEmpty())) {
    out.push_back({std::string(s), DescribeScope(s)});
  }
  return out;
}

}  // namespace

absl::StatusOr<WebResponse> OAuthServer::Login(const WebRequest& request) {
  PLANAPI_ASSIGN_OR_RETURN(FormStep step, StartFormStep(oauth_, request));
  if (step.answer.has_value()) {
    return *std::move(step.answer);
  }
  const Realm* realm = &step.realm;
  const Params* form = &step.form;
  const PendingAuthorization* pending = &step.pending;
  PLANAPI_ASSIGN_OR_RETURN(std::shared_ptr<const Client> cached, clients_.Get(pending->client_id));
  const Client& client = *cached;
  const std::string request_id = Param(*form, "request");
  PLANAPI_ASSIGN_OR_RETURN(
      MemberLogin::Outcome login,
      login_.Check(*realm, Param(*form, "username"), Param(*form, "password"), AddressOf(request),
                   client.client_id));
  if (login.result != MemberLogin::Result::kSignedIn) {
    return login_.Refusal(login, AuthorizeLoginForm(RealmTitle(*realm), client.name, request_id));
  }
  const Account& account = login.account;
  if (!pending->launch_hash.empty()) {
    // An EHR launch names the record in view: only the member linked to that patient (and, when
    // the launch names one, only that member) may go on, so nobody is launched into another's
    // record by signing in as themselves.
    PLANAPI_ASSIGN_OR_RETURN(LaunchContext launch, store_.GetLaunch(pending->launch_hash));
    if (launch.patient_id != account.patient_id ||
        (!launch.account_id.empty() && launch.account_id != account.account_id)) {
      PLANAPI_RETURN_IF_ERROR(oauth_.DeletePending(pending->id_hash));
      (void)store_.Audit({.event = "authorize.refused", .realm = std::string(RealmName(*realm)),
                          .client_id = client.client_id, .account_id = account.account_id,
                          .detail = "launch for another patient"});
      return Redirect(AppendQuery(
          pending->redirect_uri,
          {{"error", "access_denied"},
           {"error_description", "the launch is for another patient's record than this member's"},
           {"state", pending->state}}));
    }
  }
  PLANAPI_RETURN_IF_ERROR(oauth_.BindAccount(pending->id_hash, account.account_id));
  return Html(200, ConsentPage(RealmTitle(*realm), client.name, account.username, request_id,
                               Choices(pending->scopes)));
}

absl::StatusOr<WebResponse> OAuthServer::Consent(const WebRequest& request) {
  PLANAPI_ASSIGN_OR_RETURN(FormStep step, StartFormStep(oauth_, request));
  if (step.answer.has_value()) {
    return *std::move(step.answer);
  }
  const Realm* realm = &step.realm;
  const Params* form = &step.form;
  const PendingAuthorization* pending = &step.pending;
  if (pending->account_id.empty()) {
    return Html(403, ErrorPage("Cannot continue", "Sign in first."));
  }
  auto finish = [&](Params params) {
    params.emplace_back("state", pending->state);
    return Redirect(AppendQuery(pending->redirect_uri, params));
  };
  const std::string action = Param(*form, "action");
  if (action != "approve") {
    PLANAPI_RETURN_IF_ERROR(oauth_.DeletePending(pending->id_hash));
    (void)store_.Audit({.event = "grant.denied", .realm = std::string(RealmName(*realm)),
                        .client_id = pending->client_id, .account_id = pending->account_id});
    return finish({{"error", "access_denied"}, {"error_description", "the member denied access"}});
  }
  // Only what was offered and is still ticked; a forged extra scope is simply not offered.
  const std::vector<std::string> ticked = All(*form, "scope");
  const std::set<std::string> kept(ticked.begin(), ticked.end());
  std::vector<std::string> granted;
  for (absl::string_view s : absl::StrSplit(pending->scopes, ' ', absl::SkipEmpty())) {
    if (kept.count(std::string(s)) > 0) {
      granted.emplace_back(s);
    }
  }
  if (granted.empty()) {
    PLANAPI_RETURN_IF_ERROR(oauth_.DeletePending(pending->id_hash));
    return finish({{"error", "access_denied"}, {"error_description", "no scope was allowed"}});
  }
  const std::string code = jose::RandomToken();
  absl::Status issued = oauth_
                            .GrantAndIssueCode(*pending, absl::StrJoin(granted, " "),
                                               jose::Sha256(code), options_.code_ttl)
                            .status();
  if (issued.code() == absl::StatusCode::kFailedPrecondition) {
    // Another authorization used this EHR launch first; nothing was stored for this one.
    PLANAPI_RETURN_IF_ERROR(oauth_.DeletePending(pending->id_hash));
    return finish({{"error", "invalid_request"},
                   {"error_description", "the launch was already used; start the app again"}});
  }
  PLANAPI_RETURN_IF_ERROR(issued);
  return finish({{"code", code}});
}

// ------------------------------------------------------------------------------------- token

absl::StatusOr<std::shared_ptr<const jose::KeySet>> OAuthServer::ClientKeys(const Client& client) {
  {
    absl::MutexLock lock(&keys_mu_);
    auto it = client_keys_.find(client.client_id);
    if (it != client_keys_.end() && it->second.first == client.jwks) {
      return it->second.second;
    }
  }
  PLANAPI_ASSIGN_OR_RETURN(jose::KeySet parsed, jose::KeySet::FromJson(client.jwks));
  auto keys = std::make_shared<const jose::KeySet>(std::move(parsed));
  absl::MutexLock lock(&keys_mu_);
  if (client_keys_.size() > 10000) {
    client_keys_.clear();  // bounded; entries are cheap to rebuild
  }
  client_keys_[client.client_id] = {client.jwks, keys};
  return keys;
}

absl::StatusOr<OAuthServer::ClientAuthOutcome> OAuthServer::AuthenticateClient(
    const WebRequest& request, const Params& params, Realm realm, const RealmUrls& urls,
    bool defer_jti) {
  ClientAuthOutcome out;
  auto Refuse = [&out](WebResponse r) -> absl::StatusOr<ClientAuthOutcome> {
    out.refusal = std::move(r);
    return std::move(out);
  };
  const std::string authorization = HeaderOf(request, "authorization").value_or("");
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> basic =
      BasicCredentials(authorization);
  if (!basic.ok()) {
    return Refuse(InvalidClient("malformed Basic credentials", true));
  }
  std::string client_id = Param(params, "client_id");
  std::string secret = Param(params, "client_secret");
  const std::string assertion = Param(params, "client_assertion");
  const std::string assertion_type = Param(params, "client_assertion_type");
  const bool used_basic = basic->has_value();
  int methods = 0;
  if (used_basic) {
    ++methods;
    if (!client_id.empty() && client_id != (*basic)->first) {
      return Refuse(InvalidClient("client_id differs from the Basic credentials", true));
    }
    client_id = (*basic)->first;
    secret = (*basic)->second;
    out.method = "client_secret_basic";
  }
  if (!Param(params, "client_secret").empty()) {
    ++methods;
    out.method = "client_secret_post";
  }
  std::optional<rapidjson::Document> assertion_claims;
  if (!assertion.empty() || !assertion_type.empty()) {
    ++methods;
    if (assertion_type != kJwtBearer || assertion.empty()) {
      return Refuse(OAuthError(400, "invalid_request",
                        absl::StrCat("client_assertion_type must be ", kJwtBearer)));
    }
    out.method = "private_key_jwt";
    // Whose assertion: its iss (verified below with that client's keys).
    const std::vector<std::string> parts = absl::StrSplit(assertion, '.');
    absl::StatusOr<std::string> payload =
        parts.size() == 3 ? jose::Base64UrlDecode(parts[1]) : absl::InvalidArgumentError("");
    absl::StatusOr<rapidjson::Document> claims =
        payload.ok() ? jose::ParseClaims(*payload) : absl::StatusOr<rapidjson::Document>(payload.status());
    if (!claims.ok()) {
      return Refuse(InvalidClient("the client assertion is not a JWT", false));
    }
    const std::string iss(json::GetString(*claims, "iss").value_or(""));
    if (!client_id.empty() && client_id != iss) {
      return Refuse(InvalidClient("client_id differs from the assertion's iss", false));
    }
    client_id = iss;
  }
  if (methods > 1) {
    return Refuse(OAuthError(400, "invalid_request", "use one client authentication method"));
  }
  if (client_id.empty()) {
    return Refuse(InvalidClient("no client authentication", used_basic));
  }
  absl::StatusOr<std::shared_ptr<const Client>> client = clients_.Get(client_id);
  if (client.status().code() == absl::StatusCode::kNotFound) {
    (void)store_.Audit({.event = "token.refused", .realm = std::string(RealmName(realm)),
                        .client_id = client_id.substr(0, 64), .detail = "unknown client"});
    return Refuse(InvalidClient("client authentication failed", used_basic));
  }
  PLANAPI_RETURN_IF_ERROR(client.status());
  out.client = **client;
  bool authenticated = false;
  if (out.method == "private_key_jwt") {
    if (out.client.jwks.empty()) {
      return Refuse(InvalidClient("this client registered no keys", false));
    }
    PLANAPI_ASSIGN_OR_RETURN(std::shared_ptr<const jose::KeySet> keys, ClientKeys(out.client));
    absl::StatusOr<jose::VerifiedJws> verified = jose::Verify(assertion, *keys, kAssertionAlgs);
    absl::StatusOr<rapidjson::Document> claims =
        verified.ok() ? jose::ParseClaims(verified->payload)
                      : absl::StatusOr<rapidjson::Document>(verified.status());
    absl::Status checked =
        claims.ok() ? jose::CheckClaims(*claims, {.now = absl::Now(),
                                                  .issuer = out.client.client_id,
                                                  .max_lifetime = absl::Minutes(5)})
                    : claims.status();
    // SMART names the token endpoint as the audience; RFC 7523 clients such as openid-client use
    // the issuer identifier. Either names us; nothing else does.
    if (checked.ok() && !jose::AudienceContains(*claims, urls.issuer + "/token") &&
        !jose::AudienceContains(*claims, urls.issuer)) {
      checked = absl::UnauthenticatedError("assertion aud must be the token endpoint URL");
    }
    if (checked.ok() && json::GetString(*claims, "sub") != out.client.client_id) {
      checked = absl::UnauthenticatedError("assertion sub must be the client_id");
    }
    std::string jti;
    if (checked.ok()) {
      jti = std::string(json::GetString(*claims, "jti").value_or(""));
      if (jti.empty()) {
        checked = absl::UnauthenticatedError("assertion lacks jti");
      }
    }
    if (checked.ok()) {
      const int64_t exp = (*claims)["exp"].IsInt64() ? (*claims)["exp"].GetInt64()
                                                      : static_cast<int64_t>((*claims)["exp"].GetDouble());
      if (defer_jti) {
        // The caller records it with its answer's audit row, in one statement.
        out.assertion_jti = jti;
        out.assertion_expires = absl::FromUnixSeconds(exp);
      } else {
        absl::Status fresh =
            oauth_.UseAssertionJti(out.client.client_id, jti, absl::FromUnixSeconds(exp));
        if (fresh.code() == absl::StatusCode::kAlreadyExists) {
          checked = absl::UnauthenticatedError(kJtiReplayed);
        } else {
          PLANAPI_RETURN_IF_ERROR(fresh);
        }
      }
    }
    if (!checked.ok()) {
      (void)store_.Audit({.event = "token.refused", .realm = std::string(RealmName(realm)),
                          .client_id = out.client.client_id,
                          .detail = std::string(checked.message())});
      return Refuse(InvalidClient(absl::StrCat("client assertion refused: ", checked.message()), false));
    }
    authenticated = true;
  } else if (!secret.empty()) {
    if (out.client.type != ClientType::kConfidential) {
      return Refuse(InvalidClient("this client has no secret", used_basic));
    }
    absl::StatusOr<std::string> stored = secrets_.Open(out.client.secret_sealed, out.client.client_id);
    PLANAPI_RETURN_IF_ERROR(stored.status());
    authenticated = jose::ConstantTimeEquals(*stored, secret);
  } else {
    out.method = "none";
    authenticated = out.client.type == ClientType::kPublic;
  }
  if (!authenticated) {
    (void)store_.Audit({.event = "token.refused", .realm = std::string(RealmName(realm)),
                        .client_id = out.client.client_id, .detail = "client authentication failed"});
    return Refuse(InvalidClient("client authentication failed", used_basic));
  }
  if (out.client.suspended) {
    return Refuse(InvalidClient("this client is suspended", used_basic));
  }
  if (!out.client.AdmittedTo(realm)) {
    return Refuse(OAuthError(400, "unauthorized_client", "this client is not admitted to this realm"));
  }

  return out;
}

absl::StatusOr<WebResponse> OAuthServer::Token(const WebRequest& request) {
  std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    return OAuthError(404, "invalid_request", "no realm");
  }
  TokenContext ctx{.realm = *realm, .urls = UrlsOf(*realm, request.base_url)};
  absl::StatusOr<Params> params = ParamsOf(request);
  if (!params.ok()) {
    return OAuthError(400, "invalid_request", params.status().message());
  }
  ctx.params = *std::move(params);
  for (const char* name : {"grant_type", "code", "redirect_uri", "code_verifier", "refresh_token",
                           "scope", "client_id", "client_secret", "client_assertion",
                           "client_assertion_type"}) {
    if (!Single(ctx.params, name).ok()) {
      return OAuthError(400, "invalid_request", absl::StrCat("parameter ", name, " is repeated"));
    }
  }

  const std::string grant_type = Param(ctx.params, "grant_type");
  // client_credentials records the assertion's jti together with its audit row (one statement,
  // one commit); every other use records it during authentication.
  const bool client_credentials = grant_type == "client_credentials";
  PLANAPI_ASSIGN_OR_RETURN(
      ClientAuthOutcome auth,
      AuthenticateClient(request, ctx.params, *realm, ctx.urls, client_credentials));
  if (auth.refusal.has_value()) {
    return *std::move(auth.refusal);
  }
  ctx.client = std::move(auth.client);
  ctx.auth_method = std::move(auth.method);
  ctx.assertion_jti = std::move(auth.assertion_jti);
  ctx.assertion_expires = auth.assertion_expires;

  if (grant_type == "authorization_code") {
    return AuthorizationCodeGrant(request, ctx);
  }
  if (grant_type == "refresh_token") {
    return RefreshTokenGrant(request, ctx);
  }
  if (client_credentials) {
    return ClientCredentialsGrant(request, ctx);
  }
  return OAuthError(400, grant_type.empty() ? "invalid_request" : "unsupported_grant_type",
                    grant_type.empty() ? "grant_type is required" : "unsupported grant_type");
}

namespace {

// Signs the access token (and id_token) for a member grant, returns the token response.
absl::StatusOr<Minted> Mint(const SigningKeys& keys, const RealmUrls& urls, const Issued& issued,
                            absl::string_view scope_text, absl::Duration ttl) {
  const authz::ScopeSet scopes = ParseScopeText(scope_text);
  const absl::Time now = absl::Now();
  Minted out;
  out.scope = scopes.ToString();
  out.jti = jose::RandomToken(16);
  json::Writer at;
  at.StartObject()
      .Field("iss", urls.issuer)
      .Field("aud", urls.fhir_base)
      .Field("sub", issued.account_id)
      .Field("client_id", issued.client_id)
      .Field("scope", out.scope)
      .Field("patient", issued.patient_id)
      .Field("gid", issued.grant_id)
      .Field("jti", out.jti)
      .Field("iat", absl::ToUnixSeconds(now))
      .Field("exp", absl::ToUnixSeconds(now + ttl));
  if (scopes.fhir_user) {
    at.Field("fhirUser", FhirUser(urls, issued.patient_id));
  }
  at.EndObject();
  PLANAPI_ASSIGN_OR_RETURN(out.access_token, jose::Sign(keys.access_token_key(),
                                                        keys.access_token_alg(), at.Take(),
                                                        "at+jwt"));
  if (scopes.openid) {
    json::Writer id;
    id.StartObject()
        .Field("iss", urls.issuer)
        .Field("sub", issued.account_id)
        .Field("aud", issued.client_id)
        .Field("iat", absl::ToUnixSeconds(now))
        .Field("exp", absl::ToUnixSeconds(now + ttl));
    if (!issued.nonce.empty()) {
      id.Field("nonce", issued.nonce);
    }
    if (scopes.fhir_user) {
      id.Field("fhirUser", FhirUser(urls, issued.patient_id));
    }
    if (scopes.profile) {
      id.Field("preferred_username", issued.username);
    }
    id.EndObject();
    PLANAPI_ASSIGN_OR_RETURN(out.id_token, jose::Sign(keys.id_token_key(), jose::Algorithm::kRs256,
                                                      id.Take(), "JWT"));
  }
  // The member's patient is the launch's (checked at login), so both contexts name one record.
  if (scopes.launch_patient || scopes.launch) {
    out.patient = issued.patient_id;
  }
  // SMART: the EHR tells an app it launched whether to show which patient is in view. Our portal
  // opens the app in its own window, without a banner of ours around it.
  out.need_patient_banner = scopes.launch;
  return out;
}

WebResponse TokenResponse(const Minted& m, absl::Duration ttl) {
  json::Writer w;
  w.StartObject()
      .Field("access_token", m.access_token)
      .Field("token_type", "Bearer")
      .Field("expires_in", absl::ToInt64Seconds(ttl))
      .Field("scope", m.scope);
  if (!m.patient.empty()) {
    w.Field("patient", m.patient);
  }
  if (m.need_patient_banner) {
    w.Field("need_patient_banner", true);
  }
  if (!m.id_token.empty()) {
    w.Field("id_token", m.id_token);
  }
  if (!m.refresh_token.empty()) {
    w.Field("refresh_token", m.refresh_token);
  }
  w.EndObject();
  WebResponse r = Json(200, w.Take());
  AddCors(r);
  return r;
}

}  // namespace

absl::StatusOr<WebResponse> OAuthServer::AuthorizationCodeGrant(const WebRequest&,
                                                                const TokenContext& ctx) {
  const std::string code = Param(ctx.params, "code");
  const std::string redirect_uri = Param(ctx.params, "redirect_uri");
  const std::string verifier = Param(ctx.params, "code_verifier");
  if (code.empty() || redirect_uri.empty() || verifier.empty()) {
    return OAuthError(400, "invalid_request", "code, redirect_uri and code_verifier are required");
  }
  if (ctx.client.type == ClientType::kBackend) {
    return OAuthError(400, "unauthorized_client", "backend clients use client_credentials");
  }
  const std::string realm_name(RealmName(ctx.realm));
  auto refuse = [&](absl::string_view why) {
    (void)store_.Audit({.event = "token.refused", .realm = realm_name,
                        .client_id = ctx.client.client_id, .detail = std::string(why)});
    return OAuthError(400, "invalid_grant", why);
  };
  const std::string code_hash = jose::Sha256(code);
  absl::StatusOr<Issued> issued = oauth_.RedeemCode(code_hash);
  if (issued.status().code() == absl::StatusCode::kNotFound) {
    return refuse("unknown authorization code");
  }
  PLANAPI_RETURN_IF_ERROR(issued.status());
  if (issued->used_before) {
    // RFC 6749 §4.1.2: a code presented twice revokes what it issued - someone else has it.
    if (!issued->access_jti.empty()) {
      PLANAPI_RETURN_IF_ERROR(oauth_.RevokeAccessToken(
          issued->access_jti, {.event = "token.revoked", .realm = realm_name,
                               .client_id = issued->client_id, .grant_id = issued->grant_id,
                               .detail = "authorization code reused"}));
    }
    if (!issued->refresh_family.empty()) {
      PLANAPI_RETURN_IF_ERROR(oauth_.RevokeRefreshFamily(issued->refresh_family));
    }
    return refuse("the authorization code was already used");
  }
  if (issued->expired) {
    return refuse("the authorization code has expired");
  }
  if (issued->client_id != ctx.client.client_id || issued->realm != ctx.realm) {
    return refuse("the authorization code was issued to another client");
  }
  if (issued->redirect_uri != redirect_uri) {
    return refuse("redirect_uri differs from the authorization request");
  }
  if (!ValidVerifier(verifier) ||
      !jose::ConstantTimeEquals(jose::Base64UrlEncode(jose::Sha256(verifier)),
                                issued->code_challenge)) {
    return refuse("the PKCE code_verifier does not match the code_challenge");
  }
  if (issued->grant_revoked) {
    return refuse("the grant was revoked");
  }
  if (!issued->launch_patient.empty() && issued->launch_patient != issued->patient_id) {
    // The member was re-linked to another record since login: the launch no longer fits.
    return refuse("the launch's patient is not the member's");
  }
  PLANAPI_ASSIGN_OR_RETURN(Minted minted,
                           Mint(keys_, ctx.urls, *issued, issued->scopes, options_.access_token_ttl));
  std::string family;
  if (ParseScopeText(issued->scopes).offline_access) {
    family = NewUuid();
    minted.refresh_token = jose::RandomToken();
    PLANAPI_RETURN_IF_ERROR(oauth_.InsertRefresh(jose::Sha256(minted.refresh_token),
                                                 issued->grant_id, family, issued->scopes,
                                                 options_.refresh_token_ttl));
  }
  PLANAPI_RETURN_IF_ERROR(oauth_.RecordCodeIssue(code_hash, minted.jti, family));
  (void)store_.Audit({.event = "token.issued", .realm = realm_name,
                      .client_id = ctx.client.client_id, .account_id = issued->account_id,
                      .grant_id = issued->grant_id, .detail = "authorization_code"});
  return TokenResponse(minted, options_.access_token_ttl);
}

absl::StatusOr<WebResponse> OAuthServer::RefreshTokenGrant(const WebRequest&,
                                                           const TokenContext& ctx) {
  const std::string token = Param(ctx.params, "refresh_token");
  if (token.empty()) {
    return OAuthError(400, "invalid_request", "refresh_token is required");
  }
  const std::string realm_name(RealmName(ctx.realm));
  auto refuse = [&](absl::string_view error, absl::string_view why) {
    (void)store_.Audit({.event = "token.refused", .realm = realm_name,
                        .client_id = ctx.client.client_id, .detail = std::string(why)});
    return OAuthError(400, error, why);
  };
  const std::string hash = jose::Sha256(token);
  absl::StatusOr<Issued> issued = oauth_.GetRefresh(hash);
  if (issued.status().code() == absl::StatusCode::kNotFound) {
    return refuse("invalid_grant", "unknown or expired refresh token");
  }
  PLANAPI_RETURN_IF_ERROR(issued.status());
  if (issued->client_id != ctx.client.client_id || issued->realm != ctx.realm) {
    return refuse("invalid_grant", "the refresh token was issued to another client");
  }
  auto reuse = [&]() -> absl::StatusOr<WebResponse> {
    // A rotated-away token came back: one of the two holders is not the app. Revoke the grant and
    // everything issued under it (the member authorizes again).
    PLANAPI_RETURN_IF_ERROR(store_
                                .RevokeGrant(issued->grant_id, "refresh token reuse",
                                             {.event = "grant.revoked", .realm = realm_name,
                                              .client_id = issued->client_id,
                                              .account_id = issued->account_id,
                                              .detail = "refresh token reuse"})
                                .status());
    return refuse("invalid_grant", "the refresh token was already used");
  };
  if (issued->rotated) {
    return reuse();
  }
  if (issued->revoked || issued->grant_revoked) {
    return refuse("invalid_grant", "the refresh token was revoked");
  }
  std::string scope_text = issued->scopes;
  if (const std::string asked = Param(ctx.params, "scope"); !asked.empty()) {
    const authz::ParsedScopes parsed = authz::ParseScopes(asked, fhir::PatientAccessTypes());
    if (!parsed.dropped.empty() || !ParseScopeText(issued->scopes).Covers(parsed.scopes)) {
      return refuse("invalid_scope", "a refresh may only narrow the granted scopes");
    }
    scope_text = parsed.scopes.ToString();
  }
  PLANAPI_ASSIGN_OR_RETURN(Minted minted,
                           Mint(keys_, ctx.urls, *issued, scope_text, options_.access_token_ttl));
  minted.refresh_token = jose::RandomToken();
  absl::Status rotated = oauth_.RotateRefresh(hash, jose::Sha256(minted.refresh_token), *issued,
                                              options_.refresh_token_ttl);
  if (rotated.code() == absl::StatusCode::kAborted) {
    return reuse();
  }
  PLANAPI_RETURN_IF_ERROR(rotated);
  (void)store_.Audit({.event = "token.issued", .realm = realm_name,
                      .client_id = ctx.client.client_id, .account_id = issued->account_id,
                      .grant_id = issued->grant_id, .detail = "refresh_token"});
  return TokenResponse(minted, options_.access_token_ttl);
}

absl::StatusOr<WebResponse> OAuthServer::ClientCredentialsGrant(const WebRequest&,
                                                                const TokenContext& ctx) {
  const std::string realm_name(RealmName(ctx.realm));
  // The assertion is spent by whatever this answers: its jti goes in with the answer's audit row,
  // in one statement. ALREADY_EXISTS: a replay (audited as token.refused by that statement).
  auto spend = [&](absl::string_view event, absl::string_view detail) -> absl::Status {
    if (ctx.assertion_jti.empty()) {
      return store_.Audit({.event = std::string(event), .realm = realm_name,
                           .client_id = ctx.client.client_id, .detail = std::string(detail)});
    }
    return oauth_.SpendAssertion(ctx.assertion_jti, ctx.assertion_expires,
                                 {.event = std::string(event), .realm = realm_name,
                                  .client_id = ctx.client.client_id,
                                  .detail = std::string(detail)},
                                 kJtiReplayed);
  };
  auto refuse = [&](int status, absl::string_view error,
                    absl::string_view why) -> absl::StatusOr<WebResponse> {
    absl::Status spent = spend("token.refused", why);
    if (spent.code() == absl::StatusCode::kAlreadyExists) {
      return InvalidClient(absl::StrCat("client assertion refused: ", kJtiReplayed), false);
    }
    PLANAPI_RETURN_IF_ERROR(spent);
    return OAuthError(status, error, why);
  };
  if (ctx.client.type != ClientType::kBackend || ctx.auth_method != "private_key_jwt") {
    return refuse(400, "unauthorized_client",
                  "client_credentials is for backend clients authenticating with "
                  "private_key_jwt");
  }
  const authz::ParsedScopes parsed =
      authz::ParseScopes(Param(ctx.params, "scope"), fhir::PatientAccessTypes());
  authz::ScopeSet scopes;
  for (const authz::ResourceScope& s : parsed.scopes.resources) {
    if (s.context == authz::Context::kSystem) {
      scopes.resources.push_back(s);
    }
  }
  if (!ctx.client.scopes.empty()) {
    scopes = scopes.Intersect(ParseScopeText(ctx.client.scopes));
  }
  if (scopes.resources.empty()) {
    return refuse(400, "invalid_scope", "no grantable system/ scope was requested");
  }
  const absl::Time now = absl::Now();
  Minted minted;
  minted.scope = scopes.ToString();
  minted.jti = jose::RandomToken(16);
  json::Writer at;
  at.StartObject()
      .Field("iss", ctx.urls.issuer)
      .Field("aud", ctx.urls.fhir_base)
      .Field("sub", ctx.client.client_id)
      .Field("client_id", ctx.client.client_id)
      .Field("scope", minted.scope)
      .Field("jti", minted.jti)
      .Field("iat", absl::ToUnixSeconds(now))
      .Field("exp", absl::ToUnixSeconds(now + options_.access_token_ttl))
      .EndObject();
  PLANAPI_ASSIGN_OR_RETURN(minted.access_token,
                           jose::Sign(keys_.access_token_key(), keys_.access_token_alg(),
                                      at.Take(), "at+jwt"));
  // Nothing leaves before the jti and the issuance are both stored.
  absl::Status spent = spend("token.issued", "client_credentials");
  if (spent.code() == absl::StatusCode::kAlreadyExists) {
    return InvalidClient(absl::StrCat("client assertion refused: ", kJtiReplayed), false);
  }
  PLANAPI_RETURN_IF_ERROR(spent);
  return TokenResponse(minted, options_.access_token_ttl);
}

// ---------------------------------------------------------------- introspect, revoke, userinfo

namespace {

// An access token of ours for this realm, verified and not revoked; its claims.
absl::StatusOr<rapidjson::Document> VerifyAccessToken(const SigningKeys& keys, OAuthStore& oauth,
                                                      const RealmUrls& urls,
                                                      absl::string_view token) {
  PLANAPI_ASSIGN_OR_RETURN(jose::VerifiedJws jws,
                           jose::Verify(token, keys.verification_keys(), kOwnAlgs));
  if (jws.header.typ != "at+jwt") {
    return absl::UnauthenticatedError("not an access token");
  }
  PLANAPI_ASSIGN_OR_RETURN(rapidjson::Document claims, jose::ParseClaims(jws.payload));
  PLANAPI_RETURN_IF_ERROR(jose::CheckClaims(
      claims, {.now = absl::Now(), .leeway = absl::ZeroDuration(), .issuer = urls.issuer,
               .audience = urls.fhir_base}));
  const int64_t iat = json::GetInt(claims, "iat").value_or(0);
  PLANAPI_ASSIGN_OR_RETURN(
      bool revoked,
      oauth.IsRevoked(json::GetString(claims, "gid").value_or(""),
                      json::GetString(claims, "client_id").value_or(""),
                      json::GetString(claims, "jti").value_or(""), absl::FromUnixSeconds(iat)));
  if (revoked) {
    return absl::UnauthenticatedError("the token was revoked");
  }
  return claims;
}

}  // namespace

absl::StatusOr<WebResponse> OAuthServer::Introspect(const WebRequest& request) {
  // Introspection needs an authenticated client: reuse the token endpoint's authentication by
  // running it with a grant type that stops right after it.
  std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    return OAuthError(404, "invalid_request", "no realm");
  }
  const RealmUrls urls = UrlsOf(*realm, request.base_url);
  absl::StatusOr<Params> params = ParamsOf(request);
  if (!params.ok()) {
    return OAuthError(400, "invalid_request", params.status().message());
  }
  PLANAPI_ASSIGN_OR_RETURN(ClientAuthOutcome auth, AuthenticateClient(request, *params, *realm, urls));
  if (auth.refusal.has_value()) {
    return *std::move(auth.refusal);
  }
  if (auth.client.type == ClientType::kPublic) {
    return InvalidClient("introspection needs a confidential or backend client", false);
  }
  const std::string token = Param(*params, "token");
  auto inactive = [] { return Json(200, R"({"active":false})"); };
  if (token.empty()) {
    return inactive();
  }
  absl::StatusOr<rapidjson::Document> claims = VerifyAccessToken(keys_, oauth_, urls, token);
  if (claims.ok()) {
    json::Writer w;
    w.StartObject().Field("active", true).Field("token_type", "Bearer");
    for (const char* name : {"scope", "client_id", "sub", "iss", "aud", "patient", "fhirUser", "jti"}) {
      if (std::optional<absl::string_view> v = json::GetString(*claims, name); v.has_value()) {
        w.Field(name, *v);
      }
    }
    for (const char* name : {"exp", "iat"}) {
      if (std::optional<int64_t> v = json::GetInt(*claims, name); v.has_value()) {
        w.Field(name, *v);
      }
    }
    w.EndObject();
    return Json(200, w.Take());
  }
  if (claims.status().code() == absl::StatusCode::kUnavailable) {
    return claims.status();
  }
  absl::StatusOr<Issued> refresh = oauth_.GetRefresh(jose::Sha256(token));
  if (refresh.ok() && !refresh->rotated && !refresh->revoked && !refresh->grant_revoked &&
      refresh->realm == *realm) {
    json::Writer w;
    w.StartObject()
        .Field("active", true)
        .Field("token_type", "refresh_token")
        .Field("scope", refresh->scopes)
        .Field("client_id", refresh->client_id)
        .Field("sub", refresh->account_id)
        .EndObject();
    return Json(200, w.Take());
  }
  return inactive();
}

absl::StatusOr<WebResponse> OAuthServer::Revoke(const WebRequest& request) {
  std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    return OAuthError(404, "invalid_request", "no realm");
  }
  const RealmUrls urls = UrlsOf(*realm, request.base_url);
  absl::StatusOr<Params> params = ParamsOf(request);
  if (!params.ok()) {
    return OAuthError(400, "invalid_request", params.status().message());
  }
  PLANAPI_ASSIGN_OR_RETURN(ClientAuthOutcome auth, AuthenticateClient(request, *params, *realm, urls));
  if (auth.refusal.has_value()) {
    return *std::move(auth.refusal);
  }
  const Client* caller = &auth.client;
  const std::string token = Param(*params, "token");
  if (token.empty()) {
    return OAuthError(400, "invalid_request", "token is required");
  }
  WebResponse ok{.status = 200};
  AddCors(ok);
  ok.headers.emplace_back("Cache-Control", "no-store");
  // RFC 7009 §2.2: unknown, invalid or foreign tokens still get 200 - nothing to tell an attacker.
  absl::StatusOr<rapidjson::Document> claims = VerifyAccessToken(keys_, oauth_, urls, token);
  if (claims.ok()) {
    if (json::GetString(*claims, "client_id") == caller->client_id) {
      PLANAPI_RETURN_IF_ERROR(oauth_.RevokeAccessToken(
          json::GetString(*claims, "jti").value_or(""),
          {.event = "token.revoked", .realm = std::string(RealmName(*realm)),
           .client_id = caller->client_id,
           .grant_id = std::string(json::GetString(*claims, "gid").value_or("")),
           .detail = "revoked by the client"}));
    }
    return ok;
  }
  absl::StatusOr<Issued> refresh = oauth_.GetRefresh(jose::Sha256(token));
  if (refresh.ok() && refresh->client_id == caller->client_id && !refresh->grant_revoked) {
    // RFC 7009 §2.1: revoking a refresh token ends the grant's access tokens too.
    PLANAPI_RETURN_IF_ERROR(store_
                                .RevokeGrant(refresh->grant_id, "revoked by the client",
                                             {.event = "grant.revoked",
                                              .realm = std::string(RealmName(*realm)),
                                              .client_id = refresh->client_id,
                                              .account_id = refresh->account_id,
                                              .detail = "revoked by the client"})
                                .status());
  }
  return ok;
}

absl::StatusOr<WebResponse> OAuthServer::UserInfo(const WebRequest& request) {
  std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    return OAuthError(404, "invalid_request", "no realm");
  }
  const RealmUrls urls = UrlsOf(*realm, request.base_url);
  auto unauthorized = [](absl::string_view error, absl::string_view why, int status) {
    WebResponse r = OAuthError(status, error, why);
    r.headers.emplace_back("WWW-Authenticate",
                           absl::StrCat("Bearer error=\"", error, "\""));
    return r;
  };
  const std::optional<std::string> token =
      BearerToken(HeaderOf(request, "authorization").value_or(""));
  if (!token.has_value()) {
    WebResponse r = OAuthError(401, "invalid_token", "a Bearer access token is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  absl::StatusOr<rapidjson::Document> claims = VerifyAccessToken(keys_, oauth_, urls, *token);
  if (!claims.ok()) {
    if (claims.status().code() == absl::StatusCode::kUnavailable) {
      return claims.status();
    }
    return unauthorized("invalid_token", claims.status().message(), 401);
  }
  const authz::ScopeSet scopes = ParseScopeText(json::GetString(*claims, "scope").value_or(""));
  if (!scopes.openid) {
    return unauthorized("insufficient_scope", "userinfo needs the openid scope", 403);
  }
  json::Writer w;
  w.StartObject().Field("sub", json::GetString(*claims, "sub").value_or(""));
  if (std::optional<absl::string_view> fu = json::GetString(*claims, "fhirUser"); fu) {
    w.Field("fhirUser", *fu);
  }
  w.EndObject();
  WebResponse r = Json(200, w.Take());
  AddCors(r);
  return r;
}

std::vector<server::WebRoute> OAuthServer::Routes() {
  auto wrap = [](auto fn) {
    return [fn](const WebRequest& r) -> absl::StatusOr<WebResponse> { return fn(r); };
  };
  auto cors = [](absl::string_view methods) {
    return [m = std::string(methods)](const WebRequest&) -> absl::StatusOr<WebResponse> {
      return NoContentCors(m);
    };
  };
  std::vector<server::WebRoute> routes;
  for (const char* path : {"/.well-known/smart-configuration", "/smart-configuration"}) {
    routes.push_back({"GET", path, wrap([this](const WebRequest& r) { return SmartConfiguration(r); })});
    routes.push_back({"OPTIONS", path, cors("GET, OPTIONS")});
  }
  routes.push_back({"GET", "/.well-known/openid-configuration",
                    wrap([this](const WebRequest& r) { return OpenIdConfiguration(r); })});
  routes.push_back({"OPTIONS", "/.well-known/openid-configuration", cors("GET, OPTIONS")});
  routes.push_back({"GET", "/jwks", wrap([this](const WebRequest& r) { return Jwks(r); })});
  routes.push_back({"OPTIONS", "/jwks", cors("GET, OPTIONS")});
  routes.push_back({"GET", "/authorize", [this](const WebRequest& r) { return Authorize(r); }});
  routes.push_back({"POST", "/authorize", [this](const WebRequest& r) { return Authorize(r); }});
  routes.push_back({"POST", "/login", [this](const WebRequest& r) { return Login(r); }});
  routes.push_back({"POST", "/consent", [this](const WebRequest& r) { return Consent(r); }});
  routes.push_back({"POST", "/token", [this](const WebRequest& r) { return Token(r); }});
  routes.push_back({"OPTIONS", "/token", cors("POST, OPTIONS")});
  routes.push_back({"POST", "/introspect", [this](const WebRequest& r) { return Introspect(r); }});
  routes.push_back({"POST", "/revoke", [this](const WebRequest& r) { return Revoke(r); }});
  routes.push_back({"OPTIONS", "/revoke", cors("POST, OPTIONS")});
  routes.push_back({"GET", "/userinfo", [this](const WebRequest& r) { return UserInfo(r); }});
  routes.push_back({"POST", "/userinfo", [this](const WebRequest& r) { return UserInfo(r); }});
  routes.push_back({"OPTIONS", "/userinfo", cors("GET, POST, OPTIONS")});
  return routes;
}

}  // namespace planapi::auth_service
