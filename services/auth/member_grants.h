// The member's own "connected apps" pages under each realm's auth prefix ({prefix}/grants): sign
// in (the same member sign-in and throttling as authorize), see every app holding a grant with
// what it may do and since when, revoke one (the grant and every token under it, through the
// same revocation as an operator's RevokeGrant, which gateways follow within about a second), and
// sign out. A session is a random id in an HttpOnly, Secure, SameSite=Strict cookie scoped to the
// prefix, stored hashed with an expiry; every state-changing form carries a CSRF token derived
// from the session. Thread-safe: all state is in PostgreSQL.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/server/web_service.h"
#include "services/auth/admin.h"
#include "services/auth/member_login.h"
#include "services/auth/oauth.h"
#include "services/auth/oauth_store.h"
#include "services/auth/store.h"

namespace planapi::auth_service {

class MemberGrantsPages {
 public:
  // Every reference must outlive this object.
  MemberGrantsPages(AuthStore& store, OAuthStore& oauth, Admin& admin, OAuthOptions options = {})
      : store_(store),
        oauth_(oauth),
        admin_(admin),
        login_(store, oauth, options.login_limits()),
        options_(options) {}

  // GET /grants, POST /grants/login, /grants/revoke, /grants/signout; handlers capture `this`.
  std::vector<server::WebRoute> Routes();

  // The connected-apps page, or the sign-in form without a session.
  absl::StatusOr<server::WebResponse> Show(const server::WebRequest& request);
  // Signs in and starts a session (303 to the page), or shows the form again with the reason.
  absl::StatusOr<server::WebResponse> SignIn(const server::WebRequest& request);
  // Revokes one of the member's own grants (303 to the page). 403 without a session or with a
  // missing or wrong CSRF token; 404 for a grant that is not this member's.
  absl::StatusOr<server::WebResponse> RevokeOwn(const server::WebRequest& request);
  // Ends the session (403 on a missing or wrong CSRF token).
  absl::StatusOr<server::WebResponse> SignOut(const server::WebRequest& request);

 private:
  struct Session {
    std::string id;  // the cookie's value
    Account account;
  };
  // What the state-changing posts start from: the realm, the form, and the session if any, with
  // its CSRF token checked. When the request cannot go on, `answer` holds the page to send (404
  // unknown realm, 400 bad form, 403 wrong or missing CSRF token).
  struct FormPost {
    Realm realm{};
    Params form;
    std::optional<Session> session;
    std::optional<server::WebResponse> answer;
  };
  // The session the request's cookie names, or nullopt; database faults as errors.
  absl::StatusOr<std::optional<Session>> SessionOf(const server::WebRequest& request, Realm realm);
  absl::StatusOr<FormPost> StartPost(const server::WebRequest& request);

  AuthStore& store_;
  OAuthStore& oauth_;
  Admin& admin_;
  MemberLogin login_;
  const OAuthOptions options_;
};

}  // namespace planapi::auth_service
