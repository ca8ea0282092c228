#include "services/auth/admin_grpc.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/rpc/identity.h"
#include "libs/rpc/metadata.h"
#include "libs/rpc/status.h"
#include "planapi/auth/v1/auth_service.grpc.pb.h"

namespace planapi::auth_service {
namespace {

namespace pb = planapi::auth::v1;

absl::StatusOr<std::optional<Realm>> RealmOf(pb::Realm realm, bool required) {
  switch (realm) {
    case pb::REALM_PRODUCTION:
      return Realm::kProduction;
    case pb::REALM_SANDBOX:
      return Realm::kSandbox;
    case pb::REALM_UNSPECIFIED:
      if (required) {
        return absl::InvalidArgumentError("realm is required (production or sandbox)");
      }
      return std::nullopt;
    default:
      return absl::InvalidArgumentError(absl::StrCat("unknown realm ", static_cast<int>(realm)));
  }
}

pb::Realm ToProto(Realm realm) {
  return realm == Realm::kProduction ? pb::REALM_PRODUCTION : pb::REALM_SANDBOX;
}

absl::StatusOr<ClientType> TypeOf(pb::ClientType type) {
  switch (type) {
    case pb::CLIENT_TYPE_CONFIDENTIAL:
      return ClientType::kConfidential;
    case pb::CLIENT_TYPE_PUBLIC:
      return ClientType::kPublic;
    case pb::CLIENT_TYPE_BACKEND:
      return ClientType::kBackend;
    default:
      return absl::InvalidArgumentError("type must be confidential, public or backend");
  }
}

pb::ClientType ToProto(ClientType type) {
  switch (type) {
    case ClientType::kConfidential:
      return pb::CLIENT_TYPE_CONFIDENTIAL;
    case ClientType::kPublic:
      return pb::CLIENT_TYPE_PUBLIC;
    case ClientType::kBackend:
      return pb::CLIENT_TYPE_BACKEND;
  }
  return pb::CLIENT_TYPE_UNSPECIFIED;
}

absl::StatusOr<AccountKind> KindOf(pb::AccountKind kind) {
  switch (kind) {
    case pb::ACCOUNT_KIND_MEMBER:
      return AccountKind::kMember;
    case pb::ACCOUNT_KIND_VENDOR:
      return AccountKind::kVendor;
    case pb::ACCOUNT_KIND_REVIEWER:
      return AccountKind::kReviewer;
    default:
      return absl::InvalidArgumentError("kind must be member, vendor or reviewer");
  }
}

pb::AccountKind ToProto(AccountKind kind) {
  switch (kind) {
    case AccountKind::kMember:
      return pb::ACCOUNT_KIND_MEMBER;
    case AccountKind::kVendor:
      return pb::ACCOUNT_KIND_VENDOR;
    case AccountKind::kReviewer:
      return pb::ACCOUNT_KIND_REVIEWER;
  }
  return pb::ACCOUNT_KIND_UNSPECIFIED;
}

void Fill(const Client& c, pb::Client* out) {
  out->set_client_id(c.client_id);
  out->set_name(c.name);
  out->set_type(ToProto(c.type));
  for (const std::string& uri : c.redirect_uris) {
    out->add_redirect_uris(uri);
  }
  out->set_launch_url(c.launch_url);
  out->set_scopes(c.scopes);
  out->add_realms(pb::REALM_SANDBOX);
  if (c.production) {
    out->add_realms(pb::REALM_PRODUCTION);
  }
  out->set_status(c.suspended ? pb::CLIENT_STATUS_SUSPENDED : pb::CLIENT_STATUS_ACTIVE);
  out->set_status_reason(c.status_reason);
  out->set_jwks_json(c.jwks);
  out->set_owner_account_id(c.owner_account_id);
  out->set_created_at(c.created_at);
  out->set_updated_at(c.updated_at);
}

void Fill(const Account& a, pb::Account* out) {
  out->set_account_id(a.account_id);
  out->set_kind(ToProto(a.kind));
  if (a.realm) {
    out->set_realm(ToProto(*a.realm));
  }
  out->set_username(a.username);
  out->set_patient_id(a.patient_id);
  out->set_created_at(a.created_at);
}

void Fill(const Grant& g, pb::Grant* out) {
  out->set_grant_id(g.grant_id);
  out->set_realm(ToProto(g.realm));
  out->set_account_id(g.account_id);
  out->set_username(g.username);
  out->set_patient_id(g.patient_id);
  out->set_client_id(g.client_id);
  out->set_client_name(g.client_name);
  out->set_scopes(g.scopes);
  out->set_created_at(g.created_at);
  out->set_updated_at(g.updated_at);
  out->set_revoked_at(g.revoked_at);
}

class AuthGrpcService final : public pb::Auth::Service {
 public:
  AuthGrpcService(Admin& admin, GatewayFeed feed, std::shared_ptr<const void> owner)
      : admin_(admin), feed_(feed), owner_(std::move(owner)) {}

  grpc::Status GetJwks(grpc::ServerContext* ctx, const pb::GetJwksRequest*,
                       pb::GetJwksResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "GetJwks"); !who.ok()) {
      return who;
    }
    if (feed_.keys == nullptr) {
      return Fail(*ctx, "GetJwks", absl::UnimplementedError(
                                         "this auth instance was started without signing keys, "
                                         "so it publishes no JWKS"));
    }
    out->set_jwks_json(feed_.keys->PublicJwks());
    return grpc::Status::OK;
  }

  grpc::Status WatchRevocations(grpc::ServerContext* ctx, const pb::WatchRevocationsRequest* in,
                                grpc::ServerWriter<pb::Revocation>* writer) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "WatchRevocations"); !who.ok()) {
      return who;
    }
    if (feed_.oauth == nullptr) {
      return Fail(*ctx, "WatchRevocations", absl::UnimplementedError(
                                         "this auth instance was started without the token "
                                         "store, so it streams no revocations"));
    }
    int64_t after = in->after_seq();
    // Polling the table keeps auth stateless (any replica serves any gateway); a few small
    // queries a second per gateway cost nothing next to the token traffic.
    while (!ctx->IsCancelled()) {
      absl::StatusOr<std::vector<OAuthStore::RevocationRow>> rows =
          feed_.oauth->Revocations(after, feed_.horizon, 1000);
      if (!rows.ok()) {
        return Fail(*ctx, "WatchRevocations", rows.status());
      }
      for (const OAuthStore::RevocationRow& row : *rows) {
        pb::Revocation r;
        r.set_seq(row.seq);
        r.set_kind(row.kind);
        r.set_subject(row.subject);
        r.set_created_at(row.created_at);
        if (!writer->Write(r)) {
          return grpc::Status::OK;  // the gateway went away
        }
        after = row.seq;
      }
      if (rows->empty()) {
        absl::SleepFor(feed_.poll);
      }
    }
    return grpc::Status::OK;
  }

  grpc::Status CreateClient(grpc::ServerContext* ctx, const pb::CreateClientRequest* in,
                            pb::CreateClientResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "CreateClient"); !who.ok()) {
      return who;
    }
    return Answer(*ctx, "CreateClient", [&]() -> absl::Status {
      absl::StatusOr<ClientType> type = TypeOf(in->type());
      if (!type.ok()) {
        return type.status();
      }
      ClientSpec spec{.name = in->name(),
                      .type = *type,
                      .redirect_uris = {in->redirect_uris().begin(), in->redirect_uris().end()},
                      .launch_url = in->launch_url(),
                      .scopes = in->scopes(),
                      .production = in->production(),
                      .jwks = in->jwks_json(),
                      .owner_account_id = in->owner_account_id()};
      absl::StatusOr<CreatedClient> created = admin_.CreateClient(spec);
      if (!created.ok()) {
        return created.status();
      }
      Fill(created->client, out->mutable_client());
      out->set_client_secret(created->secret);
      return absl::OkStatus();
    });
  }

  grpc::Status GetClient(grpc::ServerContext* ctx, const pb::ClientIdRequest* in,
                         pb::Client* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "GetClient"); !who.ok()) {
      return who;
    }
    return AnswerClient(*ctx, "GetClient", admin_.GetClient(in->client_id()), out);
  }

  grpc::Status UpdateClient(grpc::ServerContext* ctx, const pb::UpdateClientRequest* in,
                            pb::Client* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "UpdateClient"); !who.ok()) {
      return who;
    }
    ClientUpdate update{.client_id = in->client_id()};
    if (in->has_name()) update.name = in->name();
    if (in->has_redirect_uris()) {
      update.redirect_uris.emplace(in->redirect_uris().values().begin(),
                                   in->redirect_uris().values().end());
    }
    if (in->has_launch_url()) update.launch_url = in->launch_url();
    if (in->has_scopes()) update.scopes = in->scopes();
    if (in->has_jwks_json()) update.jwks = in->jwks_json();
    return AnswerClient(*ctx, "UpdateClient", admin_.UpdateClient(update), out);
  }

  grpc::Status GetClientSecret(grpc::ServerContext* ctx, const pb::ClientIdRequest* in,
                               pb::ClientSecretResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "GetClientSecret"); !who.ok()) {
      return who;
    }
    return AnswerSecret(*ctx, "GetClientSecret", in->client_id(),
                        admin_.GetClientSecret(in->client_id()), out);
  }

  grpc::Status RotateSecret(grpc::ServerContext* ctx, const pb::ClientIdRequest* in,
                            pb::ClientSecretResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "RotateSecret"); !who.ok()) {
      return who;
    }
    return AnswerSecret(*ctx, "RotateSecret", in->client_id(),
                        admin_.RotateSecret(in->client_id()), out);
  }

  grpc::Status SetClientRealms(grpc::ServerContext* ctx, const pb::SetClientRealmsRequest* in,
                               pb::Client* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "SetClientRealms"); !who.ok()) {
      return who;
    }
    bool production = false;
    for (int realm : in->realms()) {
      absl::StatusOr<std::optional<Realm>> r = RealmOf(static_cast<pb::Realm>(realm), true);
      if (!r.ok()) {
        return Fail(*ctx, "SetClientRealms", r.status());
      }
      production = production || **r == Realm::kProduction;
    }
    return AnswerClient(*ctx, "SetClientRealms", admin_.SetProduction(in->client_id(), production),
                        out);
  }

  grpc::Status SetClientStatus(grpc::ServerContext* ctx, const pb::SetClientStatusRequest* in,
                               pb::Client* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "SetClientStatus"); !who.ok()) {
      return who;
    }
    if (in->status() != pb::CLIENT_STATUS_ACTIVE && in->status() != pb::CLIENT_STATUS_SUSPENDED) {
      return Fail(*ctx, "SetClientStatus",
                  absl::InvalidArgumentError("status must be active or suspended"));
    }
    return AnswerClient(
        *ctx, "SetClientStatus",
        admin_.SetSuspended(in->client_id(), in->status() == pb::CLIENT_STATUS_SUSPENDED,
                            in->reason()),
        out);
  }

  grpc::Status CreateAccount(grpc::ServerContext* ctx, const pb::CreateAccountRequest* in,
                             pb::Account* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "CreateAccount"); !who.ok()) {
      return who;
    }
    return Answer(*ctx, "CreateAccount", [&]() -> absl::Status {
      absl::StatusOr<AccountKind> kind = KindOf(in->kind());
      if (!kind.ok()) {
        return kind.status();
      }
      absl::StatusOr<std::optional<Realm>> realm = RealmOf(in->realm(), false);
      if (!realm.ok()) {
        return realm.status();
      }
      absl::StatusOr<Account> account =
          admin_.CreateAccount({.kind = *kind,
                                .realm = *realm,
                                .username = in->username(),
                                .password = in->password(),
                                .patient_id = in->patient_id()});
      if (!account.ok()) {
        return account.status();
      }
      Fill(*account, out);
      return absl::OkStatus();
    });
  }

  grpc::Status CreateLaunch(grpc::ServerContext* ctx, const pb::CreateLaunchRequest* in,
                            pb::CreateLaunchResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "CreateLaunch"); !who.ok()) {
      return who;
    }
    return Answer(*ctx, "CreateLaunch", [&]() -> absl::Status {
      absl::StatusOr<std::optional<Realm>> realm = RealmOf(in->realm(), true);
      if (!realm.ok()) {
        return realm.status();
      }
      absl::StatusOr<CreatedLaunch> launch =
          admin_.CreateLaunch({.realm = **realm,
                               .client_id = in->client_id(),
                               .patient_id = in->patient_id(),
                               .member_username = in->member_username(),
                               .base_url = in->base_url()});
      if (!launch.ok()) {
        return launch.status();
      }
      out->set_launch(launch->launch);
      out->set_launch_url(launch->launch_url);
      out->set_iss(launch->iss);
      out->set_expires_at(launch->context.expires_at);
      return absl::OkStatus();
    });
  }

  grpc::Status ListGrants(grpc::ServerContext* ctx, const pb::ListGrantsRequest* in,
                          pb::ListGrantsResponse* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "ListGrants"); !who.ok()) {
      return who;
    }
    return Answer(*ctx, "ListGrants", [&]() -> absl::Status {
      GrantFilter filter{.account_id = in->account_id(),
                         .client_id = in->client_id(),
                         .include_revoked = in->include_revoked()};
      if (!in->username().empty()) {
        absl::StatusOr<std::optional<Realm>> realm = RealmOf(in->realm(), true);
        if (!realm.ok()) {
          return realm.status();
        }
        absl::StatusOr<Account> member = admin_.FindMember(**realm, in->username());
        if (!member.ok()) {
          return member.status();
        }
        filter.account_id = member->account_id;
      }
      absl::StatusOr<std::vector<Grant>> grants = admin_.ListGrants(filter);
      if (!grants.ok()) {
        return grants.status();
      }
      for (const Grant& g : *grants) {
        Fill(g, out->add_grants());
      }
      return absl::OkStatus();
    });
  }

  grpc::Status RevokeGrant(grpc::ServerContext* ctx, const pb::RevokeGrantRequest* in,
                           pb::Grant* out) override {
    if (grpc::Status who = rpc::RequireServiceIdentity(*ctx, "RevokeGrant"); !who.ok()) {
      return who;
    }
    return Answer(*ctx, "RevokeGrant", [&]() -> absl::Status {
      absl::StatusOr<Grant> g = admin_.RevokeGrant(in->grant_id(), in->reason());
      if (!g.ok()) {
        return g.status();
      }
      Fill(*g, out);
      return absl::OkStatus();
    });
  }

 private:
  template <typename Fn>
  grpc::Status Answer(const grpc::ServerContext& ctx, absl::string_view method, Fn&& fn) {
    const absl::Status status = fn();
    rpc::LogCallOutcome(ctx, method, status);
    return rpc::ToGrpcStatus(status);
  }

  grpc::Status Fail(const grpc::ServerContext& ctx, absl::string_view method,
                    const absl::Status& status) {
    rpc::LogCallOutcome(ctx, method, status);
    return rpc::ToGrpcStatus(status);
  }

  grpc::Status AnswerClient(const grpc::ServerContext& ctx, absl::string_view method,
                            const absl::StatusOr<Client>& client, pb::Client* out) {
    if (client.ok()) {
      Fill(*client, out);
    }
    return Fail(ctx, method, client.status());
  }

  grpc::Status AnswerSecret(const grpc::ServerContext& ctx, absl::string_view method,
                            const std::string& client_id,
                            const absl::StatusOr<std::string>& secret,
                            pb::ClientSecretResponse* out) {
    if (secret.ok()) {
      out->set_client_id(client_id);
      out->set_client_secret(*secret);
    }
    return Fail(ctx, method, secret.status());
  }

  Admin& admin_;
  GatewayFeed feed_;
  std::shared_ptr<const void> owner_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeAuthGrpcService(Admin& admin, GatewayFeed feed,
                                                   std::shared_ptr<const void> owner) {
  return std::make_unique<AuthGrpcService>(admin, feed, std::move(owner));
}

}  // namespace planapi::auth_service
