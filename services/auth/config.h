// The auth service's own settings (docs/configuration.md), read once at start-up: the key that
// seals client secrets and the token signing keys. Bad or missing values are INVALID_ARGUMENT
// naming the setting, so the process exits 2 before binding a port.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "libs/jose/aead.h"
#include "libs/runtime/settings.h"
#include "services/auth/keys.h"
#include "services/auth/oauth.h"

namespace planapi::auth_service {

struct AuthConfig {
  // PLANAPI_CLIENT_SECRET_KEY(_FILE): base64 of 32 random bytes (`openssl rand -base64 32`).
  std::unique_ptr<jose::SecretBox> secrets;
  // PLANAPI_SIGNING_KEYS(_FILE): a private JWKS or PEM private keys (keys.h).
  std::unique_ptr<SigningKeys> signing_keys;
  // PLANAPI_ACCESS_TOKEN_TTL_SECONDS (60..3600, default 300), PLANAPI_REFRESH_TOKEN_TTL_DAYS
  // (1..365, default 30).
  OAuthOptions oauth;
};

absl::StatusOr<AuthConfig> LoadAuthConfig(runtime::Settings& settings);

}  // namespace planapi::auth_service
