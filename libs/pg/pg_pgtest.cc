#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"

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

TEST_CASE("prepared statements answer like Exec, keep errors, and stay bounded", "[pg]") {
  testing::Database db = testing::Postgres::Shared().CreateDatabase();
  auto pool = MakePool(db, "svc");
  auto conn = pool->Acquire();
  REQUIRE(conn.ok());
  REQUIRE(*ApplyMigrations(**conn, "svc", kMigrations) == 2);
  constexpr char kInsert[] = "INSERT INTO items (id, n) VALUES ($1, $2::integer)";
  for (int i = 0; i < 3; ++i) {
    const Param row[] = {absl::StrCat("p", i), absl::StrCat(i)};
    REQUIRE((*conn)->ExecPrepared(kInsert, row).ok());
  }
  // A constraint violation through a prepared statement maps like Exec's, and the statement
  // stays usable afterwards.
  const Param negative[] = {std::string("neg"), std::string("-1")};
  CHECK((*conn)->ExecPrepared(kInsert, negative).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  const Param duplicate[] = {std::string("p0"), std::string("5")};
  CHECK((*conn)->ExecPrepared(kInsert, duplicate).status().code() ==
        absl::StatusCode::kAlreadyExists);
  const Param id[] = {std::string("p2")};
  auto read = (*conn)->ExecPrepared("SELECT n FROM items WHERE id = $1", id);
  REQUIRE(read.ok());
  REQUIRE(read->rows() == 1);
  CHECK(read->Get(0, 0) == "2");
  // Bad SQL is refused at prepare time with the server's message, and nothing is kept of it.
  auto bad = (*conn)->ExecPrepared("SELECT nope FROM items");
  CHECK(bad.status().code() == absl::StatusCode::kInternal);
  CHECK(bad.status().message().find("nope") != absl::string_view::npos);
  // More distinct texts than a connection keeps: the oldest are deallocated, every call answers.
  for (int i = 0; i < 300; ++i) {
    auto r = (*conn)->ExecPrepared(absl::StrCat("SELECT ", i, " + n FROM items WHERE id = $1"), id);
    REQUIRE(r.ok());
    CHECK(r->Get(0, 0) == absl::StrCat(i + 2));
  }
  auto count = (*conn)->Exec("SELECT count(*) FROM pg_prepared_statements");
  REQUIRE(count.ok());
  CHECK(std::stoi(std::string(count->Get(0, 0))) <= 256);
  // The first statement was dropped long ago; it is prepared again on demand.
  REQUIRE((*conn)->ExecPrepared(kInsert, std::span<const Param>(std::vector<Param>{
                                             std::string("again"), std::string("7")}))
              .ok());
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
