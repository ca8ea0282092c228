#include "services/auth/pages.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/auth/http_forms.h"

namespace planapi::auth_service {
namespace {

std::string Page(absl::string_view title, absl::string_view body) {
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      HtmlEscape(title),
      "</title>\n<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem "
      "auto;padding:0 1rem;line-height:1.5}label{display:block;margin:.75rem 0 .25rem}"
      "input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem}"
      "button{margin:1rem .5rem 0 0;padding:.5rem 1.25rem;font-size:1rem}"
      "fieldset{border:1px solid #999;padding:.5rem 1rem}.scope label{display:inline}"
      ".alert{color:#a00;font-weight:bold}"
      "table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;"
      "padding:.5rem;border-bottom:1px solid #999}td ul{margin:0;padding-left:1rem}"
      ".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;"
      "clip:rect(0 0 0 0)}</style>\n</head>\n<body>\n<main>\n",
      body, "</main>\n</body>\n</html>\n");
}

}  // namespace

std::string LoginPage(const LoginForm& form) {
  std::string body = absl::StrCat("<h1>Sign in</h1>\n<p>", HtmlEscape(form.lead), "</p>\n");
  if (!form.error.empty()) {
    absl::StrAppend(&body, "<p class=\"alert\" role=\"alert\">", HtmlEscape(form.error), "</p>\n");
  }
  absl::StrAppend(
      &body, "<form method=\"post\" action=\"", HtmlEscape(form.action), "\">\n",
      "<input type=\"hidden\" name=\"request\" value=\"", HtmlEscape(form.request_id), "\">\n",
      "<label for=\"username\">Username</label>\n"
      "<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" "
      "autocapitalize=\"none\" required>\n"
      "<label for=\"password\">Password</label>\n"
      "<input type=\"password\" id=\"password\" name=\"password\" "
      "autocomplete=\"current-password\" required>\n"
      "<button type=\"submit\">Sign in</button>\n</form>\n");
  return Page("Sign in", body);
}

LoginForm AuthorizeLoginForm(absl::string_view realm_title, absl::string_view client_name,
                             absl::string_view request_id) {
  return {.action = "login",
          .lead = absl::StrCat(client_name, " wants to connect to your ", realm_title,
                               " health plan data. Sign in to continue."),
          .request_id = std::string(request_id)};
}

std::string LoginPage(absl::string_view realm_title, absl::string_view client_name,
                      absl::string_view request_id, absl::string_view error) {
  LoginForm form = AuthorizeLoginForm(realm_title, client_name, request_id);
  form.error = std::string(error);
  return LoginPage(form);
}

std::string ConsentPage(absl::string_view realm_title, absl::string_view client_name,
                        absl::string_view username, absl::string_view request_id,
                        const std::vector<ScopeChoice>& scopes) {
  std::string body = absl::StrCat(
      "<h1>Allow ", HtmlEscape(client_name), " access?</h1>\n<p>Signed in as ",
      HtmlEscape(username), " (", HtmlEscape(realm_title),
      "). Untick anything you do not want to share. You can revoke access later.</p>\n",
      "<form method=\"post\" action=\"consent\">\n",
      "<input type=\"hidden\" name=\"request\" value=\"", HtmlEscape(request_id), "\">\n",
      "<fieldset>\n<legend>", HtmlEscape(client_name), " asks to</legend>\n");
  for (size_t i = 0; i < scopes.size(); ++i) {
    const std::string id = absl::StrCat("scope-", i);
    absl::StrAppend(&body, "<div class=\"scope\"><input type=\"checkbox\" id=\"", id,
                    "\" name=\"scope\" value=\"", HtmlEscape(scopes[i].scope), "\" checked> ",
                    "<label for=\"", id, "\">", HtmlEscape(scopes[i].description), " <code>",
                    HtmlEscape(scopes[i].scope), "</code></label></div>\n");
  }
  absl::StrAppend(&body,
                  "</fieldset>\n"
                  "<button type=\"submit\" name=\"action\" value=\"approve\">Allow</button>\n"
                  "<button type=\"submit\" name=\"action\" value=\"deny\">Deny</button>\n"
                  "</form>\n");
  return Page(absl::StrCat("Allow ", client_name, " access?"), body);
}

std::string GrantsPage(const GrantsView& view) {
  const std::string csrf_input = absl::StrCat(
      "<input type=\"hidden\" name=\"csrf\" value=\"", HtmlEscape(view.csrf), "\">\n");
  std::string body = absl::StrCat(
      "<h1>Connected apps</h1>\n<p>Signed in as ", HtmlEscape(view.username), " (",
      HtmlEscape(view.realm_title),
      "). These apps may reach your health plan data. Revoking an app ends its access at once; "
      "it has to ask you again to get it back.</p>\n");
  if (view.grants.empty()) {
    absl::StrAppend(&body, "<p>No apps are connected.</p>\n");
  } else {
    absl::StrAppend(&body,
                    "<table>\n<caption>Apps with access to your data</caption>\n<thead><tr>"
                    "<th scope=\"col\">App</th><th scope=\"col\">What it may do</th>"
                    "<th scope=\"col\">Connected</th><th scope=\"col\">Last changed</th>"
                    "<th scope=\"col\"><span class=\"visually-hidden\">Action</span></th>"
                    "</tr></thead>\n<tbody>\n");
    for (const Grant& g : view.grants) {
      absl::StrAppend(&body, "<tr class=\"grant\"><th scope=\"row\">", HtmlEscape(g.client_name),
                      "</th><td><ul>");
      for (absl::string_view scope : absl::StrSplit(g.scopes, ' ', absl::SkipEmpty())) {
        absl::StrAppend(&body, "<li>", HtmlEscape(DescribeScope(scope)), " <code>",
                        HtmlEscape(scope), "</code></li>");
      }
      absl::StrAppend(
          &body, "</ul></td><td><time>", HtmlEscape(g.created_at), "</time></td><td><time>",
          HtmlEscape(g.updated_at), "</time></td><td><form method=\"post\" action=\"",
          HtmlEscape(view.path_prefix), "/grants/revoke\">\n",
          "<input type=\"hidden\" name=\"grant\" value=\"", HtmlEscape(g.grant_id), "\">\n",
          csrf_input, "<button type=\"submit\" aria-label=\"Revoke ", HtmlEscape(g.client_name),
          "\">Revoke</button>\n</form></td></tr>\n");
    }
    absl::StrAppend(&body, "</tbody>\n</table>\n");
  }
  absl::StrAppend(&body, "<form method=\"post\" action=\"", HtmlEscape(view.path_prefix),
                  "/grants/signout\">\n", csrf_input,
                  "<button type=\"submit\">Sign out</button>\n</form>\n");
  return Page("Connected apps", body);
}

std::string ErrorPage(absl::string_view title, absl::string_view message) {
  return Page(title, absl::StrCat("<h1>", HtmlEscape(title), "</h1>\n<p role=\"alert\">",
                                  HtmlEscape(message), "</p>\n"));
}

std::string DescribeScope(absl::string_view scope) {
  if (scope == "openid") return "Know who you are";
  if (scope == "fhirUser") return "Know which FHIR record is you";
  if (scope == "profile") return "See your profile";
  if (scope == "launch") return "Start from your portal with your context";
  if (scope == "launch/patient") return "Know which patient record is yours";
  if (scope == "offline_access") return "Keep access while you are not using the app";
  // patient/Type.perms[?category=x]
  absl::string_view rest = scope;
  const size_t slash = rest.find('/');
  const size_t dot = rest.find('.');
  if (slash == absl::string_view::npos || dot == absl::string_view::npos || dot < slash) {
    return std::string(scope);
  }
  absl::string_view type = rest.substr(slash + 1, dot - slash - 1);
  absl::string_view perms = rest.substr(dot + 1);
  absl::string_view category;
  if (const size_t q = perms.find("?category="); q != absl::string_view::npos) {
    category = perms.substr(q + 10);
    perms = perms.substr(0, q);
  }
  std::vector<std::string> verbs;
  if (perms == "read") {
    verbs = {"read", "search"};
  } else if (perms == "write") {
    verbs = {"create", "change", "delete"};
  } else if (perms == "*") {
    verbs = {"read", "search", "create", "change", "delete"};
  } else {
    for (char c : perms) {
      switch (c) {
        case 'c': verbs.push_back("create"); break;
        case 'r': verbs.push_back("read"); break;
        case 'u': verbs.push_back("change"); break;
        case 'd': verbs.push_back("delete"); break;
        case 's': verbs.push_back("search"); break;
      }
    }
  }
  std::string what = type == "*" ? "all your health records" : absl::StrCat("your ", type, " records");
  std::string v;
  for (size_t i = 0; i < verbs.size(); ++i) {
    absl::StrAppend(&v, i == 0 ? "" : (i + 1 == verbs.size() ? " and " : ", "), verbs[i]);
  }
  if (!v.empty()) {
    v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
  }
  std::string out = absl::StrCat(v, " ", what);
  if (!category.empty()) {
    const size_t bar = category.rfind('|');
    absl::StrAppend(&out, " (category ",
                    bar == absl::string_view::npos ? category : category.substr(bar + 1), ")");
  }
  return out;
}

}  // namespace planapi::auth_service
