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

// An EHR launch to create (CreateLaunch): the portal (or an operator) launches `client_id` in
// `realm` with `patient_id` in view, optionally for one member only.
struct LaunchSpec {
  Realm realm = Realm::kSandbox;
  std::string client_id;
  std::string patient_id;
  std::string member_username;  // optional: only this member (linked to patient_id) may sign in
  // The gateway's public URL (https://host[:port]): `iss` is this realm's FHIR base under it.
  std::string base_url;
};

struct CreatedLaunch {
  std::string launch;      // the opaque id, given to the app once (only its hash is stored)
  std::string launch_url;  // the client's launch URL with iss and launch appended
  std::string iss;
  LaunchContext context;
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

  // Creates an EHR launch context that lives `ttl` (SMART: a few minutes; authorize must follow
  // soon). INVALID_ARGUMENT for a patient that is not a FHIR id or a base URL that is not https
  // scheme and host; NOT_FOUND for an unknown client or member; FAILED_PRECONDITION when the
  // client has no launch URL, is a backend client, is suspended or is not admitted to the realm,
  // or when the member is linked to another patient.
  absl::StatusOr<CreatedLaunch> CreateLaunch(const LaunchSpec& spec,
                                             absl::Duration ttl = absl::Minutes(5));

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
