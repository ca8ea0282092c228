#include "services/auth/config.h"

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"

namespace planapi::auth_service {

absl::StatusOr<AuthConfig> LoadAuthConfig(runtime::Settings& settings) {
  AuthConfig config;
  PLANAPI_ASSIGN_OR_RETURN(std::string secret_key, settings.RequiredSecret("client-secret-key"));
  absl::StatusOr<jose::SecretBox> box = jose::SecretBox::FromEncodedKey(secret_key);
  if (!box.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("PLANAPI_CLIENT_SECRET_KEY (--client-secret-key): ", box.status().message()));
  }
  config.secrets = std::make_unique<jose::SecretBox>(*std::move(box));
  PLANAPI_ASSIGN_OR_RETURN(std::string keys_text, settings.RequiredSecret("signing-keys"));
  absl::StatusOr<SigningKeys> keys = SigningKeys::Parse(keys_text);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("PLANAPI_SIGNING_KEYS (--signing-keys): ", keys.status().message()));
  }
  config.signing_keys = std::make_unique<SigningKeys>(*std::move(keys));
  PLANAPI_ASSIGN_OR_RETURN(int64_t access_ttl,
                           settings.Int("access-token-ttl-seconds", 300, 60, 3600));
  config.oauth.access_token_ttl = absl::Seconds(access_ttl);
  PLANAPI_ASSIGN_OR_RETURN(int64_t refresh_days, settings.Int("refresh-token-ttl-days", 30, 1, 365));
  config.oauth.refresh_token_ttl = absl::Hours(24 * refresh_days);
  return config;
}

}  // namespace planapi::auth_service
