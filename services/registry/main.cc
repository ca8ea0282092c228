#include "libs/server/backend.h"
#include "services/registry/registry_service.h"

int main(int argc, char** argv) {
  using namespace planapi;
  return server::BackendMain(argc, argv,
                             {.name = "registry",
                              .default_grpc_port = registry_service::kDefaultGrpcPort,
                              .migrations = registry_service::Migrations(),
                              .make_services = registry_service::MakeServices});
}
