// Test support: a pool on a fresh database with auth's schema migrated, for the auth pgtests.
#pragma once

#include <memory>

#include <catch2/catch.hpp>

#include "libs/pg/migrate.h"
#include "libs/pg/pg.h"
#include "libs/testing/postgres.h"
#include "services/auth/auth_service.h"

namespace planapi::auth_service {

inline std::unique_ptr<pg::Pool> MigratedAuthPool(const testing::Database& db) {
  auto p = pg::Pool::Create({.conninfo = db.conninfo(), .schema = "auth", .size = 4});
  REQUIRE(p.ok());
  auto conn = (*p)->Acquire();
  REQUIRE(conn.ok());
  REQUIRE(pg::ApplyMigrations(**conn, "auth", Migrations()).ok());
  return *std::move(p);
}

}  // namespace planapi::auth_service
