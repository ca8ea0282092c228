// The server-rendered pages of the authorization flow: plain, accessible HTML (labels bound to
// inputs, one heading per page, no scripts), so that any browser, screen reader or test driver can
// use them. Every value is HTML-escaped here; callers pass plain text.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace planapi::auth_service {

struct ScopeChoice {
  std::string scope;        // the scope text, submitted as name="scope"
  std::string description;  // what it lets the app do, in plain words
};

// <form method="post" action="login"> with inputs named username and password, and the hidden
// request id. `error` (may be empty) is shown above the form with role="alert".
std::string LoginPage(absl::string_view realm_title, absl::string_view client_name,
                      absl::string_view request_id, absl::string_view error);

// One checkbox per scope (name="scope", checked), then buttons name="action" value="approve" and
// value="deny".
std::string ConsentPage(absl::string_view realm_title, absl::string_view client_name,
                        absl::string_view username, absl::string_view request_id,
                        const std::vector<ScopeChoice>& scopes);

std::string ErrorPage(absl::string_view title, absl::string_view message);

// A plain-words description of one SMART scope.
std::string DescribeScope(absl::string_view scope);

}  // namespace planapi::auth_service
