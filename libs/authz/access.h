// The authorization decision for one FHIR interaction: a route states what it needs as data
// (resource type x interaction), the verified token supplies a Principal, and CheckAccess - the one
// generic check for every type - says whether the scopes allow it and under which confinement (the
// patient compartment, a category filter). Pure; no I/O. The gateway runs it on every request and
// the FHIR service may run it again on the scopes passed in metadata.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/authz/scope.h"

namespace planapi::authz {

// FHIR RESTful interactions, each mapped to one SMART permission letter.
enum class Interaction {
  kRead,     // r
  kVRead,    // r
  kHistory,  // r (instance history)
  kSearch,   // s (type-level search and history)
  kCreate,   // c
  kUpdate,   // u
  kPatch,    // u
  kDelete,   // d
};

uint8_t PermissionOf(Interaction interaction);
absl::string_view InteractionName(Interaction interaction);

// What a route needs: a validated resource type name (pointing at route or type-table data that
// outlives the check) and an interaction.
struct Access {
  absl::string_view type;
  Interaction interaction;
};

// Who is calling, as established from a verified access token.
struct Principal {
  std::string client_id;
  std::string subject;                // the user, or the client for system tokens
  std::optional<std::string> patient;  // the launch/member patient, when the token carries one
  ScopeSet scopes;
};

// How an allowed request must be confined.
struct Grant {
  // The patient whose compartment every read, search, _include and _revinclude must stay in;
  // nullopt only for system/ access without a patient (backend services).
  std::optional<std::string> patient;
  // When the request is allowed only through granular scopes: the category tokens it must be
  // filtered to (any of them). Empty: no category constraint.
  std::vector<std::string> categories;
};

// Whether `principal` may perform `access`. A scope applies when its type is the access's type or
// "*" and it holds the interaction's permission; if any applicable scope is unconstrained the
// result is unconstrained, else the categories of all applicable scopes are unioned.
// patient/ and user/ scopes apply only when the principal has a patient, and the grant is then
// confined to it: every user who may see member data here is that member, so a user/ scope
// never means "every patient". Only system/ scopes (backend services) work without a patient.
// Returns PERMISSION_DENIED naming what was needed; never any other error.
absl::StatusOr<Grant> CheckAccess(const Principal& principal, const Access& access);

}  // namespace planapi::authz
