// The directory service: the Provider Directory API (Da Vinci PDex Plan-Net), public, served by the shared FHIR engine (libs/fhirengine) configured with
// this service's resource types.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include <grpcpp/impl/codegen/service_type.h>

#include "absl/status/statusor.h"
#include "libs/fhirengine/engine.h"
#include "libs/pg/migrate.h"
#include "libs/pg/pg.h"
#include "libs/runtime/settings.h"

namespace planapi::directory_service {

inline constexpr int kDefaultGrpcPort = 50053;

// The engine configuration that makes the shared engine this service.
fhirengine::EngineConfig EngineConfiguration();

// Reads this service's own settings and builds its gRPC services on `pool`.
absl::StatusOr<std::vector<std::unique_ptr<grpc::Service>>> MakeServices(runtime::Settings& settings,
                                                                        pg::Pool& pool);

// This service's schema migrations: the FHIR engine's.
std::span<const pg::Migration> Migrations();

}  // namespace planapi::directory_service
