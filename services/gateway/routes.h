// The gateway's route table as data: which path prefix goes to which service, in which realm,
// under which name in metrics. Matching is pure and allocation-light; it runs on every request.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/gateway/upstreams.h"

namespace planapi::gateway {

enum class RouteKind {
  kLocal,   // answered by the gateway itself (/healthz, /readyz, /metrics)
  kStatic,  // the web UI's files
  kFhir,    // FHIR REST, translated into typed engine calls
  kWeb,     // a service's own HTTP endpoints, handed over as a WebCall
};

// Who may use a route's FHIR data interactions (the CapabilityStatement is always public).
enum class Access {
  kPublic,      // anyone: the Provider Directory, health, the web UI
  kMemberData,  // a verified access token only: Patient Access data, in either realm
};

struct Route {
  absl::string_view prefix;       // "/fhir/r4"; exact for local routes
  absl::string_view route_class;  // the metrics label
  RouteKind kind;
  Upstream upstream;
  Realm realm;
  Access access;
};

struct RouteMatch {
  const Route* route;
  std::string rest;  // the path below the prefix: "" or starting with '/'
};

// The route for `path` (percent-encoded, without query). NOT_FOUND when nothing matches.
absl::StatusOr<RouteMatch> MatchRoute(absl::string_view path);

// Whether a path is one of the FHIR bases (errors there are OperationOutcomes).
bool IsFhirPath(absl::string_view path);

}  // namespace planapi::gateway
