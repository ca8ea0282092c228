#include "services/auth/model.h"

namespace planapi::auth_service {

absl::string_view RealmName(Realm realm) {
  return realm == Realm::kProduction ? "production" : "sandbox";
}

std::optional<Realm> RealmFromName(absl::string_view name) {
  if (name == "production") return Realm::kProduction;
  if (name == "sandbox") return Realm::kSandbox;
  return std::nullopt;
}

absl::string_view ClientTypeName(ClientType type) {
  switch (type) {
    case ClientType::kConfidential:
      return "confidential";
    case ClientType::kPublic:
      return "public";
    case ClientType::kBackend:
      return "backend";
  }
  return "";
}

std::optional<ClientType> ClientTypeFromName(absl::string_view name) {
  if (name == "confidential") return ClientType::kConfidential;
  if (name == "public") return ClientType::kPublic;
  if (name == "backend") return ClientType::kBackend;
  return std::nullopt;
}

absl::string_view AccountKindName(AccountKind kind) {
  switch (kind) {
    case AccountKind::kMember:
      return "member";
    case AccountKind::kVendor:
      return "vendor";
    case AccountKind::kReviewer:
      return "reviewer";
  }
  return "";
}

std::optional<AccountKind> AccountKindFromName(absl::string_view name) {
  if (name == "member") return AccountKind::kMember;
  if (name == "vendor") return AccountKind::kVendor;
  if (name == "reviewer") return AccountKind::kReviewer;
  return std::nullopt;
}

}  // namespace planapi::auth_service
