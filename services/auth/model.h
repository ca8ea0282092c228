// The auth service's domain values: realms, clients, accounts and grants as the store and the
// endpoints see them (no protos, no SQL). Plain structs; copy freely.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace planapi::auth_service {

enum class Realm { kProduction, kSandbox };
absl::string_view RealmName(Realm realm);  // "production" / "sandbox"
std::optional<Realm> RealmFromName(absl::string_view name);

enum class ClientType { kConfidential, kPublic, kBackend };
absl::string_view ClientTypeName(ClientType type);
std::optional<ClientType> ClientTypeFromName(absl::string_view name);

enum class AccountKind { kMember, kVendor, kReviewer };
absl::string_view AccountKindName(AccountKind kind);
std::optional<AccountKind> AccountKindFromName(absl::string_view name);

struct Client {
  std::string client_id;
  std::string name;
  ClientType type = ClientType::kConfidential;
  std::vector<std::string> redirect_uris;
  std::string launch_url;
  std::string scopes;  // allowed scopes; empty = whatever the type allows
  bool production = false;  // admitted to the production realm (sandbox always)
  bool suspended = false;
  std::string status_reason;
  std::string jwks;  // backend clients
  std::string owner_account_id;
  std::string secret_sealed;  // confidential clients: AES-GCM sealed, bound to client_id
  std::string created_at;     // RFC 3339
  std::string updated_at;

  bool AdmittedTo(Realm realm) const { return realm == Realm::kSandbox || production; }
};

struct Account {
  std::string account_id;
  AccountKind kind = AccountKind::kMember;
  std::optional<Realm> realm;  // members only
  std::string username;
  std::string patient_id;      // members only
  std::string password_hash;   // argon2id PHC; filled only where a login needs it
  std::string created_at;
};

struct Grant {
  std::string grant_id;
  Realm realm = Realm::kProduction;
  std::string account_id;
  std::string username;
  std::string patient_id;
  std::string client_id;
  std::string client_name;
  std::string scopes;
  std::string created_at;
  std::string updated_at;
  std::string revoked_at;  // empty while active
};

// An EHR launch context (SMART App Launch 2 "EHR launch"): what the portal that launched an app
// fixed for the authorization that follows - the app, the realm and the patient in view.
struct LaunchContext {
  std::string id_hash;  // SHA-256 of the opaque launch id the app receives
  Realm realm = Realm::kProduction;
  std::string client_id;
  std::string patient_id;
  std::string account_id;  // empty: whichever member is linked to patient_id may sign in
  std::string created_at;  // RFC 3339
  std::string expires_at;
  bool expired = false;
  bool used = false;  // a code was issued with it already
};

struct GrantFilter {
  std::string account_id;  // required unless client_id is set
  std::string client_id;
  bool include_revoked = false;
};

}  // namespace planapi::auth_service
