// A member's sign-in with username and password, as both browser flows need it - authorize and
// the connected-apps page: throttled per name and per address, an unknown name costing the same
// argon2id verification as a wrong password (no enumeration), every attempt recorded and every
// refusal audited. Thread-safe: holds references to thread-safe stores owned by the caller.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/server/web_service.h"
#include "services/auth/model.h"
#include "services/auth/oauth_store.h"
#include "services/auth/pages.h"
#include "services/auth/store.h"

namespace planapi::auth_service {

struct LoginLimits {
  absl::Duration window = absl::Minutes(15);  // failures count this long
  int max_failures_per_user = 5;
  int max_failures_per_address = 50;
};

class MemberLogin {
 public:
  enum class Result { kSignedIn, kWrong, kThrottled };
  struct Outcome {
    Result result = Result::kWrong;
    Account account;  // kSignedIn only
  };

  // The stores must outlive this object.
  MemberLogin(AuthStore& store, OAuthStore& oauth, LoginLimits limits)
      : store_(store), oauth_(oauth), limits_(limits) {}

  // Checks `username` and `password` of a member of `realm` signing in from `address`;
  // `client_id` (may be empty) only goes into the audit log. Errors are database faults only.
  absl::StatusOr<Outcome> Check(Realm realm, absl::string_view username,
                                absl::string_view password, absl::string_view address,
                                absl::string_view client_id);

  // The page for a refused sign-in: `form` again with the reason, 401 for wrong credentials, or
  // 429 with Retry-After while throttled.
  server::WebResponse Refusal(const Outcome& outcome, LoginForm form) const;

 private:
  AuthStore& store_;
  OAuthStore& oauth_;
  const LoginLimits limits_;
};

}  // namespace planapi::auth_service
