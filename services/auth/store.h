// PostgreSQL persistence of the auth schema (migrations/): clients, accounts, grants, EHR launch
// contexts, the revocation feed and the audit log. SQL only: validation, hashing and sealing happen in the
// callers, which hand over finished values. Thread-safe (each call leases its own connection).
// Errors: NOT_FOUND for an unknown id, ALREADY_EXISTS for a taken username or client id,
// INVALID_ARGUMENT for malformed ids, UNAVAILABLE/RESOURCE_EXHAUSTED from the pool.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/pg/pg.h"
#include "services/auth/model.h"

namespace planapi::auth_service {

// One audit record. No secrets and no PHI: ids, event names, short reasons.
struct AuditEvent {
  std::string event;  // e.g. "client.created", "token.issued", "grant.revoked"
  std::string realm;
  std::string client_id;
  std::string account_id;
  std::string grant_id;
  std::string detail;
};

class AuthStore {
 public:
  explicit AuthStore(pg::Pool& pool) : pool_(pool) {}

  absl::Status InsertClient(const Client& client, const AuditEvent& audit);
  absl::StatusOr<Client> GetClient(absl::string_view client_id);
  // Writes every mutable field of `client` (name, redirect URIs, launch URL, scopes, realms,
  // JWKS, sealed secret) and returns the stored row.
  absl::StatusOr<Client> UpdateClient(const Client& client, const AuditEvent& audit);
  // Suspending also publishes a 'client' revocation, in the same transaction.
  absl::StatusOr<Client> SetClientStatus(absl::string_view client_id, bool suspended,
                                         absl::string_view reason, const AuditEvent& audit);

  // `account.password_hash` must already be a hash.
  absl::StatusOr<Account> InsertAccount(const Account& account, const AuditEvent& audit);
  // The account with its password hash, by login name (case-insensitive). NOT_FOUND when absent.
  absl::StatusOr<Account> FindAccount(AccountKind kind, std::optional<Realm> realm,
                                      absl::string_view username);
  absl::StatusOr<Account> GetAccount(absl::string_view account_id);

  // Newest first. INVALID_ARGUMENT when the filter names neither account nor client.
  absl::StatusOr<std::vector<Grant>> ListGrants(const GrantFilter& filter);
  absl::StatusOr<Grant> GetGrant(absl::string_view grant_id);
  // Marks the grant and its refresh tokens revoked and publishes a 'grant' revocation, once;
  // revoking again changes nothing and returns the grant as it is.
  absl::StatusOr<Grant> RevokeGrant(absl::string_view grant_id, absl::string_view reason,
                                    const AuditEvent& audit);

  // Stores a launch context (`launch.id_hash` already hashed) that expires after `ttl`; returns
  // it as stored (created_at, expires_at filled in).
  absl::StatusOr<LaunchContext> InsertLaunch(const LaunchContext& launch, absl::Duration ttl,
                                             const AuditEvent& audit);
  // The launch context, expired or used ones too (flags say so). NOT_FOUND when unknown.
  absl::StatusOr<LaunchContext> GetLaunch(absl::string_view id_hash);

  absl::Status Audit(const AuditEvent& event);

  // Called with a client id after every UpdateClient and SetClientStatus (committed or not), on
  // the caller's thread: caches of client rows drop the entry before the change is answered. Set
  // once while wiring, before any call.
  void SetClientChangeHook(std::function<void(absl::string_view)> hook) {
    on_client_change_ = std::move(hook);
  }

 private:
  absl::Status ClientChanged(absl::string_view client_id, absl::Status outcome);

  pg::Pool& pool_;
  std::function<void(absl::string_view)> on_client_change_;
};

}  // namespace planapi::auth_service
