// The gateway process: the only one that speaks HTTP to the outside. Builds the graph bottom-up;
// locals die in reverse order, so the HTTPS server stops before the handler and upstreams it uses.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "libs/http/server.h"
#include "libs/runtime/log.h"
#include "libs/runtime/settings.h"
#include "libs/runtime/signals.h"
#include "libs/rpc/channel.h"
#include "libs/rpc/identity.h"
#include "services/gateway/auth_feed.h"
#include "services/gateway/authenticator.h"
#include "services/gateway/config.h"
#include "services/gateway/gateway_handler.h"
#include "services/gateway/grpc_upstreams.h"
#include "services/gateway/metrics.h"
#include "services/gateway/static_files.h"

extern char** environ;

namespace planapi::gateway {
namespace {

int Run(int argc, char** argv) {
  runtime::PrepareServiceProcess();
  auto settings = runtime::Settings::FromArgs(argc, argv, environ);
  absl::StatusOr<GatewayConfig> config =
      settings.ok() ? LoadGatewayConfig(*settings) : absl::StatusOr<GatewayConfig>(settings.status());
  if (config.ok()) {
    if (absl::Status unknown = settings->CheckNoUnknownFlags(); !unknown.ok()) {
      config = unknown;
    }
  }
  absl::StatusOr<StaticFiles> files =
      config.ok() ? StaticFiles::Load(config->web_root) : absl::StatusOr<StaticFiles>(config.status());
  if (!files.ok()) {
    std::cerr << "planapi-gateway: bad configuration: " << files.status().message() << "\n";
    return 2;
  }
  runtime::InitLogging("gateway", config->log_level);
  if (absl::Status s = rpc::SetServiceIdentity("gateway", config->service_key); !s.ok()) {
    std::cerr << "planapi-gateway: bad configuration: " << s.message() << "\n";
    return 2;
  }
  Metrics metrics;
  std::unique_ptr<Upstreams> upstreams = MakeGrpcUpstreams(config->upstreams, metrics);
  // Tokens are verified here against auth's keys; the feed keeps keys and revocations current.
  TokenVerifier verifier;
  AuthFeed auth_feed(rpc::MakeChannel(config->upstreams.at(Upstream::kAuth)), verifier);
  GatewayHandler handler(*config, *upstreams, metrics, *files, verifier);
  absl::StatusOr<std::unique_ptr<http::Server>> server = http::Server::Start(config->http, handler);
  if (!server.ok()) {
    const bool bad_config = server.status().code() == absl::StatusCode::kInvalidArgument;
    std::cerr << "planapi-gateway: " << (bad_config ? "bad configuration: " : "")
              << server.status().message() << "\n";
    return bad_config ? 2 : 1;
  }
  if (!config->port_file.empty()) {
    runtime::WritePortFile(config->port_file, (*server)->port());
  }
  runtime::LogInfo("listening", {{"https", absl::StrCat(config->http.host, ":", (*server)->port())},
                                 {"public_url", config->public_url}});
  const int sig = runtime::WaitForShutdownSignal();
  runtime::LogInfo("draining", {{"signal", absl::StrCat(sig)}});
  (*server)->Shutdown(config->shutdown_grace);
  runtime::LogInfo("stopped");
  return 0;
}

}  // namespace
}  // namespace planapi::gateway

int main(int argc, char** argv) { return planapi::gateway::Run(argc, argv); }
