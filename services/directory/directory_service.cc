#include "services/directory/directory_service.h"

#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/bulk_export.h"
#include "libs/fhirengine/fhir_grpc_service.h"
#include "libs/server/web_service.h"
#include "libs/status/status_macros.h"

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
  PLANAPI_ASSIGN_OR_RETURN(std::unique_ptr<const fhirengine::Engine> engine,
                           fhirengine::Engine::Create(EngineConfiguration(), pool));
  services.push_back(fhirengine::MakeFhirGrpcService(std::move(engine)));
  // $export of the whole directory, public like the rest (gateway route /directory/r4/$export).
  auto exporter = std::make_shared<fhirengine::BulkExporter>(pool, fhir::DirectoryTypes(),
                                                             fhirengine::Realm::kDirectory,
                                                             "/directory/r4");
  services.push_back(server::MakeWebService(fhirengine::BulkExporter::Routes(std::move(exporter))));
  return services;
}

std::span<const pg::Migration> Migrations() { return fhirengine::Migrations(); }

}  // namespace planapi::directory_service
