#include "services/fhir/fhir_service.h"

#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/fhir_grpc_service.h"

namespace planapi::fhir_service {
fhirengine::EngineConfig EngineConfiguration() {
  return {.name = "planapi Patient Access API", .types = fhir::PatientAccessTypes()};
}

absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> MakeServices(runtime::Settings&,
                                                                        pg::Pool&) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(fhirengine::MakeFhirGrpcService(
      std::make_unique<const fhirengine::Engine>(EngineConfiguration())));
  return services;
}

}  // namespace planapi::fhir_service
