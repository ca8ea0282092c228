#include "libs/jose/secret.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "libs/jose/base64url.h"
#include "libs/status/status_macros.h"

namespace planapi::jose {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0) {
    PLANAPI_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) == 1);
  }
  return out;
}

std::string RandomToken(size_t bytes) { return Base64UrlEncode(RandomBytes(bytes)); }

std::string Sha256(absl::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  PLANAPI_CHECK(EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()),
                           &len, EVP_sha256(), nullptr) == 1);
  PLANAPI_CHECK(len == 32);
  return out;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace planapi::jose
