#include "services/auth/keys.h"

#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/json/json.h"
#include "libs/status/status_macros.h"

namespace planapi::auth_service {
namespace {

absl::StatusOr<std::vector<jose::Key>> FromJwks(absl::string_view text) {
  PLANAPI_ASSIGN_OR_RETURN(rapidjson::Document doc, json::Parse(text));
  if (!doc.IsObject() || !doc.HasMember("keys") || !doc["keys"].IsArray()) {
    return absl::InvalidArgumentError("signing keys: a JWKS needs a \"keys\" array");
  }
  std::vector<jose::Key> keys;
  for (const rapidjson::Value& jwk : doc["keys"].GetArray()) {
    absl::StatusOr<jose::Key> key = jose::Key::FromJwk(jwk);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("signing key ", keys.size() + 1, ": ", key.status().message()));
    }
    keys.push_back(*std::move(key));
  }
  return keys;
}

absl::StatusOr<std::vector<jose::Key>> FromPems(absl::string_view text) {
  constexpr absl::string_view kBegin = "-----BEGIN ";
  std::vector<jose::Key> keys;
  size_t at = text.find(kBegin);
  while (at != absl::string_view::npos) {
    const size_t next = text.find(kBegin, at + kBegin.size());
    // A block's END line comes before the next BEGIN, so slicing at BEGINs keeps blocks whole.
    const absl::string_view block = text.substr(at, next == absl::string_view::npos ? absl::string_view::npos : next - at);
    absl::StatusOr<jose::Key> key = jose::Key::FromPem(block);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("signing key ", keys.size() + 1, ": ", key.status().message()));
    }
    keys.push_back(*std::move(key));
    at = next;
  }
  return keys;
}

}  // namespace

absl::StatusOr<SigningKeys> SigningKeys::Parse(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  std::vector<jose::Key> keys;
  if (absl::StartsWith(text, "{")) {
    PLANAPI_ASSIGN_OR_RETURN(keys, FromJwks(text));
  } else {
    PLANAPI_ASSIGN_OR_RETURN(keys, FromPems(text));
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError("signing keys: no key found (a JWKS or PEM private keys)");
  }
  std::set<std::string> kids;
  std::optional<size_t> rsa;
  std::optional<size_t> ec;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!keys[i].has_private()) {
      return absl::InvalidArgumentError(
          absl::StrCat("signing key ", i + 1, " has no private half"));
    }
    if (!kids.insert(keys[i].kid()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("signing keys: kid '", keys[i].kid(), "' appears twice"));
    }
    if (keys[i].type() == jose::KeyType::kRsa && !rsa) {
      rsa = i;
    }
    if (keys[i].type() == jose::KeyType::kEcP256 && !ec) {
      ec = i;
    }
  }
  if (!rsa) {
    return absl::InvalidArgumentError(
        "signing keys: an RSA key is required (id_tokens are RS256)");
  }
  if (keys[*rsa].alg().has_value() && keys[*rsa].alg() != jose::Algorithm::kRs256) {
    return absl::InvalidArgumentError("signing keys: the first RSA key must allow RS256");
  }
  return SigningKeys(jose::KeySet(std::move(keys)), *rsa, ec.value_or(*rsa));
}

}  // namespace planapi::auth_service
