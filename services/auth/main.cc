#include "libs/server/backend.h"
#include "services/auth/auth_service.h"

int main(int argc, char** argv) {
  using namespace planapi;
  return server::BackendMain(argc, argv,
                             {.name = "auth",
                              .default_grpc_port = auth_service::kDefaultGrpcPort,
                              .migrations = auth_service::Migrations(),
                              .make_services = auth_service::MakeServices});
}
