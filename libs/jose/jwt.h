// JWT claim checks (RFC 7519 §4.1) shared by every verifier in the suite: the gateway (access
// tokens), auth (client assertions for private_key_jwt, id_token hints). Signature checking is
// jws.h's job; this only judges the claims of a payload that already verified. Pure functions.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rapidjson/document.h"

namespace planapi::jose {

struct ClaimsCheck {
  absl::Time now;
  // Clock skew tolerated on exp, nbf and iat.
  absl::Duration leeway = absl::Seconds(30);
  // Exact "iss" required when not empty.
  std::string issuer;
  // Required in "aud" (a string, or an array containing it) when not empty.
  std::string audience;
  bool require_exp = true;
  // When set, exp may lie at most this far after now (SMART Backend Services: assertions live
  // no longer than five minutes).
  absl::Duration max_lifetime = absl::InfiniteDuration();
};

// Parses a JWT payload; INVALID_ARGUMENT unless it is a JSON object.
absl::StatusOr<rapidjson::Document> ParseClaims(absl::string_view payload);

// Applies `check` to `claims`. UNAUTHENTICATED naming the failed claim: expired, not yet valid,
// issued in the future, wrong issuer or audience, missing or non-numeric exp.
absl::Status CheckClaims(const rapidjson::Value& claims, const ClaimsCheck& check);

// Whether "aud" is `audience` or an array that contains it.
bool AudienceContains(const rapidjson::Value& claims, absl::string_view audience);

}  // namespace planapi::jose
