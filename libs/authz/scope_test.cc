#include "libs/authz/scope.h"

#include <catch2/catch.hpp>

#include "libs/fhir/resource_types.h"

namespace planapi::authz {
namespace {

ParsedScopes Parse(absl::string_view text) { return ParseScopes(text, fhir::PatientAccessTypes()); }

ResourceScope Only(absl::string_view text) {
  ParsedScopes parsed = Parse(text);
  INFO(text);
  REQUIRE(parsed.dropped.empty());
  REQUIRE(parsed.scopes.resources.size() == 1);
  return parsed.scopes.resources[0];
}

TEST_CASE("SMART v1 scopes map to v2 permissions", "[authz]") {
  ResourceScope read = Only("patient/Observation.read");
  CHECK(read.context == Context::kPatient);
  CHECK(read.type == "Observation");
  CHECK(read.permissions == (kRead | kSearch));
  CHECK(read.category.empty());
  CHECK(Only("user/Condition.write").permissions == (kCreate | kUpdate | kDelete));
  CHECK(Only("system/Patient.*").permissions == kAllPermissions);
  CHECK(Only("system/Patient.*").context == Context::kSystem);
  CHECK(Only("user/*.read").type == "*");
}

TEST_CASE("SMART v2 permissions are ordered subsets of cruds", "[authz]") {
  CHECK(Only("patient/Observation.cruds").permissions == kAllPermissions);
  CHECK(Only("patient/Observation.rs").permissions == (kRead | kSearch));
  CHECK(Only("patient/Observation.r").permissions == kRead);
  CHECK(Only("patient/Observation.s").permissions == kSearch);
  CHECK(Only("patient/Observation.cud").permissions == (kCreate | kUpdate | kDelete));
  CHECK(Only("patient/Observation.cd").permissions == (kCreate | kDelete));
  for (absl::string_view bad : {"patient/Observation.sr", "patient/Observation.rr",
                                "patient/Observation.x", "patient/Observation.", "patient/Observation",
                                "patient/Observation.crudsx", "patient/Observation.READ",
                                "patient/Observation.read.rs"}) {
    ParsedScopes parsed = Parse(bad);
    INFO(bad);
    CHECK(parsed.scopes.resources.empty());
    CHECK(parsed.dropped.size() == 1);
  }
}

TEST_CASE("granular category scopes (v2 only, category only)", "[authz]") {
  ResourceScope lab = Only(
      "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory");
  CHECK(lab.permissions == (kRead | kSearch));
  CHECK(lab.category ==
        "http://terminology.hl7.org/CodeSystem/observation-category|laboratory");
  CHECK(Only("patient/Condition.rs?category=problem-list-item").category == "problem-list-item");
  for (absl::string_view bad : {
           "patient/Observation.read?category=laboratory",  // v1 has no granular form
           "patient/Observation.rs?code=1234-5",
           "patient/Observation.rs?category=a&category=b",
           "patient/Observation.rs?category=a,b",
           "patient/Observation.rs?category=",
           "patient/Observation.rs?",
           "patient/Observation.rs?category=|x",
           "patient/Observation.rs?category=a|b|c",
           "patient/Observation.rs?category=a\"b",
       }) {
    INFO(bad);
    CHECK(Parse(bad).scopes.resources.empty());
  }
}

TEST_CASE("identity and launch scopes, unknown scopes dropped", "[authz]") {
  ParsedScopes parsed = Parse(
      "openid fhirUser profile launch launch/patient offline_access launch/encounter "
      "online_access patient/Foo.read patient/Location.read patient/Medication.rs "
      "practitioner/Observation.read patient/*.read  patient/*.read");
  const ScopeSet& s = parsed.scopes;
  CHECK(s.openid);
  CHECK(s.fhir_user);
  CHECK(s.profile);
  CHECK(s.launch);
  CHECK(s.launch_patient);
  CHECK(s.offline_access);
  REQUIRE(s.resources.size() == 3);  // duplicates collapse
  CHECK(parsed.dropped ==
        std::vector<std::string>{"launch/encounter", "online_access", "patient/Foo.read",
                                 "practitioner/Observation.read"});
  CHECK(s.ToString() ==
        "openid fhirUser profile launch launch/patient offline_access patient/Location.read "
        "patient/Medication.rs patient/*.read");
  CHECK(Parse("").scopes.empty());
  CHECK(Parse("   ").scopes.empty());
  CHECK(Parse("nonsense").scopes.empty());
}

TEST_CASE("types must be supported, wildcards stay wildcards over the supported list", "[authz]") {
  constexpr absl::string_view kTypes[] = {"Patient", "Observation"};
  ParsedScopes parsed = ParseScopes("patient/Patient.rs patient/Condition.rs patient/*.rs", kTypes);
  REQUIRE(parsed.scopes.resources.size() == 2);
  CHECK(parsed.dropped == std::vector<std::string>{"patient/Condition.rs"});
}

TEST_CASE("coverage and intersection follow permissions, types, contexts and categories",
          "[authz]") {
  const ScopeSet granted =
      Parse("openid offline_access patient/*.read patient/Condition.rs?category=problem-list-item")
          .scopes;
  CHECK(granted.Covers(Parse("patient/Observation.rs").scopes));
  CHECK(granted.Covers(Parse("patient/Observation.read openid").scopes));
  CHECK(granted.Covers(Parse("patient/Observation.rs?category=laboratory").scopes));
  CHECK(granted.Covers(Parse("patient/Condition.r?category=problem-list-item").scopes));
  CHECK_FALSE(granted.Covers(Parse("patient/Observation.cruds").scopes));
  CHECK_FALSE(granted.Covers(Parse("user/Observation.rs").scopes));
  CHECK_FALSE(granted.Covers(Parse("fhirUser").scopes));
  CHECK_FALSE(Parse("patient/Condition.rs?category=problem-list-item")
                  .scopes.Covers(Parse("patient/Condition.rs").scopes));

  const ScopeSet requested =
      Parse("openid fhirUser patient/Observation.rs patient/Observation.cruds launch/patient")
          .scopes;
  const ScopeSet cut = requested.Intersect(granted);
  CHECK(cut.ToString() == "openid patient/Observation.rs");
  CHECK(requested.Intersect(ScopeSet{}).empty());
  CHECK(granted.HasContext(Context::kPatient));
  CHECK_FALSE(granted.HasContext(Context::kSystem));
}

}  // namespace
}  // namespace planapi::authz
