#include "libs/jose/jws.h"

#include <openssl/core_names.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/jose/base64url.h"
#include "libs/jose/ossl_internal.h"
#include "libs/json/json.h"
#include "libs/status/status_macros.h"

namespace planapi::jose {
namespace {

using internal::Ptr;

// Tokens larger than this are refused before any decoding: nothing we issue or accept comes close.
constexpr size_t kMaxCompactSize = 64 * 1024;

const EVP_MD* Digest(Algorithm alg) {
  switch (alg) {
    case Algorithm::kRs256:
    case Algorithm::kEs256:
      return EVP_sha256();
    case Algorithm::kRs384:
    case Algorithm::kEs384:
      return EVP_sha384();
  }
  return nullptr;
}

bool IsEcdsa(Algorithm alg) { return alg == Algorithm::kEs256 || alg == Algorithm::kEs384; }
size_t EcdsaHalf(Algorithm alg) { return alg == Algorithm::kEs256 ? 32 : 48; }

// DER ECDSA-Sig-Value -> r||s, each left-padded to the curve size (RFC 7518 §3.4).
absl::StatusOr<std::string> DerToRaw(const std::string& der, size_t half) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (sig == nullptr) {
    return absl::InternalError(internal::TakeError());
  }
  std::string raw(2 * half, '\0');
  unsigned char* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, static_cast<int>(half)) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + half, static_cast<int>(half)) < 0) {
    return absl::InternalError("ECDSA signature component too large");
  }
  return raw;
}

// r||s -> DER; nullopt when the length is not exactly twice the curve size.
std::optional<std::string> RawToDer(absl::string_view raw, size_t half) {
  if (raw.size() != 2 * half) {
    return std::nullopt;
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(raw.data());
  Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(p, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(p + half, static_cast<int>(half), nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) {
    return std::nullopt;
  }
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool VerifyWith(const Key& key, Algorithm alg, absl::string_view input,
                absl::string_view signature) {
  std::string der;
  if (IsEcdsa(alg)) {
    std::optional<std::string> converted = RawToDer(signature, EcdsaHalf(alg));
    if (!converted.has_value()) {
      return false;
    }
    der = *std::move(converted);
    signature = der;
  }
  Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, Digest(alg), nullptr, key.pkey()) != 1) {
    ERR_clear_error();
    return false;
  }
  const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                  signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                                  input.size());
  ERR_clear_error();
  return ok == 1;
}

absl::StatusOr<JwsHeader> ParseHeader(absl::string_view encoded) {
  absl::StatusOr<std::string> text = Base64UrlDecode(encoded);
  if (!text.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("JWS header: ", text.status().message()));
  }
  absl::StatusOr<rapidjson::Document> doc = json::Parse(*text);
  if (!doc.ok() || !doc->IsObject()) {
    return absl::InvalidArgumentError("JWS header is not a JSON object");
  }
  const std::optional<absl::string_view> alg_name = json::GetString(*doc, "alg");
  if (!alg_name.has_value()) {
    return absl::InvalidArgumentError("JWS header lacks \"alg\"");
  }
  const std::optional<Algorithm> alg = AlgorithmFromName(*alg_name);
  if (!alg.has_value()) {
    return absl::UnauthenticatedError(absl::StrCat("JWS algorithm \"", *alg_name, "\" refused"));
  }
  if (doc->HasMember("crit")) {
    return absl::UnauthenticatedError("JWS \"crit\" extensions are not supported");
  }
  JwsHeader header{.alg = *alg};
  if (doc->HasMember("kid")) {
    const std::optional<absl::string_view> kid = json::GetString(*doc, "kid");
    if (!kid.has_value()) {
      return absl::InvalidArgumentError("JWS \"kid\" is not a string");
    }
    header.kid = std::string(*kid);
  }
  if (const std::optional<absl::string_view> typ = json::GetString(*doc, "typ"); typ.has_value()) {
    header.typ = std::string(*typ);
  }
  return header;
}

struct Parts {
  absl::string_view header;
  absl::string_view payload;
  absl::string_view signature;
  absl::string_view signing_input;
};

absl::StatusOr<Parts> Split(absl::string_view compact) {
  if (compact.size() > kMaxCompactSize) {
    return absl::InvalidArgumentError("JWS too large");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(compact, '.');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError("a compact JWS has three dot-separated parts");
  }
  if (parts[0].empty() || parts[2].empty()) {
    return absl::InvalidArgumentError("JWS header or signature is empty");
  }
  return Parts{parts[0], parts[1], parts[2],
               compact.substr(0, parts[0].size() + 1 + parts[1].size())};
}

}  // namespace

absl::StatusOr<std::string> Sign(const Key& key, Algorithm alg, absl::string_view payload,
                                 absl::string_view typ) {
  PLANAPI_CHECK(key.has_private());
  PLANAPI_CHECK(key.Supports(alg));
  json::Writer w;
  w.StartObject().Field("alg", AlgorithmName(alg));
  if (!key.kid().empty()) {
    w.Field("kid", key.kid());
  }
  if (!typ.empty()) {
    w.Field("typ", typ);
  }
  w.EndObject();
  std::string out = absl::StrCat(Base64UrlEncode(w.Take()), ".", Base64UrlEncode(payload));

  Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, Digest(alg), nullptr, key.pkey()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(out.data()),
                     out.size()) != 1) {
    return absl::InternalError(absl::StrCat("JWS sign: ", internal::TakeError()));
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     reinterpret_cast<const unsigned char*>(out.data()), out.size()) != 1) {
    return absl::InternalError(absl::StrCat("JWS sign: ", internal::TakeError()));
  }
  signature.resize(len);
  if (IsEcdsa(alg)) {
    PLANAPI_ASSIGN_OR_RETURN(signature, DerToRaw(signature, EcdsaHalf(alg)));
  }
  absl::StrAppend(&out, ".", Base64UrlEncode(signature));
  return out;
}

absl::StatusOr<JwsHeader> PeekHeader(absl::string_view compact) {
  PLANAPI_ASSIGN_OR_RETURN(Parts parts, Split(compact));
  return ParseHeader(parts.header);
}

absl::StatusOr<VerifiedJws> Verify(absl::string_view compact, const KeySet& keys,
                                   std::span<const Algorithm> allowed) {
  PLANAPI_ASSIGN_OR_RETURN(Parts parts, Split(compact));
  PLANAPI_ASSIGN_OR_RETURN(JwsHeader header, ParseHeader(parts.header));
  if (std::find(allowed.begin(), allowed.end(), header.alg) == allowed.end()) {
    return absl::UnauthenticatedError(
        absl::StrCat("JWS algorithm ", AlgorithmName(header.alg), " is not accepted here"));
  }
  absl::StatusOr<std::string> signature = Base64UrlDecode(parts.signature);
  if (!signature.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("JWS signature: ", signature.status().message()));
  }
  absl::StatusOr<std::string> payload = Base64UrlDecode(parts.payload);
  if (!payload.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("JWS payload: ", payload.status().message()));
  }
  const std::vector<const Key*> candidates =
      keys.Candidates(header.kid ? std::optional<absl::string_view>(*header.kid) : std::nullopt,
                      header.alg);
  if (candidates.empty()) {
    return absl::UnauthenticatedError("no trusted key fits the JWS kid and algorithm");
  }
  for (const Key* key : candidates) {
    if (VerifyWith(*key, header.alg, parts.signing_input, *signature)) {
      return VerifiedJws{.header = std::move(header), .payload = *std::move(payload), .key = key};
    }
  }
  return absl::UnauthenticatedError("JWS signature does not verify");
}

}  // namespace planapi::jose
