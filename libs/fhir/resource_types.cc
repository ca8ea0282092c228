#include "libs/fhir/resource_types.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"

namespace planapi::fhir {
namespace {

// Kept sorted: the CapabilityStatement lists them in this order.
constexpr absl::string_view kPatientAccess[] = {
    "AllergyIntolerance", "CarePlan",  "CareTeam",          "Condition",
    "Coverage",           "Device",    "DiagnosticReport",  "DocumentReference",
    "Encounter",          "ExplanationOfBenefit", "Goal",   "Immunization",
    "Location",           "Medication", "MedicationRequest", "Observation",
    "Organization",       "Patient",   "Practitioner",      "PractitionerRole",
    "Procedure",          "Provenance",
};

constexpr absl::string_view kDirectory[] = {
    "Endpoint",     "HealthcareService", "InsurancePlan", "Location",
    "Organization", "OrganizationAffiliation", "Practitioner", "PractitionerRole",
};

}  // namespace

std::span<const absl::string_view> PatientAccessTypes() { return kPatientAccess; }
std::span<const absl::string_view> DirectoryTypes() { return kDirectory; }

bool Contains(std::span<const absl::string_view> types, absl::string_view name) {
  return std::find(types.begin(), types.end(), name) != types.end();
}

bool IsValidId(absl::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '-' || c == '.';
  });
}

std::optional<int> VersionOfETag(absl::string_view etag) {
  absl::ConsumePrefix(&etag, "W/");
  if (!absl::ConsumePrefix(&etag, "\"") || !absl::ConsumeSuffix(&etag, "\"")) {
    return std::nullopt;
  }
  int version = 0;
  if (etag.empty() || etag.size() > 9 || !std::all_of(etag.begin(), etag.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(etag, &version) || version < 1) {
    return std::nullopt;
  }
  return version;
}

bool LooksLikeTypeName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || !absl::ascii_isupper(name[0])) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) { return absl::ascii_isalpha(c); });
}

}  // namespace planapi::fhir
