#include "libs/server/backend.h"
#include "services/fhir/fhir_service.h"

int main(int argc, char** argv) {
  using namespace planapi;
  return server::BackendMain(argc, argv,
                             {.name = "fhir",
                              .default_grpc_port = fhir_service::kDefaultGrpcPort,
                              .migrations = fhir_service::Migrations(),
                              .make_services = fhir_service::MakeServices});
}
