#include "services/fhir/fhir_service.h"

#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/fhir_grpc_service.h"

namespace planapi::fhir_service {

fhirengine::EngineConfig EngineConfiguration() {
  using fhirengine::Realm;
  return {.name = "planapi Patient Access API",
          .types = fhir::PatientAccessTypes(),
          .realms = {Realm::kProduction, Realm::kSandbox}};
}

absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> MakeServices(runtime::Settings&,
                                                                        pg::Pool& pool) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(fhirengine::MakeFhirGrpcService(
      std::make_unique<const fhirengine::Engine>(EngineConfiguration(), pool)));
  return services;
}

std::span<const pg::Migration> Migrations() { return fhirengine::Migrations(); }

}  // namespace planapi::fhir_service
