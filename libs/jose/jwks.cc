#include "libs/jose/jwks.h"

#include "absl/strings/str_cat.h"
#include "libs/json/json.h"
#include "libs/status/status_macros.h"

namespace planapi::jose {

absl::StatusOr<KeySet> KeySet::FromJson(absl::string_view text) {
  PLANAPI_ASSIGN_OR_RETURN(rapidjson::Document doc, json::Parse(text));
  if (!doc.IsObject() || !doc.HasMember("keys") || !doc["keys"].IsArray()) {
    return absl::InvalidArgumentError("a JWKS must be an object with a \"keys\" array");
  }
  std::vector<Key> keys;
  for (const rapidjson::Value& jwk : doc["keys"].GetArray()) {
    if (!jwk.IsObject()) {
      return absl::InvalidArgumentError("a JWKS entry is not an object");
    }
    const std::optional<absl::string_view> kty = json::GetString(jwk, "kty");
    const std::optional<absl::string_view> use = json::GetString(jwk, "use");
    const std::optional<absl::string_view> crv = json::GetString(jwk, "crv");
    const bool supported = (kty == "RSA" || (kty == "EC" && (crv == "P-256" || crv == "P-384"))) &&
                           (!use.has_value() || *use == "sig");
    if (!supported) {
      continue;
    }
    absl::StatusOr<Key> key = Key::FromJwk(jwk);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWKS key ", keys.size() + 1, ": ", key.status().message()));
    }
    if (key->has_private()) {
      // Re-import the public half: a verifier must never hold (or re-publish) private members.
      PLANAPI_ASSIGN_OR_RETURN(Key pub, Key::FromJwk(key->PublicJwk()));
      key = std::move(pub);
    }
    keys.push_back(*std::move(key));
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError("the JWKS holds no RSA or EC P-256/P-384 signing key");
  }
  return KeySet(std::move(keys));
}

std::string KeySet::ToJson() const {
  json::Writer w;
  w.StartObject().Key("keys").StartArray();
  for (const Key& key : keys_) {
    w.Raw(key.PublicJwk());
  }
  w.EndArray().EndObject();
  return w.Take();
}

std::vector<const Key*> KeySet::Candidates(std::optional<absl::string_view> kid,
                                           Algorithm alg) const {
  std::vector<const Key*> out;
  for (const Key& key : keys_) {
    if ((!kid.has_value() || key.kid() == *kid) && key.Supports(alg)) {
      out.push_back(&key);
    }
  }
  return out;
}

}  // namespace planapi::jose
