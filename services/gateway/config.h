// The gateway's configuration (docs/configuration.md), read from PLANAPI_* variables and flags
// and validated before anything binds a port.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "libs/http/server.h"
#include "libs/runtime/log.h"
#include "libs/runtime/settings.h"
#include "services/gateway/upstreams.h"

namespace planapi::gateway {

struct GatewayConfig {
  http::ServerOptions http;
  std::string port_file;
  std::map<Upstream, std::string> upstreams;  // host:port of each service
  // https://host[:port], no trailing slash; empty: from each request's Host header.
  std::string public_url;
  std::chrono::milliseconds upstream_deadline{5000};
  int64_t hsts_max_age = 31536000;
  // Member-data requests per second each OAuth client may make through this gateway, and the
  // burst above that rate (token bucket); 0 turns the limit off.
  int64_t client_rate_limit = 100;
  int64_t client_rate_burst = 200;
  std::string web_root;  // empty: no static files
  std::string service_key;  // proves the gateway's identity on its calls to the services
  runtime::LogLevel log_level = runtime::LogLevel::kInfo;
  std::chrono::milliseconds shutdown_grace{10000};
};

// INVALID_ARGUMENT naming the setting for a missing or bad value.
absl::StatusOr<GatewayConfig> LoadGatewayConfig(runtime::Settings& settings);

}  // namespace planapi::gateway
