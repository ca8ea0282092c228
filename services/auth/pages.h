// The server-rendered pages of the authorization flow: plain, accessible HTML (labels bound to
// inputs, one heading per page, no scripts), so that any browser, screen reader or test driver can
// use them. Every value is HTML-escaped here; callers pass plain text.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/auth/model.h"

namespace planapi::auth_service {

struct ScopeChoice {
  std::string scope;        // the scope text, submitted as name="scope"
  std::string description;  // what it lets the app do, in plain words
};

// A member's sign-in form, for authorize and for the grants page alike.
struct LoginForm {
  std::string action;      // where the form posts
  std::string lead;        // the sentence above the form: who asks, and why
  std::string request_id;  // sent back as the hidden input "request"
  std::string error;       // shown above the form with role="alert"; may be empty
};

// <form method="post" action="..."> with inputs named username and password, and the hidden
// request id.
std::string LoginPage(const LoginForm& form);

// authorize's sign-in form: posts to "login" and names the app that asks.
LoginForm AuthorizeLoginForm(absl::string_view realm_title, absl::string_view client_name,
                             absl::string_view request_id);
std::string LoginPage(absl::string_view realm_title, absl::string_view client_name,
                      absl::string_view request_id, absl::string_view error);

// One checkbox per scope (name="scope", checked), then buttons name="action" value="approve" and
// value="deny".
std::string ConsentPage(absl::string_view realm_title, absl::string_view client_name,
                        absl::string_view username, absl::string_view request_id,
                        const std::vector<ScopeChoice>& scopes);

// The member's connected apps: one row per active grant (app, what it may do, when granted and
// last changed) with a Revoke button posting `grant` and `csrf` to {prefix}/grants/revoke, and a
// sign-out button posting `csrf` to {prefix}/grants/signout.
struct GrantsView {
  std::string realm_title;
  std::string username;
  std::string path_prefix;  // "/auth" or "/sandbox/auth"
  std::string csrf;         // the session's CSRF token, put into every form
  std::vector<Grant> grants;
};
std::string GrantsPage(const GrantsView& view);

std::string ErrorPage(absl::string_view title, absl::string_view message);

// A plain-words description of one SMART scope.
std::string DescribeScope(absl::string_view scope);

}  // namespace planapi::auth_service
