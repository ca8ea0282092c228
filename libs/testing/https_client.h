// A real HTTPS client for tests (libcurl): keep-alive across calls, the test CA trusted, headers
// and status returned as values. Not thread-safe; one per test thread.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace planapi::testing {

struct HttpResult {
  int status = 0;  // 0 when the request failed at the transport level
  std::string error;  // curl's message when status == 0
  // Lower-cased header names.
  std::map<std::string, std::string> headers;
  std::string body;
};

class HttpsClient {
 public:
  // `base` like https://localhost:8443; `ca_file` the CA that signed the server's certificate.
  HttpsClient(std::string base, std::string ca_file);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  HttpResult Get(const std::string& path, const std::vector<std::string>& headers = {});
  HttpResult Send(const std::string& method, const std::string& path, const std::string& body,
                  const std::vector<std::string>& headers = {});
  // Timeout for whole requests (default 30 s).
  void set_timeout_ms(long ms) { timeout_ms_ = ms; }

 private:
  std::string base_;
  std::string ca_file_;
  long timeout_ms_ = 30000;
  void* curl_;
};

}  // namespace planapi::testing
