#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/engine.h"
#include "libs/json/json.h"
#include "libs/status/issue.h"
#include "libs/testing/postgres.h"

namespace planapi::fhirengine {
namespace {

struct Fixture {
  Fixture() : db(testing::Postgres::Shared().CreateDatabase()) {
    auto p = pg::Pool::Create({.conninfo = db.conninfo(), .schema = "fhir", .size = 4});
    REQUIRE(p.ok());
    pool = *std::move(p);
    auto conn = pool->Acquire();
    REQUIRE(conn.ok());
    REQUIRE(pg::ApplyMigrations(**conn, "fhir", Migrations()).ok());
  }
  // An engine serving the Patient Access types in production only, kept by the fixture.
  const Engine& ProductionEngine() {
    auto created = Engine::Create(
        {.name = "t", .types = fhir::PatientAccessTypes(), .realms = {Realm::kProduction}}, *pool);
    REQUIRE(created.ok());
    engine = *std::move(created);
    return *engine;
  }
  testing::Database db;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<const Engine> engine;
};

constexpr char kPatient[] = R"({"resourceType":"Patient","id":"p1","name":[{"family":"Ng"}]})";

TEST_CASE("writes make versions and reads return them with meta stamped", "[fhirengine]") {
  Fixture f;
  const Engine& engine = f.ProductionEngine();
  const Context ctx{.realm = Realm::kProduction, .base_url = "https://x/fhir/r4"};
  auto v1 = engine.Update(ctx, "Patient", "p1", kPatient);
  REQUIRE(v1.ok());
  CHECK(v1->created);
  CHECK(v1->version_id == "1");
  auto v2 = engine.Update(ctx, "Patient", "p1",
                          R"({"resourceType":"Patient","name":[{"family":"Nguyen"}]})");
  REQUIRE(v2.ok());
  CHECK_FALSE(v2->created);
  CHECK(v2->version_id == "2");

  auto read = engine.Read(ctx, "Patient", "p1");
  REQUIRE(read.ok());
  auto doc = json::Parse(read->json);
  REQUIRE(doc.ok());
  CHECK(json::GetString(*doc, "id") == "p1");
  CHECK(json::GetString((*doc)["meta"], "versionId") == "2");
  CHECK(json::GetString((*doc)["meta"], "lastUpdated") == read->last_updated);
  CHECK(json::GetString((*doc)["name"][0], "family") == "Nguyen");

  auto old = engine.VRead(ctx, "Patient", "p1", "1");
  REQUIRE(old.ok());
  CHECK(old->json.find("\"Ng\"") != std::string::npos);
  CHECK(engine.VRead(ctx, "Patient", "p1", "3").status().code() == absl::StatusCode::kNotFound);
  CHECK(engine.VRead(ctx, "Patient", "p1", "x").status().code() ==
        absl::StatusCode::kInvalidArgument);

  auto history = engine.History(ctx, "Patient", "p1", 0);
  REQUIRE(history.ok());
  auto bundle = json::Parse(history->json);
  REQUIRE(bundle.ok());
  CHECK(json::GetString(*bundle, "type") == "history");
  REQUIRE((*bundle)["entry"].Size() == 2);
  CHECK(json::GetString((*bundle)["entry"][0]["response"], "etag") == "W/\"2\"");
  CHECK(json::GetString((*bundle)["entry"][1]["request"], "method") == "POST");
}

TEST_CASE("deletes are versions too: 410 on read, history keeps them", "[fhirengine]") {
  Fixture f;
  const Engine& engine = f.ProductionEngine();
  const Context ctx{.realm = Realm::kProduction, .base_url = "https://x"};
  CHECK(engine.Delete(ctx, "Patient", "p1").status().code() == absl::StatusCode::kNotFound);
  REQUIRE(engine.Update(ctx, "Patient", "p1", kPatient).ok());
  auto deleted = engine.Delete(ctx, "Patient", "p1");
  REQUIRE(deleted.ok());
  CHECK(deleted->version_id == "2");
  CHECK(engine.Delete(ctx, "Patient", "p1")->version_id == "2");  // idempotent
  auto read = engine.Read(ctx, "Patient", "p1");
  CHECK(read.status().code() == absl::StatusCode::kNotFound);
  CHECK(status::IssueTypeOf(read.status()) == status::IssueType::kDeleted);
  CHECK(status::IssueTypeOf(engine.VRead(ctx, "Patient", "p1", "2").status()) ==
        status::IssueType::kDeleted);
  CHECK(engine.VRead(ctx, "Patient", "p1", "1").ok());
  auto bundle = json::Parse(engine.History(ctx, "Patient", "p1", 0)->json);
  REQUIRE(bundle.ok());
  REQUIRE((*bundle)["entry"].Size() == 2);
  CHECK_FALSE((*bundle)["entry"][0].HasMember("resource"));
  CHECK(json::GetString((*bundle)["entry"][0]["request"], "method") == "DELETE");
  // Writing again revives it as version 3.
  CHECK(engine.Update(ctx, "Patient", "p1", kPatient)->version_id == "3");
}

TEST_CASE("bad writes are refused and change nothing", "[fhirengine]") {
  Fixture f;
  const Engine& engine = f.ProductionEngine();
  const Context ctx{.realm = Realm::kProduction};
  REQUIRE(engine.Update(ctx, "Patient", "p1", kPatient).ok());
  struct Bad {
    std::string type, id, json, says;
  };
  const Bad cases[] = {
      {"Patient", "p1", "{", "malformed JSON"},
      {"Patient", "p1", "[1]", "JSON object"},
      {"Patient", "p1", R"({"resourceType":"Observation"})", "does not match the URL's type"},
      {"Patient", "p1", R"({"resourceType":"Patient","id":"other"})", "does not match the URL's id"},
      {"Patient", "p1", R"({"resourceType":"Patient","meta":7})", "meta must be an object"},
      {"Patient", "bad id", kPatient, "not a valid resource id"},
  };
  for (const Bad& b : cases) {
    auto r = engine.Update(ctx, b.type, b.id, b.json);
    INFO(b.json);
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(r.status().message().find(b.says) != std::string_view::npos);
  }
  CHECK(engine.Update(ctx, "Banana", "p1", kPatient).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(engine.Read(ctx, "Patient", "p1")->version_id == "1");
}

TEST_CASE("realms keep their data apart", "[fhirengine]") {
  Fixture f;
  auto owned = Engine::Create({.name = "t",
                 .types = fhir::PatientAccessTypes(),
                 .realms = {Realm::kProduction, Realm::kSandbox}}, *f.pool);
  REQUIRE(owned.ok());
  const Engine& engine = **owned;
  REQUIRE(engine.Update({.realm = Realm::kSandbox}, "Patient", "p1", kPatient).ok());
  CHECK(engine.Read({.realm = Realm::kProduction}, "Patient", "p1").status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(engine.Read({.realm = Realm::kSandbox}, "Patient", "p1").ok());
  CHECK(engine.Read({.realm = Realm::kDirectory}, "Patient", "p1").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("create assigns ids and concurrent updates each get their own version", "[fhirengine]") {
  Fixture f;
  const Engine& engine = f.ProductionEngine();
  const Context ctx{.realm = Realm::kProduction};
  auto created = engine.Create(ctx, "Patient", R"({"resourceType":"Patient","id":"ignored"})");
  REQUIRE(created.ok());
  CHECK(created->created);
  CHECK(created->id != "ignored");
  CHECK(engine.Read(ctx, "Patient", created->id).ok());

  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i) {
    writers.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        (void)engine.Update(ctx, "Patient", "hot", R"({"resourceType":"Patient"})");
      }
    });
  }
  for (auto& t : writers) {
    t.join();
  }
  CHECK(engine.Read(ctx, "Patient", "hot")->version_id == "20");
  auto bundle = json::Parse(engine.History(ctx, "Patient", "hot", 1000)->json);
  REQUIRE(bundle.ok());
  CHECK((*bundle)["entry"].Size() == 20);
}

TEST_CASE("If-Match: an update or delete is made only on the version the client read",
          "[fhirengine]") {
  Fixture f;
  const Engine& engine = f.ProductionEngine();
  const Context ctx{.realm = Realm::kProduction};
  REQUIRE(engine.Update(ctx, "Patient", "p1", kPatient).ok());
  auto v2 = engine.Update(ctx, "Patient", "p1", kPatient, "W/\"1\"");
  REQUIRE(v2.ok());
  CHECK(v2->version_id == "2");
  CHECK(engine.Update(ctx, "Patient", "p1", kPatient, "\"2\"").ok());  // a strong tag names it too

  // A stale version: 412, and the stored resource and its history are unchanged.
  auto stale = engine.Update(ctx, "Patient", "p1",
                             R"({"resourceType":"Patient","name":[{"family":"Lost"}]})", "W/\"2\"");
  CHECK(stale.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(stale.status().message().find("is at version 3, not 2") != std::string::npos);
  CHECK(engine.Read(ctx, "Patient", "p1")->version_id == "3");
  CHECK(engine.Read(ctx, "Patient", "p1")->json.find("Lost") == std::string::npos);
  CHECK(json::Parse(engine.History(ctx, "Patient", "p1", 1000)->json)->operator[]("entry").Size() == 3);

  // Nothing there to match: 412, nothing created.
  CHECK(engine.Update(ctx, "Patient", "p2", R"({"resourceType":"Patient"})", "W/\"1\"").status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(engine.Read(ctx, "Patient", "p2").status().code() == absl::StatusCode::kNotFound);

  // Not an ETag: 400, nothing written.
  for (const char* bad : {"1", "W/1", "W/\"\"", "W/\"0\"", "W/\"x\"", "W/\"-1\"", "*", "W/\"99999999999\""}) {
    INFO(bad);
    CHECK(engine.Update(ctx, "Patient", "p1", kPatient, bad).status().code() ==
          absl::StatusCode::kInvalidArgument);
    CHECK(engine.Delete(ctx, "Patient", "p1", bad).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  CHECK(engine.Read(ctx, "Patient", "p1")->version_id == "3");

  // Delete: a stale tag keeps the resource; the current one deletes it.
  CHECK(engine.Delete(ctx, "Patient", "p1", "W/\"1\"").status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(engine.Read(ctx, "Patient", "p1").ok());
  CHECK(engine.Delete(ctx, "Patient", "p1", "W/\"3\"").ok());
  CHECK(engine.Read(ctx, "Patient", "p1").status().code() == absl::StatusCode::kNotFound);

  // Two clients that read the same version: one update wins, the other gets 412.
  constexpr char kAnon[] = R"({"resourceType":"Patient"})";
  REQUIRE(engine.Update(ctx, "Patient", "race", kAnon).ok());
  std::atomic<int> won{0}, refused{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i) {
    writers.emplace_back([&] {
      auto r = engine.Update(ctx, "Patient", "race", kAnon, "W/\"1\"");
      (r.ok() ? won : refused)++;
      if (!r.ok()) {
        CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
      }
    });
  }
  for (auto& t : writers) {
    t.join();
  }
  CHECK(won == 1);
  CHECK(refused == 3);
  CHECK(engine.Read(ctx, "Patient", "race")->version_id == "2");
}

}  // namespace
}  // namespace planapi::fhirengine
