// The administrative operations behind the Auth gRPC API (and, later, the portal): creating and
// changing OAuth clients with their sealed secrets, creating accounts with argon2id hashes,
// listing and revoking grants. Validates everything it is given before the store sees it.
// Thread-safe: holds references to thread-safe collaborators owned by the caller.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/jose/aead.h"
#include "libs/jose/password.h"
#include "services/auth/model.h"
#include "services/auth/store.h"

namespace planapi::auth_service {

struct ClientSpec {
  std::string name;
  ClientType type = ClientType::kConfidential;
  std::vector<std::string> redirect_uris;
  std::string launch_url;
  std::string scopes;
  bool production = false;
  std::string jwks;
  std::string owner_account_id;
};

struct ClientUpdate {
  std::string client_id;
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> redirect_uris;
  std::optional<std::string> launch_url;
  std::optional<std::string> scopes;
  std::optional<std::string> jwks;
};

struct CreatedClient {
  Client client;
  std::string secret;  // confidential clients only
};

struct AccountSpec {
  AccountKind kind = AccountKind::kMember;
  std::optional<Realm> realm;
  std::string username;
  std::string password;
  std::string patient_id;
};

// Checks on client registration data, shared with the portal later. INVALID_ARGUMENT naming the
// field and the problem.
absl::Status ValidateRedirectUri(absl::string_view uri);
absl::Status ValidateClientScopes(ClientType type, absl::string_view scopes);

class Admin {
 public:
  Admin(AuthStore& store, const jose::SecretBox& secrets, jose::PasswordParams password_params = {})
      : store_(store), secrets_(secrets), password_params_(password_params) {}

  // INVALID_ARGUMENT for a bad name, type/redirect/JWKS combination, redirect or launch URL, or
  // scope list (unknown scopes are named).
  absl::StatusOr<CreatedClient> CreateClient(const ClientSpec& spec);
  absl::StatusOr<Client> GetClient(absl::string_view client_id);
  absl::StatusOr<Client> UpdateClient(const ClientUpdate& update);
  // FAILED_PRECONDITION for clients without a secret (public, backend).
  absl::StatusOr<std::string> GetClientSecret(absl::string_view client_id);
  absl::StatusOr<std::string> RotateSecret(absl::string_view client_id);
  absl::StatusOr<Client> SetProduction(absl::string_view client_id, bool production);
  absl::StatusOr<Client> SetSuspended(absl::string_view client_id, bool suspended,
                                      absl::string_view reason);

  // INVALID_ARGUMENT for a bad username, a password under 8 or over 1024 bytes, a member without
  // realm or patient id, or a vendor/reviewer with one. ALREADY_EXISTS for a taken username.
  absl::StatusOr<Account> CreateAccount(const AccountSpec& spec);
  // NOT_FOUND when there is no such member.
  absl::StatusOr<Account> FindMember(Realm realm, absl::string_view username);

  absl::StatusOr<std::vector<Grant>> ListGrants(const GrantFilter& filter);
  absl::StatusOr<Grant> RevokeGrant(absl::string_view grant_id, absl::string_view reason);

 private:
  absl::Status ValidateClient(const Client& client);
  std::string Seal(const std::string& client_id, const std::string& secret) const;

  AuthStore& store_;
  const jose::SecretBox& secrets_;
  const jose::PasswordParams password_params_;
};

}  // namespace planapi::auth_service
