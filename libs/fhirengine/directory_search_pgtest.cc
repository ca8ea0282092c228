// The Provider Directory's searches over the 49 published Da Vinci PDex Plan-Net examples in a
// real PostgreSQL, with the directory engine's configuration: every Plan-Net 1.1.0 SHALL search
// (parameters, _include/_revinclude, chains, _has, the combinations the IG names), _id and
// _lastUpdated on every type, near, and the bad cases. Expected resources are asserted by id;
// they were worked out from the example files (see the comments beside each group).
#include <filesystem>
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/engine_fixture.h"
#include "libs/json/json.h"
#include "libs/testing/postgres.h"
#include "libs/testing/process.h"
#include "libs/testing/service.h"

namespace planapi::fhirengine {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;
using Ids = std::set<std::string>;

constexpr char kBase[] = "https://gw.example/directory/r4";

// The examples reference no Endpoint from an Organization, Location, PractitionerRole,
// HealthcareService or OrganizationAffiliation, give no Endpoint a managing organization, and
// no Location a partOf, so those SHALL parameters would only ever be asserted empty. These few
// resources, loaded beside the examples, give each of them something to find.
constexpr const char* kSupplements[] = {
    R"({"resourceType":"Endpoint","id":"HospDirect","status":"active",
        "connectionType":{"system":"http://terminology.hl7.org/CodeSystem/endpoint-connection-type","code":"direct-project"},
        "name":"Hartford General Direct","managingOrganization":{"reference":"Organization/Hospital"},
        "payloadType":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/endpoint-payload-type","code":"any"}]}],
        "address":"mailto:er@direct.hartfordgeneral.example"})",
    R"({"resourceType":"Location","id":"HospLoc1ER","status":"active","name":"Hartford Hospital ER",
        "address":{"line":["80 Seymour Street"],"city":"Hartford","state":"CT","postalCode":"06102"},
        "managingOrganization":{"reference":"Organization/Hospital"},
        "partOf":{"reference":"Location/HospLoc1"},"endpoint":[{"reference":"Endpoint/HospDirect"}]})",
    R"({"resourceType":"Organization","id":"DirectHub","active":true,"name":"Zenith Direct Hub",
        "endpoint":[{"reference":"Endpoint/HospDirect"}]})",
    R"({"resourceType":"PractitionerRole","id":"DirectRole","active":true,
        "endpoint":[{"reference":"Endpoint/HospDirect"}]})",
    R"({"resourceType":"HealthcareService","id":"Telehealth","active":true,"name":"Telehealth Visits",
        "type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/service-type","code":"57"}]}],
        "coverageArea":[{"reference":"Location/StateOfCTLocation"}],
        "endpoint":[{"reference":"Endpoint/HospDirect"}]})",
    R"({"resourceType":"OrganizationAffiliation","id":"DirectHubAffil","active":true,
        "participatingOrganization":{"reference":"Organization/DirectHub"},
        "endpoint":[{"reference":"Endpoint/HospDirect"}]})",
};

// One database with the examples loaded, shared by every test case here.
struct Loaded : EngineFixture {
  Loaded()
      : EngineFixture(
            {.name = "Directory", .types = fhir::DirectoryTypes(), .realms = {Realm::kDirectory}},
            "directory") {
    const std::string dir = testing::FixturesDir();
    INFO("fixtures expected in ../shared/fixtures beside the checkout, or PLANAPI_FIXTURES");
    REQUIRE(!dir.empty());
    int loaded = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir + "/plan-net")) {
      if (f.path().extension() != ".json") {
        continue;
      }
      std::vector<std::string> skipped;
      auto written = engine->Import(Ctx(), testing::ReadFile(f.path()), &skipped);
      INFO(f.path() << ": " << written.status());
      REQUIRE(written.ok());
      REQUIRE(skipped.empty());
      ++loaded;
    }
    REQUIRE(loaded == 49);
    for (const char* json : kSupplements) {
      std::vector<std::string> skipped;
      auto written = engine->Import(Ctx(), json, &skipped);
      INFO(json << ": " << written.status());
      REQUIRE(written.ok());
    }
  }
  static Context Ctx() { return {.realm = Realm::kDirectory, .base_url = kBase}; }
};

Loaded& Data() {
  static Loaded* loaded = new Loaded();
  return *loaded;
}

struct Page {
  rapidjson::Document bundle;
  std::vector<std::string> order;  // match ids as they come
  Ids matches;
  Ids included;
  std::string next;
};

Page Search(const std::string& type, const Params& params) {
  auto r = Data().engine->Search(Loaded::Ctx(), type, params);
  INFO(type << " " << r.status());
  REQUIRE(r.ok());
  Page p;
  auto doc = json::Parse(r->json);
  REQUIRE(doc.ok());
  p.bundle = *std::move(doc);
  for (const auto& l : p.bundle["link"].GetArray()) {
    if (json::GetString(l, "relation") == "next") {
      p.next = std::string(*json::GetString(l, "url"));
    }
  }
  for (const auto& e : json::GetArray(p.bundle, "entry")) {
    const std::string id(json::GetString(e["resource"], "id").value_or(""));
    const std::string type_id =
        absl::StrCat(json::GetString(e["resource"], "resourceType").value_or(""), "/", id);
    if (json::GetString(e["search"], "mode") == "match") {
      CHECK(absl::StartsWith(type_id, type + "/"));
      p.matches.insert(id);
      p.order.push_back(id);
    } else if (json::GetString(e["search"], "mode") == "include") {
      p.included.insert(type_id);
    }
  }
  return p;
}

Ids operator+(Ids a, const Ids& b) {
  a.insert(b.begin(), b.end());
  return a;
}

Ids Matches(const std::string& type, const Params& params) { return Search(type, params).matches; }

Ids Included(const std::string& type, const Params& params) {
  return Search(type, params).included;
}

// Every resource of each type: the 49 examples and the supplements above.
const std::map<std::string, Ids> kAll = {
    {"Endpoint", {"AcmeOfCTPortalEndpoint", "HospDirect"}},
    {"HealthcareService",
     {"BurrClinicServices", "CancerClinicService", "HamiltonClinicServices", "HansSoloService",
      "HartfordOrthopedicServices", "HospERService", "PharmChainCompService",
      "PharmChainMailService", "PharmChainRetailService", "VirtualCounselService", "Telehealth"}},
    {"InsurancePlan", {"AcmeQHPBronze", "AcmeQHPGold"}},
    {"Location",
     {"CancerClinicLoc", "HansSoloClinic", "HospLoc1", "HospLoc2", "PharmLoc1", "PharmLoc2",
      "PharmLoc3", "PharmLoc4", "StateOfCTLocation", "HospLoc1ER"}},
    {"Organization",
     {"Acme", "AcmeofCTPremNet", "AcmeofCTStdNet", "BigBox", "BurrClinic", "CancerClinic",
      "ConnHIE", "HamiltonClinic", "HartfordOrthopedics", "Hospital", "PharmChain", "DirectHub"}},
    {"OrganizationAffiliation",
     {"BurrClinicAffil", "ConnHIEAffil", "HamiltonClinicAffil", "HartfordOrthopedicAffil",
      "PharmChainAffil1", "PharmChainAffil2", "PharmChainAffil3", "DirectHubAffil"}},
    {"Practitioner", {"Counselor", "HansSolo", "JoeSmith"}},
    {"PractitionerRole",
     {"AnonRole", "CounselorRole1", "HansSoloRole1", "JoeSmithRole1", "JoeSmithRole2",
      "JoeSmithRole3", "DirectRole"}},
};

TEST_CASE("every type is loaded and answers _id and _lastUpdated", "[directory]") {
  for (const auto& [type, ids] : kAll) {
    INFO(type);
    CHECK(Matches(type, {{"_count", "100"}}) == ids);
    const std::string one = *ids.begin();
    CHECK(Matches(type, {{"_id", one}}) == Ids{one});
    CHECK(Matches(type, {{"_id:not", one}}).size() == ids.size() - 1);
    // The examples' meta.lastUpdated is theirs; the server's is the load time.
    CHECK(Matches(type, {{"_lastUpdated", "gt2021-01-01"}, {"_count", "100"}}) == ids);
    CHECK(Matches(type, {{"_lastUpdated", "lt2021-01-01"}}).empty());
    CHECK(Matches(type, {{"_id", one}, {"_lastUpdated", "ge2021"}}) == Ids{one});
  }
}

TEST_CASE("Practitioner: name, family, given, _revinclude and _has", "[directory]") {
  // Counselor "Susie Smith, LPC", HansSolo "Hans Solo, MD", JoeSmith "Joe Smith, MD".
  CHECK(Matches("Practitioner", {{"name", "smith"}}) == Ids{"Counselor", "JoeSmith"});
  CHECK(Matches("Practitioner", {{"name", "Hans"}}) == Ids{"HansSolo"});
  CHECK(Matches("Practitioner", {{"name", "susie smith"}}) == Ids{"Counselor"});  // the text
  CHECK(Matches("Practitioner", {{"name:exact", "Solo"}}) == Ids{"HansSolo"});
  CHECK(Matches("Practitioner", {{"name:contains", "mit"}}) == Ids{"Counselor", "JoeSmith"});
  CHECK(Matches("Practitioner", {{"family", "SMITH"}}) == Ids{"Counselor", "JoeSmith"});
  CHECK(Matches("Practitioner", {{"family", "hans"}}).empty());
  CHECK(Matches("Practitioner", {{"given", "joe"}}) == Ids{"JoeSmith"});
  CHECK(Matches("Practitioner", {{"given", "joe,susie"}}) == Ids{"Counselor", "JoeSmith"});
  CHECK(Matches("Practitioner", {{"family", "smith"}, {"given", "susie"}}) == Ids{"Counselor"});

  // Only JoeSmithRole1 and CounselorRole1, HansSoloRole1 name a practitioner.
  Page rev = Search("Practitioner",
                    {{"family", "smith"}, {"_revinclude", "PractitionerRole:practitioner"}});
  CHECK(rev.matches == Ids{"Counselor", "JoeSmith"});
  CHECK(rev.included == Ids{"PractitionerRole/CounselorRole1", "PractitionerRole/JoeSmithRole1"});

  const std::string has = "_has:PractitionerRole:practitioner:";
  CHECK(Matches("Practitioner", {{has + "specialty", "207R00000X"}}) ==
        Ids{"HansSolo", "JoeSmith"});
  CHECK(Matches("Practitioner", {{has + "specialty", "http://nucc.org/provider-taxonomy|101YP2500X"}}) ==
        Ids{"Counselor"});
  CHECK(Matches("Practitioner", {{has + "location", "Location/HospLoc1"}}) == Ids{"JoeSmith"});
  CHECK(Matches("Practitioner", {{has + "location", "HansSoloClinic"}}) == Ids{"HansSolo"});
  CHECK(Matches("Practitioner", {{has + "network", "Organization/AcmeofCTStdNet"}}) ==
        Ids{"Counselor", "HansSolo", "JoeSmith"});
  CHECK(Matches("Practitioner", {{has + "network", "AcmeofCTPremNet"}}).empty());
  CHECK(Matches("Practitioner", {{has + "role", "co"}}) == Ids{"Counselor"});
  CHECK(Matches("Practitioner", {{has + "role", "ph"}}) == Ids{"HansSolo", "JoeSmith"});
  // A reverse chain through a chain: practitioners with a role at a location in Anytown.
  CHECK(Matches("Practitioner", {{has + "location.address-city", "Anytown"}}) ==
        Ids{"HansSolo", "JoeSmith"});
}

TEST_CASE("PractitionerRole: every reference parameter, specialty, role and network",
          "[directory]") {
  CHECK(Matches("PractitionerRole", {{"practitioner", "JoeSmith"}}) == Ids{"JoeSmithRole1"});
  CHECK(Matches("PractitionerRole", {{"practitioner", "Practitioner/HansSolo"}}) ==
        Ids{"HansSoloRole1"});
  CHECK(Matches("PractitionerRole", {{"practitioner:missing", "true"}}) ==
        Ids{"AnonRole", "JoeSmithRole2", "JoeSmithRole3", "DirectRole"});
  CHECK(Matches("PractitionerRole", {{"organization", "Hospital"}}) ==
        Ids{"JoeSmithRole1", "JoeSmithRole3"});
  CHECK(Matches("PractitionerRole", {{"organization", "Organization/CancerClinic"}}) ==
        Ids{"AnonRole"});
  CHECK(Matches("PractitionerRole", {{"location", "HospLoc2"}}) ==
        Ids{"AnonRole", "JoeSmithRole2"});
  CHECK(Matches("PractitionerRole", {{"location", "HospLoc1,HansSoloClinic"}}) ==
        Ids{"JoeSmithRole1", "HansSoloRole1"});
  CHECK(Matches("PractitionerRole", {{"service", "HealthcareService/BurrClinicServices"}}) ==
        Ids{"AnonRole", "JoeSmithRole2"});
  CHECK(Matches("PractitionerRole", {{"service", "VirtualCounselService"}}) ==
        Ids{"CounselorRole1"});
  // Plan-Net's network is an extension (network-reference) on every example role.
  CHECK(Matches("PractitionerRole", {{"network", "Organization/AcmeofCTStdNet"}}) ==
        Ids{"AnonRole", "CounselorRole1", "HansSoloRole1", "JoeSmithRole1", "JoeSmithRole2",
            "JoeSmithRole3"});
  CHECK(Matches("PractitionerRole", {{"network", "AcmeofCTPremNet"}}).empty());
  CHECK(Matches("PractitionerRole", {{"endpoint", "Endpoint/HospDirect"}}) == Ids{"DirectRole"});
  CHECK(Matches("PractitionerRole", {{"role", "ph"}}) ==
        Ids{"AnonRole", "HansSoloRole1", "JoeSmithRole1", "JoeSmithRole2"});
  CHECK(Matches("PractitionerRole",
                {{"role", "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/ProviderRoleCS|ap"}}) ==
        Ids{"JoeSmithRole3"});
  CHECK(Matches("PractitionerRole", {{"specialty", "http://nucc.org/provider-taxonomy|207R00000X"}}) ==
        Ids{"AnonRole", "HansSoloRole1", "JoeSmithRole1", "JoeSmithRole2", "JoeSmithRole3"});
  CHECK(Matches("PractitionerRole", {{"specialty", "207RC0000X"}}) == Ids{"JoeSmithRole3"});
  CHECK(Matches("PractitionerRole", {{"specialty:text", "internal medicine"}}).size() == 5);
}

TEST_CASE("PractitionerRole: each _include", "[directory]") {
  auto one = [](const std::string& include) {
    return Included("PractitionerRole", {{"_id", "JoeSmithRole1"}, {"_include", include}});
  };
  CHECK(one("PractitionerRole:practitioner") == Ids{"Practitioner/JoeSmith"});
  CHECK(one("PractitionerRole:organization") == Ids{"Organization/Hospital"});
  CHECK(one("PractitionerRole:location") == Ids{"Location/HospLoc1"});
  CHECK(one("PractitionerRole:service") == Ids{"HealthcareService/HospERService"});
  CHECK(one("PractitionerRole:network") == Ids{"Organization/AcmeofCTStdNet"});
  CHECK(one("PractitionerRole:organization:Organization") == Ids{"Organization/Hospital"});
  CHECK(Included("PractitionerRole", {{"_id", "DirectRole"},
                                      {"_include", "PractitionerRole:endpoint"}}) ==
        Ids{"Endpoint/HospDirect"});
  CHECK(one("PractitionerRole:*") ==
        Ids{"Practitioner/JoeSmith", "Organization/Hospital", "Location/HospLoc1",
            "HealthcareService/HospERService", "Organization/AcmeofCTStdNet"});
  // :iterate follows the included location to its organization.
  CHECK(Included("PractitionerRole", {{"_id", "HansSoloRole1"},
                                      {"_include", "PractitionerRole:location"},
                                      {"_include:iterate", "Location:organization"}}) ==
        Ids{"Location/HansSoloClinic", "Organization/BigBox"});
}

TEST_CASE("PractitionerRole: the chains Plan-Net names", "[directory]") {
  // Roles at a location in Anytown: HospLoc1, HospLoc2 and HansSoloClinic are in Anytown.
  const Ids anytown = {"AnonRole", "HansSoloRole1", "JoeSmithRole1", "JoeSmithRole2"};
  CHECK(Matches("PractitionerRole", {{"location.address-city", "Anytown"}}) == anytown);
  CHECK(Matches("PractitionerRole", {{"location.address-city", "Rainbow"}}).empty());
  CHECK(Matches("PractitionerRole", {{"location.address-state", "CT"}}) == anytown);
  CHECK(Matches("PractitionerRole", {{"location.address-postalcode", "00014-1234"}}) == anytown);
  CHECK(Matches("PractitionerRole", {{"location:Location.address-postalcode", "00014"}}) == anytown);
  CHECK(Matches("PractitionerRole", {{"network.name", "ACME CT Preferred"}}) ==
        Ids{"AnonRole", "CounselorRole1", "HansSoloRole1", "JoeSmithRole1", "JoeSmithRole2",
            "JoeSmithRole3"});
  CHECK(Matches("PractitionerRole", {{"network.name", "ACME CT Premium"}}).empty());
  // CancerClinic's name is "Hamilton Clinic" in the examples.
  CHECK(Matches("PractitionerRole", {{"organization.name", "Hamilton"}}) == Ids{"AnonRole"});
  CHECK(Matches("PractitionerRole", {{"organization.name", "Hartford"}}) ==
        Ids{"JoeSmithRole1", "JoeSmithRole3"});
  CHECK(Matches("PractitionerRole", {{"practitioner.name", "smith"}}) ==
        Ids{"CounselorRole1", "JoeSmithRole1"});
  CHECK(Matches("PractitionerRole", {{"practitioner.family", "solo"}}) == Ids{"HansSoloRole1"});
  CHECK(Matches("PractitionerRole", {{"service.service-category", "outpat"}}) ==
        Ids{"AnonRole", "HansSoloRole1", "JoeSmithRole2"});
  CHECK(Matches("PractitionerRole", {{"service.service-category", "emerg"}}) ==
        Ids{"JoeSmithRole1"});
  CHECK(Matches("PractitionerRole", {{"endpoint.organization", "Organization/Hospital"}}) ==
        Ids{"DirectRole"});
  CHECK(Matches("PractitionerRole", {{"endpoint.organization.name", "Hartford General"}}) ==
        Ids{"DirectRole"});
}

TEST_CASE("PractitionerRole: specialty near a city, with practitioners and locations",
          "[directory]") {
  Page p = Search("PractitionerRole", {{"specialty", "207R00000X"},
                                       {"location.address-city", "Anytown"},
                                       {"_include", "PractitionerRole:practitioner"},
                                       {"_include", "PractitionerRole:location"}});
  CHECK(p.matches == Ids{"AnonRole", "HansSoloRole1", "JoeSmithRole1", "JoeSmithRole2"});
  CHECK(p.included == Ids{"Practitioner/HansSolo", "Practitioner/JoeSmith", "Location/HospLoc1",
                          "Location/HospLoc2", "Location/HansSoloClinic"});
  Page counselors = Search("PractitionerRole", {{"specialty", "101YP2500X"},
                                                {"location.address-city", "Anytown"},
                                                {"_include", "PractitionerRole:practitioner"},
                                                {"_include", "PractitionerRole:location"}});
  CHECK(counselors.matches.empty());  // the counselor works virtually, at no location
  CHECK(counselors.included.empty());
}

TEST_CASE("a chain beside other conditions: the intersection, with every other kind of condition",
          "[directory]") {
  // A chain (or _has) beside another set is answered by intersecting the sets, looked up first
  // when small; the other kinds of condition (an _id predicate, a :not exclusion) still apply.
  const Params anytown_md = {{"specialty", "207R00000X"}, {"location.address-city", "Anytown"}};
  const Ids all = {"AnonRole", "HansSoloRole1", "JoeSmithRole1", "JoeSmithRole2"};
  CHECK(Matches("PractitionerRole", anytown_md) == all);
  Params narrowed = anytown_md;
  narrowed.emplace_back("_id", "AnonRole,HansSoloRole1,CounselorRole1");
  CHECK(Matches("PractitionerRole", narrowed) == Ids{"AnonRole", "HansSoloRole1"});
  Params excluded = anytown_md;
  excluded.emplace_back("_id:not", "JoeSmithRole2");
  CHECK(Matches("PractitionerRole", excluded) == Ids{"AnonRole", "HansSoloRole1", "JoeSmithRole1"});
  // Two crossing sets, and a _has beside a chain.
  Params two_chains = anytown_md;
  two_chains.emplace_back("network.name", "ACME CT Preferred");
  CHECK(Matches("PractitionerRole", two_chains) == all);
  CHECK(Matches("Practitioner", {{"_has:PractitionerRole:practitioner:location.address-city", "Anytown"},
                                 {"family", "smith"}}) == Ids{"JoeSmith"});
  // Counted: the count leaves out what only the page binds.
  Params counted = anytown_md;
  counted.emplace_back("_total", "accurate");
  counted.emplace_back("_count", "1");
  Page first = Search("PractitionerRole", counted);
  CHECK(first.bundle["total"].GetInt() == 4);
  CHECK(first.matches.size() == 1);
  CHECK(!first.next.empty());
  Params summary = anytown_md;
  summary.emplace_back("_summary", "count");
  CHECK(Search("PractitionerRole", summary).bundle["total"].GetInt() == 4);
  // An intersection that finds nothing.
  CHECK(Matches("PractitionerRole", {{"specialty", "101YP2500X"},
                                     {"location.address-city", "Anytown"}}).empty());
}

TEST_CASE("a chain never reaches a deleted resource, and a large intersection is a subquery",
          "[directory]") {
  // Chains read the index alone, which keeps rows for live resources only; an intersection of
  // more ids than are looked up first stays a subquery, with the same answer and paging.
  const Context ctx = Loaded::Ctx();
  auto& engine = *Data().engine;
  REQUIRE(engine.Update(ctx, "Location", "Ghost",
                        R"({"resourceType":"Location","id":"Ghost","address":{"city":"Ghosttown"}})").ok());
  constexpr int kRoles = 1001;
  for (int i = 1; i <= kRoles; ++i) {
    REQUIRE(engine.Update(ctx, "PractitionerRole", absl::StrCat("Ghost", i),
                          absl::StrCat(R"({"resourceType":"PractitionerRole","id":"Ghost)", i,
                                       R"(","active":true,"location":[{"reference":"Location/Ghost"}],)",
                                       R"("specialty":[{"coding":[{"system":"http://nucc.org/provider-taxonomy","code":"208D00000X"}]}]})"))
                .ok());
  }
  const Params ghosts = {{"specialty", "208D00000X"}, {"location.address-city", "Ghosttown"}};
  Params counted = ghosts;
  counted.emplace_back("_total", "accurate");
  counted.emplace_back("_count", "600");
  Page first = Search("PractitionerRole", counted);
  CHECK(first.bundle["total"].GetInt() == kRoles);
  CHECK(first.matches.size() == 600);
  REQUIRE(!first.next.empty());
  // The next page, through its link: the rest, none twice.
  Params second_params;
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(first.next).substr(first.next.find('?') + 1), '&')) {
    const size_t eq = part.find('=');
    second_params.emplace_back(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
  }
  Page second = Search("PractitionerRole", second_params);
  CHECK(second.matches.size() == kRoles - 600);
  for (const std::string& id : second.matches) {
    CHECK(first.matches.count(id) == 0);
  }
  // A few of them: looked up first, the same answer.
  for (int i = 4; i <= kRoles; ++i) {
    REQUIRE(engine.Update(ctx, "PractitionerRole", absl::StrCat("Ghost", i),
                          absl::StrCat(R"({"resourceType":"PractitionerRole","id":"Ghost)", i,
                                       R"(","location":[{"reference":"Location/Ghost"}]})")).ok());
  }
  CHECK(Matches("PractitionerRole", ghosts) == Ids{"Ghost1", "Ghost2", "Ghost3"});
  // The location deleted: no chain reaches it, with or without another condition.
  REQUIRE(engine.Delete(ctx, "Location", "Ghost").ok());
  CHECK(Matches("PractitionerRole", ghosts).empty());
  CHECK(Matches("PractitionerRole", {{"location.address-city", "Ghosttown"}}).empty());
  for (int i = 1; i <= kRoles; ++i) {
    REQUIRE(engine.Delete(ctx, "PractitionerRole", absl::StrCat("Ghost", i)).ok());
  }
}

TEST_CASE("Organization: parameters, includes, revincludes, chain and _has", "[directory]") {
  CHECK(Matches("Organization", {{"partof", "Acme"}}) == Ids{"AcmeofCTPremNet", "AcmeofCTStdNet"});
  CHECK(Matches("Organization", {{"partof", "Organization/Hospital"}}) == Ids{"HamiltonClinic"});
  CHECK(Matches("Organization", {{"endpoint", "HospDirect"}}) == Ids{"DirectHub"});
  CHECK(Matches("Organization", {{"address", "Norwalk"}}) == Ids{"Acme", "BigBox", "PharmChain"});
  CHECK(Matches("Organization", {{"address", "hartford"}}) == Ids{"Hospital"});
  CHECK(Matches("Organization", {{"address-city", "Hartford"}}) == Ids{"Hospital"});
  CHECK(Matches("Organization", {{"name", "Hamilton"}}) == Ids{"CancerClinic", "HamiltonClinic"});
  CHECK(Matches("Organization", {{"name", "acme"}}) ==
        Ids{"Acme", "AcmeofCTPremNet", "AcmeofCTStdNet"});
  CHECK(Matches("Organization", {{"type", "ntwk"}}) == Ids{"AcmeofCTPremNet", "AcmeofCTStdNet"});
  CHECK(Matches("Organization",
                {{"type", "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/OrgTypeCS|fac"}}) ==
        Ids{"BurrClinic", "CancerClinic", "HamiltonClinic", "Hospital"});
  // Plan-Net's coverage-area is the location-reference extension.
  CHECK(Matches("Organization", {{"coverage-area", "Location/StateOfCTLocation"}}) ==
        Ids{"AcmeofCTPremNet"});

  CHECK(Included("Organization", {{"_id", "AcmeofCTStdNet"}, {"_include", "Organization:partof"}}) ==
        Ids{"Organization/Acme"});
  CHECK(Included("Organization", {{"type", "ntwk"}, {"_include", "Organization:coverage-area"}}) ==
        Ids{"Location/StateOfCTLocation"});
  CHECK(Included("Organization", {{"_id", "DirectHub"}, {"_include", "Organization:endpoint"}}) ==
        Ids{"Endpoint/HospDirect"});

  auto rev = [](const std::string& id, const std::string& revinclude) {
    return Included("Organization", {{"_id", id}, {"_revinclude", revinclude}});
  };
  CHECK(rev("Hospital", "PractitionerRole:organization") ==
        Ids{"PractitionerRole/JoeSmithRole1", "PractitionerRole/JoeSmithRole3"});
  CHECK(rev("AcmeofCTStdNet", "PractitionerRole:network").size() == 6);
  CHECK(rev("PharmChain", "OrganizationAffiliation:participating-organization") ==
        Ids{"OrganizationAffiliation/PharmChainAffil1", "OrganizationAffiliation/PharmChainAffil2",
            "OrganizationAffiliation/PharmChainAffil3"});
  CHECK(rev("Hospital", "OrganizationAffiliation:primary-organization") ==
        Ids{"OrganizationAffiliation/BurrClinicAffil",
            "OrganizationAffiliation/HartfordOrthopedicAffil"});
  CHECK(rev("AcmeofCTStdNet", "OrganizationAffiliation:network").size() == 6);
  CHECK(rev("PharmChain", "HealthcareService:organization") ==
        Ids{"HealthcareService/PharmChainCompService", "HealthcareService/PharmChainMailService",
            "HealthcareService/PharmChainRetailService"});
  CHECK(rev("Hospital", "Location:organization") ==
        Ids{"Location/HospLoc1", "Location/HospLoc2", "Location/HospLoc1ER"});
  CHECK(rev("Hospital", "Endpoint:organization") == Ids{"Endpoint/HospDirect"});
  CHECK(rev("Acme", "InsurancePlan:owned-by") ==
        Ids{"InsurancePlan/AcmeQHPBronze", "InsurancePlan/AcmeQHPGold"});
  CHECK(rev("Acme", "InsurancePlan:administered-by") ==
        Ids{"InsurancePlan/AcmeQHPBronze", "InsurancePlan/AcmeQHPGold"});
  CHECK(rev("Acme", "Organization:partof") ==
        Ids{"Organization/AcmeofCTPremNet", "Organization/AcmeofCTStdNet"});

  CHECK(Matches("Organization", {{"partof.name", "Acme of CT"}}) ==
        Ids{"AcmeofCTPremNet", "AcmeofCTStdNet"});
  CHECK(Matches("Organization", {{"partof.name", "Hartford"}}) == Ids{"HamiltonClinic"});
  CHECK(Matches("Organization", {{"partof.type", "payer"}}) ==
        Ids{"AcmeofCTPremNet", "AcmeofCTStdNet"});

  const std::string has = "_has:OrganizationAffiliation:participating-organization:";
  CHECK(Matches("Organization", {{has + "network", "AcmeofCTStdNet"}}) ==
        Ids{"BurrClinic", "HamiltonClinic", "HartfordOrthopedics", "PharmChain"});
  CHECK(Matches("Organization", {{has + "role", "bt"}}) == Ids{"BurrClinic"});
  CHECK(Matches("Organization", {{has + "specialty", "3336M0002X"}}) == Ids{"PharmChain"});
  CHECK(Matches("Organization", {{has + "location", "HospLoc1"}}) ==
        Ids{"HamiltonClinic", "HartfordOrthopedics"});
  CHECK(Matches("Organization", {{has + "primary-organization", "Organization/ConnHIE"}}) ==
        Ids{"BurrClinic"});
  CHECK(Matches("Organization", {{has + "service.service-category", "pharm"}}) ==
        Ids{"PharmChain"});
  CHECK(Matches("Organization", {{"_has:PractitionerRole:organization:role", "ap"}}) ==
        Ids{"Hospital"});
}

TEST_CASE("Location: parameters, includes and revincludes", "[directory]") {
  CHECK(Matches("Location", {{"partof", "HospLoc1"}}) == Ids{"HospLoc1ER"});
  CHECK(Matches("Location", {{"organization", "BigBox"}}) ==
        Ids{"HansSoloClinic", "PharmLoc1", "PharmLoc2", "PharmLoc3", "PharmLoc4"});
  CHECK(Matches("Location", {{"organization", "Organization/Hospital"}}) ==
        Ids{"HospLoc1", "HospLoc2", "HospLoc1ER"});
  CHECK(Matches("Location", {{"endpoint", "Endpoint/HospDirect"}}) == Ids{"HospLoc1ER"});
  CHECK(Matches("Location", {{"address", "Rainbow"}}) == Ids{"PharmLoc2"});
  CHECK(Matches("Location", {{"address", "444 main"}}) == Ids{"PharmLoc2"});
  CHECK(Matches("Location", {{"address", "123"}}) == Ids{"HansSoloClinic", "HospLoc2", "PharmLoc1"});
  const Ids anytown = {"CancerClinicLoc", "HansSoloClinic", "HospLoc1", "HospLoc2", "PharmLoc1"};
  CHECK(Matches("Location", {{"address-city", "Anytown"}}) == anytown);
  CHECK(Matches("Location", {{"address-city", "somewhere"}}) == Ids{"PharmLoc3"});
  CHECK(Matches("Location", {{"address-city:exact", "anytown"}}).empty());
  CHECK(Matches("Location", {{"address-state", "CT"}, {"_count", "100"}}) == kAll.at("Location"));
  CHECK(Matches("Location", {{"address-postalcode", "00014-1334"}}) == Ids{"PharmLoc2"});
  CHECK(Matches("Location", {{"address-postalcode", "00014"}}).size() == 8);
  CHECK(Matches("Location", {{"type", "HOSP"}}) == Ids{"CancerClinicLoc", "HospLoc1", "HospLoc2"});
  CHECK(Matches("Location", {{"type", "http://terminology.hl7.org/CodeSystem/v3-RoleCode|OUTPHARM"}}) ==
        Ids{"HansSoloClinic", "PharmLoc1", "PharmLoc2", "PharmLoc3", "PharmLoc4"});

  CHECK(Included("Location", {{"_id", "HospLoc1ER"}, {"_include", "Location:partof"}}) ==
        Ids{"Location/HospLoc1"});
  CHECK(Included("Location", {{"_id", "HospLoc1ER"}, {"_include", "Location:organization"}}) ==
        Ids{"Organization/Hospital"});
  CHECK(Included("Location", {{"_id", "HospLoc1ER"}, {"_include", "Location:endpoint"}}) ==
        Ids{"Endpoint/HospDirect"});
  CHECK(Included("Location", {{"address-city", "Rainbow"}, {"_include", "Location:organization"}}) ==
        Ids{"Organization/BigBox"});

  auto rev = [](const std::string& id, const std::string& revinclude) {
    return Included("Location", {{"_id", id}, {"_revinclude", revinclude}});
  };
  CHECK(rev("HospLoc2", "PractitionerRole:location") ==
        Ids{"PractitionerRole/AnonRole", "PractitionerRole/JoeSmithRole2"});
  CHECK(rev("HospLoc1", "HealthcareService:location") ==
        Ids{"HealthcareService/BurrClinicServices", "HealthcareService/HamiltonClinicServices",
            "HealthcareService/HartfordOrthopedicServices", "HealthcareService/HospERService"});
  CHECK(rev("HospLoc1", "OrganizationAffiliation:location") ==
        Ids{"OrganizationAffiliation/HamiltonClinicAffil",
            "OrganizationAffiliation/HartfordOrthopedicAffil"});
  CHECK(rev("HospLoc1", "Location:partof") == Ids{"Location/HospLoc1ER"});
  CHECK(rev("StateOfCTLocation", "InsurancePlan:coverage-area") ==
        Ids{"InsurancePlan/AcmeQHPBronze", "InsurancePlan/AcmeQHPGold"});
  CHECK(rev("StateOfCTLocation", "Organization:coverage-area") ==
        Ids{"Organization/AcmeofCTPremNet"});
  CHECK(rev("StateOfCTLocation", "HealthcareService:coverage-area") ==
        Ids{"HealthcareService/Telehealth"});
  CHECK(Matches("Location", {{"organization.name", "Big Box"}}) ==
        Ids{"HansSoloClinic", "PharmLoc1", "PharmLoc2", "PharmLoc3", "PharmLoc4"});
}

TEST_CASE("HealthcareService: parameters, includes and chains", "[directory]") {
  const Ids pharmacy = {"PharmChainCompService", "PharmChainMailService", "PharmChainRetailService"};
  CHECK(Matches("HealthcareService", {{"organization", "PharmChain"}}) == pharmacy);
  CHECK(Matches("HealthcareService", {{"location", "HospLoc1"}}) ==
        Ids{"BurrClinicServices", "HamiltonClinicServices", "HartfordOrthopedicServices",
            "HospERService"});
  CHECK(Matches("HealthcareService", {{"service-category", "pharm"}}) == pharmacy);
  CHECK(Matches("HealthcareService", {{"service-category", "outpat"}}) ==
        Ids{"BurrClinicServices", "CancerClinicService", "HamiltonClinicServices",
            "HansSoloService"});
  CHECK(Matches("HealthcareService", {{"specialty", "http://nucc.org/provider-taxonomy|207Q00000X"}}) ==
        Ids{"BurrClinicServices", "HamiltonClinicServices", "HansSoloService"});
  CHECK(Matches("HealthcareService", {{"service-type", "57"}}) == Ids{"Telehealth"});
  CHECK(Matches("HealthcareService", {{"name", "Pharmacy"}}) == Ids{"PharmChainRetailService"});
  CHECK(Matches("HealthcareService", {{"name:contains", "pharmacy"}}) == pharmacy);
  CHECK(Matches("HealthcareService", {{"coverage-area", "StateOfCTLocation"}}) == Ids{"Telehealth"});
  CHECK(Matches("HealthcareService", {{"endpoint", "HospDirect"}}) == Ids{"Telehealth"});

  CHECK(Included("HealthcareService", {{"_id", "HartfordOrthopedicServices"},
                                       {"_include", "HealthcareService:location"}}) ==
        Ids{"Location/HospLoc1", "Location/HospLoc2"});
  CHECK(Included("HealthcareService", {{"_id", "HospERService"},
                                       {"_include", "HealthcareService:organization"}}) ==
        Ids{"Organization/Hospital"});
  CHECK(Included("HealthcareService", {{"_id", "Telehealth"},
                                       {"_include", "HealthcareService:coverage-area"},
                                       {"_include", "HealthcareService:endpoint"}}) ==
        Ids{"Location/StateOfCTLocation", "Endpoint/HospDirect"});
  CHECK(Included("HealthcareService", {{"_id", "HospERService"},
                                       {"_revinclude", "PractitionerRole:service"}}) ==
        Ids{"PractitionerRole/JoeSmithRole1"});
  CHECK(Included("HealthcareService", {{"_id", "PharmChainMailService"},
                                       {"_revinclude", "OrganizationAffiliation:service"}}) ==
        Ids{"OrganizationAffiliation/PharmChainAffil3"});

  CHECK(Matches("HealthcareService", {{"organization.name", "Pharm Chain"}}) == pharmacy);
  CHECK(Matches("HealthcareService", {{"location.address-city", "Rainbow"}}) ==
        Ids{"PharmChainRetailService"});
  CHECK(Matches("HealthcareService", {{"organization.type", "prvgrp"}}) ==
        Ids{"HartfordOrthopedicServices", "PharmChainCompService", "PharmChainMailService",
            "PharmChainRetailService"});
}

TEST_CASE("OrganizationAffiliation: parameters, includes and chains", "[directory]") {
  const Ids pharm = {"PharmChainAffil1", "PharmChainAffil2", "PharmChainAffil3"};
  CHECK(Matches("OrganizationAffiliation", {{"primary-organization", "Hospital"}}) ==
        Ids{"BurrClinicAffil", "HartfordOrthopedicAffil"});
  CHECK(Matches("OrganizationAffiliation", {{"participating-organization", "PharmChain"}}) == pharm);
  CHECK(Matches("OrganizationAffiliation", {{"network", "AcmeofCTStdNet"}}) ==
        Ids{"BurrClinicAffil", "HamiltonClinicAffil", "HartfordOrthopedicAffil", "PharmChainAffil1",
            "PharmChainAffil2", "PharmChainAffil3"});
  CHECK(Matches("OrganizationAffiliation", {{"location", "HospLoc2"}}) ==
        Ids{"BurrClinicAffil", "HartfordOrthopedicAffil"});
  CHECK(Matches("OrganizationAffiliation", {{"service", "PharmChainMailService"}}) ==
        Ids{"PharmChainAffil3"});
  CHECK(Matches("OrganizationAffiliation", {{"endpoint", "HospDirect"}}) == Ids{"DirectHubAffil"});
  CHECK(Matches("OrganizationAffiliation", {{"role", "pharmacy"}}) == pharm);
  CHECK(Matches("OrganizationAffiliation", {{"specialty", "3336C0004X"}}) == Ids{"PharmChainAffil2"});

  auto inc = [](const std::string& id, const std::string& include) {
    return Included("OrganizationAffiliation", {{"_id", id}, {"_include", include}});
  };
  CHECK(inc("BurrClinicAffil", "OrganizationAffiliation:primary-organization") ==
        Ids{"Organization/Hospital"});
  CHECK(inc("BurrClinicAffil", "OrganizationAffiliation:participating-organization") ==
        Ids{"Organization/BurrClinic"});
  CHECK(inc("BurrClinicAffil", "OrganizationAffiliation:network") ==
        Ids{"Organization/AcmeofCTStdNet"});
  CHECK(inc("BurrClinicAffil", "OrganizationAffiliation:location") == Ids{"Location/HospLoc2"});
  CHECK(inc("BurrClinicAffil", "OrganizationAffiliation:service") ==
        Ids{"HealthcareService/BurrClinicServices"});
  CHECK(inc("DirectHubAffil", "OrganizationAffiliation:endpoint") == Ids{"Endpoint/HospDirect"});

  CHECK(Matches("OrganizationAffiliation", {{"participating-organization.name", "Burr"}}) ==
        Ids{"BurrClinicAffil", "ConnHIEAffil"});
  CHECK(Matches("OrganizationAffiliation", {{"primary-organization.name", "Connecticut"}}) ==
        Ids{"ConnHIEAffil"});
  CHECK(Matches("OrganizationAffiliation", {{"location.address-city", "Rainbow"}}) ==
        Ids{"PharmChainAffil1"});
  CHECK(Matches("OrganizationAffiliation", {{"service.specialty", "3336M0002X"}}) ==
        Ids{"PharmChainAffil3"});
}

TEST_CASE("InsurancePlan: parameters, includes and chains", "[directory]") {
  const Ids both = {"AcmeQHPBronze", "AcmeQHPGold"};
  CHECK(Matches("InsurancePlan", {{"administered-by", "Acme"}}) == both);
  CHECK(Matches("InsurancePlan", {{"owned-by", "Organization/Acme"}}) == both);
  CHECK(Matches("InsurancePlan", {{"coverage-area", "StateOfCTLocation"}}) == both);
  CHECK(Matches("InsurancePlan", {{"endpoint", "AcmeOfCTPortalEndpoint"}}) == both);
  CHECK(Matches("InsurancePlan", {{"name", "acme of ct qhp gold"}}) == Ids{"AcmeQHPGold"});
  CHECK(Matches("InsurancePlan", {{"name", "Acme"}}) == both);
  CHECK(Matches("InsurancePlan", {{"type", "qhp"}}) == both);
  CHECK(Matches("InsurancePlan", {{"plan-type", "gold"}}) == Ids{"AcmeQHPGold"});
  CHECK(Matches("InsurancePlan", {{"plan-type", "bronze"}}) == Ids{"AcmeQHPBronze"});
  CHECK(Matches("InsurancePlan", {{"identifier", "nothing-has-this"}}).empty());

  auto inc = [](const std::string& include) {
    return Included("InsurancePlan", {{"_id", "AcmeQHPGold"}, {"_include", include}});
  };
  CHECK(inc("InsurancePlan:owned-by") == Ids{"Organization/Acme"});
  CHECK(inc("InsurancePlan:administered-by") == Ids{"Organization/Acme"});
  CHECK(inc("InsurancePlan:coverage-area") == Ids{"Location/StateOfCTLocation"});
  CHECK(inc("InsurancePlan:endpoint") == Ids{"Endpoint/AcmeOfCTPortalEndpoint"});
  CHECK(Matches("InsurancePlan", {{"owned-by.name", "Acme of CT"}}) == both);
  CHECK(Matches("InsurancePlan", {{"administered-by.type", "payer"}}) == both);
  CHECK(Matches("InsurancePlan", {{"coverage-area.address-state", "CT"}}) == both);
}

TEST_CASE("Endpoint: parameters, includes and chains", "[directory]") {
  CHECK(Matches("Endpoint", {{"organization", "Hospital"}}) == Ids{"HospDirect"});
  CHECK(Matches("Endpoint", {{"organization.name", "Hartford General"}}) == Ids{"HospDirect"});
  CHECK(Matches("Endpoint", {{"connection-type", "rest-non-fhir"}}) ==
        Ids{"AcmeOfCTPortalEndpoint"});
  CHECK(Matches("Endpoint", {{"status", "active"}}) == kAll.at("Endpoint"));
  CHECK(Matches("Endpoint", {{"name", "hartford"}}) == Ids{"HospDirect"});
  CHECK(Included("Endpoint", {{"_id", "HospDirect"}, {"_include", "Endpoint:organization"}}) ==
        Ids{"Organization/Hospital"});
  CHECK(Included("Endpoint", {{"_id", "AcmeOfCTPortalEndpoint"},
                              {"_revinclude", "InsurancePlan:endpoint"}}) ==
        Ids{"InsurancePlan/AcmeQHPBronze", "InsurancePlan/AcmeQHPGold"});
  CHECK(Included("Endpoint", {{"_id", "HospDirect"}, {"_revinclude", "Location:endpoint"},
                              {"_revinclude", "Organization:endpoint"},
                              {"_revinclude", "PractitionerRole:endpoint"}}) ==
        Ids{"Location/HospLoc1ER", "Organization/DirectHub", "PractitionerRole/DirectRole"});
}

TEST_CASE("includes iterate from revincluded roles, sorting, totals and modifiers in chains",
          "[directory]") {
  // A practitioner with their roles and, through those, the roles' locations and organizations.
  Page p = Search("Practitioner", {{"_id", "JoeSmith"},
                                   {"_revinclude", "PractitionerRole:practitioner"},
                                   {"_include:iterate", "PractitionerRole:location"},
                                   {"_include:iterate", "PractitionerRole:organization"}});
  CHECK(p.matches == Ids{"JoeSmith"});
  CHECK(p.included == Ids{"PractitionerRole/JoeSmithRole1", "Location/HospLoc1",
                          "Organization/Hospital"});
  // A network, its members (by affiliation) and the members' services.
  Page net = Search("Organization",
                    {{"_id", "AcmeofCTPremNet,AcmeofCTStdNet"},
                     {"_revinclude", "OrganizationAffiliation:network"},
                     {"_include:iterate", "OrganizationAffiliation:participating-organization"}});
  CHECK(net.included.contains("Organization/PharmChain"));
  CHECK(net.included.contains("OrganizationAffiliation/BurrClinicAffil"));
  CHECK(net.included.size() == 10);  // 6 affiliations and 4 participating organizations

  Page sorted = Search("Organization", {{"type", "fac"}, {"_sort", "name"}, {"_total", "accurate"}});
  CHECK(json::GetInt(sorted.bundle, "total") == 4);
  // "Burr Clinic", "Hamilton Clinic" (twice: CancerClinic, HamiltonClinic), "Hartford General".
  CHECK(sorted.order ==
        std::vector<std::string>{"BurrClinic", "CancerClinic", "HamiltonClinic", "Hospital"});
  Page desc = Search("Location", {{"type", "HOSP"}, {"_sort", "-address-city,_id"}});
  CHECK(desc.order == std::vector<std::string>{"HospLoc2", "HospLoc1", "CancerClinicLoc"});

  CHECK(Matches("PractitionerRole", {{"location.address-city:exact", "Anytown"}}).size() == 4);
  CHECK(Matches("PractitionerRole", {{"location.address-city:exact", "anytown"}}).empty());
  CHECK(Matches("PractitionerRole", {{"location.address-city:contains", "nytow"}}).size() == 4);
  CHECK(Matches("PractitionerRole", {{"specialty:not", "207R00000X"}}) ==
        Ids{"CounselorRole1", "DirectRole"});
  CHECK(Matches("Location", {{"partof:missing", "false"}}) == Ids{"HospLoc1ER"});
}

// The examples put five locations at latitude 15, longitude 3 (CancerClinicLoc, HansSoloClinic,
// HospLoc1, HospLoc2, PharmLoc1), PharmLoc2 at 18|9, PharmLoc3 at 12|7 and PharmLoc4 at 16|5.
// Great-circle distances (km): from 15|3 to PharmLoc4 241.4, PharmLoc3 546.1, PharmLoc2 721.3;
// from 16|5 to the five 241.4, PharmLoc2 479.9, PharmLoc3 494.3. StateOfCTLocation and the
// supplement HospLoc1ER have no position.
TEST_CASE("Location near: distance, units, default, sorting and paging by distance",
          "[directory]") {
  const Ids five = {"CancerClinicLoc", "HansSoloClinic", "HospLoc1", "HospLoc2", "PharmLoc1"};
  auto with = [&](const std::string& near) { return Matches("Location", {{"near", near}}); };
  CHECK(with("15|3") == five);  // 50 km when no distance is given
  CHECK(with("15|3|240|km") == five);
  CHECK(with("15|3|242") == five + Ids{"PharmLoc4"});
  CHECK(with("15|3|140|mi") == five);                        // 225 km
  CHECK(with("15|3|160|mi") == five + Ids{"PharmLoc4"});     // 257 km
  CHECK(with("15|3|600000|m") == five + Ids{"PharmLoc4", "PharmLoc3"});
  CHECK(with("15.1|3|11.2|km") == five);
  CHECK(with("15.1|3|11|km").empty());                       // 11.12 km away
  CHECK(with("16|5|1|km,12|7|1|km") == Ids{"PharmLoc3", "PharmLoc4"});
  CHECK(with("-15|3|1000|km").empty());
  CHECK(Matches("Location", {{"near:missing", "true"}}) == Ids{"HospLoc1ER", "StateOfCTLocation"});
  CHECK(Matches("Location", {{"near", "15|3|250|km"}, {"type", "OUTPHARM"}}) ==
        Ids{"HansSoloClinic", "PharmLoc1", "PharmLoc4"});

  const std::vector<std::string> by_distance = {"PharmLoc4", "CancerClinicLoc", "HansSoloClinic",
                                                "HospLoc1",  "HospLoc2",        "PharmLoc1",
                                                "PharmLoc2", "PharmLoc3"};
  CHECK(Search("Location", {{"near", "16|5|500|km"}, {"_sort", "near"}}).order == by_distance);
  CHECK(Search("Location", {{"near", "16|5|500|km"}, {"_sort", "-near"}}).order ==
        std::vector<std::string>(by_distance.rbegin(), by_distance.rend()));
  // Pages of three follow the distance order across the cursor.
  std::vector<std::string> walked;
  Page page = Search("Location", {{"near", "16|5|500|km"}, {"_sort", "near"}, {"_count", "3"}});
  walked = page.order;
  while (!page.next.empty()) {
    Params params;
    for (absl::string_view part :
         absl::StrSplit(absl::string_view(page.next).substr(page.next.find('?') + 1), '&')) {
      const size_t eq = part.find('=');
      std::string value(part.substr(eq + 1));
      absl::StrReplaceAll({{"%7C", "|"}}, &value);
      params.emplace_back(std::string(part.substr(0, eq)), value);
    }
    page = Search("Location", params);
    walked.insert(walked.end(), page.order.begin(), page.order.end());
  }
  CHECK(walked == by_distance);

  // Providers near me: roles at a location within 300 km of 16|5 (not PharmLoc4's, which has
  // none), through a chain.
  CHECK(Matches("PractitionerRole", {{"location.near", "16|5|300|km"}}) ==
        Ids{"AnonRole", "HansSoloRole1", "JoeSmithRole1", "JoeSmithRole2"});
  CHECK(Matches("PractitionerRole", {{"location.near", "16|5|100|km"}}).empty());
  CHECK(Matches("HealthcareService", {{"location.near", "18|9|1|km"}}) ==
        Ids{"PharmChainRetailService"});

  // Across the antimeridian: 179.9 E is 22 km from 179.9 W at the equator.
  const Context ctx = Loaded::Ctx();
  REQUIRE(Data().engine->Update(ctx, "Location", "Taveuni",
                                R"({"resourceType":"Location","position":{"latitude":0,"longitude":179.9}})")
              .ok());
  CHECK(with("0|-179.9|30|km") == Ids{"Taveuni"});
  CHECK(with("0|-179.9|20|km").empty());
  CHECK(with("89.9|0|20000|km").contains("Taveuni"));  // a pole inside the circle
  CHECK(Data().engine->Delete(ctx, "Location", "Taveuni").ok());
  CHECK(with("0|-179.9|30|km").empty());
}

TEST_CASE("paging walks every PractitionerRole once", "[directory]") {
  Page first = Search("PractitionerRole", {{"_count", "2"}});
  Ids all = first.matches;
  int pages = 1;
  for (std::string next = first.next; !next.empty(); ++pages) {
    Params params;
    const size_t q = next.find('?');
    REQUIRE(q != std::string::npos);
    for (absl::string_view part : absl::StrSplit(next.substr(q + 1), '&')) {
      const size_t eq = part.find('=');
      params.emplace_back(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
    }
    Page p = Search("PractitionerRole", params);
    for (const std::string& id : p.matches) {
      CHECK(all.insert(id).second);
    }
    next = p.next;
  }
  CHECK(pages == 4);
  CHECK(all == kAll.at("PractitionerRole"));
}

TEST_CASE("bad directory searches are refused naming what was wrong", "[directory]") {
  auto refused = [](const std::string& type, const Params& p, absl::string_view mentions) {
    const absl::Status s = Data().engine->Search(Loaded::Ctx(), type, p).status();
    INFO(type << " " << s);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(s.message(), mentions));
  };
  refused("Practitioner", {{"specialty", "207R00000X"}}, "specialty");
  refused("PractitionerRole", {{"location.colour", "red"}}, "colour");
  refused("PractitionerRole", {{"specialty.name", "x"}}, "specialty");
  refused("PractitionerRole", {{"network:Location.name", "x"}}, "Location");
  refused("PractitionerRole", {{"_include", "PractitionerRole:specialty"}}, "specialty");
  refused("PractitionerRole", {{"_include", "PractitionerRole:colour"}}, "colour");
  refused("PractitionerRole", {{"_include", "Patient:general-practitioner"}}, "Patient");
  refused("PractitionerRole", {{"_include", "PractitionerRole:location:Organization"}},
          "Organization");
  refused("Organization", {{"_revinclude", "PractitionerRole:colour"}}, "colour");
  refused("Practitioner", {{"_has:PractitionerRole:colour:specialty", "x"}}, "colour");
  refused("Practitioner", {{"_has:PractitionerRole:practitioner:colour", "x"}}, "colour");
  for (const char* near : {"", "15", "north|3", "91|3", "15|181", "15|3|-1|km", "15|3|ten",
                           "15|3|10|furlongs", "15|3|10|km|extra"}) {
    refused("Location", {{"near", near}}, "near");
  }
  refused("Location", {{"near:below", "15|3"}}, "near");
  refused("Location", {{"_sort", "near"}}, "near");
  refused("PractitionerRole", {{"location.near", "15|3|10|parsecs"}}, "parsecs");
  CHECK(Data().engine->Search(Loaded::Ctx(), "Patient", {}).status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("a chain reaching more resources than are looked up first is still a subquery",
          "[directory]") {
  // Up to 1000 chained-to resources are looked up before the search and named to the planner;
  // beyond that the link is searched as a subquery. Both must give the same answer.
  const Context ctx = Loaded::Ctx();
  auto& engine = *Data().engine;
  constexpr int kLocations = 1001;
  for (int i = 1; i <= kLocations; ++i) {
    REQUIRE(engine.Update(ctx, "Location", absl::StrCat("Many", i),
                          absl::StrCat(R"({"resourceType":"Location","id":"Many)", i,
                                       R"(","address":{"city":"Manytown"}})")).ok());
  }
  REQUIRE(engine.Update(ctx, "PractitionerRole", "ManyRole",
                        R"({"resourceType":"PractitionerRole","id":"ManyRole",
                            "location":[{"reference":"Location/Many1001"}]})").ok());
  CHECK(Matches("PractitionerRole", {{"location.address-city", "Manytown"}}) == Ids{"ManyRole"});
  CHECK(Matches("Practitioner", {{"_has:PractitionerRole:practitioner:location.address-city",
                                  "Manytown"}}).empty());
  // A few of them: looked up first.
  REQUIRE(engine.Update(ctx, "Location", "Many1001",
                        R"({"resourceType":"Location","id":"Many1001",
                            "address":{"city":"Fewtown"}})").ok());
  CHECK(Matches("PractitionerRole", {{"location.address-city", "Fewtown"}}) == Ids{"ManyRole"});
  CHECK(Matches("PractitionerRole", {{"location.address-city", "Manytown"}}).empty());
  REQUIRE(engine.Delete(ctx, "PractitionerRole", "ManyRole").ok());
  for (int i = 1; i <= kLocations; ++i) {
    REQUIRE(engine.Delete(ctx, "Location", absl::StrCat("Many", i)).ok());
  }
}

}  // namespace
}  // namespace planapi::fhirengine
