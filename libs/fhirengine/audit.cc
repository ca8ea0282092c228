#include "libs/fhirengine/audit.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/fhirengine/index_writer.h"
#include "libs/status/status_macros.h"

namespace planapi::fhirengine {
namespace {

// Splits a text[] value as PostgreSQL prints it ({a,"b c"}); our ids need no more than quotes.
std::vector<std::string> ParseTextArray(absl::string_view text) {
  std::vector<std::string> out;
  if (text.size() < 2) {
    return out;
  }
  text = text.substr(1, text.size() - 2);
  std::string current;
  bool quoted = false;
  bool any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\' && i + 1 < text.size()) {
        current.push_back(text[++i]);
      } else if (c == '"') {
        quoted = false;
      } else {
        current.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      out.push_back(std::move(current));
      current.clear();
      any = false;
    } else {
      current.push_back(c);
      any = true;
    }
  }
  if (any || !current.empty()) {
    out.push_back(std::move(current));
  }
  return out;
}

}  // namespace

absl::Status AuditLog::Record(const AuditEvent& e) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param p[] = {absl::StrCat(static_cast<int>(e.realm)),
                         e.client_id,
                         e.user_id,
                         e.patient,
                         e.interaction,
                         e.type,
                         TextArray(e.resources),
                         e.query,
                         absl::StrCat(e.outcome),
                         e.request_id};
  // One prepared statement, committed durably before the answer leaves. (Committing without
  // waiting for the WAL flush made reads faster, but a crash could lose records of answers
  // already sent, and search latency at p99 grew: bench/fhir.sh.)
  return conn
      ->ExecPrepared(
          "INSERT INTO audit_event (realm, client_id, user_id, patient, interaction, type, "
          "resources, query, outcome, request_id) VALUES ($1::smallint, $2, $3, $4, $5, $6, "
          "$7::text[], $8, $9::smallint, $10)",
          p)
      .status();
}

absl::StatusOr<std::vector<AuditEvent>> AuditLog::ForPatient(Realm realm,
                                                             absl::string_view patient,
                                                             int limit) {
  if (limit < 1 || limit > 1000) {
    return absl::InvalidArgumentError("limit must be between 1 and 1000");
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param p[] = {absl::StrCat(static_cast<int>(realm)), std::string(patient),
                         absl::StrCat(limit)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
                 "client_id, user_id, patient, interaction, type, resources::text, query, "
                 "outcome, request_id FROM audit_event WHERE realm = $1::smallint AND "
                 "patient = $2 ORDER BY at DESC, id DESC LIMIT $3::integer",
                 p));
  std::vector<AuditEvent> out;
  for (int i = 0; i < r.rows(); ++i) {
    AuditEvent e{.realm = realm,
                 .client_id = std::string(r.Get(i, 1)),
                 .user_id = std::string(r.Get(i, 2)),
                 .patient = std::string(r.Get(i, 3)),
                 .interaction = std::string(r.Get(i, 4)),
                 .type = std::string(r.Get(i, 5)),
                 .resources = ParseTextArray(r.Get(i, 6)),
                 .query = std::string(r.Get(i, 7)),
                 .request_id = std::string(r.Get(i, 9)),
                 .at = std::string(r.Get(i, 0))};
    (void)absl::SimpleAtoi(r.Get(i, 8), &e.outcome);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace planapi::fhirengine
