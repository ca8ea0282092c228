#include "libs/http/message.h"

#include "absl/strings/match.h"

namespace planapi::http {

std::optional<absl::string_view> Request::Header(absl::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      return value;
    }
  }
  return std::nullopt;
}

Response& Response::SetHeader(std::string name, std::string value) {
  for (auto& [n, v] : headers) {
    if (absl::EqualsIgnoreCase(n, name)) {
      v = std::move(value);
      return *this;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::pair<std::string, std::string> SplitTarget(absl::string_view target) {
  const size_t q = target.find('?');
  if (q == absl::string_view::npos) {
    return {std::string(target), ""};
  }
  return {std::string(target.substr(0, q)), std::string(target.substr(q + 1))};
}

}  // namespace planapi::http
