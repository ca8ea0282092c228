#include "services/auth/oauth_store.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/jose/secret.h"
#include "libs/status/status_macros.h"

namespace planapi::auth_service {
namespace {

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }
std::string Seconds(absl::Duration d) { return absl::StrCat(absl::ToInt64Seconds(d)); }
pg::Param HexOrNull(absl::string_view bytes) {
  return bytes.empty() ? pg::Param() : pg::Param(Hex(bytes));
}

// Grant, account and client columns shared by code and refresh-token lookups.
constexpr absl::string_view kIssuedColumns =
    "g.id::text, g.realm, g.client_id, g.account_id::text, a.username, coalesce(a.patient_id, "
    "''), g.revoked_at IS NOT NULL";

void FillGrant(const pg::Result& r, Issued& out) {
  out.grant_id = std::string(r.Get(0, 0));
  out.realm = RealmFromName(r.Get(0, 1)).value_or(Realm::kProduction);
  out.client_id = std::string(r.Get(0, 2));
  out.account_id = std::string(r.Get(0, 3));
  out.username = std::string(r.Get(0, 4));
  out.patient_id = std::string(r.Get(0, 5));
  out.grant_revoked = r.Get(0, 6) == "t";
}

// Sweeps expired assertion ids. Called on about one use in a hundred: enough to keep the table
// small, cheap with the index on expires_at.
absl::Status SweepJtis(pg::Connection& conn) {
  return conn.Exec("DELETE FROM assertion_jtis WHERE expires_at < now() - interval '10 minutes'")
      .status();
}

}  // namespace

absl::Status OAuthStore::InsertPending(const PendingAuthorization& p, absl::Duration ttl) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {Hex(p.id_hash),    Hex(p.browser_hash),
                              std::string(RealmName(p.realm)), p.client_id,
                              p.redirect_uri,    p.scopes,
                              p.state,           p.code_challenge,
                              p.nonce,           Seconds(ttl),
                              HexOrNull(p.launch_hash)};
  return conn
      ->Exec("INSERT INTO authorization_requests (id_hash, browser_hash, realm, client_id, "
             "redirect_uri, scopes, state, code_challenge, nonce, expires_at, launch_hash) VALUES "
             "(decode($1, 'hex'), decode($2, 'hex'), $3, $4, $5, $6, $7, $8, $9, now() + $10 * "
             "interval '1 second', decode($11, 'hex'))",
             params)
      .status();
}

absl::StatusOr<PendingAuthorization> OAuthStore::GetPending(absl::string_view id_hash) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {Hex(id_hash)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec("SELECT encode(browser_hash, 'hex'), realm, client_id, redirect_uri, scopes, "
                 "state, code_challenge, nonce, coalesce(account_id::text, ''), "
                 "coalesce(encode(launch_hash, 'hex'), '') FROM authorization_requests WHERE "
                 "id_hash = decode($1, 'hex') AND expires_at > now()",
                 params));
  if (r.rows() == 0) {
    return absl::NotFoundError("the authorization request is unknown or has expired");
  }
  PendingAuthorization p;
  p.id_hash = std::string(id_hash);
  p.browser_hash = absl::HexStringToBytes(r.Get(0, 0));
  p.realm = RealmFromName(r.Get(0, 1)).value_or(Realm::kProduction);
  p.client_id = std::string(r.Get(0, 2));
  p.redirect_uri = std::string(r.Get(0, 3));
  p.scopes = std::string(r.Get(0, 4));
  p.state = std::string(r.Get(0, 5));
  p.code_challenge = std::string(r.Get(0, 6));
  p.nonce = std::string(r.Get(0, 7));
  p.account_id = std::string(r.Get(0, 8));
  p.launch_hash = absl::HexStringToBytes(r.Get(0, 9));
  return p;
}

absl::Status OAuthStore::BindAccount(absl::string_view id_hash, absl::string_view account_id) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {Hex(id_hash), std::string(account_id)};
  return conn
      ->Exec("UPDATE authorization_requests SET account_id = $2::uuid WHERE id_hash = "
             "decode($1, 'hex')",
             params)
      .status();
}

absl::Status OAuthStore::DeletePending(absl::string_view id_hash) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {Hex(id_hash)};
  // Expired requests go with any delete: no separate sweeper needed for this table.
  return conn
      ->Exec("DELETE FROM authorization_requests WHERE id_hash = decode($1, 'hex') OR "
             "expires_at < now() - interval '1 hour'",
             params)
      .status();
}

absl::StatusOr<std::pair<int, int>> OAuthStore::RecentFailures(Realm realm,
                                                               absl::string_view username,
                                                               absl::string_view address,
                                                               absl::Duration window) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {std::string(RealmName(realm)), std::string(username),
                              std::string(address), Seconds(window)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec("SELECT (SELECT count(*) FROM login_attempts WHERE realm = $1 AND username = "
                 "lower($2) AND NOT success AND at > now() - $4 * interval '1 second'), (SELECT "
                 "count(*) FROM login_attempts WHERE address = $3 AND NOT success AND at > now() "
                 "- $4 * interval '1 second')",
                 params));
  return std::make_pair(std::stoi(std::string(r.Get(0, 0))), std::stoi(std::string(r.Get(0, 1))));
}

absl::Status OAuthStore::RecordLogin(Realm realm, absl::string_view username,
                                     absl::string_view address, bool success) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {std::string(RealmName(realm)), std::string(username),
                              std::string(address), success ? "t" : "f"};
  return conn
      ->Exec("INSERT INTO login_attempts (realm, username, address, success) VALUES ($1, "
             "lower($2), $3, $4)",
             params)
      .status();
}

absl::StatusOr<std::string> OAuthStore::GrantAndIssueCode(const PendingAuthorization& p,
                                                          absl::string_view scopes,
                                                          absl::string_view code_hash,
                                                          absl::Duration ttl) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  std::string grant_id;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& tx) -> absl::Status {
    const pg::Param grant[] = {std::string(RealmName(p.realm)), p.account_id, p.client_id,
                               std::string(scopes)};
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result r,
        tx.Exec("INSERT INTO grants (realm, account_id, client_id, scopes) VALUES ($1, $2::uuid, "
                "$3, $4) ON CONFLICT (realm, account_id, client_id) WHERE revoked_at IS NULL DO "
                "UPDATE SET scopes = EXCLUDED.scopes, updated_at = now() RETURNING id::text",
                grant));
    grant_id = std::string(r.Get(0, 0));
    if (!p.launch_hash.empty()) {
      // Two authorizations may have started from one launch; the first to issue a code wins.
      const pg::Param launch[] = {Hex(p.launch_hash)};
      PLANAPI_ASSIGN_OR_RETURN(
          pg::Result used, tx.Exec("UPDATE launch_contexts SET used_at = now() WHERE id_hash = "
                                   "decode($1, 'hex') AND used_at IS NULL",
                                   launch));
      if (used.AffectedRows() != 1) {
        return absl::FailedPreconditionError("the launch was already used");
      }
    }
    const pg::Param code[] = {Hex(code_hash),    grant_id,  p.client_id, p.redirect_uri,
                              p.code_challenge,  std::string(scopes),   p.nonce,
                              Seconds(ttl),      HexOrNull(p.launch_hash)};
    PLANAPI_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO authorization_codes (code_hash, grant_id, client_id, redirect_uri, "
                "code_challenge, scopes, nonce, expires_at, launch_hash) VALUES (decode($1, "
                "'hex'), $2::uuid, $3, $4, $5, $6, $7, now() + $8 * interval '1 second', "
                "decode($9, 'hex'))",
                code)
            .status());
    const pg::Param del[] = {Hex(p.id_hash)};
    PLANAPI_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM authorization_requests WHERE id_hash = decode($1, 'hex')", del)
            .status());
    const pg::Param audit[] = {std::string(RealmName(p.realm)), p.client_id, p.account_id,
                               grant_id, std::string(scopes)};
    return tx
        .Exec("INSERT INTO audit_log (event, realm, client_id, account_id, grant_id, detail) "
              "VALUES ('grant.approved', $1, $2, $3, $4, $5)",
              audit)
        .status();
  }));
  return grant_id;
}

absl::StatusOr<Issued> OAuthStore::RedeemCode(absl::string_view code_hash) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {Hex(code_hash)};
  // The UPDATE's RETURNING sees the row after the change; the old used_at comes from a self-join
  // on the row as it was (FROM ... old), locked by the UPDATE, so exactly one caller sees NULL.
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec(absl::StrCat(
                     "WITH old AS (SELECT code_hash, used_at IS NOT NULL AS used, expires_at <= "
                     "now() AS expired FROM authorization_codes WHERE code_hash = decode($1, "
                     "'hex') FOR UPDATE), upd AS (UPDATE authorization_codes c SET used_at = "
                     "coalesce(c.used_at, now()) FROM old WHERE c.code_hash = old.code_hash "
                     "RETURNING c.*, old.used, old.expired) SELECT ",
                     kIssuedColumns,
                     ", upd.redirect_uri, upd.code_challenge, upd.scopes, upd.nonce, upd.used, "
                     "upd.expired, upd.access_jti, coalesce(upd.refresh_family::text, ''), "
                     "coalesce(l.patient_id, '') FROM upd JOIN grants g ON g.id = upd.grant_id "
                     "JOIN accounts a ON a.id = g.account_id LEFT JOIN launch_contexts l ON "
                     "l.id_hash = upd.launch_hash"),
                 params));
  if (r.rows() == 0) {
    return absl::NotFoundError("unknown authorization code");
  }
  Issued out;
  FillGrant(r, out);
  out.redirect_uri = std::string(r.Get(0, 7));
  out.code_challenge = std::string(r.Get(0, 8));
  out.scopes = std::string(r.Get(0, 9));
  out.nonce = std::string(r.Get(0, 10));
  out.used_before = r.Get(0, 11) == "t";
  out.expired = r.Get(0, 12) == "t";
  out.access_jti = std::string(r.Get(0, 13));
  out.refresh_family = std::string(r.Get(0, 14));
  out.launch_patient = std::string(r.Get(0, 15));
  return out;
}

absl::Status OAuthStore::RecordCodeIssue(absl::string_view code_hash, absl::string_view access_jti,
                                         absl::string_view refresh_family) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {Hex(code_hash), std::string(access_jti),
                              refresh_family.empty() ? pg::Param() : pg::Param(std::string(refresh_family))};
  return conn
      ->Exec("UPDATE authorization_codes SET access_jti = $2, refresh_family = $3::uuid WHERE "
             "code_hash = decode($1, 'hex')",
             params)
      .status();
}

absl::Status OAuthStore::InsertRefresh(absl::string_view token_hash, absl::string_view grant_id,
                                       absl::string_view family_id, absl::string_view scopes,
                                       absl::Duration ttl) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {Hex(token_hash), std::string(grant_id), std::string(family_id),
                              std::string(scopes), Seconds(ttl)};
  return conn
      ->Exec("INSERT INTO refresh_tokens (token_hash, grant_id, family_id, scopes, expires_at) "
             "VALUES (decode($1, 'hex'), $2::uuid, $3::uuid, $4, now() + $5 * interval '1 "
             "second')",
             params)
      .status();
}

absl::StatusOr<Issued> OAuthStore::GetRefresh(absl::string_view token_hash) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {Hex(token_hash)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec(absl::StrCat("SELECT ", kIssuedColumns,
                              ", t.family_id::text, t.scopes, t.rotated_at IS NOT NULL, "
                              "t.revoked_at IS NOT NULL FROM refresh_tokens t JOIN grants g ON "
                              "g.id = t.grant_id JOIN accounts a ON a.id = g.account_id WHERE "
                              "t.token_hash = decode($1, 'hex') AND t.expires_at > now()"),
                 params));
  if (r.rows() == 0) {
    return absl::NotFoundError("unknown or expired refresh token");
  }
  Issued out;
  FillGrant(r, out);
  out.family_id = std::string(r.Get(0, 7));
  out.scopes = std::string(r.Get(0, 8));
  out.rotated = r.Get(0, 9) == "t";
  out.revoked = r.Get(0, 10) == "t";
  return out;
}

absl::Status OAuthStore::RotateRefresh(absl::string_view old_hash, absl::string_view new_hash,
                                       const Issued& issued, absl::Duration ttl) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  return pg::InTransaction(*conn, [&](pg::Connection& tx) -> absl::Status {
    const pg::Param old[] = {Hex(old_hash)};
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result r, tx.Exec("UPDATE refresh_tokens SET rotated_at = now() WHERE token_hash = "
                              "decode($1, 'hex') AND rotated_at IS NULL AND revoked_at IS NULL",
                              old));
    if (r.AffectedRows() != 1) {
      return absl::AbortedError("the refresh token was used concurrently");
    }
    const pg::Param params[] = {Hex(new_hash), issued.grant_id, issued.family_id, issued.scopes,
                                Seconds(ttl)};
    return tx
        .Exec("INSERT INTO refresh_tokens (token_hash, grant_id, family_id, scopes, expires_at) "
              "VALUES (decode($1, 'hex'), $2::uuid, $3::uuid, $4, now() + $5 * interval '1 "
              "second')",
              params)
        .status();
  });
}

absl::Status OAuthStore::RevokeRefreshFamily(absl::string_view family_id) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {std::string(family_id)};
  return conn
      ->Exec("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1::uuid AND "
             "revoked_at IS NULL",
             params)
      .status();
}

absl::Status OAuthStore::RevokeAccessToken(absl::string_view jti, const AuditEvent& audit) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  return pg::InTransaction(*conn, [&](pg::Connection& tx) -> absl::Status {
    const pg::Param params[] = {std::string(jti)};
    PLANAPI_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO revocations (kind, subject) VALUES ('token', $1)", params).status());
    const pg::Param a[] = {audit.event, audit.realm, audit.client_id, audit.account_id,
                           audit.grant_id, audit.detail};
    return tx
        .Exec("INSERT INTO audit_log (event, realm, client_id, account_id, grant_id, detail) "
              "VALUES ($1, $2, $3, $4, $5, $6)",
              a)
        .status();
  });
}

absl::StatusOr<bool> OAuthStore::IsRevoked(absl::string_view grant_id, absl::string_view client_id,
                                           absl::string_view jti, absl::Time issued_at) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {std::string(grant_id), std::string(client_id), std::string(jti),
                              absl::StrCat(absl::ToUnixSeconds(issued_at))};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec("SELECT EXISTS (SELECT 1 FROM revocations WHERE (kind = 'grant' AND subject = "
                 "$1 AND $1 <> '') OR (kind = 'token' AND subject = $3) OR (kind = 'client' AND "
                 "subject = $2 AND created_at >= to_timestamp($4) - interval '1 second')) OR "
                 "EXISTS (SELECT 1 FROM clients WHERE client_id = $2 AND status = 'suspended')",
                 params));
  return r.Get(0, 0) == "t";
}

absl::Status OAuthStore::UseAssertionJti(absl::string_view client_id, absl::string_view jti,
                                         absl::Time expires_at) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {std::string(client_id), std::string(jti),
                              absl::StrCat(absl::ToUnixSeconds(expires_at))};
  if (static_cast<unsigned char>(jose::RandomBytes(1)[0]) < 3) {
    PLANAPI_RETURN_IF_ERROR(SweepJtis(*conn));
  }
  return conn
      ->Exec("INSERT INTO assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, "
             "to_timestamp($3))",
             params)
      .status();
}

absl::Status OAuthStore::SpendAssertion(absl::string_view jti, absl::Time expires_at,
                                        const AuditEvent& audit,
                                        absl::string_view replay_detail) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  if (static_cast<unsigned char>(jose::RandomBytes(1)[0]) < 3) {
    PLANAPI_RETURN_IF_ERROR(SweepJtis(*conn));
  }
  const pg::Param params[] = {audit.client_id, std::string(jti),
                              absl::StrCat(absl::ToUnixSeconds(expires_at)), audit.event,
                              audit.realm, audit.account_id, audit.grant_id, audit.detail,
                              std::string(replay_detail)};
  // Data-modifying WITH clauses run once, in one snapshot: the audit row sees whether the jti
  // went in. ON CONFLICT waits for a concurrent insert of the same jti, so exactly one wins.
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->ExecPrepared(
          "WITH j AS (INSERT INTO assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, "
          "to_timestamp($3)) ON CONFLICT DO NOTHING RETURNING 1), f AS (SELECT EXISTS (SELECT 1 "
          "FROM j) AS fresh), a AS (INSERT INTO audit_log (event, realm, client_id, account_id, "
          "grant_id, detail) SELECT CASE WHEN fresh THEN $4 ELSE 'token.refused' END, $5, $1, $6, "
          "$7, CASE WHEN fresh THEN $8 ELSE $9 END FROM f RETURNING 1) SELECT fresh, (SELECT "
          "count(*) FROM a) FROM f",
          params));
  if (r.Get(0, 0) != "t") {
    return absl::AlreadyExistsError(replay_detail);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<OAuthStore::RevocationRow>> OAuthStore::Revocations(
    int64_t after_seq, absl::Duration horizon, int limit) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {absl::StrCat(after_seq), Seconds(horizon), absl::StrCat(limit)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec("SELECT seq, kind, subject, extract(epoch FROM created_at)::bigint FROM "
                 "revocations WHERE seq > $1 AND ($1 > 0 OR created_at > now() - $2 * interval "
                 "'1 second') ORDER BY seq LIMIT $3",
                 params));
  std::vector<RevocationRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::stoll(std::string(r.Get(i, 0))), std::string(r.Get(i, 1)),
                   std::string(r.Get(i, 2)), std::stoll(std::string(r.Get(i, 3)))});
  }
  return out;
}

absl::Status OAuthStore::InsertMemberSession(absl::string_view id_hash,
                                             const MemberSession& session, absl::Duration ttl) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  return pg::InTransaction(*conn, [&](pg::Connection& tx) -> absl::Status {
    PLANAPI_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM member_sessions WHERE expires_at < now()").status());
    const pg::Param params[] = {Hex(id_hash), std::string(RealmName(session.realm)),
                                session.account_id, Seconds(ttl)};
    return tx
        .Exec("INSERT INTO member_sessions (id_hash, realm, account_id, expires_at) VALUES "
              "(decode($1, 'hex'), $2, $3::uuid, now() + $4 * interval '1 second')",
              params)
        .status();
  });
}

absl::StatusOr<MemberSession> OAuthStore::GetMemberSession(absl::string_view id_hash) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {Hex(id_hash)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r, conn->Exec("SELECT realm, account_id::text FROM member_sessions WHERE id_hash "
                               "= decode($1, 'hex') AND expires_at > now()",
                               params));
  if (r.rows() == 0) {
    return absl::NotFoundError("no such session");
  }
  return MemberSession{.realm = RealmFromName(r.Get(0, 0)).value_or(Realm::kProduction),
                       .account_id = std::string(r.Get(0, 1))};
}

absl::Status OAuthStore::DeleteMemberSession(absl::string_view id_hash) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param params[] = {Hex(id_hash)};
  return conn->Exec("DELETE FROM member_sessions WHERE id_hash = decode($1, 'hex')", params)
      .status();
}

}  // namespace planapi::auth_service
