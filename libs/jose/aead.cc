#include "libs/jose/aead.h"

#include <openssl/crypto.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/jose/ossl_internal.h"
#include "libs/jose/secret.h"
#include "libs/status/status_macros.h"

namespace planapi::jose {
namespace {

using internal::Ptr;

constexpr char kVersion = 0x01;
constexpr size_t kKeySize = 32;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
const unsigned char* U(absl::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

absl::StatusOr<SecretBox> SecretBox::FromKey(absl::string_view key) {
  if (key.size() != kKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("an AES-256-GCM key is 32 bytes, not ", key.size()));
  }
  return SecretBox(std::string(key));
}

absl::StatusOr<SecretBox> SecretBox::FromEncodedKey(absl::string_view encoded) {
  std::string key;
  if (!absl::Base64Unescape(encoded, &key) && !absl::WebSafeBase64Unescape(encoded, &key)) {
    return absl::InvalidArgumentError("the secret-encryption key is not base64");
  }
  absl::StatusOr<SecretBox> box = FromKey(key);
  OPENSSL_cleanse(key.data(), key.size());
  return box;
}

SecretBox::~SecretBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string SecretBox::Seal(absl::string_view plaintext, absl::string_view associated_data) const {
  std::string out = absl::StrCat(absl::string_view(&kVersion, 1), RandomBytes(kNonceSize));
  const size_t header = out.size();
  out.resize(header + plaintext.size() + kTagSize);
  Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  // Every failure here is OpenSSL misbehaving with valid arguments: an invariant, not input.
  PLANAPI_CHECK(ctx != nullptr);
  PLANAPI_CHECK(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key_),
                                   U(absl::string_view(out).substr(1, kNonceSize))) == 1);
  PLANAPI_CHECK(EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(associated_data),
                                  static_cast<int>(associated_data.size())) == 1);
  PLANAPI_CHECK(EVP_EncryptUpdate(ctx.get(), U(out) + header, &len, U(plaintext),
                                  static_cast<int>(plaintext.size())) == 1);
  PLANAPI_CHECK(EVP_EncryptFinal_ex(ctx.get(), U(out) + header + len, &final_len) == 1);
  PLANAPI_CHECK(static_cast<size_t>(len + final_len) == plaintext.size());
  PLANAPI_CHECK(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                                    U(out) + header + plaintext.size()) == 1);
  return out;
}

absl::StatusOr<std::string> SecretBox::Open(absl::string_view sealed,
                                            absl::string_view associated_data) const {
  if (sealed.size() < 1 + kNonceSize + kTagSize || sealed[0] != kVersion) {
    return absl::InvalidArgumentError("sealed secret is malformed");
  }
  const absl::string_view nonce = sealed.substr(1, kNonceSize);
  const absl::string_view body = sealed.substr(1 + kNonceSize, sealed.size() - 1 - kNonceSize - kTagSize);
  std::string tag(sealed.substr(sealed.size() - kTagSize));
  std::string out(body.size(), '\0');
  Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  PLANAPI_CHECK(ctx != nullptr);
  PLANAPI_CHECK(EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key_), U(nonce)) == 1);
  PLANAPI_CHECK(EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(associated_data),
                                  static_cast<int>(associated_data.size())) == 1);
  PLANAPI_CHECK(EVP_DecryptUpdate(ctx.get(), U(out), &len, U(body), static_cast<int>(body.size())) == 1);
  PLANAPI_CHECK(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, U(tag)) == 1);
  if (EVP_DecryptFinal_ex(ctx.get(), U(out) + len, &final_len) != 1) {
    ERR_clear_error();
    OPENSSL_cleanse(out.data(), out.size());
    return absl::InvalidArgumentError("sealed secret does not authenticate");
  }
  out.resize(static_cast<size_t>(len + final_len));
  return out;
}

}  // namespace planapi::jose
