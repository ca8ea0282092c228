#include "libs/jose/password.h"

#include <argon2.h>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"

namespace planapi::jose {
namespace {

// Cheap parameters keep the unit tests fast under the sanitizers; one case uses the defaults.
constexpr PasswordParams kFast{.memory_kib = 256, .iterations = 1, .parallelism = 1};

TEST_CASE("argon2id hashes verify their password and nothing else", "[jose]") {
  auto hash = HashPassword("correct horse battery staple", kFast);
  REQUIRE(hash.ok());
  CHECK(absl::StartsWith(*hash, "$argon2id$v=19$m=256,t=1,p=1$"));
  CHECK(VerifyPassword(*hash, "correct horse battery staple"));
  CHECK_FALSE(VerifyPassword(*hash, "correct horse battery stapl"));
  CHECK_FALSE(VerifyPassword(*hash, "Correct horse battery staple"));
  CHECK_FALSE(VerifyPassword(*hash, ""));
  // A fresh salt every time.
  CHECK(*hash != HashPassword("correct horse battery staple", kFast).value());
}

TEST_CASE("the default parameters are the OWASP baseline", "[jose]") {
  auto hash = HashPassword("pw");
  REQUIRE(hash.ok());
  CHECK(absl::StartsWith(*hash, "$argon2id$v=19$m=19456,t=2,p=1$"));
  CHECK(VerifyPassword(*hash, "pw"));
}

TEST_CASE("garbage, other argon2 variants and huge passwords never verify", "[jose]") {
  char argon2i[128];
  REQUIRE(argon2i_hash_encoded(1, 256, 1, "pw", 2, "saltsaltsaltsalt", 16, 32, argon2i,
                               sizeof argon2i) == ARGON2_OK);
  CHECK_FALSE(VerifyPassword(argon2i, "pw"));
  CHECK_FALSE(VerifyPassword("", "pw"));
  CHECK_FALSE(VerifyPassword("$argon2id$", "pw"));
  CHECK_FALSE(VerifyPassword("$argon2id$v=19$m=256,t=1,p=1$c2FsdA$AAAA", "pw"));
  CHECK_FALSE(VerifyPassword("plaintext", "plaintext"));
  const std::string huge(2000, 'x');
  CHECK(HashPassword(huge, kFast).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(VerifyPassword(HashPassword("x", kFast).value(), huge));
  // Passwords with NUL bytes and non-ASCII are hashed as given.
  auto odd = HashPassword(absl::string_view("a\0b\xc3\xa9", 5), kFast);
  REQUIRE(odd.ok());
  CHECK(VerifyPassword(*odd, absl::string_view("a\0b\xc3\xa9", 5)));
  CHECK_FALSE(VerifyPassword(*odd, "a"));
}

}  // namespace
}  // namespace planapi::jose
