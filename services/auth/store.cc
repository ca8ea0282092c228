#include "services/auth/store.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/json/json.h"
#include "libs/status/status_macros.h"

namespace planapi::auth_service {
namespace {

// RFC 3339 in UTC, as every timestamp leaves this service.
#define PLANAPI_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

constexpr absl::string_view kClientColumns =
    "client_id, name, type, coalesce(encode(secret_sealed, 'hex'), ''), "
    "array_to_json(redirect_uris)::text, launch_url, scopes, 'production' = ANY (realms), "
    "status = 'suspended', status_reason, coalesce(jwks, ''), coalesce(owner_account_id::text, ''), " PLANAPI_TS(
        "created_at") ", " PLANAPI_TS("updated_at");

constexpr absl::string_view kAccountColumns =
    "id::text, kind, realm, username, coalesce(patient_id, ''), password_hash, " PLANAPI_TS(
        "created_at");

constexpr absl::string_view kGrantColumns =
    "g.id::text, g.realm, g.account_id::text, a.username, coalesce(a.patient_id, ''), g.client_id, "
    "c.name, g.scopes, " PLANAPI_TS("g.created_at") ", " PLANAPI_TS(
        "g.updated_at") ", coalesce(" PLANAPI_TS("g.revoked_at") ", '')";

constexpr absl::string_view kGrantFrom =
    " FROM grants g JOIN accounts a ON a.id = g.account_id JOIN clients c ON c.client_id = "
    "g.client_id ";

std::string Json(const std::vector<std::string>& values) {
  json::Writer w;
  w.StartArray();
  for (const std::string& v : values) {
    w.String(v);
  }
  w.EndArray();
  return w.Take();
}

pg::Param Hex(absl::string_view bytes) {
  if (bytes.empty()) {
    return std::nullopt;
  }
  return absl::BytesToHexString(bytes);
}

pg::Param NullIfEmpty(absl::string_view s) {
  return s.empty() ? pg::Param() : pg::Param(std::string(s));
}

Client ClientFromRow(const pg::Result& r, int row) {
  Client c;
  c.client_id = std::string(r.Get(row, 0));
  c.name = std::string(r.Get(row, 1));
  c.type = ClientTypeFromName(r.Get(row, 2)).value_or(ClientType::kPublic);
  c.secret_sealed = absl::HexStringToBytes(r.Get(row, 3));
  if (auto doc = json::Parse(r.Get(row, 4)); doc.ok() && doc->IsArray()) {
    for (const auto& v : doc->GetArray()) {
      c.redirect_uris.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  c.launch_url = std::string(r.Get(row, 5));
  c.scopes = std::string(r.Get(row, 6));
  c.production = r.Get(row, 7) == "t";
  c.suspended = r.Get(row, 8) == "t";
  c.status_reason = std::string(r.Get(row, 9));
  c.jwks = std::string(r.Get(row, 10));
  c.owner_account_id = std::string(r.Get(row, 11));
  c.created_at = std::string(r.Get(row, 12));
  c.updated_at = std::string(r.Get(row, 13));
  return c;
}

Account AccountFromRow(const pg::Result& r, int row) {
  Account a;
  a.account_id = std::string(r.Get(row, 0));
  a.kind = AccountKindFromName(r.Get(row, 1)).value_or(AccountKind::kMember);
  a.realm = RealmFromName(r.Get(row, 2));
  a.username = std::string(r.Get(row, 3));
  a.patient_id = std::string(r.Get(row, 4));
  a.password_hash = std::string(r.Get(row, 5));
  a.created_at = std::string(r.Get(row, 6));
  return a;
}

Grant GrantFromRow(const pg::Result& r, int row) {
  Grant g;
  g.grant_id = std::string(r.Get(row, 0));
  g.realm = RealmFromName(r.Get(row, 1)).value_or(Realm::kProduction);
  g.account_id = std::string(r.Get(row, 2));
  g.username = std::string(r.Get(row, 3));
  g.patient_id = std::string(r.Get(row, 4));
  g.client_id = std::string(r.Get(row, 5));
  g.client_name = std::string(r.Get(row, 6));
  g.scopes = std::string(r.Get(row, 7));
  g.created_at = std::string(r.Get(row, 8));
  g.updated_at = std::string(r.Get(row, 9));
  g.revoked_at = std::string(r.Get(row, 10));
  return g;
}

absl::Status AuditOn(pg::Connection& conn, const AuditEvent& e) {
  const pg::Param params[] = {e.event, e.realm, e.client_id, e.account_id, e.grant_id, e.detail};
  return conn
      .ExecPrepared(
          "INSERT INTO audit_log (event, realm, client_id, account_id, grant_id, detail) VALUES "
          "($1, $2, $3, $4, $5, $6)",
          params)
      .status();
}

absl::StatusOr<Client> SelectClient(pg::Connection& conn, absl::string_view client_id,
                                    bool for_update) {
  const pg::Param params[] = {std::string(client_id)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r, conn.ExecPrepared(absl::StrCat("SELECT ", kClientColumns,
                                                   " FROM clients WHERE client_id = $1",
                                                   for_update ? " FOR UPDATE" : ""),
                                      params));
  if (r.rows() == 0) {
    return absl::NotFoundError(absl::StrCat("no client ", client_id));
  }
  return ClientFromRow(r, 0);
}

absl::StatusOr<Grant> SelectGrant(pg::Connection& conn, absl::string_view grant_id) {
  const pg::Param params[] = {std::string(grant_id)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn.Exec(absl::StrCat("SELECT ", kGrantColumns, kGrantFrom, "WHERE g.id = $1::uuid"), params));
  if (r.rows() == 0) {
    return absl::NotFoundError(absl::StrCat("no grant ", grant_id));
  }
  return GrantFromRow(r, 0);
}

// A uuid column compared with text that is not a uuid would be a SQL error (class 22, mapped to
// INVALID_ARGUMENT); for lookups "no such id" is the better answer.
bool LooksLikeUuid(absl::string_view id) {
  if (id.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !absl::ascii_isxdigit(id[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::Status AuthStore::InsertClient(const Client& c, const AuditEvent& audit) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  return pg::InTransaction(*conn, [&](pg::Connection& tx) -> absl::Status {
    const pg::Param params[] = {c.client_id,
                                c.name,
                                std::string(ClientTypeName(c.type)),
                                Hex(c.secret_sealed),
                                Json(c.redirect_uris),
                                c.launch_url,
                                c.scopes,
                                c.production ? "{sandbox,production}" : "{sandbox}",
                                c.type == ClientType::kBackend ? pg::Param(c.jwks) : pg::Param(),
                                NullIfEmpty(c.owner_account_id)};
    PLANAPI_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO clients (client_id, name, type, secret_sealed, redirect_uris, "
                "launch_url, scopes, realms, jwks, owner_account_id) VALUES ($1, $2, $3, "
                "decode($4, 'hex'), ARRAY(SELECT jsonb_array_elements_text($5::jsonb)), $6, $7, "
                "$8::text[], $9, $10::uuid)",
                params)
            .status());
    return AuditOn(tx, audit);
  });
}

absl::StatusOr<Client> AuthStore::GetClient(absl::string_view client_id) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  return SelectClient(*conn, client_id, false);
}

absl::StatusOr<Client> AuthStore::UpdateClient(const Client& c, const AuditEvent& audit) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  Client out;
  absl::Status done = pg::InTransaction(*conn, [&](pg::Connection& tx) -> absl::Status {
    const pg::Param params[] = {c.client_id,
                                c.name,
                                Hex(c.secret_sealed),
                                Json(c.redirect_uris),
                                c.launch_url,
                                c.scopes,
                                c.production ? "{sandbox,production}" : "{sandbox}",
                                c.type == ClientType::kBackend ? pg::Param(c.jwks) : pg::Param()};
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result r,
        tx.Exec("UPDATE clients SET name = $2, secret_sealed = decode($3, 'hex'), redirect_uris = "
                "ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), launch_url = $5, scopes = $6, "
                "realms = $7::text[], jwks = $8, updated_at = now() WHERE client_id = $1",
                params));
    if (r.AffectedRows() == 0) {
      return absl::NotFoundError(absl::StrCat("no client ", c.client_id));
    }
    PLANAPI_RETURN_IF_ERROR(AuditOn(tx, audit));
    PLANAPI_ASSIGN_OR_RETURN(out, SelectClient(tx, c.client_id, false));
    return absl::OkStatus();
  });
  // The change hook runs whatever the outcome: a commit whose answer was lost may have happened.
  PLANAPI_RETURN_IF_ERROR(ClientChanged(c.client_id, std::move(done)));
  return out;
}

absl::StatusOr<Client> AuthStore::SetClientStatus(absl::string_view client_id, bool suspended,
                                                  absl::string_view reason,
                                                  const AuditEvent& audit) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  Client out;
  absl::Status done = pg::InTransaction(*conn, [&](pg::Connection& tx) -> absl::Status {
    PLANAPI_ASSIGN_OR_RETURN(Client before, SelectClient(tx, client_id, true));
    const pg::Param params[] = {std::string(client_id), suspended ? "suspended" : "active",
                                std::string(reason)};
    PLANAPI_RETURN_IF_ERROR(tx.Exec("UPDATE clients SET status = $2, status_reason = $3, "
                                    "updated_at = now() WHERE client_id = $1",
                                    params)
                                .status());
    if (suspended && !before.suspended) {
      const pg::Param rev[] = {std::string(client_id)};
      PLANAPI_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO revocations (kind, subject) VALUES ('client', $1)", rev).status());
    }
    PLANAPI_RETURN_IF_ERROR(AuditOn(tx, audit));
    PLANAPI_ASSIGN_OR_RETURN(out, SelectClient(tx, client_id, false));
    return absl::OkStatus();
  });
  PLANAPI_RETURN_IF_ERROR(ClientChanged(client_id, std::move(done)));
  return out;
}

absl::StatusOr<Account> AuthStore::InsertAccount(const Account& a, const AuditEvent& audit) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  Account out;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& tx) -> absl::Status {
    const pg::Param params[] = {std::string(AccountKindName(a.kind)),
                                a.realm ? std::string(RealmName(*a.realm)) : std::string(),
                                a.username, a.password_hash, NullIfEmpty(a.patient_id)};
    absl::StatusOr<pg::Result> r = tx.Exec(
        absl::StrCat("INSERT INTO accounts (kind, realm, username, password_hash, patient_id) "
                     "VALUES ($1, $2, $3, $4, $5) RETURNING ",
                     kAccountColumns),
        params);
    if (r.status().code() == absl::StatusCode::kAlreadyExists) {
      return absl::AlreadyExistsError(
          absl::StrCat("a ", AccountKindName(a.kind), " named '", a.username, "' already exists",
                       a.realm ? absl::StrCat(" in ", RealmName(*a.realm)) : ""));
    }
    PLANAPI_RETURN_IF_ERROR(r.status());
    out = AccountFromRow(*r, 0);
    AuditEvent e = audit;
    e.account_id = out.account_id;
    return AuditOn(tx, e);
  }));
  out.password_hash.clear();
  return out;
}

absl::StatusOr<Account> AuthStore::FindAccount(AccountKind kind, std::optional<Realm> realm,
                                               absl::string_view username) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {std::string(AccountKindName(kind)),
                              realm ? std::string(RealmName(*realm)) : std::string(),
                              std::string(username)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec(absl::StrCat("SELECT ", kAccountColumns,
                              " FROM accounts WHERE kind = $1 AND realm = $2 AND "
                              "lower(username) = lower($3)"),
                 params));
  if (r.rows() == 0) {
    return absl::NotFoundError("no such account");
  }
  return AccountFromRow(r, 0);
}

absl::StatusOr<Account> AuthStore::GetAccount(absl::string_view account_id) {
  if (!LooksLikeUuid(account_id)) {
    return absl::NotFoundError(absl::StrCat("no account ", account_id));
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {std::string(account_id)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec(absl::StrCat("SELECT ", kAccountColumns, " FROM accounts WHERE id = $1::uuid"),
                 params));
  if (r.rows() == 0) {
    return absl::NotFoundError(absl::StrCat("no account ", account_id));
  }
  Account a = AccountFromRow(r, 0);
  a.password_hash.clear();
  return a;
}

absl::StatusOr<std::vector<Grant>> AuthStore::ListGrants(const GrantFilter& filter) {
  if (filter.account_id.empty() && filter.client_id.empty()) {
    return absl::InvalidArgumentError("list grants of a member or of a client");
  }
  if (!filter.account_id.empty() && !LooksLikeUuid(filter.account_id)) {
    return std::vector<Grant>();
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {NullIfEmpty(filter.account_id), NullIfEmpty(filter.client_id),
                              filter.include_revoked ? "t" : "f"};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec(absl::StrCat("SELECT ", kGrantColumns, kGrantFrom,
                              "WHERE ($1::uuid IS NULL OR g.account_id = $1::uuid) AND ($2::text "
                              "IS NULL OR g.client_id = $2) AND ($3::boolean OR g.revoked_at IS "
                              "NULL) ORDER BY g.updated_at DESC, g.id"),
                 params));
  std::vector<Grant> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(GrantFromRow(r, i));
  }
  return out;
}

absl::StatusOr<Grant> AuthStore::GetGrant(absl::string_view grant_id) {
  if (!LooksLikeUuid(grant_id)) {
    return absl::NotFoundError(absl::StrCat("no grant ", grant_id));
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  return SelectGrant(*conn, grant_id);
}

absl::StatusOr<Grant> AuthStore::RevokeGrant(absl::string_view grant_id, absl::string_view reason,
                                             const AuditEvent& audit) {
  if (!LooksLikeUuid(grant_id)) {
    return absl::NotFoundError(absl::StrCat("no grant ", grant_id));
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  Grant out;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& tx) -> absl::Status {
    const pg::Param params[] = {std::string(grant_id), std::string(reason)};
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result r, tx.Exec("UPDATE grants SET revoked_at = now(), revoked_reason = $2 WHERE id = "
                              "$1::uuid AND revoked_at IS NULL",
                              std::span<const pg::Param>(params, 2)));
    if (r.AffectedRows() == 1) {
      const pg::Param id[] = {std::string(grant_id)};
      PLANAPI_RETURN_IF_ERROR(tx.Exec("UPDATE refresh_tokens SET revoked_at = now() WHERE "
                                      "grant_id = $1::uuid AND revoked_at IS NULL",
                                      id)
                                  .status());
      PLANAPI_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO revocations (kind, subject) VALUES ('grant', $1)", id).status());
      AuditEvent e = audit;
      e.grant_id = std::string(grant_id);
      PLANAPI_RETURN_IF_ERROR(AuditOn(tx, e));
    }
    PLANAPI_ASSIGN_OR_RETURN(out, SelectGrant(tx, grant_id));
    return absl::OkStatus();
  }));
  return out;
}

namespace {

constexpr absl::string_view kLaunchColumns =
    "encode(id_hash, 'hex'), realm, client_id, patient_id, coalesce(account_id::text, ''), " PLANAPI_TS(
        "created_at") ", " PLANAPI_TS("expires_at") ", expires_at <= now(), used_at IS NOT NULL";

LaunchContext LaunchFromRow(const pg::Result& r, int row) {
  LaunchContext l;
  l.id_hash = absl::HexStringToBytes(r.Get(row, 0));
  l.realm = RealmFromName(r.Get(row, 1)).value_or(Realm::kProduction);
  l.client_id = std::string(r.Get(row, 2));
  l.patient_id = std::string(r.Get(row, 3));
  l.account_id = std::string(r.Get(row, 4));
  l.created_at = std::string(r.Get(row, 5));
  l.expires_at = std::string(r.Get(row, 6));
  l.expired = r.Get(row, 7) == "t";
  l.used = r.Get(row, 8) == "t";
  return l;
}

}  // namespace

absl::StatusOr<LaunchContext> AuthStore::InsertLaunch(const LaunchContext& l, absl::Duration ttl,
                                                      const AuditEvent& audit) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  LaunchContext out;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& tx) -> absl::Status {
    // Contexts live minutes; a day-old one can go. Cheap with the index on expires_at, and it keeps
    // the table small without a sweeper process.
    PLANAPI_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM launch_contexts WHERE expires_at < now() - interval '1 day'").status());
    const pg::Param params[] = {absl::BytesToHexString(l.id_hash), std::string(RealmName(l.realm)),
                                l.client_id, l.patient_id, NullIfEmpty(l.account_id),
                                absl::StrCat(absl::ToInt64Seconds(ttl))};
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result r,
        tx.Exec(absl::StrCat("INSERT INTO launch_contexts (id_hash, realm, client_id, patient_id, "
                             "account_id, expires_at) VALUES (decode($1, 'hex'), $2, $3, $4, "
                             "$5::uuid, now() + $6 * interval '1 second') RETURNING ",
                             kLaunchColumns),
                params));
    out = LaunchFromRow(r, 0);
    return AuditOn(tx, audit);
  }));
  return out;
}

absl::StatusOr<LaunchContext> AuthStore::GetLaunch(absl::string_view id_hash) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {absl::BytesToHexString(id_hash)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r, conn->Exec(absl::StrCat("SELECT ", kLaunchColumns,
                                            " FROM launch_contexts WHERE id_hash = decode($1, 'hex')"),
                               params));
  if (r.rows() == 0) {
    return absl::NotFoundError("unknown launch");
  }
  return LaunchFromRow(r, 0);
}

absl::Status AuthStore::ClientChanged(absl::string_view client_id, absl::Status outcome) {
  if (on_client_change_) {
    on_client_change_(client_id);
  }
  return outcome;
}

absl::Status AuthStore::Audit(const AuditEvent& event) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  return AuditOn(*conn, event);
}

}  // namespace planapi::auth_service
