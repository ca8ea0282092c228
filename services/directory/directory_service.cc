#include "services/directory/directory_service.h"

#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/fhir_grpc_service.h"

namespace planapi::directory_service {

fhirengine::EngineConfig EngineConfiguration() {
  using fhirengine::Realm;
  return {.name = "planapi Provider Directory API",
          .types = fhir::DirectoryTypes(),
          .realms = {Realm::kDirectory}};
}

absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> MakeServices(runtime::Settings&,
                                                                        pg::Pool& pool) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(fhirengine::MakeFhirGrpcService(
      std::make_unique<const fhirengine::Engine>(EngineConfiguration(), pool)));
  return services;
}

std::span<const pg::Migration> Migrations() { return fhirengine::Migrations(); }

}  // namespace planapi::directory_service
