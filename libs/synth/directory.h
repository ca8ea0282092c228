// The synthetic provider directory generator: a payer's provider network as Da Vinci PDex
// Plan-Net 1.1.0 resources, for the Provider Directory API, its tests and benchmarks.
//
// For N practitioners it writes about 5N resources: the Practitioners (NPI, NUCC specialty,
// qualification) with a Direct-messaging Endpoint each, one to three PractitionerRoles each
// (practitioner, organization, location, healthcare service, network, specialty, telecom,
// endpoint, accepting-new-patients), provider Organizations of about ten practitioners with
// their Locations (real US cities, ZIP codes and coordinates), HealthcareServices, FHIR
// Endpoints and OrganizationAffiliations into the networks, plus a fixed top of payer
// Organizations, Networks, InsurancePlans and service-area Locations. Every reference resolves
// within the generated set.
//
// Deterministic: the same options give the same bytes. Streaming: resources go to the sink as
// they are written, so memory does not grow with N. Keeps no state between calls.
#pragma once

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "libs/synth/resource.h"

namespace planapi::synth {

struct DirectoryOptions {
  int64_t practitioners = 100;
  uint64_t seed = 1;
  // meta.lastUpdated and period starts derive from this date (YYYY-MM-DD), not from the clock.
  std::string as_of = "2026-01-01";
};

// Receives each resource; valid during the call only. A non-OK status stops generation.
using ResourceSink = absl::FunctionRef<absl::Status(const Resource&)>;

// INVALID_ARGUMENT for a practitioner count below 0 or above 10^9, or a malformed `as_of`;
// otherwise the first error the sink returns.
absl::Status GenerateDirectory(const DirectoryOptions& options, ResourceSink sink);

}  // namespace planapi::synth
