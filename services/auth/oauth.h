// The OAuth 2.0 / OpenID Connect / SMART App Launch endpoints of one auth service, for both
// realms, as a Web route table (the gateway forwards /auth/... and /sandbox/auth/...):
// discovery, authorize (standalone, or EHR launch with a `launch` from CreateLaunch) with login
// and consent pages, token (authorization_code with PKCE S256,
// refresh_token with rotation and reuse detection, client_credentials with private_key_jwt),
// introspect, revoke, jwks, userinfo. The realm comes from the gateway's route; issuer and
// audience are built from the gateway's public base URL. Thread-safe: all state is in PostgreSQL
// (client rows are read through a ClientCache).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

#include "absl/time/time.h"
#include "libs/jose/aead.h"
#include "libs/server/web_service.h"
#include "services/auth/client_cache.h"
#include "services/auth/http_forms.h"
#include "services/auth/keys.h"
#include "services/auth/member_login.h"
#include "services/auth/oauth_store.h"
#include "services/auth/store.h"
#include "services/auth/web_answers.h"

namespace planapi::auth_service {

struct OAuthOptions {
  absl::Duration access_token_ttl = absl::Minutes(5);
  absl::Duration refresh_token_ttl = absl::Hours(24 * 30);
  absl::Duration code_ttl = absl::Seconds(60);
  absl::Duration authorization_request_ttl = absl::Minutes(15);
  // Login throttling: failures within the window, per account name and per address.
  absl::Duration throttle_window = absl::Minutes(15);
  int max_failures_per_user = 5;
  int max_failures_per_address = 50;
  // A member's sign-in to the grants page lasts this long.
  absl::Duration member_session_ttl = absl::Minutes(30);

  LoginLimits login_limits() const {
    return {throttle_window, max_failures_per_user, max_failures_per_address};
  }
};

class OAuthServer {
 public:
  // Every reference must outlive the server.
  OAuthServer(AuthStore& store, OAuthStore& oauth, ClientCache& clients, const SigningKeys& keys,
              const jose::SecretBox& secrets, OAuthOptions options = {})
      : store_(store),
        oauth_(oauth),
        login_(store, oauth, options.login_limits()),
        clients_(clients),
        keys_(keys),
        secrets_(secrets),
        options_(options) {}

  // The route table; handlers capture `this`.
  std::vector<server::WebRoute> Routes();

  server::WebResponse SmartConfiguration(const server::WebRequest& request);
  server::WebResponse OpenIdConfiguration(const server::WebRequest& request);
  server::WebResponse Jwks(const server::WebRequest& request);
  absl::StatusOr<server::WebResponse> Authorize(const server::WebRequest& request);
  absl::StatusOr<server::WebResponse> Login(const server::WebRequest& request);
  absl::StatusOr<server::WebResponse> Consent(const server::WebRequest& request);
  absl::StatusOr<server::WebResponse> Token(const server::WebRequest& request);
  absl::StatusOr<server::WebResponse> Introspect(const server::WebRequest& request);
  absl::StatusOr<server::WebResponse> Revoke(const server::WebRequest& request);
  absl::StatusOr<server::WebResponse> UserInfo(const server::WebRequest& request);

 private:
  struct TokenContext;
  // The authenticated client of a token, introspect or revoke request (RFC 6749 §2.3 Basic or
  // body secret, RFC 7523 private_key_jwt, or a public client's id), or the error to answer.
  struct ClientAuthOutcome {
    std::optional<server::WebResponse> refusal;
    Client client;
    std::string method;  // client_secret_basic | client_secret_post | private_key_jwt | none
    // With `defer_jti`: the verified assertion's jti and expiry, not yet recorded. The caller
    // must record it (OAuthStore::SpendAssertion) before it answers.
    std::string assertion_jti;
    absl::Time assertion_expires;
  };
  absl::StatusOr<ClientAuthOutcome> AuthenticateClient(const server::WebRequest& request,
                                                       const Params& params, Realm realm,
                                                       const RealmUrls& urls,
                                                       bool defer_jti = false);
  absl::StatusOr<server::WebResponse> AuthorizationCodeGrant(const server::WebRequest& request,
                                                             const TokenContext& ctx);
  absl::StatusOr<server::WebResponse> RefreshTokenGrant(const server::WebRequest& request,
                                                        const TokenContext& ctx);
  absl::StatusOr<server::WebResponse> ClientCredentialsGrant(const server::WebRequest& request,
                                                             const TokenContext& ctx);

  // A backend client's parsed keys, reused while its registered JWKS text stays the same: key
  // import checks every point and would otherwise run on every token request.
  absl::StatusOr<std::shared_ptr<const jose::KeySet>> ClientKeys(const Client& client);

  AuthStore& store_;
  OAuthStore& oauth_;
  MemberLogin login_;
  ClientCache& clients_;
  absl::Mutex keys_mu_;
  std::unordered_map<std::string, std::pair<std::string, std::shared_ptr<const jose::KeySet>>>
      client_keys_ ABSL_GUARDED_BY(keys_mu_);
  const SigningKeys& keys_;
  const jose::SecretBox& secrets_;
  const OAuthOptions options_;
};

}  // namespace planapi::auth_service
