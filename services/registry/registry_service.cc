#include "services/registry/registry_service.h"

namespace planapi::registry_service {

std::vector<server::WebRoute> WebRoutes(pg::Pool&) { return {}; }

absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> MakeServices(runtime::Settings&,
                                                                        pg::Pool& pool) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(server::MakeWebService(WebRoutes(pool)));
  return services;
}

}  // namespace planapi::registry_service
