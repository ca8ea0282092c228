// What the synthetic generators hand to their callers: one FHIR resource as JSON text with its
// type and id; and the two shapes a group of them (one member, or the shared organizations and
// practitioners) is loaded in: a transaction Bundle (one all-or-nothing write) or NDJSON lines.
#pragma once

#include <span>
#include <string>

#include "absl/strings/string_view.h"

namespace planapi::synth {

// One generated resource. Owned by the generator; valid until the callback that received it
// returns.
struct Resource {
  std::string type;
  std::string id;
  std::string json;  // compact FHIR R4 JSON
};

// A transaction Bundle that PUTs each resource under its own id (so loading twice makes new
// versions, never duplicates). `bundle_id` names the Bundle itself.
std::string TransactionBundle(absl::string_view bundle_id, std::span<const Resource> resources);

// The resources as NDJSON: one compact JSON resource a line, each line ending in '\n' (the
// Bulk Data format `planctl import` and the Import RPC also read).
std::string NdjsonLines(std::span<const Resource> resources);

// A name-based UUID (RFC 4122 version 5 layout, from a non-cryptographic hash) for `name`: the
// same name always gives the same `urn:uuid:` fullUrl.
std::string NameUuid(absl::string_view name);

}  // namespace planapi::synth
