// The Auth admin API end to end through gRPC (in-process channel) onto a real PostgreSQL.
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>

#include "libs/jose/key.h"
#include "libs/jose/password.h"
#include "libs/jose/secret.h"
#include "libs/rpc/identity.h"
#include "libs/testing/postgres.h"
#include "libs/testing/process.h"
#include "planapi/auth/v1/auth_service.grpc.pb.h"
#include "services/auth/admin.h"
#include "services/auth/admin_grpc.h"
#include "services/auth/auth_pgtest_db.h"
#include "services/auth/auth_service.h"
#include "services/auth/store.h"

namespace planapi::auth_service {
namespace {

namespace pb = planapi::auth::v1;

struct Fixture {
  Fixture() : db(testing::Postgres::Shared().CreateDatabase()) {
    pool = MigratedAuthPool(db);
    store = std::make_unique<AuthStore>(*pool);
    auto b = jose::SecretBox::FromKey(jose::RandomBytes(32));
    REQUIRE(b.ok());
    box = std::make_unique<jose::SecretBox>(*std::move(b));
    admin = std::make_unique<Admin>(*store, *box,
                                    jose::PasswordParams{.memory_kib = 256, .iterations = 1});
    service = MakeAuthGrpcService(*admin);
    grpc::ServerBuilder builder;
    builder.RegisterService(service.get());
    server = builder.BuildAndStart();
    // As the suite's processes do: every call carries this process's service identity.
    testing::EnsureServiceIdentity();
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> identity;
    identity.push_back(rpc::IdentityInterceptorFactory());
    stub = pb::Auth::NewStub(server->experimental().InProcessChannelWithInterceptors(
        grpc::ChannelArguments(), std::move(identity)));
  }
  ~Fixture() { server->Shutdown(); }

  // One SQL value, for checking what was stored.
  std::string Query(const std::string& sql) {
    auto conn = pool->Acquire();
    REQUIRE(conn.ok());
    auto r = (*conn)->Exec(sql);
    REQUIRE(r.ok());
    return r->rows() == 0 || r->IsNull(0, 0) ? "" : std::string(r->Get(0, 0));
  }

  pb::CreateClientResponse CreateClient(pb::CreateClientRequest req) {
    grpc::ClientContext ctx;
    pb::CreateClientResponse out;
    grpc::Status s = stub->CreateClient(&ctx, req, &out);
    INFO(s.error_message());
    REQUIRE(s.ok());
    return out;
  }

  grpc::Status Call(auto method, const auto& req, auto* out) {
    grpc::ClientContext ctx;
    return ((*stub).*method)(&ctx, req, out);
  }

  testing::Database db;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<AuthStore> store;
  std::unique_ptr<jose::SecretBox> box;
  std::unique_ptr<Admin> admin;
  std::unique_ptr<grpc::Service> service;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<pb::Auth::Stub> stub;
};

pb::CreateClientRequest Confidential() {
  pb::CreateClientRequest req;
  req.set_name("Demo App");
  req.set_type(pb::CLIENT_TYPE_CONFIDENTIAL);
  req.add_redirect_uris("https://app.example/callback");
  req.set_scopes("openid fhirUser launch/patient offline_access patient/*.rs");
  return req;
}

TEST_CASE("a confidential client is created with a sealed secret that its owner can read again",
          "[auth][pg]") {
  Fixture f;
  pb::CreateClientResponse created = f.CreateClient(Confidential());
  const pb::Client& c = created.client();
  CHECK(c.client_id().size() == 24);
  CHECK(created.client_secret().size() == 43);
  CHECK(c.type() == pb::CLIENT_TYPE_CONFIDENTIAL);
  CHECK(c.status() == pb::CLIENT_STATUS_ACTIVE);
  REQUIRE(c.realms_size() == 1);
  CHECK(c.realms(0) == pb::REALM_SANDBOX);
  CHECK(c.redirect_uris(0) == "https://app.example/callback");
  CHECK_FALSE(c.created_at().empty());

  // At rest: sealed, never the secret itself.
  const std::string stored =
      f.Query("SELECT encode(secret_sealed, 'escape') FROM auth.clients");
  CHECK(stored.find(created.client_secret()) == std::string::npos);
  CHECK(f.Query("SELECT length(secret_sealed) FROM auth.clients") == "72");  // 1+12+43+16

  pb::ClientIdRequest id;
  id.set_client_id(c.client_id());
  pb::ClientSecretResponse secret;
  REQUIRE(f.Call(&pb::Auth::Stub::GetClientSecret, id, &secret).ok());
  CHECK(secret.client_secret() == created.client_secret());

  pb::ClientSecretResponse rotated;
  REQUIRE(f.Call(&pb::Auth::Stub::RotateSecret, id, &rotated).ok());
  CHECK(rotated.client_secret() != created.client_secret());
  REQUIRE(f.Call(&pb::Auth::Stub::GetClientSecret, id, &secret).ok());
  CHECK(secret.client_secret() == rotated.client_secret());
  CHECK(f.Query("SELECT count(*) FROM auth.audit_log WHERE event = 'client.secret_rotated'") == "1");
}

TEST_CASE("public and backend clients have no secret, backend clients a JWKS", "[auth][pg]") {
  Fixture f;
  pb::CreateClientRequest pub = Confidential();
  pub.set_type(pb::CLIENT_TYPE_PUBLIC);
  pb::CreateClientResponse created = f.CreateClient(pub);
  CHECK(created.client_secret().empty());
  pb::ClientIdRequest id;
  id.set_client_id(created.client().client_id());
  pb::ClientSecretResponse secret;
  CHECK(f.Call(&pb::Auth::Stub::GetClientSecret, id, &secret).error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(f.Call(&pb::Auth::Stub::RotateSecret, id, &secret).error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);

  auto key = jose::Key::Generate(jose::KeyType::kEcP384);
  REQUIRE(key.ok());
  pb::CreateClientRequest backend;
  backend.set_name("Bulk exporter");
  backend.set_type(pb::CLIENT_TYPE_BACKEND);
  backend.set_scopes("system/*.rs");
  backend.set_jwks_json(absl::StrCat(R"({"keys":[)", key->PublicJwk(), "]}"));
  pb::CreateClientResponse b = f.CreateClient(backend);
  CHECK(b.client_secret().empty());
  CHECK(b.client().jwks_json() == backend.jwks_json());
}

TEST_CASE("bad client registrations are refused and store nothing", "[auth][pg]") {
  Fixture f;
  auto key = jose::Key::Generate(jose::KeyType::kEcP256);
  REQUIRE(key.ok());
  std::vector<std::pair<std::string, pb::CreateClientRequest>> cases;
  auto add = [&](std::string why, auto change) {
    pb::CreateClientRequest req = Confidential();
    change(req);
    cases.emplace_back(std::move(why), req);
  };
  add("no name", [](auto& r) { r.set_name(""); });
  add("no type", [](auto& r) { r.set_type(pb::CLIENT_TYPE_UNSPECIFIED); });
  add("no redirect", [](auto& r) { r.clear_redirect_uris(); });
  add("http redirect", [](auto& r) { r.set_redirect_uris(0, "http://app.example/cb"); });
  add("fragment", [](auto& r) { r.set_redirect_uris(0, "https://app.example/cb#x"); });
  add("unknown scope", [](auto& r) { r.set_scopes("patient/*.rs superuser"); });
  add("system scope on an app", [](auto& r) { r.set_scopes("system/*.rs"); });
  add("jwks on an app", [&](auto& r) {
    r.set_jwks_json(absl::StrCat(R"({"keys":[)", key->PublicJwk(), "]}"));
  });
  add("bad launch url", [](auto& r) { r.set_launch_url("ftp://x"); });
  add("backend without jwks", [](auto& r) {
    r.set_type(pb::CLIENT_TYPE_BACKEND);
    r.clear_redirect_uris();
    r.set_scopes("system/*.rs");
  });
  add("backend with a private key", [](auto& r) {
    r.set_type(pb::CLIENT_TYPE_BACKEND);
    r.clear_redirect_uris();
    r.set_scopes("system/*.rs");
    r.set_jwks_json(R"({"keys":[{"kty":"oct","k":"AAAA"}]})");
  });
  add("owner not a uuid", [](auto& r) { r.set_owner_account_id("nobody"); });
  for (const auto& [why, req] : cases) {
    grpc::ClientContext ctx;
    pb::CreateClientResponse out;
    grpc::Status s = f.stub->CreateClient(&ctx, req, &out);
    INFO(why << ": " << s.error_message());
    CHECK((s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
           s.error_code() == grpc::StatusCode::NOT_FOUND));
  }
  CHECK(f.Query("SELECT count(*) FROM auth.clients") == "0");
  CHECK(f.Query("SELECT count(*) FROM auth.audit_log") == "0");
}

TEST_CASE("clients are updated, admitted to production, suspended and reactivated", "[auth][pg]") {
  Fixture f;
  const std::string id = f.CreateClient(Confidential()).client().client_id();

  pb::UpdateClientRequest update;
  update.set_client_id(id);
  update.set_name("Renamed");
  update.mutable_redirect_uris()->add_values("https://app.example/cb2");
  update.mutable_redirect_uris()->add_values("http://localhost:3000/cb");
  pb::Client out;
  REQUIRE(f.Call(&pb::Auth::Stub::UpdateClient, update, &out).ok());
  CHECK(out.name() == "Renamed");
  CHECK(out.redirect_uris_size() == 2);
  CHECK(out.scopes() == Confidential().scopes());  // untouched

  pb::UpdateClientRequest bad;
  bad.set_client_id(id);
  bad.set_scopes("system/*.rs");
  CHECK(f.Call(&pb::Auth::Stub::UpdateClient, bad, &out).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  bad.set_client_id("missing");
  CHECK(f.Call(&pb::Auth::Stub::UpdateClient, bad, &out).error_code() ==
        grpc::StatusCode::NOT_FOUND);

  pb::SetClientRealmsRequest realms;
  realms.set_client_id(id);
  realms.add_realms(pb::REALM_PRODUCTION);
  REQUIRE(f.Call(&pb::Auth::Stub::SetClientRealms, realms, &out).ok());
  CHECK(out.realms_size() == 2);
  realms.clear_realms();
  realms.add_realms(pb::REALM_SANDBOX);
  REQUIRE(f.Call(&pb::Auth::Stub::SetClientRealms, realms, &out).ok());
  CHECK(out.realms_size() == 1);
  realms.add_realms(static_cast<pb::Realm>(9));
  CHECK(f.Call(&pb::Auth::Stub::SetClientRealms, realms, &out).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);

  pb::SetClientStatusRequest status;
  status.set_client_id(id);
  status.set_status(pb::CLIENT_STATUS_SUSPENDED);
  status.set_reason("policy violation");
  REQUIRE(f.Call(&pb::Auth::Stub::SetClientStatus, status, &out).ok());
  CHECK(out.status() == pb::CLIENT_STATUS_SUSPENDED);
  CHECK(out.status_reason() == "policy violation");
  // Suspending again publishes no second revocation.
  REQUIRE(f.Call(&pb::Auth::Stub::SetClientStatus, status, &out).ok());
  CHECK(f.Query("SELECT count(*) FROM auth.revocations WHERE kind = 'client'") == "1");
  status.set_status(pb::CLIENT_STATUS_ACTIVE);
  REQUIRE(f.Call(&pb::Auth::Stub::SetClientStatus, status, &out).ok());
  CHECK(out.status() == pb::CLIENT_STATUS_ACTIVE);
  status.set_status(pb::CLIENT_STATUS_UNSPECIFIED);
  CHECK(f.Call(&pb::Auth::Stub::SetClientStatus, status, &out).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);

  pb::ClientIdRequest get;
  get.set_client_id("nope");
  CHECK(f.Call(&pb::Auth::Stub::GetClient, get, &out).error_code() == grpc::StatusCode::NOT_FOUND);
}

pb::CreateAccountRequest Member(const std::string& username, pb::Realm realm) {
  pb::CreateAccountRequest req;
  req.set_kind(pb::ACCOUNT_KIND_MEMBER);
  req.set_realm(realm);
  req.set_username(username);
  req.set_password("correct horse");
  req.set_patient_id("pat-1");
  return req;
}

TEST_CASE("accounts: argon2id hashes, unique per kind and realm, validated", "[auth][pg]") {
  Fixture f;
  pb::Account out;
  REQUIRE(f.Call(&pb::Auth::Stub::CreateAccount, Member("Alice", pb::REALM_PRODUCTION), &out).ok());
  CHECK(out.kind() == pb::ACCOUNT_KIND_MEMBER);
  CHECK(out.realm() == pb::REALM_PRODUCTION);
  CHECK(out.patient_id() == "pat-1");
  CHECK(out.account_id().size() == 36);
  const std::string hash = f.Query("SELECT password_hash FROM auth.accounts");
  CHECK(hash.rfind("$argon2id$", 0) == 0);
  CHECK(jose::VerifyPassword(hash, "correct horse"));

  // Same name, other realm: fine. Same name differing in case, same realm: taken.
  CHECK(f.Call(&pb::Auth::Stub::CreateAccount, Member("alice", pb::REALM_SANDBOX), &out).ok());
  grpc::Status taken =
      f.Call(&pb::Auth::Stub::CreateAccount, Member("ALICE", pb::REALM_PRODUCTION), &out);
  CHECK(taken.error_code() == grpc::StatusCode::ALREADY_EXISTS);
  CHECK(taken.error_message() == "a member named 'ALICE' already exists in production");

  pb::CreateAccountRequest vendor;
  vendor.set_kind(pb::ACCOUNT_KIND_VENDOR);
  vendor.set_username("alice");
  vendor.set_password("vendor password");
  REQUIRE(f.Call(&pb::Auth::Stub::CreateAccount, vendor, &out).ok());
  CHECK(out.realm() == pb::REALM_UNSPECIFIED);

  std::vector<std::pair<std::string, pb::CreateAccountRequest>> bad;
  auto add = [&](std::string why, pb::CreateAccountRequest req) { bad.emplace_back(why, req); };
  pb::CreateAccountRequest r = Member("bob", pb::REALM_PRODUCTION);
  r.set_password("short");
  add("short password", r);
  r = Member("bob", pb::REALM_UNSPECIFIED);
  add("member without realm", r);
  r = Member("bob", pb::REALM_PRODUCTION);
  r.clear_patient_id();
  add("member without patient", r);
  r.set_patient_id("pat/1");
  add("bad patient id", r);
  r = Member("bob smith", pb::REALM_PRODUCTION);
  add("space in username", r);
  r = Member("", pb::REALM_PRODUCTION);
  add("empty username", r);
  r = vendor;
  r.set_username("vendor2");
  r.set_patient_id("pat-1");
  add("vendor with patient", r);
  r = vendor;
  r.set_kind(pb::ACCOUNT_KIND_UNSPECIFIED);
  add("no kind", r);
  for (const auto& [why, req] : bad) {
    INFO(why);
    CHECK(f.Call(&pb::Auth::Stub::CreateAccount, req, &out).error_code() ==
          grpc::StatusCode::INVALID_ARGUMENT);
  }
  CHECK(f.Query("SELECT count(*) FROM auth.accounts") == "3");
}

TEST_CASE("grants are listed per member and revoked with their refresh tokens, once",
          "[auth][pg]") {
  Fixture f;
  pb::Account member;
  REQUIRE(f.Call(&pb::Auth::Stub::CreateAccount, Member("carol", pb::REALM_SANDBOX), &member).ok());
  const std::string client_id = f.CreateClient(Confidential()).client().client_id();
  // Grants and refresh tokens are written by the OAuth endpoints; seed them directly here.
  const std::string grant_id = f.Query(absl::StrCat(
      "INSERT INTO auth.grants (realm, account_id, client_id, scopes) VALUES ('sandbox', '",
      member.account_id(), "', '", client_id, "', 'openid patient/*.rs') RETURNING id"));
  f.Query(absl::StrCat("INSERT INTO auth.refresh_tokens (token_hash, grant_id, family_id, scopes, "
                       "expires_at) VALUES ('\\x01', '",
                       grant_id, "', gen_random_uuid(), 'x', now() + interval '1 day') RETURNING 1"));

  pb::ListGrantsRequest list;
  list.set_username("CAROL");
  list.set_realm(pb::REALM_SANDBOX);
  pb::ListGrantsResponse grants;
  REQUIRE(f.Call(&pb::Auth::Stub::ListGrants, list, &grants).ok());
  REQUIRE(grants.grants_size() == 1);
  const pb::Grant& g = grants.grants(0);
  CHECK(g.grant_id() == grant_id);
  CHECK(g.client_name() == "Demo App");
  CHECK(g.username() == "carol");
  CHECK(g.patient_id() == "pat-1");
  CHECK(g.scopes() == "openid patient/*.rs");
  CHECK(g.revoked_at().empty());

  list.set_realm(pb::REALM_PRODUCTION);
  CHECK(f.Call(&pb::Auth::Stub::ListGrants, list, &grants).error_code() ==
        grpc::StatusCode::NOT_FOUND);
  list.set_realm(pb::REALM_UNSPECIFIED);
  CHECK(f.Call(&pb::Auth::Stub::ListGrants, list, &grants).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(f.Call(&pb::Auth::Stub::ListGrants, pb::ListGrantsRequest(), &grants).error_code() ==
        grpc::StatusCode::INVALID_ARGUMENT);

  pb::RevokeGrantRequest revoke;
  revoke.set_grant_id(grant_id);
  revoke.set_reason("member asked");
  pb::Grant revoked;
  REQUIRE(f.Call(&pb::Auth::Stub::RevokeGrant, revoke, &revoked).ok());
  CHECK_FALSE(revoked.revoked_at().empty());
  CHECK(f.Query("SELECT count(*) FROM auth.refresh_tokens WHERE revoked_at IS NOT NULL") == "1");
  REQUIRE(f.Call(&pb::Auth::Stub::RevokeGrant, revoke, &revoked).ok());
  CHECK(f.Query("SELECT count(*) FROM auth.revocations WHERE kind = 'grant'") == "1");
  CHECK(f.Query("SELECT count(*) FROM auth.audit_log WHERE event = 'grant.revoked'") == "1");

  list.set_realm(pb::REALM_SANDBOX);
  REQUIRE(f.Call(&pb::Auth::Stub::ListGrants, list, &grants).ok());
  CHECK(grants.grants_size() == 0);
  list.set_include_revoked(true);
  REQUIRE(f.Call(&pb::Auth::Stub::ListGrants, list, &grants).ok());
  CHECK(grants.grants_size() == 1);

  for (const char* missing : {"", "nope", "00000000-0000-0000-0000-000000000000"}) {
    revoke.set_grant_id(missing);
    INFO(missing);
    CHECK(f.Call(&pb::Auth::Stub::RevokeGrant, revoke, &revoked).error_code() ==
          grpc::StatusCode::NOT_FOUND);
  }
}

}  // namespace
}  // namespace planapi::auth_service
