#include "libs/jose/base64url.h"

#include <vector>

#include <catch2/catch.hpp>

#include "libs/jose/secret.h"

namespace planapi::jose {
namespace {

TEST_CASE("base64url encodes the RFC 4648 vectors without padding", "[jose]") {
  CHECK(Base64UrlEncode("") == "");
  CHECK(Base64UrlEncode("f") == "Zg");
  CHECK(Base64UrlEncode("fo") == "Zm8");
  CHECK(Base64UrlEncode("foo") == "Zm9v");
  CHECK(Base64UrlEncode("foob") == "Zm9vYg");
  CHECK(Base64UrlEncode("fooba") == "Zm9vYmE");
  CHECK(Base64UrlEncode("foobar") == "Zm9vYmFy");
  // The URL-safe alphabet: 0xfb 0xff -> "-_8", where standard base64 says "+/8=".
  CHECK(Base64UrlEncode("\xfb\xff") == "-_8");
}

TEST_CASE("base64url round-trips every length and byte value", "[jose]") {
  for (size_t n = 0; n < 70; ++n) {
    const std::string bytes = RandomBytes(n);
    auto decoded = Base64UrlDecode(Base64UrlEncode(bytes));
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes);
  }
}

TEST_CASE("base64url decoding refuses padding, foreign characters and non-canonical text",
          "[jose]") {
  const std::vector<absl::string_view> bads = {"Zg==", "Zm9v\n", "Zm 9v", "+/8", "Zm9v!", "Z", "Zm9vY",
                                // "QR" would decode to the same byte as "QQ".
                                "QR", "Zm9=", absl::string_view("Zm\0v", 4)};
  for (absl::string_view bad : bads) {
    auto decoded = Base64UrlDecode(bad);
    INFO(bad);
    CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument);
  }
  CHECK(Base64UrlDecode("QQ").value() == "A");
}

TEST_CASE("random tokens are URL-safe and distinct", "[jose]") {
  const std::string a = RandomToken();
  const std::string b = RandomToken();
  CHECK(a.size() == 43);  // 32 bytes
  CHECK(a != b);
  CHECK(Base64UrlDecode(a).ok());
  CHECK(RandomToken(16).size() == 22);
}

TEST_CASE("constant-time compare and SHA-256", "[jose]") {
  CHECK(ConstantTimeEquals("secret", "secret"));
  CHECK_FALSE(ConstantTimeEquals("secret", "secreT"));
  CHECK_FALSE(ConstantTimeEquals("secret", "secret2"));
  CHECK_FALSE(ConstantTimeEquals("", "x"));
  CHECK(ConstantTimeEquals("", ""));
  // RFC 7636 Appendix B: the S256 challenge of the example verifier.
  CHECK(Base64UrlEncode(Sha256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")) ==
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace planapi::jose
