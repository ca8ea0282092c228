#include "services/gateway/routes.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace planapi::gateway {
namespace {

// Longer prefixes first where one contains another.
constexpr Route kRoutes[] = {
    {"/healthz", "local", RouteKind::kLocal, Upstream::kAuth, Realm::kNone, Access::kPublic},
    {"/readyz", "local", RouteKind::kLocal, Upstream::kAuth, Realm::kNone, Access::kPublic},
    {"/metrics", "local", RouteKind::kLocal, Upstream::kAuth, Realm::kNone, Access::kPublic},
    // SMART discovery lives below each FHIR base but is the authorization server's document
    // (it arrives at auth as "/smart-configuration").
    {"/fhir/r4/.well-known", "smart_config", RouteKind::kWeb, Upstream::kAuth, Realm::kProduction,
     Access::kPublic},
    {"/sandbox/fhir/r4/.well-known", "sandbox_smart_config", RouteKind::kWeb, Upstream::kAuth,
     Realm::kSandbox, Access::kPublic},
    {"/fhir/r4", "fhir", RouteKind::kFhir, Upstream::kFhir, Realm::kProduction,
     Access::kMemberData},
    {"/sandbox/fhir/r4", "sandbox_fhir", RouteKind::kFhir, Upstream::kFhir, Realm::kSandbox,
     Access::kMemberData},
    // Bulk export of the directory (FHIR Bulk Data): kick-off, status and files are the
    // directory service's own endpoints, public like the directory.
    {"/directory/r4/$export", "directory_export", RouteKind::kWeb, Upstream::kDirectory,
     Realm::kDirectory, Access::kPublic},
    {"/directory/r4/%24export", "directory_export", RouteKind::kWeb, Upstream::kDirectory,
     Realm::kDirectory, Access::kPublic},
    {"/directory/r4", "directory", RouteKind::kFhir, Upstream::kDirectory, Realm::kDirectory,
     Access::kPublic},
    // The services behind these check their own sessions and forms.
    {"/auth", "auth", RouteKind::kWeb, Upstream::kAuth, Realm::kProduction, Access::kPublic},
    {"/sandbox/auth", "sandbox_auth", RouteKind::kWeb, Upstream::kAuth, Realm::kSandbox,
     Access::kPublic},
    {"/portal", "portal", RouteKind::kWeb, Upstream::kRegistry, Realm::kNone, Access::kPublic},
    {"/review", "review", RouteKind::kWeb, Upstream::kReview, Realm::kNone, Access::kPublic},
    {"/", "web", RouteKind::kStatic, Upstream::kAuth, Realm::kNone, Access::kPublic},
};

}  // namespace

absl::StatusOr<RouteMatch> MatchRoute(absl::string_view path) {
  for (const Route& route : kRoutes) {
    if (route.kind == RouteKind::kLocal) {
      if (path == route.prefix) {
        return RouteMatch{&route, ""};
      }
      continue;
    }
    if (route.kind == RouteKind::kStatic) {
      return RouteMatch{&route, std::string(path)};
    }
    if (absl::StartsWith(path, route.prefix) &&
        (path.size() == route.prefix.size() || path[route.prefix.size()] == '/')) {
      return RouteMatch{&route, std::string(path.substr(route.prefix.size()))};
    }
  }
  return absl::NotFoundError(absl::StrCat("no route for ", path));
}

bool IsFhirPath(absl::string_view path) {
  absl::StatusOr<RouteMatch> m = MatchRoute(path);
  return m.ok() && m->route->kind == RouteKind::kFhir;
}

}  // namespace planapi::gateway
