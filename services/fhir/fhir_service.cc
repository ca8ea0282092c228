#include "services/fhir/fhir_service.h"

#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/fhir_grpc_service.h"
#include "libs/status/status_macros.h"

namespace planapi::fhir_service {

fhirengine::EngineConfig EngineConfiguration() {
  using fhirengine::Realm;
  return {.name = "planapi Patient Access API",
          .types = fhir::PatientAccessTypes(),
          .realms = {Realm::kProduction, Realm::kSandbox},
          .smart = true,
          .audit = true,
          .rest_writes = true};
}

absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> MakeServices(runtime::Settings&,
                                                                        pg::Pool& pool) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  PLANAPI_ASSIGN_OR_RETURN(std::unique_ptr<const fhirengine::Engine> engine,
                           fhirengine::Engine::Create(EngineConfiguration(), pool));
  services.push_back(fhirengine::MakeFhirGrpcService(std::move(engine)));
  return services;
}

std::span<const pg::Migration> Migrations() { return fhirengine::Migrations(); }

}  // namespace planapi::fhir_service
