#include "services/auth/member_login.h"

#include "absl/strings/str_cat.h"
#include "libs/jose/password.h"
#include "libs/jose/secret.h"
#include "libs/status/status_macros.h"
#include "services/auth/web_answers.h"

namespace planapi::auth_service {

absl::StatusOr<MemberLogin::Outcome> MemberLogin::Check(Realm realm, absl::string_view username,
                                                        absl::string_view password,
                                                        absl::string_view address,
                                                        absl::string_view client_id) {
  const std::string realm_name(RealmName(realm));
  PLANAPI_ASSIGN_OR_RETURN(auto failures,
                           oauth_.RecentFailures(realm, username, address, limits_.window));
  if (failures.first >= limits_.max_failures_per_user ||
      failures.second >= limits_.max_failures_per_address) {
    (void)store_.Audit({.event = "login.throttled", .realm = realm_name,
                        .client_id = std::string(client_id)});
    return Outcome{.result = Result::kThrottled};
  }
  absl::StatusOr<Account> account = store_.FindAccount(AccountKind::kMember, realm, username);
  if (!account.ok() && account.status().code() != absl::StatusCode::kNotFound) {
    return account.status();
  }
  // An unknown name costs the same hash as a wrong password: no timing tells them apart.
  static const std::string* const kDecoyHash =
      new std::string(*jose::HashPassword(jose::RandomToken()));
  const bool ok = account.ok() ? jose::VerifyPassword(account->password_hash, password)
                               : (jose::VerifyPassword(*kDecoyHash, password) && false);
  PLANAPI_RETURN_IF_ERROR(oauth_.RecordLogin(realm, username, address, ok));
  if (!ok) {
    (void)store_.Audit({.event = "login.failed", .realm = realm_name,
                        .client_id = std::string(client_id),
                        .account_id = account.ok() ? account->account_id : ""});
    return Outcome{.result = Result::kWrong};
  }
  account->password_hash.clear();
  return Outcome{.result = Result::kSignedIn, .account = *std::move(account)};
}

server::WebResponse MemberLogin::Refusal(const Outcome& outcome, LoginForm form) const {
  if (outcome.result == Result::kThrottled) {
    form.error = absl::StrCat("Too many failed sign-ins. Wait ",
                              absl::ToInt64Minutes(limits_.window), " minutes and try again.");
    server::WebResponse r = Html(429, LoginPage(form));
    r.headers.emplace_back("Retry-After", absl::StrCat(absl::ToInt64Seconds(limits_.window)));
    return r;
  }
  form.error = "The username or password is not right.";
  return Html(401, LoginPage(form));
}

}  // namespace planapi::auth_service
