#include "libs/fhirengine/engine.h"

#include <algorithm>
#include <string>
#include <vector>

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

// The statement declares writes only where the gateway forwards them (the directory is written
// over gRPC only).
TEST_CASE("the CapabilityStatement declares REST writes only when configured", "[fhirengine]") {
  auto pool = NoDatabase();
  auto codes = [](const rapidjson::Value& list) {
    std::vector<std::string> out;
    if (list.IsArray()) {
      for (const auto& i : list.GetArray()) {
        out.emplace_back(*json::GetString(i, "code"));
      }
    }
    return out;
  };
  for (bool writes : {false, true}) {
    auto owned = Engine::Create({.name = "E", .types = fhir::PatientAccessTypes(),
                                 .realms = {Realm::kProduction}, .rest_writes = writes},
                                *pool);
    REQUIRE(owned.ok());
    auto cs = json::Parse((*owned)->Capabilities({.base_url = "https://x/fhir/r4"}).json);
    REQUIRE(cs.ok());
    const rapidjson::Value& rest = (*cs)["rest"][0];
    const std::vector<std::string> type_codes = codes(rest["resource"][0]["interaction"]);
    CHECK(std::count(type_codes.begin(), type_codes.end(), "read") == 1);
    CHECK(std::count(type_codes.begin(), type_codes.end(), "search-type") == 1);
    CHECK(std::count(type_codes.begin(), type_codes.end(), "create") == (writes ? 1 : 0));
    CHECK(std::count(type_codes.begin(), type_codes.end(), "delete") == (writes ? 1 : 0));
    CHECK(json::GetString(rest["resource"][0], "versioning") ==
          (writes ? std::optional<absl::string_view>("versioned-update") : std::nullopt));
    const std::vector<std::string> system_codes =
        rest.HasMember("interaction") ? codes(rest["interaction"]) : std::vector<std::string>();
    CHECK(system_codes == (writes ? std::vector<std::string>{"transaction", "batch"}
                                  : std::vector<std::string>()));
  }
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
  // A bad search is refused before any query, also when a chain or _has beside the bad
  // parameter would otherwise have been looked up first, and whatever the order.
  CHECK(engine.Search(prod, "Patient", {{"colour", "x"}}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  const std::vector<std::vector<std::pair<std::string, std::string>>> bad_beside_a_chain = {
      {{"general-practitioner.name", "x"}, {"colour", "x"}},
      {{"general-practitioner.name", "x"}, {"_count", "-1"}},
      {{"general-practitioner.name", "x"}, {"_sort", "colour"}},
      {{"general-practitioner.name", "x"}, {"_cursor", "garbage"}},
      {{"_include", "Patient:nothing"}, {"general-practitioner.name", "x"}},
      {{"_has:Observation:subject:code", "1"}, {"birthdate", "yesterday"}},
  };
  for (const auto& params : bad_beside_a_chain) {
    INFO(params.front().first << " with " << params.back().first);
    CHECK(engine.Search(prod, "Patient", params).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
  // Valid, it reaches the database.
  CHECK(engine.Search(prod, "Patient", {{"general-practitioner.name", "x"}}).status().code() ==
        absl::StatusCode::kUnavailable);
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
