#include <catch2/catch.hpp>

#include "libs/pg/migrate.h"
#include "libs/pg/pg.h"
#include "libs/testing/postgres.h"

namespace planapi::pg {
namespace {

std::unique_ptr<Pool> MakePool(const testing::Database& db, std::string schema, int size = 2) {
  auto pool = Pool::Create({.conninfo = db.conninfo(), .schema = std::move(schema), .size = size,
                            .acquire_timeout = std::chrono::milliseconds(300)});
  REQUIRE(pool.ok());
  return *std::move(pool);
}

constexpr Migration kMigrations[] = {
    {1, "items", "CREATE TABLE items (id text PRIMARY KEY, n integer CHECK (n >= 0))"},
    {2, "items_label", "ALTER TABLE items ADD COLUMN label text"},
};

TEST_CASE("migrations create the schema once and are idempotent", "[pg]") {
  testing::Database db = testing::Postgres::Shared().CreateDatabase();
  auto pool = MakePool(db, "svc");
  auto conn = pool->Acquire();
  REQUIRE(conn.ok());
  CHECK(SchemaVersion(**conn, "svc").status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(*ApplyMigrations(**conn, "svc", kMigrations) == 2);
  CHECK(*ApplyMigrations(**conn, "svc", kMigrations) == 2);
  auto count = (*conn)->Exec("SELECT count(*) FROM svc.schema_migrations");
  REQUIRE(count.ok());
  CHECK(count->Get(0, 0) == "2");
  // The pool's search_path points at the service schema.
  const Param row[] = {std::string("a"), std::string("1"), std::nullopt};
  REQUIRE((*conn)->Exec("INSERT INTO items VALUES ($1, $2::integer, $3)", row).ok());
  auto read = (*conn)->Exec("SELECT id, n, label FROM items");
  REQUIRE(read.ok());
  CHECK(read->rows() == 1);
  CHECK(read->Get(0, 1) == "1");
  CHECK(read->IsNull(0, 2));
}

TEST_CASE("a failing migration leaves the schema as it was", "[pg]") {
  testing::Database db = testing::Postgres::Shared().CreateDatabase();
  auto pool = MakePool(db, "svc");
  auto conn = pool->Acquire();
  REQUIRE(conn.ok());
  REQUIRE(*ApplyMigrations(**conn, "svc", std::span(kMigrations).first(1)) == 1);
  const Migration broken[] = {kMigrations[0], kMigrations[1], {3, "bad", "ALTER TABLE nope ADD x int"}};
  absl::StatusOr<int> r = ApplyMigrations(**conn, "svc", broken);
  CHECK_FALSE(r.ok());
  CHECK(r.status().message().find("migration 3 (bad) failed") != absl::string_view::npos);
  CHECK(*SchemaVersion(**conn, "svc") == 1);
  // Migration 2 ran inside the failed transaction and is gone with it.
  CHECK_FALSE((*conn)->Exec("SELECT label FROM items").ok());
  // A database ahead of this build is refused.
  REQUIRE(*ApplyMigrations(**conn, "svc", kMigrations) == 2);
  CHECK(ApplyMigrations(**conn, "svc", std::span(kMigrations).first(1)).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("constraint violations map to the error model", "[pg]") {
  testing::Database db = testing::Postgres::Shared().CreateDatabase();
  auto pool = MakePool(db, "svc");
  auto conn = pool->Acquire();
  REQUIRE(conn.ok());
  REQUIRE(ApplyMigrations(**conn, "svc", kMigrations).ok());
  const Param a[] = {std::string("a"), std::string("1")};
  REQUIRE((*conn)->Exec("INSERT INTO items (id, n) VALUES ($1, $2::integer)", a).ok());
  CHECK((*conn)->Exec("INSERT INTO items (id, n) VALUES ($1, $2::integer)", a).status().code() ==
        absl::StatusCode::kAlreadyExists);
  const Param negative[] = {std::string("b"), std::string("-1")};
  CHECK((*conn)->Exec("INSERT INTO items (id, n) VALUES ($1, $2::integer)", negative)
            .status()
            .code() == absl::StatusCode::kFailedPrecondition);
  const Param text[] = {std::string("c"), std::string("x")};
  CHECK((*conn)->Exec("INSERT INTO items (id, n) VALUES ($1, $2::integer)", text).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("transactions roll back on error and the connection stays usable", "[pg]") {
  testing::Database db = testing::Postgres::Shared().CreateDatabase();
  auto pool = MakePool(db, "svc");
  auto conn = pool->Acquire();
  REQUIRE(conn.ok());
  REQUIRE(ApplyMigrations(**conn, "svc", kMigrations).ok());
  absl::Status s = InTransaction(**conn, [](Connection& c) -> absl::Status {
    const Param a[] = {std::string("a"), std::string("1")};
    if (auto r = c.Exec("INSERT INTO items (id, n) VALUES ($1, $2::integer)", a); !r.ok()) {
      return r.status();
    }
    return absl::AbortedError("changed my mind");
  });
  CHECK(s.code() == absl::StatusCode::kAborted);
  auto count = (*conn)->Exec("SELECT count(*) FROM items");
  REQUIRE(count.ok());
  CHECK(count->Get(0, 0) == "0");
  CHECK((*conn)->reusable());
}

TEST_CASE("the pool bounds concurrent leases", "[pg]") {
  testing::Database db = testing::Postgres::Shared().CreateDatabase();
  auto pool = MakePool(db, "svc", 1);
  auto first = pool->Acquire();
  REQUIRE(first.ok());
  CHECK(pool->Acquire().status().code() == absl::StatusCode::kResourceExhausted);
}

TEST_CASE("the pool reconnects after PostgreSQL restarts", "[pg]") {
  auto owned = testing::Postgres::StartOwned();
  REQUIRE(owned.ok());
  testing::Database db = (*owned)->CreateDatabase();
  auto pool = MakePool(db, "");
  {
    auto conn = pool->Acquire();
    REQUIRE(conn.ok());
    REQUIRE((*conn)->Exec("SELECT 1").ok());
  }
  REQUIRE((*owned)->Stop().ok());
  {
    auto conn = pool->Acquire();  // the idle connection is handed out, then fails
    if (conn.ok()) {
      CHECK((*conn)->Exec("SELECT 1").status().code() == absl::StatusCode::kUnavailable);
    } else {
      CHECK(conn.status().code() == absl::StatusCode::kUnavailable);
    }
  }
  CHECK(pool->Acquire().status().code() == absl::StatusCode::kUnavailable);
  REQUIRE((*owned)->Start().ok());
  auto conn = pool->Acquire();
  REQUIRE(conn.ok());
  CHECK((*conn)->Exec("SELECT 1").ok());
}

TEST_CASE("a prepared statement runs again by name with new parameters", "[pg]") {
  testing::Database db = testing::Postgres::Shared().CreateDatabase();
  auto pool = MakePool(db, "");
  auto conn = pool->Acquire();
  REQUIRE(conn.ok());
  REQUIRE((*conn)->ExecScript("CREATE TABLE kv (k text PRIMARY KEY, v text)").ok());
  constexpr absl::string_view kInsert = "INSERT INTO kv VALUES ($1, $2) RETURNING k";
  for (const char* k : {"a", "b"}) {
    const Param row[] = {std::string(k), std::string("v")};
    auto r = (*conn)->ExecPrepared(kInsert, row);
    REQUIRE(r.ok());
    CHECK(r->Get(0, 0) == k);
  }
  // Errors map as for Exec, and the statement stays usable.
  const Param dup[] = {std::string("a"), std::string("w")};
  CHECK((*conn)->ExecPrepared(kInsert, dup).status().code() == absl::StatusCode::kAlreadyExists);
  const Param c[] = {std::string("c"), std::nullopt};
  CHECK((*conn)->ExecPrepared(kInsert, c).ok());
  CHECK((*conn)->ExecPrepared("SELEC nonsense").status().code() == absl::StatusCode::kInternal);
  auto count = (*conn)->ExecPrepared("SELECT count(*) FROM kv");
  REQUIRE(count.ok());
  CHECK(count->Get(0, 0) == "3");
}

TEST_CASE("a listener gets notifications committed after it listens", "[pg]") {
  testing::Database db = testing::Postgres::Shared().CreateDatabase();
  auto pool = MakePool(db, "");
  absl::Mutex mu;
  std::vector<std::string> got;
  bool listening = false;
  Listener listener({.conninfo = db.conninfo(), .channel = "test_channel"},
                    [&](absl::string_view payload) {
                      absl::MutexLock lock(&mu);
                      got.emplace_back(payload);
                    },
                    [&](bool on) {
                      absl::MutexLock lock(&mu);
                      listening = on;
                    });
  {
    absl::MutexLock lock(&mu);
    REQUIRE(mu.AwaitWithTimeout(absl::Condition(&listening), absl::Seconds(10)));
  }
  CHECK(listener.listening());
  auto conn = pool->Acquire();
  REQUIRE(conn.ok());
  REQUIRE((*conn)->Exec("SELECT pg_notify('test_channel', 'one')").ok());
  // Inside a transaction the notification waits for the commit; a rollback drops it.
  REQUIRE((*conn)->ExecScript("BEGIN; SELECT pg_notify('test_channel', 'dropped'); ROLLBACK").ok());
  REQUIRE((*conn)->ExecScript("BEGIN; SELECT pg_notify('test_channel', 'two'); COMMIT").ok());
  absl::MutexLock lock(&mu);
  auto two = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return got.size() >= 2; };
  REQUIRE(mu.AwaitWithTimeout(absl::Condition(&two), absl::Seconds(10)));
  CHECK(got == std::vector<std::string>{"one", "two"});
}

}  // namespace
}  // namespace planapi::pg
