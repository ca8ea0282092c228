#include "libs/server/backend.h"
#include "services/review/review_service.h"

int main(int argc, char** argv) {
  using namespace planapi;
  return server::BackendMain(argc, argv,
                             {.name = "review",
                              .default_grpc_port = review_service::kDefaultGrpcPort,
                              .migrations = review_service::Migrations(),
                              .make_services = review_service::MakeServices});
}
