// SMART App Launch scopes (v1 and v2) parsed once, at the edge, into values the rest of the suite
// can reason about: which contexts (patient/, user/, system/), resource types, permissions (cruds)
// and granular `?category=` constraints a token carries, plus the launch/identity scopes. Not for
// deciding a request: see access.h. Pure; no I/O.
//
// What parses: `patient/Observation.read|write|*` (v1), `patient/Observation.cruds` in order and
// any non-empty subset (v2), `?category=<system|code>` on v2 scopes, `*` as type (expanded to the
// supported types only), `openid fhirUser profile launch launch/patient offline_access`. Anything
// else - unknown types, other query parameters, other launch contexts, malformed tokens - is
// dropped, never widened: a scope we do not understand grants nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace planapi::authz {

enum class Context { kPatient, kUser, kSystem };

// SMART v2 permission letters as bits.
enum Permission : uint8_t {
  kCreate = 1,
  kRead = 2,
  kUpdate = 4,
  kDelete = 8,
  kSearch = 16,
};
inline constexpr uint8_t kAllPermissions = kCreate | kRead | kUpdate | kDelete | kSearch;

// One resource scope, e.g. patient/Observation.rs?category=...|laboratory.
struct ResourceScope {
  Context context;
  std::string type;  // a supported type name, or "*" for every supported type
  uint8_t permissions;
  // The granular constraint: one `category` token (system|code, or a bare code); empty = none.
  std::string category;
  std::string text;  // as the client wrote it

  // Whether this scope grants at least everything `other` grants.
  bool Covers(const ResourceScope& other) const;
};

struct ScopeSet {
  std::vector<ResourceScope> resources;
  bool openid = false;
  bool fhir_user = false;
  bool profile = false;
  bool launch = false;          // EHR launch
  bool launch_patient = false;  // standalone: ask for a patient context
  bool offline_access = false;

  // Space-separated scope text, in the order parsed, without duplicates: what goes into a token's
  // "scope" claim and the token response.
  std::string ToString() const;

  // Whether every scope of `other` is granted by this set (refresh-time narrowing may only shrink).
  bool Covers(const ScopeSet& other) const;

  // The scopes of this set that `other` grants, in this set's order: a request cut down to what a
  // client may ask for, or to what a member left ticked on the consent page.
  ScopeSet Intersect(const ScopeSet& other) const;

  bool HasContext(Context context) const;
  bool empty() const;
};

struct ParsedScopes {
  ScopeSet scopes;
  std::vector<std::string> dropped;  // tokens we did not grant, for logs and error messages
};

// Parses a space-separated `scope` parameter. Types must be in `supported_types` (wildcards cover
// exactly those). Never fails: what does not parse lands in `dropped`.
ParsedScopes ParseScopes(absl::string_view text, std::span<const absl::string_view> supported_types);

}  // namespace planapi::authz
