#include "services/auth/web_answers.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace planapi::auth_service {

std::optional<Realm> RealmOf(const server::WebRequest& request) {
  return RealmFromName(request.realm);
}

absl::string_view PathPrefix(Realm realm) {
  return realm == Realm::kProduction ? "/auth" : "/sandbox/auth";
}

RealmUrls UrlsOf(Realm realm, absl::string_view base_url) {
  const absl::string_view base = absl::StripSuffix(base_url, "/");
  return {absl::StrCat(base, PathPrefix(realm)),
          absl::StrCat(base, realm == Realm::kProduction ? "/fhir/r4" : "/sandbox/fhir/r4")};
}

absl::string_view RealmTitle(Realm realm) {
  return realm == Realm::kProduction ? "production" : "sandbox (synthetic data)";
}

std::optional<std::string> HeaderOf(const server::WebRequest& request, absl::string_view name) {
  auto it = request.headers.find(std::string(name));
  if (it == request.headers.end()) {
    return std::nullopt;
  }
  return it->second;
}

absl::StatusOr<Params> ParamsOf(const server::WebRequest& request) {
  if (request.method == "GET") {
    return ParseForm(request.query);
  }
  const std::string type = absl::AsciiStrToLower(HeaderOf(request, "content-type").value_or(""));
  if (!absl::StartsWith(type, "application/x-www-form-urlencoded")) {
    return absl::InvalidArgumentError("the body must be application/x-www-form-urlencoded");
  }
  return ParseForm(request.body);
}

std::string Param(const Params& params, absl::string_view name) {
  absl::StatusOr<std::optional<std::string>> v = Single(params, name);
  return v.ok() && v->has_value() ? **v : std::string();
}

std::string AddressOf(const server::WebRequest& request) {
  std::string xff = HeaderOf(request, "x-forwarded-for").value_or("");
  // The gateway appends the peer it saw last; anything before came from the client.
  const size_t comma = xff.rfind(',');
  return std::string(absl::StripAsciiWhitespace(
      comma == std::string::npos ? absl::string_view(xff) : absl::string_view(xff).substr(comma + 1)));
}

server::WebResponse Html(int status, std::string body) {
  server::WebResponse r{.status = status, .body = std::move(body)};
  r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-store");
  // No scripts at all; the one inline style block is ours. No form-action: the consent form's
  // answer redirects to the app, which form-action would block in some browsers.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
                         "base-uri 'none'");
  return r;
}

server::WebResponse Redirect(std::string location) {
  server::WebResponse r{.status = 302};
  r.headers.emplace_back("Location", std::move(location));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

server::WebResponse SeeOther(std::string location) {
  server::WebResponse r = Redirect(std::move(location));
  r.status = 303;
  return r;
}

}  // namespace planapi::auth_service
