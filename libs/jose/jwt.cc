#include "libs/jose/jwt.h"

#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/json/json.h"
#include "libs/status/status_macros.h"

namespace planapi::jose {
namespace {

// A NumericDate member (RFC 7519 §2: seconds, possibly fractional). Absent: nullopt. Present but
// not a finite number: error.
absl::StatusOr<std::optional<absl::Time>> NumericDate(const rapidjson::Value& claims,
                                                      const char* name) {
  if (!claims.HasMember(name)) {
    return std::nullopt;
  }
  const rapidjson::Value& v = claims[name];
  if (!v.IsNumber() || !std::isfinite(v.GetDouble())) {
    return absl::UnauthenticatedError(absl::StrCat("JWT \"", name, "\" is not a NumericDate"));
  }
  if (v.IsInt64()) {
    return absl::FromUnixSeconds(v.GetInt64());
  }
  return absl::FromUnixMicros(static_cast<int64_t>(v.GetDouble() * 1e6));
}

}  // namespace

absl::StatusOr<rapidjson::Document> ParseClaims(absl::string_view payload) {
  PLANAPI_ASSIGN_OR_RETURN(rapidjson::Document doc, json::Parse(payload));
  if (!doc.IsObject()) {
    return absl::InvalidArgumentError("JWT claims are not a JSON object");
  }
  return doc;
}

bool AudienceContains(const rapidjson::Value& claims, absl::string_view audience) {
  if (!claims.IsObject() || !claims.HasMember("aud")) {
    return false;
  }
  const rapidjson::Value& aud = claims["aud"];
  auto equals = [&](const rapidjson::Value& v) {
    return v.IsString() && absl::string_view(v.GetString(), v.GetStringLength()) == audience;
  };
  if (aud.IsArray()) {
    for (const rapidjson::Value& v : aud.GetArray()) {
      if (equals(v)) {
        return true;
      }
    }
    return false;
  }
  return equals(aud);
}

absl::Status CheckClaims(const rapidjson::Value& claims, const ClaimsCheck& check) {
  if (!claims.IsObject()) {
    return absl::UnauthenticatedError("JWT claims are not an object");
  }
  PLANAPI_ASSIGN_OR_RETURN(std::optional<absl::Time> exp, NumericDate(claims, "exp"));
  PLANAPI_ASSIGN_OR_RETURN(std::optional<absl::Time> nbf, NumericDate(claims, "nbf"));
  PLANAPI_ASSIGN_OR_RETURN(std::optional<absl::Time> iat, NumericDate(claims, "iat"));
  if (!exp.has_value()) {
    if (check.require_exp) {
      return absl::UnauthenticatedError("JWT lacks \"exp\"");
    }
  } else {
    if (check.now >= *exp + check.leeway) {
      return absl::UnauthenticatedError("JWT expired");
    }
    if (*exp - check.now > check.max_lifetime + check.leeway) {
      return absl::UnauthenticatedError("JWT \"exp\" lies too far in the future");
    }
  }
  if (nbf.has_value() && check.now + check.leeway < *nbf) {
    return absl::UnauthenticatedError("JWT not yet valid (\"nbf\")");
  }
  if (iat.has_value() && *iat > check.now + check.leeway) {
    return absl::UnauthenticatedError("JWT issued in the future (\"iat\")");
  }
  if (!check.issuer.empty() && json::GetString(claims, "iss") != check.issuer) {
    return absl::UnauthenticatedError("JWT issuer is not the expected one");
  }
  if (!check.audience.empty() && !AudienceContains(claims, check.audience)) {
    return absl::UnauthenticatedError("JWT audience does not include the expected one");
  }
  return absl::OkStatus();
}

}  // namespace planapi::jose
