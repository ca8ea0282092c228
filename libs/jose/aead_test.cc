#include "libs/jose/aead.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "libs/jose/secret.h"

namespace planapi::jose {
namespace {

SecretBox Box() {
  auto box = SecretBox::FromKey(RandomBytes(32));
  REQUIRE(box.ok());
  return *std::move(box);
}

TEST_CASE("sealed secrets open with the same key and associated data", "[jose]") {
  const SecretBox box = Box();
  for (absl::string_view secret : {"", "s", "a client secret of some length ... 0123456789"}) {
    const std::string sealed = box.Seal(secret, "client-1");
    CHECK(sealed.size() == 1 + 12 + secret.size() + 16);
    // The plaintext must not show through. Only for secrets long enough that random bytes
    // cannot contain them by chance: a one-byte secret turns up in 30 random bytes about one
    // time in nine, which made this test fail at random.
    if (secret.size() >= 8) {
      CHECK_FALSE(absl::StrContains(sealed, secret));
    }
    auto opened = box.Open(sealed, "client-1");
    REQUIRE(opened.ok());
    CHECK(*opened == secret);
  }
  // A fresh nonce each time: the same secret never seals to the same bytes.
  CHECK(box.Seal("x", "a") != box.Seal("x", "a"));
}

TEST_CASE("tampered, truncated, misbound or foreign ciphertexts do not open", "[jose]") {
  const SecretBox box = Box();
  const std::string sealed = box.Seal("the secret", "client-1");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] ^= 0x20;
    INFO(i);
    CHECK(box.Open(bad, "client-1").status().code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK_FALSE(box.Open(sealed.substr(0, sealed.size() - 1), "client-1").ok());
  CHECK_FALSE(box.Open(sealed.substr(0, 20), "client-1").ok());
  CHECK_FALSE(box.Open("", "client-1").ok());
  CHECK_FALSE(box.Open(sealed, "client-2").ok());
  CHECK_FALSE(Box().Open(sealed, "client-1").ok());
}

TEST_CASE("keys must be 32 bytes, configured keys are base64", "[jose]") {
  CHECK(SecretBox::FromKey(RandomBytes(16)).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(SecretBox::FromKey(RandomBytes(33)).status().code() == absl::StatusCode::kInvalidArgument);
  const std::string raw = RandomBytes(32);
  auto std_box = SecretBox::FromEncodedKey(absl::Base64Escape(raw));
  auto url_box = SecretBox::FromEncodedKey(absl::WebSafeBase64Escape(raw));
  REQUIRE(std_box.ok());
  REQUIRE(url_box.ok());
  CHECK(url_box->Open(std_box->Seal("x", ""), "").value() == "x");
  CHECK(SecretBox::FromEncodedKey("not base64 at all!").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(SecretBox::FromEncodedKey(absl::Base64Escape(RandomBytes(24))).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace planapi::jose
