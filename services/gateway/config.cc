#include "services/gateway/config.h"

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/rpc/identity.h"
#include "libs/status/status_macros.h"

namespace planapi::gateway {
namespace {

absl::StatusOr<std::string> Address(runtime::Settings& settings, absl::string_view name) {
  PLANAPI_ASSIGN_OR_RETURN(std::string address, settings.RequiredString(name));
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return absl::InvalidArgumentError(absl::StrCat(runtime::Settings::EnvName(name), " (--",
                                                   name, "): '", address,
                                                   "' is not host:port"));
  }
  return address;
}

}  // namespace

absl::StatusOr<GatewayConfig> LoadGatewayConfig(runtime::Settings& settings) {
  GatewayConfig c;
  PLANAPI_ASSIGN_OR_RETURN(c.http.host, settings.String("https-host", "0.0.0.0"));
  PLANAPI_ASSIGN_OR_RETURN(int64_t port, settings.Int("https-port", 8443, 0, 65535));
  c.http.port = static_cast<int>(port);
  PLANAPI_ASSIGN_OR_RETURN(c.port_file, settings.String("port-file", ""));
  PLANAPI_ASSIGN_OR_RETURN(c.http.cert_file, settings.RequiredString("tls-cert-file"));
  PLANAPI_ASSIGN_OR_RETURN(c.http.key_file, settings.RequiredString("tls-key-file"));
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  PLANAPI_ASSIGN_OR_RETURN(int64_t threads, settings.Int("io-threads", cores, 1, 256));
  c.http.io_threads = static_cast<int>(threads);
  PLANAPI_ASSIGN_OR_RETURN(int64_t body,
                           settings.Int("max-body-bytes", 16 * 1024 * 1024, 1024, int64_t{1} << 32));
  c.http.max_body_bytes = static_cast<uint64_t>(body);
  PLANAPI_ASSIGN_OR_RETURN(int64_t buffered,
                           settings.Int("max-buffered-body-bytes", 256 * 1024 * 1024, body,
                                        int64_t{1} << 40));
  c.http.max_buffered_body_bytes = static_cast<uint64_t>(buffered);
  PLANAPI_ASSIGN_OR_RETURN(int64_t header,
                           settings.Int("max-header-bytes", 16 * 1024, 1024, 1024 * 1024));
  c.http.max_header_bytes = static_cast<uint32_t>(header);
  PLANAPI_ASSIGN_OR_RETURN(c.http.header_timeout, settings.Seconds("header-timeout-seconds", 10, 1, 300));
  PLANAPI_ASSIGN_OR_RETURN(c.http.body_timeout, settings.Seconds("body-timeout-seconds", 30, 1, 3600));
  PLANAPI_ASSIGN_OR_RETURN(c.http.idle_timeout, settings.Seconds("idle-timeout-seconds", 60, 1, 3600));
  PLANAPI_ASSIGN_OR_RETURN(c.http.write_timeout, settings.Seconds("write-timeout-seconds", 30, 1, 3600));
  for (Upstream u : kAllUpstreams) {
    PLANAPI_ASSIGN_OR_RETURN(c.upstreams[u], Address(settings, absl::StrCat(UpstreamName(u), "-addr")));
  }
  // Empty: absolute URLs are built from each request's Host (fine locally; set it in production).
  PLANAPI_ASSIGN_OR_RETURN(std::string url, settings.String("public-url", ""));
  url = std::string(absl::StripSuffix(url, "/"));
  if (!url.empty()) {
    if (!absl::StartsWith(url, "https://") || url.size() <= 8) {
      return absl::InvalidArgumentError(
          absl::StrCat("PLANAPI_PUBLIC_URL (--public-url): '", url, "' must be an https:// URL"));
    }
    if (url.find_first_of("/?#", 8) != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "PLANAPI_PUBLIC_URL (--public-url): '", url,
          "' must be scheme and host only (the gateway serves at the root)"));
    }
  }
  c.public_url = url;
  PLANAPI_ASSIGN_OR_RETURN(c.service_key, settings.RequiredSecret("service-key"));
  if (c.service_key.size() < rpc::kMinServiceKeyLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "PLANAPI_SERVICE_KEY (--service-key) must be at least ", rpc::kMinServiceKeyLength,
        " characters"));
  }
  PLANAPI_ASSIGN_OR_RETURN(int64_t deadline, settings.Int("upstream-deadline-ms", 5000, 10, 600000));
  c.upstream_deadline = std::chrono::milliseconds(deadline);
  PLANAPI_ASSIGN_OR_RETURN(c.hsts_max_age, settings.Int("hsts-max-age", 31536000, 0, 63072000));
  PLANAPI_ASSIGN_OR_RETURN(c.client_rate_limit, settings.Int("client-rate-limit", 100, 0, 1000000));
  PLANAPI_ASSIGN_OR_RETURN(c.client_rate_burst, settings.Int("client-rate-burst", 200, 1, 1000000));
  PLANAPI_ASSIGN_OR_RETURN(c.web_root, settings.String("web-root", ""));
  PLANAPI_ASSIGN_OR_RETURN(std::string level,
                           settings.Choice("log-level", "info", {"debug", "info", "warn", "error"}));
  c.log_level = *runtime::ParseLogLevel(level);
  PLANAPI_ASSIGN_OR_RETURN(c.shutdown_grace, settings.Seconds("shutdown-grace-seconds", 10, 0, 600));
  return c;
}

}  // namespace planapi::gateway
