#include "libs/server/backend.h"
#include "services/directory/directory_service.h"

int main(int argc, char** argv) {
  using namespace planapi;
  return server::BackendMain(argc, argv,
                             {.name = "directory",
                              .default_grpc_port = directory_service::kDefaultGrpcPort,
                              .migrations = directory_service::Migrations(),
                              .make_services = directory_service::MakeServices});
}
