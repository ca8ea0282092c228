#include "services/auth/http_forms.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace planapi::auth_service {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> Decode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) {
        return absl::InvalidArgumentError("malformed percent-encoding");
      }
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError("malformed percent-encoding");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Params> ParseForm(absl::string_view text) {
  Params out;
  for (absl::string_view pair : absl::StrSplit(text, '&', absl::SkipEmpty())) {
    const size_t eq = pair.find('=');
    absl::StatusOr<std::string> name = Decode(pair.substr(0, eq));
    absl::StatusOr<std::string> value =
        Decode(eq == absl::string_view::npos ? absl::string_view() : pair.substr(eq + 1));
    if (!name.ok() || !value.ok()) {
      return absl::InvalidArgumentError("malformed percent-encoding in the parameters");
    }
    out.emplace_back(*std::move(name), *std::move(value));
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> Single(const Params& params, absl::string_view name) {
  std::optional<std::string> found;
  for (const auto& [k, v] : params) {
    if (k == name) {
      if (found.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat("parameter ", name, " is repeated"));
      }
      found = v;
    }
  }
  return found;
}

std::vector<std::string> All(const Params& params, absl::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : params) {
    if (k == name) {
      out.push_back(v);
    }
  }
  return out;
}

std::string UrlEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string AppendQuery(absl::string_view uri, const Params& params) {
  std::string out(uri);
  char sep = absl::StrContains(uri, '?') ? '&' : '?';
  for (const auto& [k, v] : params) {
    absl::StrAppend(&out, absl::string_view(&sep, 1), UrlEncode(k), "=", UrlEncode(v));
    sep = '&';
  }
  return out;
}

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::optional<std::string> CookieValue(absl::string_view header, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return std::nullopt;
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>> BasicCredentials(
    absl::string_view authorization) {
  absl::string_view rest = absl::StripAsciiWhitespace(authorization);
  if (rest.size() < 6 || !absl::EqualsIgnoreCase(rest.substr(0, 6), "basic ")) {
    return std::nullopt;
  }
  rest = absl::StripAsciiWhitespace(rest.substr(6));
  std::string decoded;
  if (!absl::Base64Unescape(rest, &decoded)) {
    return absl::InvalidArgumentError("malformed Basic credentials");
  }
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError("malformed Basic credentials");
  }
  absl::StatusOr<std::string> id = Decode(absl::string_view(decoded).substr(0, colon));
  absl::StatusOr<std::string> secret = Decode(absl::string_view(decoded).substr(colon + 1));
  if (!id.ok() || !secret.ok()) {
    return absl::InvalidArgumentError("malformed Basic credentials");
  }
  return std::make_pair(*std::move(id), *std::move(secret));
}

std::optional<std::string> BearerToken(absl::string_view authorization) {
  absl::string_view rest = absl::StripAsciiWhitespace(authorization);
  if (rest.size() < 7 || !absl::EqualsIgnoreCase(rest.substr(0, 7), "bearer ")) {
    return std::nullopt;
  }
  rest = absl::StripAsciiWhitespace(rest.substr(7));
  if (rest.empty()) {
    return std::nullopt;
  }
  return std::string(rest);
}

}  // namespace planapi::auth_service
