// What every browser-facing route of auth (authorize with its login and consent pages, and the
// member's grants page) reads from a forwarded request and how it answers: the realm of the
// gateway route, headers, form or query parameters, the client's address, HTML pages under our
// Content-Security-Policy, and redirects. Pure functions over server::WebRequest/WebResponse.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/server/web_service.h"
#include "services/auth/http_forms.h"
#include "services/auth/model.h"

namespace planapi::auth_service {

// The realm of the gateway route the request came through; nullopt for none.
std::optional<Realm> RealmOf(const server::WebRequest& request);

// The path the gateway serves a realm's auth routes under: "/auth" or "/sandbox/auth" (also the
// Path of every cookie auth sets).
absl::string_view PathPrefix(Realm realm);

// Issuer and audience of a realm, from the gateway's public base URL.
struct RealmUrls {
  std::string issuer;     // https://host/auth | https://host/sandbox/auth
  std::string fhir_base;  // https://host/fhir/r4 | https://host/sandbox/fhir/r4 (also the
                          // `iss` of an EHR launch)
};
RealmUrls UrlsOf(Realm realm, absl::string_view base_url);

// How pages name the realm to a member.
absl::string_view RealmTitle(Realm realm);

std::optional<std::string> HeaderOf(const server::WebRequest& request, absl::string_view name);

// Form parameters of a POST (which must be form-encoded: INVALID_ARGUMENT otherwise) or the
// query of a GET.
absl::StatusOr<Params> ParamsOf(const server::WebRequest& request);

// The only value of `name`, or "" when it is absent or repeated.
std::string Param(const Params& params, absl::string_view name);

// The client's address: the last X-Forwarded-For hop, which the gateway appends.
std::string AddressOf(const server::WebRequest& request);

// An HTML page, never cached, under a CSP that allows no scripts.
server::WebResponse Html(int status, std::string body);

// 302 to `location`, never cached.
server::WebResponse Redirect(std::string location);

// 303 See Other to `location`: the answer to a form post, so that reloading does not post again.
server::WebResponse SeeOther(std::string location);

}  // namespace planapi::auth_service
