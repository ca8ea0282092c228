// Who is calling: the gateway's seam for verifying Bearer access tokens. The real one
// (TokenVerifier) verifies the JWT locally against auth's JWKS, caches the result per token and
// consults the revocations auth streams to the gateway; tests use fakes. No network call per
// request, so it may run on an io thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/authz/access.h"
#include "libs/jose/jwks.h"
#include "services/gateway/upstreams.h"

namespace planapi::gateway {

// A verified token's principal and what every request with it passes upstream, worked out once
// per token (not per request): the scopes as text and the types its scopes let it search without
// a category constraint. Immutable; shared by every request that bears the token.
struct Authenticated {
  authz::Principal principal;
  std::string scopes_text;       // principal.scopes.ToString()
  std::string searchable_types;  // comma-separated Patient Access types
};
std::shared_ptr<const Authenticated> MakeAuthenticated(authz::Principal principal);

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The principal of `token` in `realm` (issuer and audience follow from `public_base` and the
  // realm). UNAUTHENTICATED for a missing key, bad signature, wrong issuer or audience, expiry or
  // revocation, with a message fit for WWW-Authenticate's error_description.
  virtual absl::StatusOr<std::shared_ptr<const Authenticated>> Authenticate(
      absl::string_view token, Realm realm, absl::string_view public_base) = 0;
};

// Thread-safe: keys and revocations arrive from AuthFeed's threads while io threads verify.
class TokenVerifier final : public Authenticator {
 public:
  TokenVerifier() = default;

  // Called (without locks held) when a token names a key we do not have: rotation happened.
  void SetOnUnknownKey(std::function<void()> callback);
  void SetKeys(jose::KeySet keys);
  bool has_keys() const;
  // kind: "grant" (subject grant id), "token" (jti), "client" (tokens issued up to `at` die).
  void Revoke(absl::string_view kind, absl::string_view subject, absl::Time at);

  absl::StatusOr<std::shared_ptr<const Authenticated>> Authenticate(
      absl::string_view token, Realm realm, absl::string_view public_base) override;

  // For tests: a fixed clock.
  void SetNowForTest(std::function<absl::Time()> now) { now_ = std::move(now); }

 private:
  struct Verified {
    std::shared_ptr<const Authenticated> authenticated;
    std::string client_id;
    std::string grant_id;
    std::string jti;
    absl::Time issued_at;
    absl::Time expires_at;
    Realm realm;
    std::string public_base;
  };
  bool RevokedLocked(const Verified& v) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  std::function<absl::Time()> now_ = [] { return absl::Now(); };
  std::function<void()> on_unknown_key_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const jose::KeySet> keys_ ABSL_GUARDED_BY(mu_);
  // Keyed by the token; looked up by string_view (no copy of the token per request).
  absl::flat_hash_map<std::string, std::shared_ptr<const Verified>> cache_ ABSL_GUARDED_BY(mu_);
  std::unordered_set<std::string> revoked_grants_ ABSL_GUARDED_BY(mu_);
  std::unordered_set<std::string> revoked_jtis_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, absl::Time> revoked_clients_ ABSL_GUARDED_BY(mu_);
};

}  // namespace planapi::gateway
