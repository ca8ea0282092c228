#include "services/gateway/authenticator.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "libs/fhir/resource_types.h"
#include "libs/jose/jws.h"
#include "libs/jose/jwt.h"
#include "libs/json/json.h"
#include "libs/status/status_macros.h"

namespace planapi::gateway {
namespace {

// Access tokens are ES256 (RS256 when auth runs without an EC key); nothing else is accepted.
constexpr jose::Algorithm kAccessTokenAlgs[] = {jose::Algorithm::kEs256, jose::Algorithm::kRs256};
// Bounded memory: past this many cached tokens, expired ones go, then everything if needed.
constexpr size_t kMaxCached = 100000;

}  // namespace

std::shared_ptr<const Authenticated> MakeAuthenticated(authz::Principal principal) {
  auto out = std::make_shared<Authenticated>();
  out->scopes_text = principal.scopes.ToString();
  std::vector<absl::string_view> searchable;
  for (absl::string_view type : fhir::PatientAccessTypes()) {
    absl::StatusOr<authz::Grant> g =
        authz::CheckAccess(principal, {type, authz::Interaction::kSearch});
    if (g.ok() && g->categories.empty()) {
      searchable.push_back(type);
    }
  }
  out->searchable_types = absl::StrJoin(searchable, ",");
  out->principal = std::move(principal);
  return out;
}

void TokenVerifier::SetOnUnknownKey(std::function<void()> callback) {
  absl::MutexLock lock(&mu_);
  on_unknown_key_ = std::move(callback);
}

void TokenVerifier::SetKeys(jose::KeySet keys) {
  auto shared = std::make_shared<const jose::KeySet>(std::move(keys));
  absl::MutexLock lock(&mu_);
  keys_ = std::move(shared);
}

bool TokenVerifier::has_keys() const {
  absl::ReaderMutexLock lock(&mu_);
  return keys_ != nullptr && !keys_->empty();
}

void TokenVerifier::Revoke(absl::string_view kind, absl::string_view subject, absl::Time at) {
  absl::MutexLock lock(&mu_);
  if (kind == "grant") {
    revoked_grants_.emplace(subject);
  } else if (kind == "token") {
    revoked_jtis_.emplace(subject);
  } else if (kind == "client") {
    absl::Time& t = revoked_clients_[std::string(subject)];
    t = std::max(t, at);
  }
}

bool TokenVerifier::RevokedLocked(const Verified& v) const {
  if (!v.grant_id.empty() && revoked_grants_.count(v.grant_id) > 0) {
    return true;
  }
  if (revoked_jtis_.count(v.jti) > 0) {
    return true;
  }
  auto it = revoked_clients_.find(v.client_id);
  // Revocation times have second precision: a token issued in the same second is revoked too.
  return it != revoked_clients_.end() && v.issued_at <= it->second + absl::Seconds(1);
}

absl::StatusOr<std::shared_ptr<const Authenticated>> TokenVerifier::Authenticate(
    absl::string_view token, Realm realm, absl::string_view public_base) {
  const absl::Time now = now_();
  std::shared_ptr<const jose::KeySet> keys;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = cache_.find(token);
    if (it != cache_.end()) {
      const Verified& v = *it->second;
      if (v.realm != realm || v.public_base != public_base) {
        return absl::UnauthenticatedError("the token was issued for another realm");
      }
      if (now >= v.expires_at) {
        return absl::UnauthenticatedError("the token has expired");
      }
      if (RevokedLocked(v)) {
        return absl::UnauthenticatedError("the token was revoked");
      }
      return v.authenticated;
    }
    keys = keys_;
  }
  if (keys == nullptr) {
    return absl::UnauthenticatedError("the gateway has no keys from auth yet");
  }
  std::string base(absl::StripSuffix(public_base, "/"));
  std::string issuer;
  std::string audience;
  if (realm == Realm::kProduction) {
    issuer = absl::StrCat(base, "/auth");
    audience = absl::StrCat(base, "/fhir/r4");
  } else if (realm == Realm::kSandbox) {
    issuer = absl::StrCat(base, "/sandbox/auth");
    audience = absl::StrCat(base, "/sandbox/fhir/r4");
  } else {
    return absl::UnauthenticatedError("this realm takes no access tokens");
  }
  absl::StatusOr<jose::VerifiedJws> jws = jose::Verify(token, *keys, kAccessTokenAlgs);
  if (!jws.ok()) {
    absl::StatusOr<jose::JwsHeader> header = jose::PeekHeader(token);
    if (header.ok() && header->kid.has_value() &&
        keys->Candidates(*header->kid, header->alg).empty()) {
      std::function<void()> callback;
      {
        absl::ReaderMutexLock lock(&mu_);
        callback = on_unknown_key_;
      }
      if (callback) {
        callback();  // auth may have rotated keys: fetch them (rate-limited by the feed)
      }
    }
    return absl::UnauthenticatedError("the token's signature does not verify");
  }
  if (jws->header.typ != "at+jwt") {
    return absl::UnauthenticatedError("not an access token");
  }
  absl::StatusOr<rapidjson::Document> claims = jose::ParseClaims(jws->payload);
  if (!claims.ok()) {
    return absl::UnauthenticatedError("the token's claims are malformed");
  }
  PLANAPI_RETURN_IF_ERROR(jose::CheckClaims(
      *claims, {.now = now, .leeway = absl::Seconds(5), .issuer = issuer, .audience = audience}));
  auto v = std::make_shared<Verified>();
  authz::Principal principal;
  principal.client_id = std::string(json::GetString(*claims, "client_id").value_or(""));
  principal.subject = std::string(json::GetString(*claims, "sub").value_or(""));
  if (std::optional<absl::string_view> patient = json::GetString(*claims, "patient");
      patient.has_value() && !patient->empty()) {
    principal.patient = std::string(*patient);
  }
  principal.scopes =
      authz::ParseScopes(json::GetString(*claims, "scope").value_or(""), fhir::PatientAccessTypes())
          .scopes;
  v->client_id = principal.client_id;
  v->grant_id = std::string(json::GetString(*claims, "gid").value_or(""));
  v->jti = std::string(json::GetString(*claims, "jti").value_or(""));
  v->issued_at = absl::FromUnixSeconds(json::GetInt(*claims, "iat").value_or(0));
  v->expires_at = absl::FromUnixSeconds(json::GetInt(*claims, "exp").value_or(0));
  v->realm = realm;
  v->public_base = std::string(public_base);
  if (v->client_id.empty() || v->jti.empty()) {
    return absl::UnauthenticatedError("the token lacks client_id or jti");
  }
  v->authenticated = MakeAuthenticated(std::move(principal));
  absl::MutexLock lock(&mu_);
  if (RevokedLocked(*v)) {
    return absl::UnauthenticatedError("the token was revoked");
  }
  if (cache_.size() >= kMaxCached) {
    for (auto it = cache_.begin(); it != cache_.end();) {
      if (it->second->expires_at <= now) {
        cache_.erase(it++);  // flat_hash_map's erase returns nothing; `it++` stays valid
      } else {
        ++it;
      }
    }
    if (cache_.size() >= kMaxCached) {
      cache_.clear();
    }
  }
  cache_.emplace(std::string(token), v);
  return v->authenticated;
}

}  // namespace planapi::gateway
