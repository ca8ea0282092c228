#include <atomic>
#include <chrono>
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

TEST_CASE("type history: every version of a type, newest first, paged stably", "[fhirengine]") {
  Fixture f;
  const Engine& engine = f.ProductionEngine();
  const Context ctx{.realm = Realm::kProduction, .base_url = "https://x/fhir/r4"};
  constexpr char kAnon[] = R"({"resourceType":"Patient"})";
  // Versions are stamped to the millisecond: apart, their order is the order of the writes.
  auto apart = [] { std::this_thread::sleep_for(std::chrono::milliseconds(3)); };
  for (const char* id : {"a", "b", "c"}) {
    REQUIRE(engine.Update(ctx, "Patient", id, kAnon).ok());
    apart();
  }
  REQUIRE(engine.Update(ctx, "Patient", "a", kAnon).ok());  // a/2
  apart();
  REQUIRE(engine.Delete(ctx, "Patient", "b").ok());  // b/2, a deletion
  apart();
  REQUIRE(engine.Update(ctx, "Observation", "o", R"({"resourceType":"Observation"})").ok());
  struct Entry {
    std::string url, method, etag;
    bool has_resource;
  };
  auto entries = [](const std::string& json, std::string* next) {
    auto doc = json::Parse(json);
    REQUIRE(doc.ok());
    CHECK(json::GetString(*doc, "type") == "history");
    next->clear();
    for (const auto& l : (*doc)["link"].GetArray()) {
      if (json::GetString(l, "relation") == "next") {
        *next = std::string(*json::GetString(l, "url"));
      }
    }
    std::vector<Entry> out;
    for (const auto& e : json::GetArray(*doc, "entry")) {
      out.push_back({std::string(*json::GetString(e, "fullUrl")),
                     std::string(*json::GetString(e["request"], "method")),
                     std::string(*json::GetString(e["response"], "etag")), e.HasMember("resource")});
    }
    return out;
  };
  std::string next;
  auto all = engine.TypeHistory(ctx, "Patient", 0, "", "");
  REQUIRE(all.ok());
  const std::vector<Entry> versions = entries(all->json, &next);
  CHECK(next.empty());
  REQUIRE(versions.size() == 5);  // a/1 b/1 c/1 a/2 b/2, not the Observation
  CHECK(versions[0].url == "https://x/fhir/r4/Patient/b");  // the newest: the deletion
  CHECK(versions[0].method == "DELETE");
  CHECK_FALSE(versions[0].has_resource);
  CHECK(versions[1].url == "https://x/fhir/r4/Patient/a");
  CHECK(versions[1].etag == "W/\"2\"");
  CHECK(all->resources.size() == 5);  // for the audit trail

  // Pages of two follow the same order, and a write between pages does not shift them.
  auto first = engine.TypeHistory(ctx, "Patient", 2, "", "");
  REQUIRE(first.ok());
  std::vector<Entry> walked = entries(first->json, &next);
  REQUIRE(!next.empty());
  apart();
  REQUIRE(engine.Update(ctx, "Patient", "d", kAnon).ok());
  while (!next.empty()) {
    const std::string cursor = next.substr(next.find("_cursor=") + 8);
    auto page = engine.TypeHistory(ctx, "Patient", 2, "", cursor);
    REQUIRE(page.ok());
    for (Entry& e : entries(page->json, &next)) {
      walked.push_back(std::move(e));
    }
  }
  REQUIRE(walked.size() == versions.size());
  for (size_t i = 0; i < walked.size(); ++i) {
    CHECK(walked[i].url == versions[i].url);
    CHECK(walked[i].etag == versions[i].etag);
  }

  // _since: only versions from then on (inclusive), here the newest, d/1.
  auto newest = json::Parse(engine.TypeHistory(ctx, "Patient", 1, "", "")->json);
  const std::string when(*json::GetString((*newest)["entry"][0]["response"], "lastModified"));
  auto since = engine.TypeHistory(ctx, "Patient", 0, when, "");
  REQUIRE(since.ok());
  const std::vector<Entry> recent = entries(since->json, &next);
  REQUIRE(!recent.empty());
  CHECK(recent[0].url == "https://x/fhir/r4/Patient/d");

  // Nothing since a time to come: a Bundle without entries, and no empty array.
  auto none = engine.TypeHistory(ctx, "Patient", 0, "2999-01-01", "");
  REQUIRE(none.ok());
  CHECK_FALSE(json::Parse(none->json)->HasMember("entry"));
  CHECK(none->resources.empty());

  // Refused: bad _since, a cursor this server did not give, a negative count, a patient's app.
  CHECK(engine.TypeHistory(ctx, "Patient", 0, "yesterday", "").status().code() ==
        absl::StatusCode::kInvalidArgument);
  for (const char* cursor : {"x", "bm90IGEgY3Vyc29y", "MjAyNi0wMS0wMVQwMDowMDowMC4wMDBaCmEKMA"}) {
    INFO(cursor);
    CHECK(engine.TypeHistory(ctx, "Patient", 0, "", cursor).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  CHECK(engine.TypeHistory(ctx, "Patient", -1, "", "").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(engine.TypeHistory(ctx, "Banana", 0, "", "").status().code() ==
        absl::StatusCode::kNotFound);
  Context member = ctx;
  member.patient = "a";
  CHECK(engine.TypeHistory(member, "Patient", 0, "", "").status().code() ==
        absl::StatusCode::kPermissionDenied);
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
