// The audit trail of member-data access: who (client, user, patient context) did what
// (interaction, type, the resources returned, the query) when, and how it ended. Written by the
// FHIR service in the request itself; read back for a member ("who read my record").
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/fhirengine/store.h"
#include "libs/pg/pg.h"

namespace planapi::fhirengine {

struct AuditEvent {
  Realm realm = Realm::kProduction;
  std::string client_id;
  std::string user_id;
  std::string patient;
  std::string interaction;             // read, vread, history, search, everything
  std::string type;
  std::vector<std::string> resources;  // "Type/id" of what was returned
  std::string query;                   // the search parameters as sent
  int outcome = 0;                     // gRPC status code
  std::string request_id;
  std::string at;                      // RFC 3339, set when read back
};

// Thread-safe (the pool is); `pool` must outlive it.
class AuditLog {
 public:
  explicit AuditLog(pg::Pool& pool) : pool_(pool) {}

  // Stores one event. Errors per pg::MapSqlState.
  absl::Status Record(const AuditEvent& event);
  // A patient's events, newest first, at most `limit` (1..1000).
  absl::StatusOr<std::vector<AuditEvent>> ForPatient(Realm realm, absl::string_view patient,
                                                     int limit);

 private:
  pg::Pool& pool_;
};

}  // namespace planapi::fhirengine
