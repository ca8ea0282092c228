// HTTP request and response as plain values, the only HTTP vocabulary outside libs/http: the
// gateway's request -> response logic works on these, free of socket I/O and of Beast.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>
#include "absl/strings/string_view.h"

namespace planapi::http {

struct Request {
  std::string method;  // upper-case, e.g. "GET"
  std::string target;  // as sent: path and query
  std::string path;    // target before '?', still percent-encoded
  std::string query;   // after '?', raw
  // Header names lower-cased; repeated headers stay separate entries in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;

  // The first header of that (lower-case) name.
  std::optional<absl::string_view> Header(absl::string_view lower_name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  Response& SetHeader(std::string name, std::string value);
};

// Splits a request target into path and query.
std::pair<std::string, std::string> SplitTarget(absl::string_view target);

}  // namespace planapi::http
