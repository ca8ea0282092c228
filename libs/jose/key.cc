#include "libs/jose/key.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/jose/base64url.h"
#include "libs/jose/ossl_internal.h"
#include "libs/jose/secret.h"
#include "libs/json/json.h"
#include "libs/status/status_macros.h"

namespace planapi::jose {
namespace {

using internal::Ptr;

constexpr int kMinRsaBits = 2048;

struct AlgorithmRow {
  Algorithm alg;
  absl::string_view name;
};
constexpr AlgorithmRow kAlgorithms[] = {
    {Algorithm::kRs256, "RS256"},
    {Algorithm::kRs384, "RS384"},
    {Algorithm::kEs256, "ES256"},
    {Algorithm::kEs384, "ES384"},
};

absl::string_view CurveName(KeyType type) { return type == KeyType::kEcP256 ? "P-256" : "P-384"; }
size_t CoordinateSize(KeyType type) { return type == KeyType::kEcP256 ? 32 : 48; }

// The big-endian bytes of a BIGNUM parameter; empty when the key lacks it. `pad` > 0 left-pads to
// that width (EC coordinates and EC "d" are fixed-width in JWK; RSA members are minimal).
std::string GetBn(EVP_PKEY* pkey, const char* name, size_t pad = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    ERR_clear_error();
    return "";
  }
  Ptr<BIGNUM> bn(raw);
  const size_t size = pad > 0 ? pad : static_cast<size_t>(BN_num_bytes(bn.get()));
  std::string out(size == 0 ? 1 : size, '\0');
  if (pad > 0) {
    PLANAPI_CHECK(BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()),
                               static_cast<int>(pad)) == static_cast<int>(pad));
  } else if (size > 0) {
    BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  }
  return out;
}

// Works out what kind of key OpenSSL handed us; INVALID_ARGUMENT for kinds we do not use.
absl::StatusOr<KeyType> Classify(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    if (EVP_PKEY_get_bits(pkey) < kMinRsaBits) {
      return absl::InvalidArgumentError(
          absl::StrCat("RSA key of ", EVP_PKEY_get_bits(pkey), " bits; at least 2048 required"));
    }
    return KeyType::kRsa;
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1) {
      ERR_clear_error();
      return absl::InvalidArgumentError("EC key without a named curve");
    }
    const absl::string_view name(group, len);
    if (name == "prime256v1" || name == "P-256") {
      return KeyType::kEcP256;
    }
    if (name == "secp384r1" || name == "P-384") {
      return KeyType::kEcP384;
    }
    return absl::InvalidArgumentError(absl::StrCat("unsupported EC curve ", name));
  }
  return absl::InvalidArgumentError("unsupported key type (RSA and EC P-256/P-384 only)");
}

bool HasPrivate(EVP_PKEY* pkey, KeyType type) {
  return !GetBn(pkey, type == KeyType::kRsa ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY)
              .empty();
}

// Refuses keys whose public half is not valid (EC point off the curve, bad RSA modulus) and
// private keys that do not belong to their public half.
absl::Status Validate(EVP_PKEY* pkey, bool has_private) {
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (ctx == nullptr) {
    return absl::InternalError(internal::TakeError());
  }
  if (EVP_PKEY_public_check(ctx.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("the public key is not valid");
  }
  if (has_private && EVP_PKEY_pairwise_check(ctx.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("the private key does not match the public key");
  }
  return absl::OkStatus();
}

// A base64urlUInt / fixed-width JWK member, decoded. `size` > 0 demands exactly that many bytes.
absl::StatusOr<std::string> Member(const rapidjson::Value& jwk, absl::string_view name,
                                   bool required, size_t size = 0) {
  const std::optional<absl::string_view> text = json::GetString(jwk, name);
  if (!text.has_value()) {
    if (jwk.IsObject() && jwk.HasMember(rapidjson::Value(name.data(), static_cast<rapidjson::SizeType>(name.size())))) {
      return absl::InvalidArgumentError(absl::StrCat("JWK member \"", name, "\" is not a string"));
    }
    if (required) {
      return absl::InvalidArgumentError(absl::StrCat("JWK lacks \"", name, "\""));
    }
    return std::string();
  }
  absl::StatusOr<std::string> bytes = Base64UrlDecode(*text);
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWK member \"", name, "\": ", bytes.status().message()));
  }
  if (bytes->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("JWK member \"", name, "\" is empty"));
  }
  if (size > 0 && bytes->size() != size) {
    return absl::InvalidArgumentError(absl::StrCat("JWK member \"", name, "\" must be ", size,
                                                   " bytes, not ", bytes->size()));
  }
  return bytes;
}

absl::Status PushBn(OSSL_PARAM_BLD* bld, const char* name, const std::string& bytes,
                    std::vector<Ptr<BIGNUM>>& keep) {
  Ptr<BIGNUM> bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                           static_cast<int>(bytes.size()), nullptr));
  if (bn == nullptr || OSSL_PARAM_BLD_push_BN(bld, name, bn.get()) != 1) {
    return absl::InternalError(internal::TakeError());
  }
  keep.push_back(std::move(bn));  // the builder refers to it until OSSL_PARAM_BLD_to_param
  return absl::OkStatus();
}

absl::StatusOr<Ptr<EVP_PKEY>> FromData(const char* type, OSSL_PARAM_BLD* bld, bool has_private) {
  Ptr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld));
  Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return absl::InternalError(internal::TakeError());
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("the JWK does not describe a valid key");
  }
  return Ptr<EVP_PKEY>(raw);
}

absl::StatusOr<Ptr<EVP_PKEY>> RsaFromJwk(const rapidjson::Value& jwk, bool& has_private) {
  PLANAPI_ASSIGN_OR_RETURN(std::string n, Member(jwk, "n", true));
  PLANAPI_ASSIGN_OR_RETURN(std::string e, Member(jwk, "e", true));
  PLANAPI_ASSIGN_OR_RETURN(std::string d, Member(jwk, "d", false));
  has_private = !d.empty();
  Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  std::vector<Ptr<BIGNUM>> keep;
  PLANAPI_RETURN_IF_ERROR(PushBn(bld.get(), OSSL_PKEY_PARAM_RSA_N, n, keep));
  PLANAPI_RETURN_IF_ERROR(PushBn(bld.get(), OSSL_PKEY_PARAM_RSA_E, e, keep));
  if (has_private) {
    PLANAPI_RETURN_IF_ERROR(PushBn(bld.get(), OSSL_PKEY_PARAM_RSA_D, d, keep));
    // The CRT members come all together or not at all (RFC 7518 §6.3.2).
    struct Crt {
      const char* jwk;
      const char* param;
    };
    constexpr Crt kCrt[] = {{"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
                            {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
                            {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
                            {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
                            {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
    int present = 0;
    std::vector<std::string> values;
    for (const Crt& crt : kCrt) {
      PLANAPI_ASSIGN_OR_RETURN(std::string v, Member(jwk, crt.jwk, false));
      present += v.empty() ? 0 : 1;
      values.push_back(std::move(v));
    }
    if (present != 0 && present != 5) {
      return absl::InvalidArgumentError("RSA JWK has some but not all of p, q, dp, dq, qi");
    }
    if (present == 5) {
      for (size_t i = 0; i < 5; ++i) {
        PLANAPI_RETURN_IF_ERROR(PushBn(bld.get(), kCrt[i].param, values[i], keep));
      }
    }
  }
  return FromData("RSA", bld.get(), has_private);
}

absl::StatusOr<Ptr<EVP_PKEY>> EcFromJwk(const rapidjson::Value& jwk, KeyType type,
                                        bool& has_private) {
  const size_t size = CoordinateSize(type);
  PLANAPI_ASSIGN_OR_RETURN(std::string x, Member(jwk, "x", true, size));
  PLANAPI_ASSIGN_OR_RETURN(std::string y, Member(jwk, "y", true, size));
  PLANAPI_ASSIGN_OR_RETURN(std::string d, Member(jwk, "d", false, size));
  has_private = !d.empty();
  const std::string point = absl::StrCat("\x04", x, y);
  const std::string curve(CurveName(type));
  Ptr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  std::vector<Ptr<BIGNUM>> keep;
  if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.c_str(), 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return absl::InternalError(internal::TakeError());
  }
  if (has_private) {
    PLANAPI_RETURN_IF_ERROR(PushBn(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d, keep));
  }
  return FromData("EC", bld.get(), has_private);
}

void WritePublicMembers(json::Writer& w, EVP_PKEY* pkey, KeyType type) {
  if (type == KeyType::kRsa) {
    w.Field("kty", "RSA");
    w.Field("n", Base64UrlEncode(GetBn(pkey, OSSL_PKEY_PARAM_RSA_N)));
    w.Field("e", Base64UrlEncode(GetBn(pkey, OSSL_PKEY_PARAM_RSA_E)));
  } else {
    const size_t size = CoordinateSize(type);
    w.Field("kty", "EC");
    w.Field("crv", CurveName(type));
    w.Field("x", Base64UrlEncode(GetBn(pkey, OSSL_PKEY_PARAM_EC_PUB_X, size)));
    w.Field("y", Base64UrlEncode(GetBn(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, size)));
  }
}

}  // namespace

absl::string_view AlgorithmName(Algorithm alg) {
  for (const AlgorithmRow& row : kAlgorithms) {
    if (row.alg == alg) {
      return row.name;
    }
  }
  PLANAPI_CHECK(false);
  return "";
}

std::optional<Algorithm> AlgorithmFromName(absl::string_view name) {
  for (const AlgorithmRow& row : kAlgorithms) {
    if (row.name == name) {
      return row.alg;
    }
  }
  return std::nullopt;
}

Key::Key(evp_pkey_st* pkey, KeyType type, bool has_private)
    : pkey_(pkey), type_(type), has_private_(has_private) {
  kid_ = Thumbprint();
}

Key::Key(const Key& other)
    : pkey_(other.pkey_),
      type_(other.type_),
      has_private_(other.has_private_),
      kid_(other.kid_),
      alg_(other.alg_) {
  PLANAPI_CHECK(EVP_PKEY_up_ref(pkey_) == 1);
}

Key& Key::operator=(const Key& other) {
  if (this != &other) {
    Key copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Key::Key(Key&& other) noexcept
    : pkey_(std::exchange(other.pkey_, nullptr)),
      type_(other.type_),
      has_private_(other.has_private_),
      kid_(std::move(other.kid_)),
      alg_(other.alg_) {}

Key& Key::operator=(Key&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(pkey_);
    pkey_ = std::exchange(other.pkey_, nullptr);
    type_ = other.type_;
    has_private_ = other.has_private_;
    kid_ = std::move(other.kid_);
    alg_ = other.alg_;
  }
  return *this;
}

Key::~Key() { EVP_PKEY_free(pkey_); }

absl::StatusOr<Key> Key::Generate(KeyType type) {
  EVP_PKEY* raw = type == KeyType::kRsa
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(kMinRsaBits))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", std::string(CurveName(type)).c_str());
  if (raw == nullptr) {
    return absl::InternalError(absl::StrCat("key generation: ", internal::TakeError()));
  }
  return Key(raw, type, true);
}

absl::StatusOr<Key> Key::FromJwk(const rapidjson::Value& jwk) {
  if (!jwk.IsObject()) {
    return absl::InvalidArgumentError("a JWK must be a JSON object");
  }
  const std::optional<absl::string_view> kty = json::GetString(jwk, "kty");
  if (!kty.has_value()) {
    return absl::InvalidArgumentError("JWK lacks \"kty\"");
  }
  if (const std::optional<absl::string_view> use = json::GetString(jwk, "use");
      use.has_value() && *use != "sig") {
    return absl::InvalidArgumentError(absl::StrCat("JWK with use \"", *use, "\" cannot sign"));
  }
  KeyType type;
  bool has_private = false;
  Ptr<EVP_PKEY> pkey;
  if (*kty == "RSA") {
    type = KeyType::kRsa;
    PLANAPI_ASSIGN_OR_RETURN(pkey, RsaFromJwk(jwk, has_private));
  } else if (*kty == "EC") {
    const std::optional<absl::string_view> crv = json::GetString(jwk, "crv");
    if (crv == "P-256") {
      type = KeyType::kEcP256;
    } else if (crv == "P-384") {
      type = KeyType::kEcP384;
    } else {
      return absl::InvalidArgumentError("EC JWK: \"crv\" must be P-256 or P-384");
    }
    PLANAPI_ASSIGN_OR_RETURN(pkey, EcFromJwk(jwk, type, has_private));
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unsupported JWK kty \"", *kty, "\""));
  }
  PLANAPI_ASSIGN_OR_RETURN(KeyType classified, Classify(pkey.get()));
  PLANAPI_CHECK(classified == type);
  PLANAPI_RETURN_IF_ERROR(Validate(pkey.get(), has_private));
  Key key(pkey.release(), type, has_private);
  if (const std::optional<absl::string_view> kid = json::GetString(jwk, "kid"); kid.has_value()) {
    key.kid_ = std::string(*kid);
  }
  if (const std::optional<absl::string_view> alg = json::GetString(jwk, "alg"); alg.has_value()) {
    const std::optional<Algorithm> parsed = AlgorithmFromName(*alg);
    if (!parsed.has_value() || !key.Supports(*parsed)) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWK \"alg\" ", *alg, " is unsupported or does not fit the key"));
    }
    key.alg_ = parsed;
  }
  return key;
}

absl::StatusOr<Key> Key::FromJwk(absl::string_view text) {
  PLANAPI_ASSIGN_OR_RETURN(rapidjson::Document doc, json::Parse(text));
  return FromJwk(doc);
}

absl::StatusOr<Key> Key::FromPem(absl::string_view pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) {
    return absl::InternalError(internal::TakeError());
  }
  Ptr<EVP_PKEY> pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (pkey == nullptr) {
    ERR_clear_error();
    bio.reset(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    pkey.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  }
  if (pkey == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("not a PEM private or public key");
  }
  PLANAPI_ASSIGN_OR_RETURN(KeyType type, Classify(pkey.get()));
  const bool has_private = HasPrivate(pkey.get(), type);
  PLANAPI_RETURN_IF_ERROR(Validate(pkey.get(), has_private));
  return Key(pkey.release(), type, has_private);
}

Key Key::WithKid(absl::string_view kid) const {
  Key copy(*this);
  copy.kid_ = std::string(kid);
  return copy;
}

Key Key::WithAlg(Algorithm alg) const {
  Key copy(*this);
  copy.alg_ = alg;
  PLANAPI_CHECK(copy.Supports(alg));
  return copy;
}

bool Key::Supports(Algorithm alg) const {
  if (alg_.has_value() && *alg_ != alg) {
    return false;
  }
  switch (alg) {
    case Algorithm::kRs256:
    case Algorithm::kRs384:
      return type_ == KeyType::kRsa;
    case Algorithm::kEs256:
      return type_ == KeyType::kEcP256;
    case Algorithm::kEs384:
      return type_ == KeyType::kEcP384;
  }
  return false;
}

Algorithm Key::DefaultAlgorithm() const {
  if (alg_.has_value()) {
    return *alg_;
  }
  switch (type_) {
    case KeyType::kRsa:
      return Algorithm::kRs256;
    case KeyType::kEcP256:
      return Algorithm::kEs256;
    case KeyType::kEcP384:
      return Algorithm::kEs384;
  }
  return Algorithm::kRs256;
}

std::string Key::Thumbprint() const {
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace. json::Writer
  // writes members in the order given and escapes nothing these values contain.
  json::Writer w;
  w.StartObject();
  if (type_ == KeyType::kRsa) {
    w.Field("e", Base64UrlEncode(GetBn(pkey_, OSSL_PKEY_PARAM_RSA_E)));
    w.Field("kty", "RSA");
    w.Field("n", Base64UrlEncode(GetBn(pkey_, OSSL_PKEY_PARAM_RSA_N)));
  } else {
    const size_t size = CoordinateSize(type_);
    w.Field("crv", CurveName(type_));
    w.Field("kty", "EC");
    w.Field("x", Base64UrlEncode(GetBn(pkey_, OSSL_PKEY_PARAM_EC_PUB_X, size)));
    w.Field("y", Base64UrlEncode(GetBn(pkey_, OSSL_PKEY_PARAM_EC_PUB_Y, size)));
  }
  w.EndObject();
  return Base64UrlEncode(Sha256(w.Take()));
}

std::string Key::PublicJwk() const {
  json::Writer w;
  w.StartObject();
  WritePublicMembers(w, pkey_, type_);
  w.Field("kid", kid_);
  w.Field("use", "sig");
  if (alg_.has_value()) {
    w.Field("alg", AlgorithmName(*alg_));
  }
  w.EndObject();
  return w.Take();
}

std::string Key::PrivateJwk() const {
  PLANAPI_CHECK(has_private_);
  json::Writer w;
  w.StartObject();
  WritePublicMembers(w, pkey_, type_);
  if (type_ == KeyType::kRsa) {
    w.Field("d", Base64UrlEncode(GetBn(pkey_, OSSL_PKEY_PARAM_RSA_D)));
    const std::string p = GetBn(pkey_, OSSL_PKEY_PARAM_RSA_FACTOR1);
    if (!p.empty()) {
      w.Field("p", Base64UrlEncode(p));
      w.Field("q", Base64UrlEncode(GetBn(pkey_, OSSL_PKEY_PARAM_RSA_FACTOR2)));
      w.Field("dp", Base64UrlEncode(GetBn(pkey_, OSSL_PKEY_PARAM_RSA_EXPONENT1)));
      w.Field("dq", Base64UrlEncode(GetBn(pkey_, OSSL_PKEY_PARAM_RSA_EXPONENT2)));
      w.Field("qi", Base64UrlEncode(GetBn(pkey_, OSSL_PKEY_PARAM_RSA_COEFFICIENT1)));
    }
  } else {
    w.Field("d", Base64UrlEncode(GetBn(pkey_, OSSL_PKEY_PARAM_PRIV_KEY, CoordinateSize(type_))));
  }
  w.Field("kid", kid_);
  w.Field("use", "sig");
  if (alg_.has_value()) {
    w.Field("alg", AlgorithmName(*alg_));
  }
  w.EndObject();
  return w.Take();
}

std::string Key::PrivatePem() const {
  PLANAPI_CHECK(has_private_);
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  PLANAPI_CHECK(bio != nullptr);
  PLANAPI_CHECK(PEM_write_bio_PrivateKey(bio.get(), pkey_, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace planapi::jose
