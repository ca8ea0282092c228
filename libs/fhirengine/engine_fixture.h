// For the pg-tier tests of the engine: a fresh database in the shared test PostgreSQL with the
// engine's schema applied, a pool on it, and an engine with the given configuration.
#pragma once

#include <memory>
#include <string>

#include "libs/fhirengine/engine.h"
#include "libs/testing/postgres.h"

namespace planapi::fhirengine {

struct EngineFixture {
  // Crashes (PLANAPI_CHECK) when the database cannot be prepared: the test cannot start.
  explicit EngineFixture(EngineConfig config, std::string schema = "fhir", int pool_size = 4);

  testing::Database db;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<const Engine> engine;
};

}  // namespace planapi::fhirengine
