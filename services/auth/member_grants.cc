#include "services/auth/member_grants.h"

#include "absl/strings/str_cat.h"
#include "libs/jose/base64url.h"
#include "libs/jose/secret.h"
#include "libs/status/status_macros.h"
#include "services/auth/http_forms.h"
#include "services/auth/pages.h"
#include "services/auth/web_answers.h"

namespace planapi::auth_service {
namespace {

using server::WebRequest;
using server::WebResponse;

constexpr char kSessionCookie[] = "planapi_member";
// Binds the sign-in form to the browser that fetched it (double submit), so that another site
// cannot sign a member in to an account of its choosing.
constexpr char kSignInCookie[] = "planapi_member_signin";
constexpr absl::Duration kSignInFormTtl = absl::Minutes(15);

// The CSRF token of a session, derived from its id: only the member's browser holds the id (an
// HttpOnly cookie that another site never gets sent, SameSite=Strict), so nobody else can compute
// the token, and there is nothing more to store.
std::string CsrfOf(absl::string_view session_id) {
  return jose::Base64UrlEncode(jose::Sha256(absl::StrCat("planapi grants csrf:", session_id)));
}

std::string CookieHeader(absl::string_view name, absl::string_view value, Realm realm,
                         absl::Duration max_age) {
  return absl::StrCat(name, "=", value, "; Path=", PathPrefix(realm),
                      "; Max-Age=", absl::ToInt64Seconds(max_age),
                      "; HttpOnly; Secure; SameSite=Strict");
}

std::string PageUrl(Realm realm) { return absl::StrCat(PathPrefix(realm), "/grants"); }

LoginForm SignInForm(Realm realm, absl::string_view nonce) {
  return {.action = absl::StrCat(PathPrefix(realm), "/grants/login"),
          .lead = absl::StrCat("Sign in to see, and revoke, the apps connected to your ",
                               RealmTitle(realm), " health plan data."),
          .request_id = std::string(nonce)};
}

WebResponse NoRealm() { return Html(404, ErrorPage("Not found", "No such realm.")); }

WebResponse Refused(absl::string_view message) {
  return Html(403, ErrorPage("Cannot continue", message));
}

std::string CookieOf(const WebRequest& request, absl::string_view name) {
  return CookieValue(HeaderOf(request, "cookie").value_or(""), name).value_or("");
}

}  // namespace

absl::StatusOr<std::optional<MemberGrantsPages::Session>> MemberGrantsPages::SessionOf(
    const WebRequest& request, Realm realm) {
  const std::string id = CookieOf(request, kSessionCookie);
  if (id.empty()) {
    return std::nullopt;
  }
  absl::StatusOr<MemberSession> session = oauth_.GetMemberSession(jose::Sha256(id));
  if (session.status().code() == absl::StatusCode::kNotFound) {
    return std::nullopt;
  }
  PLANAPI_RETURN_IF_ERROR(session.status());
  if (session->realm != realm) {
    return std::nullopt;
  }
  PLANAPI_ASSIGN_OR_RETURN(Account account, store_.GetAccount(session->account_id));
  return Session{.id = id, .account = std::move(account)};
}

absl::StatusOr<WebResponse> MemberGrantsPages::Show(const WebRequest& request) {
  const std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    return NoRealm();
  }
  PLANAPI_ASSIGN_OR_RETURN(std::optional<Session> session, SessionOf(request, *realm));
  if (!session.has_value()) {
    const std::string nonce = jose::RandomToken();
    WebResponse r = Html(200, LoginPage(SignInForm(*realm, nonce)));
    r.headers.emplace_back("Set-Cookie", CookieHeader(kSignInCookie, nonce, *realm, kSignInFormTtl));
    return r;
  }
  PLANAPI_ASSIGN_OR_RETURN(std::vector<Grant> grants,
                           admin_.ListGrants({.account_id = session->account.account_id}));
  return Html(200, GrantsPage({.realm_title = std::string(RealmTitle(*realm)),
                               .username = session->account.username,
                               .path_prefix = std::string(PathPrefix(*realm)),
                               .csrf = CsrfOf(session->id),
                               .grants = std::move(grants)}));
}

absl::StatusOr<WebResponse> MemberGrantsPages::SignIn(const WebRequest& request) {
  const std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    return NoRealm();
  }
  absl::StatusOr<Params> form = ParamsOf(request);
  if (!form.ok()) {
    return Html(400, ErrorPage("Bad request", form.status().message()));
  }
  const std::string nonce = Param(*form, "request");
  if (nonce.empty() || !jose::ConstantTimeEquals(nonce, CookieOf(request, kSignInCookie))) {
    return Refused("This sign-in form was opened in another browser or has expired. Open the "
                   "page again.");
  }
  PLANAPI_ASSIGN_OR_RETURN(
      MemberLogin::Outcome login,
      login_.Check(*realm, Param(*form, "username"), Param(*form, "password"), AddressOf(request),
                   /*client_id=*/""));
  if (login.result != MemberLogin::Result::kSignedIn) {
    return login_.Refusal(login, SignInForm(*realm, nonce));
  }
  const std::string id = jose::RandomToken();
  PLANAPI_RETURN_IF_ERROR(oauth_.InsertMemberSession(
      jose::Sha256(id), {.realm = *realm, .account_id = login.account.account_id},
      options_.member_session_ttl));
  (void)store_.Audit({.event = "session.started", .realm = std::string(RealmName(*realm)),
                      .account_id = login.account.account_id});
  WebResponse r = SeeOther(PageUrl(*realm));
  r.headers.emplace_back("Set-Cookie",
                         CookieHeader(kSessionCookie, id, *realm, options_.member_session_ttl));
  return r;
}

absl::StatusOr<MemberGrantsPages::FormPost> MemberGrantsPages::StartPost(
    const WebRequest& request) {
  FormPost post;
  const std::optional<Realm> realm = RealmOf(request);
  if (!realm) {
    post.answer = NoRealm();
    return post;
  }
  post.realm = *realm;
  absl::StatusOr<Params> form = ParamsOf(request);
  if (!form.ok()) {
    post.answer = Html(400, ErrorPage("Bad request", form.status().message()));
    return post;
  }
  post.form = *std::move(form);
  PLANAPI_ASSIGN_OR_RETURN(post.session, SessionOf(request, post.realm));
  if (post.session.has_value() &&
      !jose::ConstantTimeEquals(Param(post.form, "csrf"), CsrfOf(post.session->id))) {
    post.answer = Refused("This form is stale or came from another site. Open the page again.");
  }
  return post;
}

absl::StatusOr<WebResponse> MemberGrantsPages::RevokeOwn(const WebRequest& request) {
  PLANAPI_ASSIGN_OR_RETURN(FormPost post, StartPost(request));
  if (post.answer.has_value()) {
    return *std::move(post.answer);
  }
  if (!post.session.has_value()) {
    return Refused("You are not signed in, or your session has ended. Sign in again.");
  }
  // Only the member's own grants; another member's id is as unknown as a made-up one.
  absl::StatusOr<Grant> grant = store_.GetGrant(Param(post.form, "grant"));
  if (grant.status().code() == absl::StatusCode::kNotFound ||
      (grant.ok() && grant->account_id != post.session->account.account_id)) {
    return Html(404, ErrorPage("Not found", "You have no such connected app."));
  }
  PLANAPI_RETURN_IF_ERROR(grant.status());
  // The operator's revocation, unchanged: grant, refresh tokens and the gateways' feed at once.
  PLANAPI_RETURN_IF_ERROR(admin_.RevokeGrant(grant->grant_id, "revoked by the member").status());
  return SeeOther(PageUrl(post.realm));
}

absl::StatusOr<WebResponse> MemberGrantsPages::SignOut(const WebRequest& request) {
  PLANAPI_ASSIGN_OR_RETURN(FormPost post, StartPost(request));
  if (post.answer.has_value()) {
    return *std::move(post.answer);
  }
  if (post.session.has_value()) {
    PLANAPI_RETURN_IF_ERROR(oauth_.DeleteMemberSession(jose::Sha256(post.session->id)));
  }
  WebResponse r = SeeOther(PageUrl(post.realm));
  r.headers.emplace_back("Set-Cookie",
                         CookieHeader(kSessionCookie, "", post.realm, absl::ZeroDuration()));
  return r;
}

std::vector<server::WebRoute> MemberGrantsPages::Routes() {
  return {
      {"GET", "/grants", [this](const WebRequest& r) { return Show(r); }},
      {"POST", "/grants/login", [this](const WebRequest& r) { return SignIn(r); }},
      {"POST", "/grants/revoke", [this](const WebRequest& r) { return RevokeOwn(r); }},
      {"POST", "/grants/signout", [this](const WebRequest& r) { return SignOut(r); }},
  };
}

}  // namespace planapi::auth_service
