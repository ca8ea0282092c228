#include "libs/jose/password.h"

#include <argon2.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/jose/secret.h"

namespace planapi::jose {
namespace {

constexpr size_t kSaltSize = 16;
constexpr size_t kHashSize = 32;
constexpr size_t kMaxPassword = 1024;

}  // namespace

absl::StatusOr<std::string> HashPassword(absl::string_view password, const PasswordParams& params) {
  if (password.size() > kMaxPassword) {
    return absl::InvalidArgumentError("password longer than 1024 bytes");
  }
  const std::string salt = RandomBytes(kSaltSize);
  std::string encoded(argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                                        kSaltSize, kHashSize, Argon2_id),
                      '\0');
  const int rc = argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                       password.data(), password.size(), salt.data(), salt.size(),
                                       kHashSize, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return absl::InternalError(absl::StrCat("argon2id: ", argon2_error_message(rc)));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(absl::string_view encoded, absl::string_view password) {
  if (!absl::StartsWith(encoded, "$argon2id$") || password.size() > kMaxPassword) {
    return false;
  }
  const std::string terminated(encoded);  // libargon2 wants a C string
  return argon2id_verify(terminated.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace planapi::jose
