#include "services/auth/auth_service.h"

#include "libs/status/status_macros.h"
#include "services/auth/admin.h"
#include "services/auth/admin_grpc.h"
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
        admin(store, *config.secrets),
        oauth(store, oauth_store, *config.signing_keys, *config.secrets, config.oauth),
        member_grants(store, oauth_store, admin, config.oauth) {}
  AuthConfig config;
  AuthStore store;
  OAuthStore oauth_store;
  Admin admin;
  OAuthServer oauth;
  MemberGrantsPages member_grants;
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
