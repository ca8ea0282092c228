// PostgreSQL state of the OAuth flow and the member's own pages (migrations 0001-0006): pending
// authorization requests, login attempts, grants with their codes and refresh tokens, revocation
// checks, client assertion replay protection, and members' sessions on the grants page. SQL only; callers hash secrets before they get here. Thread-safe.
#pragma once

#include <optional>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/pg/pg.h"
#include "services/auth/model.h"
#include "services/auth/store.h"

namespace planapi::auth_service {

struct PendingAuthorization {
  std::string id_hash;       // SHA-256 of the id in the forms
  std::string browser_hash;  // SHA-256 of the browser cookie
  Realm realm = Realm::kProduction;
  std::string client_id;
  std::string redirect_uri;
  std::string scopes;  // what may be granted (requested ∩ allowed)
  std::string state;
  std::string code_challenge;
  std::string nonce;
  std::string account_id;  // set once the member logged in
  std::string launch_hash;  // EHR launch: the launch context's id hash; empty for standalone
};

// A member signed in to the grants page.
struct MemberSession {
  Realm realm = Realm::kProduction;
  std::string account_id;
};

// A code or refresh token resolved to what it was issued for.
struct Issued {
  std::string grant_id;
  Realm realm = Realm::kProduction;
  std::string client_id;
  std::string account_id;
  std::string username;
  std::string patient_id;
  std::string scopes;
  bool grant_revoked = false;
  // Codes.
  std::string redirect_uri;
  std::string code_challenge;
  std::string nonce;
  bool used_before = false;  // the code was redeemed already (now: reuse)
  bool expired = false;
  std::string access_jti;      // what the first redemption issued
  std::string refresh_family;  // "
  std::string launch_patient;  // EHR launch: the patient of the launch context the code carries
  // Refresh tokens.
  std::string family_id;
  bool rotated = false;  // presented after rotation: reuse
  bool revoked = false;
};

class OAuthStore {
 public:
  explicit OAuthStore(pg::Pool& pool, AuthStore& store) : pool_(pool), store_(store) {}

  absl::Status InsertPending(const PendingAuthorization& p, absl::Duration ttl);
  // NOT_FOUND when unknown or expired.
  absl::StatusOr<PendingAuthorization> GetPending(absl::string_view id_hash);
  absl::Status BindAccount(absl::string_view id_hash, absl::string_view account_id);
  absl::Status DeletePending(absl::string_view id_hash);

  // Failed attempts in the last `window` for this name and for this address.
  absl::StatusOr<std::pair<int, int>> RecentFailures(Realm realm, absl::string_view username,
                                                     absl::string_view address,
                                                     absl::Duration window);
  absl::Status RecordLogin(Realm realm, absl::string_view username, absl::string_view address,
                           bool success);

  // Consent given: creates or updates the member's active grant for the client and stores the
  // code (hash, bound to client, redirect URI and PKCE challenge, and the launch context of an
  // EHR launch, which is marked used). Returns the grant id. FAILED_PRECONDITION (and nothing
  // stored) when the launch context was used meanwhile: a launch serves one authorization.
  absl::StatusOr<std::string> GrantAndIssueCode(const PendingAuthorization& p,
                                                absl::string_view scopes,
                                                absl::string_view code_hash, absl::Duration ttl);

  // Marks the code used and returns what it was issued for, in one statement so that two
  // concurrent redemptions cannot both succeed. NOT_FOUND for an unknown code.
  absl::StatusOr<Issued> RedeemCode(absl::string_view code_hash);
  absl::Status RecordCodeIssue(absl::string_view code_hash, absl::string_view access_jti,
                               absl::string_view refresh_family);

  absl::Status InsertRefresh(absl::string_view token_hash, absl::string_view grant_id,
                             absl::string_view family_id, absl::string_view scopes,
                             absl::Duration ttl);
  // NOT_FOUND when unknown or expired.
  absl::StatusOr<Issued> GetRefresh(absl::string_view token_hash);
  // Rotates `old_hash` to `new_hash` in the same family. ABORTED when `old_hash` was rotated or
  // revoked meanwhile (a concurrent use: treated as reuse by the caller).
  absl::Status RotateRefresh(absl::string_view old_hash, absl::string_view new_hash,
                             const Issued& issued, absl::Duration ttl);
  absl::Status RevokeRefreshFamily(absl::string_view family_id);
  absl::Status RevokeAccessToken(absl::string_view jti, const AuditEvent& audit);

  // Whether a token is revoked: its grant, its client (suspended at or after `issued_at`), or its
  // jti.
  absl::StatusOr<bool> IsRevoked(absl::string_view grant_id, absl::string_view client_id,
                                 absl::string_view jti, absl::Time issued_at);

  // Records a client assertion's jti; ALREADY_EXISTS when it was seen before (a replay).
  absl::Status UseAssertionJti(absl::string_view client_id, absl::string_view jti,
                               absl::Time expires_at);
  // Records the jti of `audit.client_id`'s assertion and `audit` in one statement (one round
  // trip, one commit): both or neither are stored. When the jti was seen before, stores a
  // 'token.refused' row with `replay_detail` instead of `audit` and returns ALREADY_EXISTS.
  absl::Status SpendAssertion(absl::string_view jti, absl::Time expires_at,
                              const AuditEvent& audit, absl::string_view replay_detail);

  struct RevocationRow {
    int64_t seq;
    std::string kind;
    std::string subject;
    int64_t created_at;  // unix seconds
  };
  // Revocations after `after_seq` (after_seq 0: those younger than `horizon`), oldest first.
  absl::StatusOr<std::vector<RevocationRow>> Revocations(int64_t after_seq, absl::Duration horizon,
                                                         int limit);

  // Member sessions of the grants page; `id_hash` is the SHA-256 of the cookie value.
  // InsertMemberSession also drops expired sessions. GetMemberSession: NOT_FOUND when unknown or
  // expired.
  absl::Status InsertMemberSession(absl::string_view id_hash, const MemberSession& session,
                                   absl::Duration ttl);
  absl::StatusOr<MemberSession> GetMemberSession(absl::string_view id_hash);
  absl::Status DeleteMemberSession(absl::string_view id_hash);

  AuthStore& store() { return store_; }

 private:
  pg::Pool& pool_;
  AuthStore& store_;
};

}  // namespace planapi::auth_service
