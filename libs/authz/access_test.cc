#include "libs/authz/access.h"

#include <catch2/catch.hpp>

#include "libs/fhir/resource_types.h"

namespace planapi::authz {
namespace {

Principal Member(absl::string_view scopes) {
  return Principal{.client_id = "app",
                   .subject = "member-1",
                   .patient = "pat-1",
                   .scopes = ParseScopes(scopes, fhir::PatientAccessTypes()).scopes};
}

Principal Backend(absl::string_view scopes) {
  return Principal{.client_id = "bulk",
                   .subject = "bulk",
                   .scopes = ParseScopes(scopes, fhir::PatientAccessTypes()).scopes};
}

absl::StatusCode CodeOf(const Principal& p, absl::string_view type, Interaction i) {
  return CheckAccess(p, {type, i}).status().code();
}

TEST_CASE("read scopes allow reads and searches of their type, pinned to the patient", "[authz]") {
  const Principal p = Member("patient/Observation.read");
  for (Interaction i : {Interaction::kRead, Interaction::kVRead, Interaction::kHistory,
                        Interaction::kSearch}) {
    auto grant = CheckAccess(p, {"Observation", i});
    REQUIRE(grant.ok());
    CHECK(grant->patient == "pat-1");
    CHECK(grant->categories.empty());
  }
  for (Interaction i : {Interaction::kCreate, Interaction::kUpdate, Interaction::kPatch,
                        Interaction::kDelete}) {
    CHECK(CodeOf(p, "Observation", i) == absl::StatusCode::kPermissionDenied);
  }
  CHECK(CodeOf(p, "Condition", Interaction::kRead) == absl::StatusCode::kPermissionDenied);
}

TEST_CASE("v2 letters are checked one by one", "[authz]") {
  const Principal r_only = Member("patient/Observation.r");
  CHECK(CodeOf(r_only, "Observation", Interaction::kRead) == absl::StatusCode::kOk);
  CHECK(CodeOf(r_only, "Observation", Interaction::kSearch) == absl::StatusCode::kPermissionDenied);
  const Principal s_only = Member("patient/Observation.s");
  CHECK(CodeOf(s_only, "Observation", Interaction::kSearch) == absl::StatusCode::kOk);
  CHECK(CodeOf(s_only, "Observation", Interaction::kRead) == absl::StatusCode::kPermissionDenied);
  const Principal u_only = Member("patient/Observation.u");
  CHECK(CodeOf(u_only, "Observation", Interaction::kPatch) == absl::StatusCode::kOk);
  CHECK(CodeOf(u_only, "Observation", Interaction::kCreate) == absl::StatusCode::kPermissionDenied);
}

TEST_CASE("wildcards cover every supported type only", "[authz]") {
  const Principal p = Member("patient/*.rs");
  CHECK(CodeOf(p, "ExplanationOfBenefit", Interaction::kSearch) == absl::StatusCode::kOk);
  CHECK(CodeOf(p, "Patient", Interaction::kRead) == absl::StatusCode::kOk);
  CHECK(CodeOf(p, "Patient", Interaction::kDelete) == absl::StatusCode::kPermissionDenied);
  // The type check itself is the route's job (it only names supported types); an unsupported
  // type could never have been granted explicitly.
  CHECK(Member("patient/Basic.rs").scopes.empty());
}

TEST_CASE("granular scopes confine to their categories, an unconstrained scope lifts that",
          "[authz]") {
  const Principal lab = Member(
      "patient/Observation.rs?category=laboratory patient/Observation.rs?category=vital-signs "
      "patient/Condition.rs");
  auto grant = CheckAccess(lab, {"Observation", Interaction::kSearch});
  REQUIRE(grant.ok());
  CHECK(grant->categories == std::vector<std::string>{"laboratory", "vital-signs"});
  auto condition = CheckAccess(lab, {"Condition", Interaction::kRead});
  REQUIRE(condition.ok());
  CHECK(condition->categories.empty());

  const Principal both = Member("patient/Observation.rs?category=laboratory patient/*.read");
  grant = CheckAccess(both, {"Observation", Interaction::kRead});
  REQUIRE(grant.ok());
  CHECK(grant->categories.empty());
  // A category scope with only "r" does not allow search.
  CHECK(CodeOf(Member("patient/Observation.r?category=laboratory"), "Observation",
               Interaction::kSearch) == absl::StatusCode::kPermissionDenied);
}

TEST_CASE("patient and user scopes need a patient, system scopes do not", "[authz]") {
  Principal no_patient = Member("patient/*.read user/*.read");
  no_patient.patient.reset();
  CHECK(CodeOf(no_patient, "Observation", Interaction::kRead) == absl::StatusCode::kPermissionDenied);

  const Principal user = Member("user/Observation.rs");
  auto grant = CheckAccess(user, {"Observation", Interaction::kRead});
  REQUIRE(grant.ok());
  CHECK(grant->patient == "pat-1");  // a member user is confined to their own record

  const Principal backend = Backend("system/*.rs");
  grant = CheckAccess(backend, {"Coverage", Interaction::kSearch});
  REQUIRE(grant.ok());
  CHECK_FALSE(grant->patient.has_value());
  CHECK(CodeOf(backend, "Coverage", Interaction::kCreate) == absl::StatusCode::kPermissionDenied);
}

TEST_CASE("without resource scopes nothing is allowed, and the refusal says why",
          "[authz]") {
  for (absl::string_view scopes : {"", "openid fhirUser launch/patient offline_access"}) {
    auto denied = CheckAccess(Member(scopes), {"Patient", Interaction::kRead});
    CHECK(denied.status().code() == absl::StatusCode::kPermissionDenied);
    CHECK(denied.status().message() == "read of Patient needs a scope such as patient/Patient.r");
  }
  CHECK(CheckAccess(Backend(""), {"Coverage", Interaction::kSearch}).status().message() ==
        "search of Coverage needs a scope such as system/Coverage.s");
}

}  // namespace
}  // namespace planapi::authz
