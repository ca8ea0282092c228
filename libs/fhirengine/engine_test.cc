#include "libs/fhirengine/engine.h"

#include <catch2/catch.hpp>

#include "libs/fhir/resource_types.h"
#include "libs/json/json.h"
#include "libs/status/issue.h"

namespace planapi::fhirengine {
namespace {

TEST_CASE("the engine's CapabilityStatement reflects its configuration", "[fhirengine]") {
  Engine engine({.name = "Directory", .types = fhir::DirectoryTypes()});
  auto cs = json::Parse(engine.Capabilities({.base_url = "https://x/directory/r4"}).json);
  REQUIRE(cs.ok());
  CHECK(json::GetString(*cs, "resourceType") == "CapabilityStatement");
  CHECK(json::GetString((*cs)["software"], "name") == "Directory");
  CHECK((*cs)["rest"][0]["resource"].Size() == fhir::DirectoryTypes().size());
}

TEST_CASE("reads are validated before anything else", "[fhirengine]") {
  Engine engine({.name = "PA", .types = fhir::PatientAccessTypes()});
  CHECK(engine.Read({}, "Banana", "1").status().code() == absl::StatusCode::kNotFound);
  CHECK(engine.Read({}, "Patient", "bad id!").status().code() ==
        absl::StatusCode::kInvalidArgument);
  auto read = engine.Read({}, "Patient", "p1");
  CHECK(read.status().code() == absl::StatusCode::kUnimplemented);
  CHECK(status::IssueTypeOf(read.status()) == status::IssueType::kNotSupported);
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
