#include "libs/fhirengine/engine_fixture.h"

#include "libs/status/status_macros.h"

namespace planapi::fhirengine {

EngineFixture::EngineFixture(EngineConfig config, std::string schema, int pool_size)
    : db(testing::Postgres::Shared().CreateDatabase()) {
  auto p = pg::Pool::Create({.conninfo = db.conninfo(), .schema = schema, .size = pool_size});
  PLANAPI_CHECK(p.ok());
  pool = *std::move(p);
  {
    auto conn = pool->Acquire();
    PLANAPI_CHECK(conn.ok());
    PLANAPI_CHECK(pg::ApplyMigrations(**conn, schema, Migrations()).ok());
  }
  auto e = Engine::Create(std::move(config), *pool);
  PLANAPI_CHECK(e.ok());
  engine = *std::move(e);
}

}  // namespace planapi::fhirengine
