#include "services/auth/auth_service.h"

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"
#include "services/auth/admin.h"
#include "services/auth/admin_grpc.h"
#include "services/auth/client_cache.h"
#include "services/auth/config.h"
#include "services/auth/member_grants.h"
#include "services/auth/oauth.h"
#include "services/auth/oauth_store.h"
#include "services/auth/store.h"

namespace planapi::auth_service {
namespace {

// What the gRPC services share. Built once; the services keep it alive until they are destroyed
// after the server has drained.
struct State {
  explicit State(AuthConfig c, pg::Pool& pool)
      : config(std::move(c)),
        store(pool),
        oauth_store(pool, store),
        clients(store),
        admin(store, *config.secrets),
        oauth(store, oauth_store, clients, *config.signing_keys, *config.secrets, config.oauth),
        member_grants(store, oauth_store, admin, config.oauth) {
    // This replica's own changes drop the cached row before the admin call answers; the
    // listener brings every replica's changes (migration 0006's trigger), and until it listens
    // nothing is cached.
    store.SetClientChangeHook([this](absl::string_view id) { clients.Invalidate(id); });
    listener = std::make_unique<pg::Listener>(
        pg::Listener::Options{.conninfo = pool.options().conninfo,
                              .channel = absl::StrCat(pool.options().schema, "_clients")},
        [this](absl::string_view id) { clients.Invalidate(id); },
        [this](bool listening) { clients.SetListening(listening); });
  }
  AuthConfig config;
  AuthStore store;
  OAuthStore oauth_store;
  ClientCache clients;
  Admin admin;
  OAuthServer oauth;
  MemberGrantsPages member_grants;
  std::unique_ptr<pg::Listener> listener;  // declared last: stops first
};

}  // namespace

absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> MakeServices(runtime::Settings& settings,
                                                                        pg::Pool& pool) {
  PLANAPI_ASSIGN_OR_RETURN(AuthConfig config, LoadAuthConfig(settings));
  auto state = std::make_shared<State>(std::move(config), pool);
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(MakeAuthGrpcService(
      state->admin,
      {.keys = state->config.signing_keys.get(),
       .oauth = &state->oauth_store,
       .horizon = std::max(absl::Hours(1), state->config.oauth.access_token_ttl)},
      state));
  // The route handlers capture the OAuthServer and the grants pages; `state` outlives them through
  // the Auth service.
  std::vector<server::WebRoute> routes = state->oauth.Routes();
  for (server::WebRoute& route : state->member_grants.Routes()) {
    routes.push_back(std::move(route));
  }
  services.push_back(server::MakeWebService(std::move(routes)));
  return services;
}

}  // namespace planapi::auth_service
