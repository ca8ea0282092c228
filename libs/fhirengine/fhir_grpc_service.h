// The gRPC adapter of the FHIR engine (planapi.fhir.v1.Fhir): proto in, engine call, proto or
// status out. Both FHIR services register it with their own Engine.
#pragma once

#include <memory>

#include <grpcpp/impl/codegen/service_type.h>

#include "libs/fhirengine/engine.h"

namespace planapi::fhirengine {

// The service owns its engine.
std::unique_ptr<grpc::Service> MakeFhirGrpcService(std::unique_ptr<const Engine> engine);

}  // namespace planapi::fhirengine
