#include "libs/fhirengine/engine.h"

#include <catch2/catch.hpp>

#include "libs/fhir/resource_types.h"
#include "libs/json/json.h"
#include "libs/status/issue.h"

namespace planapi::fhirengine {
namespace {

// Unit tests never reach the database: the pool connects lazily and these calls fail before.
std::unique_ptr<pg::Pool> NoDatabase() {
  return *pg::Pool::Create({.conninfo = "host=/nonexistent dbname=x", .schema = "x"});
}

TEST_CASE("the engine's CapabilityStatement reflects its configuration", "[fhirengine]") {
  auto pool = NoDatabase();
  auto owned = Engine::Create({.name = "Directory", .types = fhir::DirectoryTypes(), .realms = {Realm::kDirectory}}, *pool);
  REQUIRE(owned.ok());
  const Engine& engine = **owned;
  auto cs = json::Parse(engine.Capabilities({.base_url = "https://x/directory/r4"}).json);
  REQUIRE(cs.ok());
  CHECK(json::GetString(*cs, "resourceType") == "CapabilityStatement");
  CHECK(json::GetString((*cs)["software"], "name") == "Directory");
  CHECK((*cs)["rest"][0]["resource"].Size() == fhir::DirectoryTypes().size());
}

TEST_CASE("requests are validated before the database is asked", "[fhirengine]") {
  auto pool = NoDatabase();
  auto owned = Engine::Create({.name = "PA", .types = fhir::PatientAccessTypes(), .realms = {Realm::kProduction}}, *pool);
  REQUIRE(owned.ok());
  const Engine& engine = **owned;
  const Context prod{.realm = Realm::kProduction};
  auto unknown_type = engine.Read(prod, "Banana", "1");
  CHECK(unknown_type.status().code() == absl::StatusCode::kNotFound);
  CHECK(status::IssueTypeOf(unknown_type.status()) == status::IssueType::kNotSupported);
  CHECK(engine.Read(prod, "Patient", "bad id!").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(engine.Read({.realm = Realm::kSandbox}, "Patient", "p1").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(engine.Create(prod, "Patient", "not json").status().code() ==
        absl::StatusCode::kInvalidArgument);
  // Valid requests reach the (absent) database and report it unavailable.
  CHECK(engine.Read(prod, "Patient", "p1").status().code() == absl::StatusCode::kUnavailable);
  CHECK(engine.Search(prod, "Patient", {{"name", "x"}}).status().code() ==
        absl::StatusCode::kUnavailable);
  // A bad search is refused before any query.
  CHECK(engine.Search(prod, "Patient", {{"colour", "x"}}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ids follow the FHIR id rule", "[fhirengine]") {
  CHECK(IsValidId("abc-1.2"));
  CHECK(IsValidId(std::string(64, 'a')));
  CHECK_FALSE(IsValidId(std::string(65, 'a')));
  CHECK_FALSE(IsValidId(""));
  CHECK_FALSE(IsValidId("a/b"));
  CHECK_FALSE(IsValidId("a_b"));
}

}  // namespace
}  // namespace planapi::fhirengine
