// The synthetic member generator: realistic, profile-conformant health plan members for the
// Patient Access API, its tests and benchmarks, and the Developer Sandbox's "Initialize Patient".
//
// Each member is a US Core Patient with CARIN Blue Button 2.0 Coverage (medical and dental), an
// ExplanationOfBenefit of every CARIN type (inpatient and outpatient institutional, professional,
// pharmacy, oral) and US Core clinical data: encounters, vitals and lab Observations, lab
// DiagnosticReports, Conditions, Procedures, Immunizations, MedicationRequests, an
// AllergyIntolerance, a CarePlan, CareTeam and Goal, DocumentReferences, sometimes an implanted
// Device, and a Provenance naming the clinical records. About 105 resources a member.
//
// Members reference a shared set of payer and provider Organizations and Practitioners, emitted
// once per run. Every reference resolves within the member or to the shared set.
//
// Output is deterministic: member `i` under seed `s` is the same bytes whatever the count or
// first index, and its ids ("s<seed>-m<i>-...") are distinct from every other member's and seed's,
// so several generations load side by side. Streaming: one member is in memory at a time.
// Thread-safety: the generator keeps no state between calls, so disjoint index ranges may be
// generated in parallel (one sink each) and concatenated.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "libs/synth/resource.h"

namespace planapi::synth {

struct MemberOptions {
  int64_t count = 1;
  uint64_t seed = 1;
  int64_t first_index = 0;  // members first_index .. first_index + count - 1
  // The shared Organizations and Practitioners; a second load of the same seed may skip them.
  bool emit_shared = true;
  // Dates are drawn from the years before this one (YYYY-MM-DD), not from the clock, so that a
  // seed means the same data on every day.
  std::string as_of = "2026-01-01";
};

// One member's resources, Patient first. The views are valid during the callback only.
struct Member {
  int64_t index = 0;
  absl::string_view patient_id;
  std::span<const Resource> resources;
};

// Where generated resources go. Implementations decide the format (transaction Bundles, NDJSON,
// an in-memory store). Called on the generating thread, in order.
class MemberSink {
 public:
  virtual ~MemberSink() = default;
  // The shared payers, providers and practitioners, once, before any member.
  virtual absl::Status Shared(std::span<const Resource> resources) = 0;
  virtual absl::Status AddMember(const Member& member) = 0;
};

// Generates `options.count` members into `sink`. INVALID_ARGUMENT for a negative count or index,
// indexes beyond 10^12, or a malformed `as_of`; otherwise the first error the sink returns
// (generation stops there).
absl::Status GenerateMembers(const MemberOptions& options, MemberSink& sink);

// The id of member `index`'s Patient under `seed` (e.g. to log in as that member).
std::string MemberPatientId(uint64_t seed, int64_t index);

}  // namespace planapi::synth
