#include "services/auth/admin.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "libs/authz/scope.h"
#include "libs/fhir/resource_types.h"
#include "libs/jose/jwks.h"
#include "libs/jose/secret.h"
#include "libs/status/status_macros.h"
#include "services/auth/http_forms.h"
#include "services/auth/web_answers.h"

namespace planapi::auth_service {
namespace {

constexpr size_t kMaxName = 200;
constexpr size_t kMaxUri = 2000;
constexpr size_t kMaxRedirectUris = 20;
constexpr size_t kMinPassword = 8;
constexpr size_t kMaxPassword = 1024;

bool IsLoopback(absl::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

// scheme://authority/... -> authority's host, or nullopt when the URI has no authority.
std::optional<absl::string_view> HostOf(absl::string_view uri, absl::string_view scheme) {
  absl::string_view rest = uri.substr(scheme.size() + 1);
  if (!absl::ConsumePrefix(&rest, "//")) {
    return std::nullopt;
  }
  const size_t end = rest.find_first_of("/?");
  absl::string_view authority = rest.substr(0, end);
  if (authority.empty() || absl::StrContains(authority, '@')) {
    return std::nullopt;
  }
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    return close == absl::string_view::npos ? std::nullopt
                                            : std::optional(authority.substr(0, close + 1));
  }
  return authority.substr(0, authority.find(':'));
}

absl::Status ValidateUrl(absl::string_view field, absl::string_view uri, bool allow_custom_scheme) {
  if (uri.empty() || uri.size() > kMaxUri) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must have 1 to 2000 characters"));
  }
  for (char c : uri) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " '", uri, "' contains whitespace or control characters"));
    }
  }
  if (absl::StrContains(uri, '#')) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " '", uri, "' must not have a fragment (RFC 6749 §3.1.2)"));
  }
  const size_t colon = uri.find(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, " '", uri, "' is not an absolute URI"));
  }
  const absl::string_view scheme = uri.substr(0, colon);
  for (char c : scheme) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '+' || c == '-' || c == '.')) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " '", uri, "': the scheme must be lower-case letters"));
    }
  }
  if (scheme == "https" || scheme == "http") {
    const std::optional<absl::string_view> host = HostOf(uri, scheme);
    if (!host.has_value() || host->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, " '", uri, "' has no valid host"));
    }
    if (scheme == "http" && !IsLoopback(*host)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " '", uri, "' must use https (plain http only for localhost/127.0.0.1/[::1])"));
    }
    return absl::OkStatus();
  }
  // Native apps: a private-use scheme in reverse-domain form (RFC 8252 §7.1).
  if (allow_custom_scheme && absl::StrContains(scheme, '.') && uri.size() > colon + 1) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, " '", uri, "' must be https, loopback http, or a reverse-domain private-use scheme"));
}

absl::Status ValidateName(absl::string_view name) {
  if (absl::StripAsciiWhitespace(name).empty() || name.size() > kMaxName) {
    return absl::InvalidArgumentError("name must have 1 to 200 characters");
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("name must not contain control characters");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateUsername(absl::string_view username) {
  if (username.empty() || username.size() > 100) {
    return absl::InvalidArgumentError("username must have 1 to 100 characters");
  }
  for (char c : username) {
    if (!(absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@' || c == '+')) {
      return absl::InvalidArgumentError(
          "username may contain only letters, digits and . _ - @ +");
    }
  }
  return absl::OkStatus();
}

// A FHIR id (R4: [A-Za-z0-9\-\.]{1,64}).
absl::Status ValidatePatientId(absl::string_view id) {
  const bool ok = !id.empty() && id.size() <= 64 &&
                  std::all_of(id.begin(), id.end(), [](char c) {
                    return absl::ascii_isalnum(c) || c == '-' || c == '.';
                  });
  return ok ? absl::OkStatus()
            : absl::InvalidArgumentError(
                  absl::StrCat("patient id '", id, "' is not a FHIR id ([A-Za-z0-9-.]{1,64})"));
}

// The gateway's public URL as the gateway's own public-url setting has it: https://host[:port].
absl::Status ValidateBaseUrl(absl::string_view url) {
  absl::string_view rest = absl::StripSuffix(url, "/");
  if (!absl::ConsumePrefix(&rest, "https://") || rest.empty() ||
      rest.find_first_of("/?#") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "base URL '", url, "' must be the gateway's public URL: https:// scheme and host only"));
  }
  return ValidateUrl("base URL", url, /*allow_custom_scheme=*/false);
}

AuditEvent Event(absl::string_view name, const Client& client, absl::string_view detail = "") {
  return AuditEvent{.event = std::string(name),
                    .client_id = client.client_id,
                    .detail = std::string(detail)};
}

}  // namespace

absl::Status ValidateRedirectUri(absl::string_view uri) {
  return ValidateUrl("redirect URI", uri, /*allow_custom_scheme=*/true);
}

absl::Status ValidateClientScopes(ClientType type, absl::string_view scopes) {
  const authz::ParsedScopes parsed = authz::ParseScopes(scopes, fhir::PatientAccessTypes());
  if (!parsed.dropped.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported scopes: ", absl::StrJoin(parsed.dropped, " ")));
  }
  const authz::ScopeSet& s = parsed.scopes;
  if (type == ClientType::kBackend) {
    if (s.HasContext(authz::Context::kPatient) || s.HasContext(authz::Context::kUser) ||
        s.openid || s.fhir_user || s.profile || s.launch || s.launch_patient || s.offline_access) {
      return absl::InvalidArgumentError(
          "a backend client has no user: only system/ scopes are allowed");
    }
  } else if (s.HasContext(authz::Context::kSystem)) {
    return absl::InvalidArgumentError(
        "system/ scopes are for backend clients (SMART Backend Services) only");
  }
  return absl::OkStatus();
}

absl::Status Admin::ValidateClient(const Client& c) {
  PLANAPI_RETURN_IF_ERROR(ValidateName(c.name));
  if (c.type == ClientType::kBackend) {
    if (!c.redirect_uris.empty()) {
      return absl::InvalidArgumentError("a backend client has no redirect URIs");
    }
    absl::StatusOr<jose::KeySet> keys = jose::KeySet::FromJson(c.jwks);
    if (!keys.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("jwks: ", keys.status().message()));
    }
  } else {
    if (!c.jwks.empty()) {
      return absl::InvalidArgumentError("only backend clients register a JWKS");
    }
    if (c.redirect_uris.empty()) {
      return absl::InvalidArgumentError("at least one redirect URI is required");
    }
    if (c.redirect_uris.size() > kMaxRedirectUris) {
      return absl::InvalidArgumentError("at most 20 redirect URIs");
    }
    for (const std::string& uri : c.redirect_uris) {
      PLANAPI_RETURN_IF_ERROR(ValidateRedirectUri(uri));
    }
  }
  if (!c.launch_url.empty()) {
    PLANAPI_RETURN_IF_ERROR(ValidateUrl("launch URL", c.launch_url, /*allow_custom_scheme=*/false));
  }
  return ValidateClientScopes(c.type, c.scopes);
}

std::string Admin::Seal(const std::string& client_id, const std::string& secret) const {
  return secrets_.Seal(secret, client_id);
}

absl::StatusOr<CreatedClient> Admin::CreateClient(const ClientSpec& spec) {
  CreatedClient out;
  Client& c = out.client;
  c.client_id = jose::RandomToken(18);
  c.name = spec.name;
  c.type = spec.type;
  c.redirect_uris = spec.redirect_uris;
  c.launch_url = spec.launch_url;
  c.scopes = spec.scopes;
  c.production = spec.production;
  c.jwks = spec.jwks;
  c.owner_account_id = spec.owner_account_id;
  PLANAPI_RETURN_IF_ERROR(ValidateClient(c));
  if (!c.owner_account_id.empty()) {
    PLANAPI_ASSIGN_OR_RETURN(Account owner, store_.GetAccount(c.owner_account_id));
    if (owner.kind != AccountKind::kVendor) {
      return absl::InvalidArgumentError("an app's owner must be a vendor account");
    }
  }
  if (c.type == ClientType::kConfidential) {
    out.secret = jose::RandomToken(32);
    c.secret_sealed = Seal(c.client_id, out.secret);
  }
  PLANAPI_RETURN_IF_ERROR(store_.InsertClient(
      c, Event("client.created", c,
               absl::StrCat(ClientTypeName(c.type), c.production ? " production" : ""))));
  PLANAPI_ASSIGN_OR_RETURN(c, store_.GetClient(c.client_id));
  return out;
}

absl::StatusOr<Client> Admin::GetClient(absl::string_view client_id) {
  return store_.GetClient(client_id);
}

absl::StatusOr<Client> Admin::UpdateClient(const ClientUpdate& update) {
  PLANAPI_ASSIGN_OR_RETURN(Client c, store_.GetClient(update.client_id));
  if (update.name) c.name = *update.name;
  if (update.redirect_uris) c.redirect_uris = *update.redirect_uris;
  if (update.launch_url) c.launch_url = *update.launch_url;
  if (update.scopes) c.scopes = *update.scopes;
  if (update.jwks) c.jwks = *update.jwks;
  PLANAPI_RETURN_IF_ERROR(ValidateClient(c));
  return store_.UpdateClient(c, Event("client.updated", c));
}

absl::StatusOr<std::string> Admin::GetClientSecret(absl::string_view client_id) {
  PLANAPI_ASSIGN_OR_RETURN(Client c, store_.GetClient(client_id));
  if (c.type != ClientType::kConfidential) {
    return absl::FailedPreconditionError(
        absl::StrCat("a ", ClientTypeName(c.type), " client has no secret"));
  }
  absl::StatusOr<std::string> secret = secrets_.Open(c.secret_sealed, c.client_id);
  if (!secret.ok()) {
    // Stored data we cannot open means the configured key changed: an operator problem.
    return absl::InternalError(absl::StrCat("client ", c.client_id,
                                            ": the stored secret does not open with the "
                                            "configured secret key"));
  }
  return secret;
}

absl::StatusOr<std::string> Admin::RotateSecret(absl::string_view client_id) {
  PLANAPI_ASSIGN_OR_RETURN(Client c, store_.GetClient(client_id));
  if (c.type != ClientType::kConfidential) {
    return absl::FailedPreconditionError(
        absl::StrCat("a ", ClientTypeName(c.type), " client has no secret"));
  }
  std::string secret = jose::RandomToken(32);
  c.secret_sealed = Seal(c.client_id, secret);
  PLANAPI_RETURN_IF_ERROR(store_.UpdateClient(c, Event("client.secret_rotated", c)).status());
  return secret;
}

absl::StatusOr<Client> Admin::SetProduction(absl::string_view client_id, bool production) {
  PLANAPI_ASSIGN_OR_RETURN(Client c, store_.GetClient(client_id));
  c.production = production;
  return store_.UpdateClient(
      c, Event(production ? "client.admitted_production" : "client.withdrawn_production", c));
}

absl::StatusOr<Client> Admin::SetSuspended(absl::string_view client_id, bool suspended,
                                           absl::string_view reason) {
  if (reason.size() > 500) {
    return absl::InvalidArgumentError("reason must have at most 500 characters");
  }
  PLANAPI_ASSIGN_OR_RETURN(Client c, store_.GetClient(client_id));
  return store_.SetClientStatus(
      client_id, suspended, reason,
      Event(suspended ? "client.suspended" : "client.reactivated", c, reason));
}

absl::StatusOr<Account> Admin::CreateAccount(const AccountSpec& spec) {
  PLANAPI_RETURN_IF_ERROR(ValidateUsername(spec.username));
  if (spec.password.size() < kMinPassword || spec.password.size() > kMaxPassword) {
    return absl::InvalidArgumentError("password must have 8 to 1024 characters");
  }
  if (spec.kind == AccountKind::kMember) {
    if (!spec.realm.has_value()) {
      return absl::InvalidArgumentError("a member belongs to a realm (production or sandbox)");
    }
    PLANAPI_RETURN_IF_ERROR(ValidatePatientId(spec.patient_id));
  } else if (spec.realm.has_value() || !spec.patient_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a ", AccountKindName(spec.kind), " has no realm or patient id"));
  }
  Account a{.kind = spec.kind, .realm = spec.realm, .username = spec.username,
            .patient_id = spec.patient_id};
  PLANAPI_ASSIGN_OR_RETURN(a.password_hash, jose::HashPassword(spec.password, password_params_));
  return store_.InsertAccount(
      a, AuditEvent{.event = "account.created",
                    .realm = spec.realm ? std::string(RealmName(*spec.realm)) : "",
                    .detail = std::string(AccountKindName(spec.kind))});
}

absl::StatusOr<Account> Admin::FindMember(Realm realm, absl::string_view username) {
  absl::StatusOr<Account> a = store_.FindAccount(AccountKind::kMember, realm, username);
  if (a.ok()) {
    a->password_hash.clear();
  } else if (a.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(
        absl::StrCat("no member '", username, "' in ", RealmName(realm)));
  }
  return a;
}

absl::StatusOr<CreatedLaunch> Admin::CreateLaunch(const LaunchSpec& spec, absl::Duration ttl) {
  PLANAPI_RETURN_IF_ERROR(ValidatePatientId(spec.patient_id));
  PLANAPI_RETURN_IF_ERROR(ValidateBaseUrl(spec.base_url));
  PLANAPI_ASSIGN_OR_RETURN(Client client, store_.GetClient(spec.client_id));
  const absl::string_view realm = RealmName(spec.realm);
  if (client.type == ClientType::kBackend) {
    return absl::FailedPreconditionError("a backend services client has no user to launch for");
  }
  if (client.launch_url.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("client ", client.client_id, " has registered no launch URL"));
  }
  if (client.suspended) {
    return absl::FailedPreconditionError(absl::StrCat("client ", client.client_id, " is suspended"));
  }
  if (!client.AdmittedTo(spec.realm)) {
    return absl::FailedPreconditionError(
        absl::StrCat("client ", client.client_id, " is not admitted to ", realm));
  }
  LaunchContext context{.realm = spec.realm,
                        .client_id = client.client_id,
                        .patient_id = spec.patient_id};
  if (!spec.member_username.empty()) {
    PLANAPI_ASSIGN_OR_RETURN(Account member, FindMember(spec.realm, spec.member_username));
    if (member.patient_id != spec.patient_id) {
      return absl::FailedPreconditionError(absl::StrCat(
          "member '", spec.member_username, "' is linked to another patient than ", spec.patient_id));
    }
    context.account_id = member.account_id;
  }
  CreatedLaunch out;
  out.launch = jose::RandomToken();
  context.id_hash = jose::Sha256(out.launch);
  PLANAPI_ASSIGN_OR_RETURN(
      out.context, store_.InsertLaunch(context, ttl,
                                       AuditEvent{.event = "launch.created",
                                                  .realm = std::string(realm),
                                                  .client_id = client.client_id,
                                                  .account_id = context.account_id}));
  out.iss = UrlsOf(spec.realm, spec.base_url).fhir_base;
  out.launch_url = AppendQuery(client.launch_url, {{"iss", out.iss}, {"launch", out.launch}});
  return out;
}

absl::StatusOr<std::vector<Grant>> Admin::ListGrants(const GrantFilter& filter) {
  return store_.ListGrants(filter);
}

absl::StatusOr<Grant> Admin::RevokeGrant(absl::string_view grant_id, absl::string_view reason) {
  if (reason.size() > 500) {
    return absl::InvalidArgumentError("reason must have at most 500 characters");
  }
  PLANAPI_ASSIGN_OR_RETURN(Grant g, store_.GetGrant(grant_id));
  return store_.RevokeGrant(grant_id, reason,
                            AuditEvent{.event = "grant.revoked",
                                       .realm = std::string(RealmName(g.realm)),
                                       .client_id = g.client_id,
                                       .account_id = g.account_id,
                                       .detail = std::string(reason)});
}

}  // namespace planapi::auth_service
