// Every required search of US Core 3.1.1 (plus what 6.1.0 adds for Coverage and
// PractitionerRole) and of CARIN BB 2.0.0, over the published examples (us-core, carin-bb, the
// entries of US Core's searchset Bundles) and the Synthea bundles, in a real PostgreSQL.
//
// The lists come from the IGs' server CapabilityStatements: US Core 3.1.1 "Quick Start" (the
// SHALL searches per profile, `_revinclude=Provenance:target`, MedicationRequest:medication),
// 6.1.0 (Coverage?patient, PractitionerRole?specialty|practitioner with its includes) and the
// CARIN BB 2.0.0 C4BB CapabilityStatement (ExplanationOfBenefit parameters, every _include,
// Coverage:payor). The expected ids were worked out from the fixture files, not from the engine.
//
// Every search is also run in the forms that must give the same answer: parameters in another
// order, `patient=X` as `Patient/X` and as an absolute URL, `system|code` as `code` (where the code
// is unambiguous), page by page with `_count=2` through the `next` links, and under the member's
// own patient context. Every date parameter is run with each prefix. The examples lack Provenance
// for most profiles and an Encounter with an identifier; the few resources written here for that
// are marked "probe".
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

constexpr char kBase[] = "https://gw.example/fhir/r4";
// The Synthea member with the most data (Elvina Lemke).
constexpr char kMember[] = "bf823ea4-d765-40f8-b243-bdfdb6521408";

// US Core's searchset Bundles hold the only PractitionerRole, its Practitioner, the
// AllergyIntolerance with its Provenance and three more DocumentReferences.
constexpr const char* kSearchsetBundles[] = {
    "PractitionerRole_Practitioner_Endpoint_Bundle_Example.json",
    "allergyintolerance-provenance-example.json", "bundle-docref-example1.json",
    "bundle-docref-example2.json"};

// Written by the test: the fixtures have no Provenance for Synthea data or most profiles, and no
// Encounter with an identifier.
constexpr char kProbeProvenance[] =
    R"({"resourceType":"Provenance","id":"uscore-probe","recorded":"2024-01-01T00:00:00Z",
  "agent":[{"who":{"reference":"Organization/Payer2"}}],
  "target":[
    {"reference":"AllergyIntolerance/61f0bec2-fac3-48e6-9cad-ee10c4e1237e"},
    {"reference":"CarePlan/4258ec92-9e94-47b7-9390-92c2ace1ae62"},
    {"reference":"Condition/024e4a57-498d-44f5-a1d3-2efad384a57d"},
    {"reference":"DiagnosticReport/0453755a-5dfc-446f-aaf5-cd46e55183e5"},
    {"reference":"Encounter/034396bb-08fc-4b6f-ab69-fef094a97706"},
    {"reference":"Goal/1fc37e0a-685a-42ae-a034-0eaac953d118"},
    {"reference":"Immunization/02c981eb-8ada-46d7-8fff-d07394c176ec"},
    {"reference":"MedicationRequest/073a8f2a-0de8-4242-92c4-4011f9f11393"},
    {"reference":"Observation/035849dc-2cdd-4120-a8c5-fe76a282c821"},
    {"reference":"Procedure/116d1bc4-d2f2-4626-8004-83fce08deb57"}]})";
// US Core asks for Provenance on every profile; these name Amy Shaw's records and the directory
// resources.
constexpr char kProbeProvenanceExample[] =
    R"({"resourceType":"Provenance","id":"uscore-probe-example","target":[
    {"reference":"Patient/example"},{"reference":"Device/udi-1"},
    {"reference":"DocumentReference/discharge-summary"},{"reference":"CareTeam/example"},
    {"reference":"Coverage/coverage-example"}]})";
constexpr char kProbeProvenanceDirectory[] =
    R"({"resourceType":"Provenance","id":"uscore-probe-directory","target":[
    {"reference":"Organization/acme-lab"},{"reference":"Location/hospital"},
    {"reference":"Practitioner/practitioner-1"},
    {"reference":"PractitionerRole/PractitionerRole-1"}]})";
constexpr char kProbeEncounter[] = R"({"resourceType":"Encounter","id":"uscore-probe-encounter",
  "identifier":[{"system":"http://example.org/visits","value":"V-1001"}],"status":"finished",
  "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
  "type":[{"coding":[{"system":"http://www.ama-assn.org/go/cpt","code":"99213"}]}],
  "subject":{"reference":"Patient/example"},
  "period":{"start":"2023-03-01T09:00:00Z","end":"2023-03-01T09:30:00Z"}})";

std::string Fixtures() {
  const std::string dir = testing::FixturesDir();
  INFO("fixtures expected in ../shared/fixtures beside the checkout, or PLANAPI_FIXTURES");
  REQUIRE(!dir.empty());
  return dir;
}

// One database with everything loaded, shared by the test cases here.
struct Loaded : EngineFixture {
  Loaded()
      : EngineFixture(
            {.name = "t", .types = fhir::PatientAccessTypes(), .realms = {Realm::kProduction}}) {
    for (const char* folder : {"us-core", "carin-bb", "synthea"}) {
      for (const auto& f : std::filesystem::directory_iterator(Fixtures() + "/" + folder)) {
        if (f.path().extension() != ".json") {
          continue;
        }
        const std::string text = testing::ReadFile(f.path());
        auto doc = json::Parse(text);
        REQUIRE(doc.ok());
        const std::string type(json::GetString(*doc, "resourceType").value_or(""));
        const bool bundle = type == "Bundle" && json::GetString(*doc, "type") == "transaction";
        if (!bundle && !fhir::Contains(fhir::PatientAccessTypes(), type)) {
          continue;  // searchset Bundles (below) and types this API does not serve
        }
        Import(text, f.path());
      }
    }
    for (const char* name : kSearchsetBundles) {
      const std::string path = Fixtures() + "/us-core/" + name;
      auto doc = json::Parse(testing::ReadFile(path));
      REQUIRE(doc.ok());
      for (const auto& entry : (*doc)["entry"].GetArray()) {
        const std::string type(json::GetString(entry["resource"], "resourceType").value_or(""));
        if (fhir::Contains(fhir::PatientAccessTypes(), type)) {
          Import(json::Serialize(entry["resource"]), path);
        }
      }
    }
    Import(kProbeProvenance, "probe Provenance");
    Import(kProbeProvenanceExample, "probe Provenance of Amy Shaw's records");
    Import(kProbeProvenanceDirectory, "probe Provenance of directory resources");
    Import(kProbeEncounter, "probe Encounter");
  }
  void Import(const std::string& text, const std::string& what) {
    std::vector<std::string> skipped;
    auto written = engine->Import(Ctx(), text, &skipped);
    INFO(what << ": " << written.status());
    REQUIRE(written.ok());
  }
  static Context Ctx(std::string patient = "") {
    return {.realm = Realm::kProduction, .base_url = kBase, .patient = std::move(patient)};
  }
};

Loaded& Data() {
  static Loaded* loaded = new Loaded();
  return *loaded;
}

struct Page {
  bool ok = false;
  std::string error;
  Ids matches;
  Ids included;  // "Type/id"
  std::string next;
  int match_entries = 0;  // entries with mode match, counting repeats
};

Page Search(const std::string& type, const Params& params, const std::string& patient = "") {
  Page p;
  auto r = Data().engine->Search(Loaded::Ctx(patient), type, params);
  if (!r.ok()) {
    p.error = r.status().ToString();
    return p;
  }
  auto doc = json::Parse(r->json);
  REQUIRE(doc.ok());
  for (const auto& l : (*doc)["link"].GetArray()) {
    if (json::GetString(l, "relation") == "next") {
      p.next = std::string(*json::GetString(l, "url"));
    }
  }
  for (const auto& e : json::GetArray(*doc, "entry")) {
    const std::string id(json::GetString(e["resource"], "id").value_or(""));
    if (json::GetString(e["search"], "mode") == "match") {
      p.matches.insert(id);
      ++p.match_entries;
    } else {
      p.included.insert(absl::StrCat(*json::GetString(e["resource"], "resourceType"), "/", id));
    }
  }
  p.ok = true;
  return p;
}

// The parameters of a link the engine built (its query string, decoded).
Params LinkParams(const std::string& url) {
  Params out;
  const size_t q = url.find('?');
  REQUIRE(q != std::string::npos);
  for (absl::string_view part : absl::StrSplit(url.substr(q + 1), '&')) {
    const size_t eq = part.find('=');
    std::string value(part.substr(eq + 1));
    std::string decoded;
    for (size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '%' && i + 2 < value.size()) {
        decoded.push_back(static_cast<char>(std::stoi(value.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else if (value[i] == '+') {
        decoded.push_back(' ');
      } else {
        decoded.push_back(value[i]);
      }
    }
    out.emplace_back(std::string(part.substr(0, eq)), decoded);
  }
  return out;
}

std::string Describe(const std::string& type, const Params& params) {
  return absl::StrCat(type, "?", absl::StrJoin(params, "&", [](std::string* out, const auto& p) {
                        absl::StrAppend(out, p.first, "=", p.second);
                      }));
}

struct Case {
  std::string type;
  Params params;
  Ids matches;
  Ids included;
  bool code_alone_agrees;  // every `system|code` gives the same answer as `code`
};

// Runs `params` and asserts the expected matches and includes.
void ExpectSame(const Case& c, const Params& params, const std::string& form) {
  INFO(form << ": " << Describe(c.type, params));
  const Page p = Search(c.type, params);
  INFO(p.error);
  REQUIRE(p.ok);
  CHECK(p.matches == c.matches);
  CHECK(p.included == c.included);
  CHECK(p.next.empty());  // every case fits the default page
}

void Expect(const Case& c) {
  ExpectSame(c, c.params, "as written");
  // Another order.
  Params reversed(c.params.rbegin(), c.params.rend());
  ExpectSame(c, reversed, "reversed");
  Params rotated = c.params;
  std::rotate(rotated.begin(), rotated.begin() + 1, rotated.end());
  ExpectSame(c, rotated, "rotated");
  // patient=X, patient=Patient/X and patient=<base>/Patient/X.
  for (size_t i = 0; i < c.params.size(); ++i) {
    if (c.params[i].first != "patient" || absl::StrContains(c.params[i].second, "/")) {
      continue;
    }
    Params typed = c.params;
    typed[i].second = absl::StrCat("Patient/", c.params[i].second);
    ExpectSame(c, typed, "Patient/X");
    Params absolute = c.params;
    absolute[i].second = absl::StrCat(kBase, "/Patient/", c.params[i].second);
    ExpectSame(c, absolute, "absolute");
  }
  // system|code and code.
  if (c.code_alone_agrees) {
    Params codes = c.params;
    bool changed = false;
    for (auto& [name, value] : codes) {
      if (absl::StartsWith(name, "_") || !absl::StrContains(value, "|")) {
        continue;
      }
      std::vector<std::string> alternatives = absl::StrSplit(value, ',');
      for (std::string& a : alternatives) {
        a = a.substr(a.find('|') + 1);  // npos + 1 is 0: kept whole
      }
      value = absl::StrJoin(alternatives, ",");
      changed = true;
    }
    if (changed) {
      ExpectSame(c, codes, "code without system");
    }
  }
  // Pages of two through the next links: the same set, each match once.
  Params paged = c.params;
  paged.emplace_back("_count", "2");
  Page page = Search(c.type, paged);
  INFO("paged: " << Describe(c.type, paged) << " " << page.error);
  REQUIRE(page.ok);
  Ids all = page.matches;
  Ids included = page.included;
  int entries = page.match_entries;
  int pages = 1;
  while (!page.next.empty() && pages <= 200) {
    page = Search(c.type, LinkParams(page.next));
    REQUIRE(page.ok);
    CHECK(page.match_entries <= 2);
    all.insert(page.matches.begin(), page.matches.end());
    included.insert(page.included.begin(), page.included.end());
    entries += page.match_entries;
    ++pages;
  }
  CHECK(all == c.matches);
  CHECK(entries == static_cast<int>(c.matches.size()));
  CHECK(included == c.included);
  CHECK(pages == std::max<int>(1, (c.matches.size() + 1) / 2));
}

const Case kCases[] = {
    // US Core 3.1.1: the SHALL searches of each profile (and the SHOULD combinations)
    {"AllergyIntolerance", {{"patient", "example"}}, {"79613", "example"}, {}, true},
    {"AllergyIntolerance",
     {{"patient", "example"},
      {"clinical-status",
       "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical|active"}},
     {"79613", "example"},
     {},
     true},
    {"AllergyIntolerance",
     {{"patient", kMember}},
     {"61f0bec2-fac3-48e6-9cad-ee10c4e1237e"},
     {},
     true},
    {"CarePlan",
     {{"patient", "example"},
      {"category", "http://hl7.org/fhir/us/core/CodeSystem/careplan-category|assess-plan"}},
     {"colonoscopy"},
     {},
     true},
    {"CarePlan",
     {{"patient", "example"}, {"category", "assess-plan"}, {"status", "active"}},
     {"colonoscopy"},
     {},
     true},
    {"CarePlan",
     {{"patient", kMember}, {"category", "http://snomed.info/sct|53950000"}},
     {"69c2ceb7-9f5b-4c18-8afd-e5df8d40d325", "9a3fc74b-f6a4-4fb8-bfc7-730056153aac",
      "d2e43f5d-9b24-4f4c-889f-cbb40ba767a1"},
     {},
     true},
    {"CarePlan",
     {{"patient", kMember}, {"category", "http://snomed.info/sct|53950000"}, {"date", "ge2015"}},
     {"d2e43f5d-9b24-4f4c-889f-cbb40ba767a1"},
     {},
     true},
    {"CarePlan",
     {{"patient", kMember},
      {"category", "http://snomed.info/sct|53950000"},
      {"status", "completed"},
      {"date", "lt2015"}},
     {"69c2ceb7-9f5b-4c18-8afd-e5df8d40d325", "9a3fc74b-f6a4-4fb8-bfc7-730056153aac"},
     {},
     true},
    {"CareTeam",
     {{"patient", "example"}, {"status", "active"}},
     {"example", "missing-coded-data-example"},
     {},
     true},
    {"Condition",
     {{"patient", "example"}},
     {"condition-SDOH-example", "condition-duodenal-ulcer", "encounter-diagnosis-example1",
      "encounter-diagnosis-example2", "health-concern-example"},
     {},
     true},
    {"Condition",
     {{"patient", "example"},
      {"category", "http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item"}},
     {"condition-SDOH-example", "condition-duodenal-ulcer"},
     {},
     true},
    {"Condition",
     {{"patient", "example"},
      {"clinical-status", "http://terminology.hl7.org/CodeSystem/condition-clinical|resolved"}},
     {"encounter-diagnosis-example1", "encounter-diagnosis-example2"},
     {},
     true},
    {"Condition",
     {{"patient", kMember}},
     {"024e4a57-498d-44f5-a1d3-2efad384a57d", "217df0ab-766b-4cd8-b8c7-aa9237d22ca0",
      "394af8ef-43a2-40dd-916d-57120241c043", "95ceb7bb-c867-476c-a2f4-b1d8b5686cf9",
      "ac1c5a92-52a7-453f-a70d-0f7d8e543aed", "d020da27-f5ff-4b4b-bde6-4e0d2eee0da8",
      "e6e7a58c-f80d-4871-a33e-304e3db3c770", "ec4a21da-feda-476c-858c-fd5b1f1199f1",
      "f28534df-7850-408a-9477-eadd3cfaf616", "f378e9ca-694f-47fa-9920-de34c8700e96",
      "f5b423a4-5929-4706-ae92-2244ccccf4ea", "fd02cde3-fbda-4583-bf83-fd50bfd38a60"},
     {},
     true},
    {"Condition",
     {{"patient", kMember}, {"onset-date", "ge2016"}},
     {"95ceb7bb-c867-476c-a2f4-b1d8b5686cf9", "ac1c5a92-52a7-453f-a70d-0f7d8e543aed",
      "d020da27-f5ff-4b4b-bde6-4e0d2eee0da8", "ec4a21da-feda-476c-858c-fd5b1f1199f1",
      "fd02cde3-fbda-4583-bf83-fd50bfd38a60"},
     {},
     true},
    {"Device", {{"patient", "example"}}, {"udi-1", "udi-2", "udi-3"}, {}, true},
    {"Device",
     {{"patient", "example"}, {"type", "http://snomed.info/sct|468063009"}},
     {"udi-1"},
     {},
     true},
    {"DiagnosticReport",
     {{"patient", "example"}, {"category", "http://loinc.org|LP29684-5"}},
     {"bone-density-report", "chest-xray-report"},
     {},
     true},
    {"DiagnosticReport",
     {{"patient", "example"},
      {"category", "http://terminology.hl7.org/CodeSystem/v2-0074|LAB"},
      {"date", "ge2005-07-05"}},
     {"cbc"},
     {},
     true},
    {"DiagnosticReport",
     {{"patient", "example"}, {"code", "http://loinc.org|58410-2"}},
     {"cbc"},
     {},
     true},
    {"DiagnosticReport",
     {{"patient", "example"}, {"code", "http://loinc.org|30746-2"}, {"date", "2019-02"}},
     {"chest-xray-report"},
     {},
     true},
    {"DiagnosticReport",
     {{"patient", kMember}, {"category", "LAB"}, {"date", "ge2019"}},
     {"15950d17-04ad-45a4-9a01-07764d445e3f", "6885f8a1-2d90-4b69-aa0e-c27286bb5b8e",
      "cace9627-1d4b-45d1-81a3-f6921b639d65", "dd9a5789-b42c-4983-aa72-f8b4969d4fd5"},
     {},
     true},
    {"DocumentReference", {{"_id", "discharge-summary"}}, {"discharge-summary"}, {}, true},
    {"DocumentReference",
     {{"patient", "example"}},
     {"ccd123", "discharge", "discharge-summary", "episode-summary", "procedure-note123",
      "procedure-note456"},
     {},
     true},
    {"DocumentReference",
     {{"patient", "example"},
      {"category",
       "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category|clinical-note"}},
     {"ccd123", "discharge", "discharge-summary", "episode-summary", "procedure-note123",
      "procedure-note456"},
     {},
     true},
    {"DocumentReference",
     {{"patient", "example"}, {"category", "clinical-note"}, {"date", "ge2022-11-18"}},
     {"discharge", "procedure-note123", "procedure-note456"},
     {},
     true},
    {"DocumentReference",
     {{"patient", "example"}, {"type", "http://loinc.org|18842-5"}},
     {"discharge", "discharge-summary"},
     {},
     true},
    {"DocumentReference",
     {{"patient", "example"}, {"type", "http://loinc.org|28570-0"}, {"period", "ge2000"}},
     {"procedure-note123", "procedure-note456"},
     {},
     true},
    {"Encounter", {{"_id", "example-1"}}, {"example-1"}, {}, true},
    {"Encounter",
     {{"identifier", "http://example.org/visits|V-1001"}},
     {"uscore-probe-encounter"},
     {},
     true},
    {"Encounter",
     {{"patient", "example"}},
     {"1036", "delivery", "example-1", "uscore-probe-encounter"},
     {},
     true},
    {"Encounter",
     {{"date", "ge2015-11-01"}, {"patient", "example"}},
     {"example-1", "uscore-probe-encounter"},
     {},
     true},
    {"Encounter",
     {{"patient", "example"}, {"class", "http://terminology.hl7.org/CodeSystem/v3-ActCode|IMP"}},
     {"1036", "delivery"},
     {},
     true},
    {"Encounter",
     {{"patient", "example"}, {"type", "http://www.ama-assn.org/go/cpt|99201"}},
     {"example-1"},
     {},
     true},
    {"Encounter",
     {{"patient", "example"}, {"status", "finished"}},
     {"delivery", "example-1", "uscore-probe-encounter"},
     {},
     true},
    {"Encounter",
     {{"patient", kMember}, {"date", "ge2019"}},
     {"034396bb-08fc-4b6f-ab69-fef094a97706", "28f19b42-b59d-4a5b-bcfc-48d5d5061562",
      "69871b5e-0f65-4727-825c-45a780b8c137", "6a3177f2-af88-4354-8012-51a34e52fb16",
      "832db9cd-bdd3-4740-9a66-bdb175d9713e"},
     {},
     true},
    {"Goal", {{"patient", "example"}}, {"goal-1", "goal-sdoh-2"}, {}, true},
    {"Goal", {{"patient", "example"}, {"target-date", "ge2020"}}, {"goal-sdoh-2"}, {}, true},
    {"Goal",
     {{"patient", "example"}, {"lifecycle-status", "active"}},
     {"goal-1", "goal-sdoh-2"},
     {},
     true},
    {"Immunization", {{"patient", "example"}}, {"imm-1"}, {}, true},
    {"Immunization",
     {{"patient", "example"}, {"date", "ge2020"}, {"status", "completed"}},
     {"imm-1"},
     {},
     true},
    {"Immunization",
     {{"patient", kMember}, {"date", "ge2018"}},
     {"4e114d8e-f67a-4926-b46c-cb8ebacae9ce", "8cffb578-7e91-464b-824b-d2acb0580c09",
      "ebf0a0b2-2932-4e3c-812f-6cfa2270563c", "f71940a6-89e4-48e7-8cf4-645d65bf9c93",
      "f852902d-3bb2-428d-a2a0-062d58000f03"},
     {},
     true},
    {"Location", {{"name", "holy"}}, {"hospital"}, {}, true},
    {"Location", {{"address", "amherst"}}, {"hl7east"}, {}, true},
    {"Location", {{"address-city", "amherst"}}, {"hl7east"}, {}, true},
    {"Location", {{"address-state", "MA"}}, {"hl7east", "hospital"}, {}, true},
    {"Location", {{"address-postalcode", "01844"}}, {"hospital"}, {}, true},
    {"MedicationRequest",
     {{"patient", "example"}, {"intent", "order"}, {"_include", "MedicationRequest:medication"}},
     {"medicationrequest-coded-oral-axid", "medicationrequest-contained-oral-axid",
      "medicationrequest-referenced-oral-axid"},
     {"Medication/uscore-med2"},
     true},
    {"MedicationRequest",
     {{"patient", "example"}, {"intent", "order,plan"}, {"status", "active"}},
     {"medicationrequest-coded-oral-axid", "medicationrequest-contained-oral-axid",
      "medicationrequest-referenced-oral-axid", "self-tylenol"},
     {},
     true},
    {"MedicationRequest",
     {{"patient", "example"}, {"intent", "plan"}, {"encounter", "Encounter/example-1"}},
     {"self-tylenol"},
     {},
     true},
    {"MedicationRequest",
     {{"patient", "example"}, {"intent", "order"}, {"authoredon", "2008-04-05"}},
     {"medicationrequest-coded-oral-axid", "medicationrequest-contained-oral-axid",
      "medicationrequest-referenced-oral-axid"},
     {},
     true},
    {"MedicationRequest",
     {{"patient", kMember}, {"intent", "order"}, {"_include", "MedicationRequest:medication"}},
     {"073a8f2a-0de8-4242-92c4-4011f9f11393", "0c8e21c4-c78e-4a3f-b944-9176f9468148",
      "71cdeb8e-e6de-4134-b02f-13544b6489fb", "cd477be2-6385-4fbb-8dd3-229466c49882",
      "d1667441-3350-4dbe-aa09-5a35bbb30f8f", "d74e85b2-38e7-4e03-8907-9152d72d0474",
      "fd8da9d2-75f7-44fb-8554-327145000000", "fda7cbd7-d37d-44e4-afcb-41220694b05a",
      "fe68a571-8ba2-4231-a4e6-d9a0064062a8"},
     {},
     true},
    {"Observation",
     {{"patient", "example"},
      {"category", "http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"}},
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "satO2-fiO2", "temperature", "weight"},
     {},
     true},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}, {"date", "ge2000"}},
     {"satO2-fiO2"},
     {},
     true},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}, {"status", "final"}},
     {"observation-occupation", "observation-occupation-industry-unknown",
      "observation-occupation-unknown", "pregnancy-intent", "pregnancy-status",
      "sexual-orientation-example", "some-day-smoker"},
     {},
     true},
    {"Observation",
     {{"patient", "example"}, {"code", "http://loinc.org|8867-4"}},
     {"heart-rate"},
     {},
     true},
    {"Observation",
     {{"patient", "example"}, {"code", "http://loinc.org|8867-4"}, {"date", "1999-07-02"}},
     {"heart-rate"},
     {},
     true},
    {"Observation",
     {{"patient", kMember}, {"code", "http://loinc.org|8302-2"}},
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "397157d2-140e-41ea-a09f-df6421499cb3",
      "71bc3f76-a752-4dfc-ba34-7e0a370f6268", "826e4fd9-2e41-4be9-9e5c-b06206c0887d",
      "b3adc430-bd04-42a3-b02f-39bb0742a138", "b6dea573-347b-48d2-bc43-30ac4c5ad119",
      "c3ec0cfa-597a-4352-8bfa-195422de097d", "cb20e57f-3d45-457f-b322-c85cd470c9c4",
      "d6608668-810b-4aff-af0c-17ef59c3e1fd", "d7fa7365-741e-4533-b5e3-9422ced195ae",
      "e2caadec-c2c4-492d-9e3e-99d7505d94ed"},
     {},
     true},
    {"Observation",
     {{"patient", kMember}, {"category", "vital-signs"}, {"date", "ge2020-01-01"}},
     {"6e3c5ca3-c3d7-4444-a9b1-8e5a1dfeb4fa", "a41aa81e-16e5-4c69-8016-7367f959e380",
      "b6dea573-347b-48d2-bc43-30ac4c5ad119", "dc65e432-5718-45ec-a8d9-69d8ae6de3a3",
      "fbd99788-c747-4d72-b199-c3bd60b48f75"},
     {},
     true},
    {"Organization",
     {{"name", "acme"}},
     {"acme-lab", "acme-payer", "example-organization-2"},
     {},
     true},
    {"Organization",
     {{"address", "boston"}},
     {"08bcda9c-f8c8-3244-82d4-fc306a7a55d3", "44bef9d3-91c2-3005-93e0-ccf436348ff0",
      "8b58cdd1-3d79-3126-8fe0-da2c54d6805c"},
     {},
     true},
    {"Patient", {{"_id", "example"}}, {"example"}, {}, true},
    {"Patient",
     {{"identifier", "http://hospital.smarthealthit.org|1032702"}},
     {"example", "example-targeted-provenance"},
     {},
     true},
    {"Patient",
     {{"name", "shaw"}},
     {"deceased-example", "example", "example-targeted-provenance"},
     {},
     true},
    {"Patient",
     {{"birthdate", "1987-02-20"}, {"name", "amy"}},
     {"example", "example-targeted-provenance"},
     {},
     true},
    {"Patient",
     {{"gender", "female"}, {"name", "shaw"}},
     {"deceased-example", "example", "example-targeted-provenance"},
     {},
     true},
    {"Patient",
     {{"family", "shaw"}, {"gender", "female"}},
     {"deceased-example", "example", "example-targeted-provenance"},
     {},
     true},
    {"Patient",
     {{"birthdate", "1953-06-02"}, {"family", "lemke"}},
     {"bf823ea4-d765-40f8-b243-bdfdb6521408"},
     {},
     true},
    {"Practitioner", {{"name", "bone"}}, {"practitioner-1"}, {}, true},
    {"Practitioner",
     {{"identifier", "http://hl7.org/fhir/sid/us-npi|9941339100"}},
     {"practitioner-1"},
     {},
     true},
    {"Procedure", {{"patient", "example"}}, {"defib-implant", "rehab"}, {}, true},
    {"Procedure", {{"patient", "example"}, {"date", "ge2019"}}, {"defib-implant"}, {}, true},
    {"Procedure",
     {{"patient", "example"}, {"code", "http://snomed.info/sct|24165007"}},
     {"rehab"},
     {},
     true},
    {"Procedure",
     {{"patient", "example"}, {"status", "completed"}},
     {"defib-implant", "rehab"},
     {},
     true},
    {"Procedure",
     {{"patient", kMember}, {"date", "ge2016"}},
     {"116d1bc4-d2f2-4626-8004-83fce08deb57", "3d8da851-18be-474e-8c68-485909492a74",
      "5d357094-eeeb-42e7-81c4-8d6fd8b3e791", "adf50757-0787-45cf-8d0c-6e1bcb2928b6",
      "bb7db0e3-3a82-4204-81d8-49c20a48f27c", "d57601b6-a78d-455b-ac9d-0665e1587360"},
     {},
     true},
    // US Core 6.1.0: Coverage and PractitionerRole
    {"Coverage", {{"patient", "Patient1"}}, {"Coverage1", "Coverage2"}, {}, true},
    {"Coverage",
     {{"patient", "example"}, {"_include", "Coverage:payor"}},
     {"coverage-example"},
     {"Organization/acme-payer"},
     true},
    {"PractitionerRole",
     {{"specialty", "http://nucc.org/provider-taxonomy|208D00000X"}},
     {"PractitionerRole-1"},
     {},
     true},
    {"PractitionerRole",
     {{"practitioner", "Practitioner/Practitioner-1011"},
      {"_include", "PractitionerRole:practitioner"}},
     {"PractitionerRole-1"},
     {"Practitioner/Practitioner-1011"},
     true},
    // _revinclude=Provenance:target on every clinical type (the probe Provenance names one of each)
    {"AllergyIntolerance",
     {{"patient", kMember},
      {"_id", "61f0bec2-fac3-48e6-9cad-ee10c4e1237e"},
      {"_revinclude", "Provenance:target"}},
     {"61f0bec2-fac3-48e6-9cad-ee10c4e1237e"},
     {"Provenance/uscore-probe"},
     true},
    {"CarePlan",
     {{"patient", kMember},
      {"_id", "4258ec92-9e94-47b7-9390-92c2ace1ae62,5ff4941e-1f51-446a-90b8-511c0e22ed8d"},
      {"_revinclude", "Provenance:target"}},
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "5ff4941e-1f51-446a-90b8-511c0e22ed8d"},
     {"Provenance/uscore-probe"},
     true},
    {"Condition",
     {{"patient", kMember},
      {"_id", "024e4a57-498d-44f5-a1d3-2efad384a57d,217df0ab-766b-4cd8-b8c7-aa9237d22ca0"},
      {"_revinclude", "Provenance:target"}},
     {"024e4a57-498d-44f5-a1d3-2efad384a57d", "217df0ab-766b-4cd8-b8c7-aa9237d22ca0"},
     {"Provenance/uscore-probe"},
     true},
    {"DiagnosticReport",
     {{"patient", kMember},
      {"_id", "0453755a-5dfc-446f-aaf5-cd46e55183e5,15950d17-04ad-45a4-9a01-07764d445e3f"},
      {"_revinclude", "Provenance:target"}},
     {"0453755a-5dfc-446f-aaf5-cd46e55183e5", "15950d17-04ad-45a4-9a01-07764d445e3f"},
     {"Provenance/uscore-probe"},
     true},
    {"Encounter",
     {{"patient", kMember},
      {"_id", "034396bb-08fc-4b6f-ab69-fef094a97706,1109ed2f-4fce-4f3f-a944-bf9142c62411"},
      {"_revinclude", "Provenance:target"}},
     {"034396bb-08fc-4b6f-ab69-fef094a97706", "1109ed2f-4fce-4f3f-a944-bf9142c62411"},
     {"Provenance/uscore-probe"},
     true},
    {"Goal",
     {{"patient", kMember},
      {"_id", "1fc37e0a-685a-42ae-a034-0eaac953d118,3fa818f8-76fd-466f-9b52-f38cb9df8bf5"},
      {"_revinclude", "Provenance:target"}},
     {"1fc37e0a-685a-42ae-a034-0eaac953d118", "3fa818f8-76fd-466f-9b52-f38cb9df8bf5"},
     {"Provenance/uscore-probe"},
     true},
    {"Immunization",
     {{"patient", kMember},
      {"_id", "02c981eb-8ada-46d7-8fff-d07394c176ec,34456830-a98d-41f8-8cec-5ced7923dd8d"},
      {"_revinclude", "Provenance:target"}},
     {"02c981eb-8ada-46d7-8fff-d07394c176ec", "34456830-a98d-41f8-8cec-5ced7923dd8d"},
     {"Provenance/uscore-probe"},
     true},
    {"MedicationRequest",
     {{"patient", kMember},
      {"_id", "073a8f2a-0de8-4242-92c4-4011f9f11393,0c8e21c4-c78e-4a3f-b944-9176f9468148"},
      {"_revinclude", "Provenance:target"}},
     {"073a8f2a-0de8-4242-92c4-4011f9f11393", "0c8e21c4-c78e-4a3f-b944-9176f9468148"},
     {"Provenance/uscore-probe"},
     true},
    {"Observation",
     {{"patient", kMember},
      {"_id", "035849dc-2cdd-4120-a8c5-fe76a282c821,0399e640-586f-45bc-aff5-2d120546b8fa"},
      {"_revinclude", "Provenance:target"}},
     {"035849dc-2cdd-4120-a8c5-fe76a282c821", "0399e640-586f-45bc-aff5-2d120546b8fa"},
     {"Provenance/uscore-probe"},
     true},
    {"Procedure",
     {{"patient", kMember},
      {"_id", "116d1bc4-d2f2-4626-8004-83fce08deb57,1f569c6a-90d6-4aad-b724-7beaacbab27f"},
      {"_revinclude", "Provenance:target"}},
     {"116d1bc4-d2f2-4626-8004-83fce08deb57", "1f569c6a-90d6-4aad-b724-7beaacbab27f"},
     {"Provenance/uscore-probe"},
     true},
    {"AllergyIntolerance",
     {{"patient", "example"}, {"_revinclude", "Provenance:target"}},
     {"79613", "example"},
     {"Provenance/79614"},
     true},
    {"Patient",
     {{"_id", "example"}, {"_revinclude", "Provenance:target"}},
     {"example"},
     {"Provenance/uscore-probe-example"},
     true},
    {"Device",
     {{"patient", "example"}, {"_revinclude", "Provenance:target"}},
     {"udi-1", "udi-2", "udi-3"},
     {"Provenance/uscore-probe-example"},
     true},
    {"DocumentReference",
     {{"patient", "example"},
      {"type", "http://loinc.org|18842-5"},
      {"_revinclude", "Provenance:target"}},
     {"discharge", "discharge-summary"},
     {"Provenance/uscore-probe-example"},
     true},
    {"CareTeam",
     {{"patient", "example"}, {"status", "active"}, {"_revinclude", "Provenance:target"}},
     {"example", "missing-coded-data-example"},
     {"Provenance/uscore-probe-example"},
     true},
    {"Coverage",
     {{"patient", "example"}, {"_revinclude", "Provenance:target"}},
     {"coverage-example"},
     {"Provenance/uscore-probe-example"},
     true},
    {"Organization",
     {{"name", "acme"}, {"_revinclude", "Provenance:target"}},
     {"acme-lab", "acme-payer", "example-organization-2"},
     {"Provenance/uscore-probe-directory"},
     true},
    {"Location",
     {{"name", "holy"}, {"_revinclude", "Provenance:target"}},
     {"hospital"},
     {"Provenance/uscore-probe-directory"},
     true},
    {"Practitioner",
     {{"name", "bone"}, {"_revinclude", "Provenance:target"}},
     {"practitioner-1"},
     {"Provenance/uscore-probe-directory"},
     true},
    {"PractitionerRole",
     {{"specialty", "208D00000X"},
      {"_include", "PractitionerRole:practitioner"},
      {"_revinclude", "Provenance:target"}},
     {"PractitionerRole-1"},
     {"Practitioner/Practitioner-1011", "Provenance/uscore-probe-directory"},
     true},
    // CARIN BB 2.0.0: ExplanationOfBenefit, every _include, and the reference resources
    {"ExplanationOfBenefit", {{"_id", "EOBOral1"}}, {"EOBOral1"}, {}, true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}},
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessional2", "EOBProfessionalNonFinancial2", "EOBProfessionalTransportation1",
      "EOBProfessionalTransportationNonFinancial1"},
     {},
     true},
    {"ExplanationOfBenefit",
     {{"patient", kMember}, {"service-date", "ge2019"}},
     {"21606ee5-d082-402c-93a9-0942a17a1bdf", "4b7b7d6d-74f6-4f5d-bbcc-352f368bc1ac",
      "843f36e1-3ae6-4aab-8161-8c056e71811c", "a8828ba3-63ef-4c8b-a106-f9760c865445",
      "b13fd20e-d35b-4dc7-8a9c-3615f7e72871"},
     {},
     true},
    {"ExplanationOfBenefit",
     {{"type", "http://terminology.hl7.org/CodeSystem/claim-type|pharmacy"}},
     {"EOBPharmacy1", "EOBPharmacyNonFinancial1"},
     {},
     true},
    {"ExplanationOfBenefit",
     {{"identifier", "https://www.upmchealthplan.com/fhir/EOBIdentifier|InpatientEOBExample1"}},
     {"EOBInpatient2", "EOBInpatientNonFinancial2"},
     {},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}, {"service-date", "2020"}},
     {"EOBOutpatient2", "EOBOutpatientNonFinancial2", "EOBProfessional2",
      "EOBProfessionalNonFinancial2"},
     {},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}, {"service-start-date", "2019-07-02"}},
     {"EOBPharmacy1", "EOBPharmacyNonFinancial1", "EOBProfessional1",
      "EOBProfessionalNonFinancial1"},
     {},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}, {"billable-period-start", "ge2019-10"}},
     {"EOBOral1", "EOBOral2", "EOBOralNonFinancial1", "EOBOralNonFinancial2", "EOBPharmacy1",
      "EOBPharmacyNonFinancial1"},
     {},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}, {"_include", "ExplanationOfBenefit:patient"}},
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessional2", "EOBProfessionalNonFinancial2", "EOBProfessionalTransportation1",
      "EOBProfessionalTransportationNonFinancial1"},
     {"Patient/Patient1"},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}, {"_include", "ExplanationOfBenefit:provider"}},
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessional2", "EOBProfessionalNonFinancial2", "EOBProfessionalTransportation1",
      "EOBProfessionalTransportationNonFinancial1"},
     {"Organization/ProviderOrganization1", "Organization/ProviderOrganization3",
      "Organization/ProviderOrganization5", "Organization/ProviderTransportationOrganization1"},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}, {"_include", "ExplanationOfBenefit:care-team"}},
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessional2", "EOBProfessionalNonFinancial2", "EOBProfessionalTransportation1",
      "EOBProfessionalTransportationNonFinancial1"},
     {"Organization/ProviderOrganization1", "Organization/ProviderTransportationOrganization1",
      "Practitioner/Practitioner1", "Practitioner/Practitioner2", "Practitioner/Practitioner3"},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}, {"_include", "ExplanationOfBenefit:coverage"}},
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessional2", "EOBProfessionalNonFinancial2", "EOBProfessionalTransportation1",
      "EOBProfessionalTransportationNonFinancial1"},
     {"Coverage/Coverage1", "Coverage/Coverage2"},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}, {"_include", "ExplanationOfBenefit:insurer"}},
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessional2", "EOBProfessionalNonFinancial2", "EOBProfessionalTransportation1",
      "EOBProfessionalTransportationNonFinancial1"},
     {"Organization/Payer2"},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}, {"_include", "ExplanationOfBenefit:payee"}},
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessional2", "EOBProfessionalNonFinancial2", "EOBProfessionalTransportation1",
      "EOBProfessionalTransportationNonFinancial1"},
     {"Organization/ProviderOrganization1", "Organization/ProviderOrganization4",
      "Organization/ProviderOrganization6", "Organization/ProviderTransportationOrganization1"},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}, {"_include", "ExplanationOfBenefit:*"}},
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessional2", "EOBProfessionalNonFinancial2", "EOBProfessionalTransportation1",
      "EOBProfessionalTransportationNonFinancial1"},
     {"Coverage/Coverage1", "Coverage/Coverage2", "Organization/Payer2",
      "Organization/ProviderOrganization1", "Organization/ProviderOrganization3",
      "Organization/ProviderOrganization4", "Organization/ProviderOrganization5",
      "Organization/ProviderOrganization6", "Organization/ProviderTransportationOrganization1",
      "Patient/Patient1", "Practitioner/Practitioner1", "Practitioner/Practitioner2",
      "Practitioner/Practitioner3"},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}, {"type", "oral"}, {"_include", "ExplanationOfBenefit:*"}},
     {"EOBOral1", "EOBOral2", "EOBOralNonFinancial1", "EOBOralNonFinancial2"},
     {"Coverage/CoverageDental1", "Organization/DentalPayer1", "Patient/Patient2",
      "Practitioner/PractitionerDentalProvider1"},
     true},
    {"Coverage",
     {{"_id", "Coverage1"}, {"_include", "Coverage:payor"}},
     {"Coverage1"},
     {"Organization/Payer2"},
     true},
    {"Coverage",
     {{"patient", "Patient2"}, {"_include", "Coverage:payor"}},
     {"Coverage3", "CoverageDental1"},
     {"Organization/DentalPayer1", "Organization/Payer1"},
     true},
    {"Patient", {{"_id", "Patient1"}}, {"Patient1"}, {}, true},
    {"Patient",
     {{"identifier",
       "https://www.xxxhealthplan.com/fhir/memberidentifier|1234-234-1243-12345678901"}},
     {"Patient1"},
     {},
     true},
    {"Organization", {{"_id", "Payer2"}}, {"Payer2"}, {}, true},
    {"Organization", {{"name", "UPMC"}}, {"Payer2"}, {}, true},
    {"Practitioner", {{"_id", "Practitioner1"}}, {"Practitioner1"}, {}, true},
    {"Practitioner",
     {{"identifier", "http://hl7.org/fhir/sid/us-npi|6667778880"}},
     {"Practitioner1"},
     {},
     true},
    // More US Core combinations: code, status, code+date, volume over the Synthea member
    {"Condition",
     {{"patient", "example"}, {"code", "http://snomed.info/sct|51868009"}},
     {"condition-duodenal-ulcer"},
     {},
     true},
    {"Condition",
     {{"patient", kMember}, {"code", "http://snomed.info/sct|444814009"}},
     {"ec4a21da-feda-476c-858c-fd5b1f1199f1"},
     {},
     true},
    {"Procedure",
     {{"patient", "example"},
      {"code", "http://www.ama-assn.org/go/cpt|33249"},
      {"date", "ge2019-03"}},
     {"defib-implant"},
     {},
     true},
    {"Immunization", {{"patient", "example"}, {"status", "completed"}}, {"imm-1"}, {}, true},
    {"DiagnosticReport",
     {{"patient", "example"}, {"status", "final"}},
     {"bone-density-report", "cardiology-report", "cbc", "chest-xray-report", "metabolic-panel"},
     {},
     true},
    {"DocumentReference",
     {{"patient", "example"}, {"status", "current"}},
     {"ccd123", "discharge", "discharge-summary", "episode-summary", "procedure-note123",
      "procedure-note456"},
     {},
     true},
    {"Observation",
     {{"patient", kMember}, {"code", "http://loinc.org|8302-2"}, {"date", "ge2018"}},
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "826e4fd9-2e41-4be9-9e5c-b06206c0887d",
      "b6dea573-347b-48d2-bc43-30ac4c5ad119", "e2caadec-c2c4-492d-9e3e-99d7505d94ed"},
     {},
     true},
    {"Encounter",
     {{"patient", kMember}, {"class", "AMB"}, {"date", "ge2018"}},
     {"034396bb-08fc-4b6f-ab69-fef094a97706", "28f19b42-b59d-4a5b-bcfc-48d5d5061562",
      "4f486708-ae4d-41fb-a144-773bd2a2934c", "69871b5e-0f65-4727-825c-45a780b8c137",
      "6a3177f2-af88-4354-8012-51a34e52fb16", "832db9cd-bdd3-4740-9a66-bdb175d9713e",
      "d261b7a3-c133-4620-8fe6-522dbdff6eea", "ed3b5388-e3d5-4a27-8b11-fe9b522df489"},
     {},
     true},
    {"Patient", {{"name", "elvina"}}, {"bf823ea4-d765-40f8-b243-bdfdb6521408"}, {}, true},
    {"Patient",
     {{"gender", "female"}, {"name", "elvina"}},
     {"bf823ea4-d765-40f8-b243-bdfdb6521408"},
     {},
     true},
    {"Patient",
     {{"identifier",
       "https://github.com/synthetichealth/synthea|f2a4f241-ad65-4a1b-8b54-b5717a2338b6"}},
     {"bf823ea4-d765-40f8-b243-bdfdb6521408"},
     {},
     true},
    // multipleAnd dates and multipleOr codes, as the CapabilityStatement expectations allow
    {"Observation",
     {{"patient", kMember},
      {"category", "vital-signs"},
      {"date", "ge2019-01-01"},
      {"date", "lt2020-01-01"}},
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "3e4960b7-02e8-4c8e-a0fb-740040905c35",
      "4d6163f5-2bd8-4cd8-beee-7d77eab2ec71", "78b925a7-1d62-498b-8c70-d9e6d0d5f050",
      "842545e3-8a42-46b1-99bd-1399530f823c", "d474c1df-a901-406c-af25-391b9c287e23",
      "e2caadec-c2c4-492d-9e3e-99d7505d94ed", "e6eddc31-2248-4098-a095-86c9d14b0c34",
      "eff51ae6-eb37-4829-9ce8-de740fc694ed", "ff7bb3dd-22bb-4937-acb7-507ab94d35e7"},
     {},
     true},
    {"Observation",
     {{"patient", kMember},
      {"code", "http://loinc.org|8302-2,http://loinc.org|29463-7"},
      {"date", "gt2019-06-25T14:59:16Z"}},
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "842545e3-8a42-46b1-99bd-1399530f823c",
      "b6dea573-347b-48d2-bc43-30ac4c5ad119", "dc65e432-5718-45ec-a8d9-69d8ae6de3a3"},
     {},
     true},
    {"Encounter",
     {{"patient", kMember}, {"date", "ge2017"}, {"date", "le2018"}},
     {"19f00be2-9df5-4a60-bc7c-765b643242ae", "20f3b415-316e-483a-baa4-0bdb74385adb",
      "4f486708-ae4d-41fb-a144-773bd2a2934c", "90660235-6978-45d4-a3ef-e00ef3339a25",
      "d261b7a3-c133-4620-8fe6-522dbdff6eea", "e31534d8-d773-46aa-ba0f-e3f9833e8053",
      "ed3b5388-e3d5-4a27-8b11-fe9b522df489"},
     {},
     true},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}, {"service-date", "ge2019-07-01"}, {"service-date", "lt2021-01-01"}},
     {"EOBInpatient1", "EOBInpatientNonFinancial1", "EOBOutpatient1", "EOBOutpatientNonFinancial1",
      "EOBPharmacy1", "EOBPharmacyNonFinancial1", "EOBProfessional1",
      "EOBProfessionalNonFinancial1"},
     {},
     true},
    {"ExplanationOfBenefit",
     {{"identifier", "ProfessionalEOBExample1"}},
     {"EOBProfessional2", "EOBProfessionalNonFinancial2"},
     {},
     true},

};

TEST_CASE("every required US Core and CARIN BB search finds exactly the expected resources",
          "[uscore]") {
  for (const Case& c : kCases) {
    Expect(c);
  }
}

TEST_CASE("the CapabilityStatement lists every parameter, include and revinclude used here",
          "[uscore]") {
  auto cs = json::Parse(Data().engine->Capabilities(Loaded::Ctx()).json);
  REQUIRE(cs.ok());
  std::map<std::string, std::set<std::string>>
      listed;  // type -> names, "include X", "revinclude X"
  for (const auto& r : (*cs)["rest"][0]["resource"].GetArray()) {
    std::set<std::string>& names = listed[std::string(*json::GetString(r, "type"))];
    for (const char* key : {"searchInclude", "searchRevInclude"}) {
      if (r.HasMember(key)) {
        for (const auto& i : r[key].GetArray()) {
          names.insert(absl::StrCat(key, " ", i.GetString()));
        }
      }
    }
    if (r.HasMember("searchParam")) {
      for (const auto& p : r["searchParam"].GetArray()) {
        names.insert(std::string(*json::GetString(p, "name")));
      }
    }
  }
  for (const Case& c : kCases) {
    for (const auto& [name, value] : c.params) {
      std::string wanted = name.substr(0, name.find(':'));
      if (name == "_include") {
        wanted = absl::StrCat("searchInclude ", value);
      } else if (name == "_revinclude") {
        wanted = absl::StrCat("searchRevInclude ", value);
      }
      INFO(c.type << ": " << wanted);
      CHECK(listed[c.type].contains(wanted));
    }
  }
}

struct DateCase {
  std::string type;
  Params params;
  std::string name;
  std::string value;
  Ids matches;
};

// Each prefix over dates, dateTimes, instants and Periods, at several precisions: eq (the
// resource's range within the value's), ne, gt/lt (the resource's range reaches above/below the
// value's), ge/le (those or eq), sa/eb (starts after / ends before the value's range).
const DateCase kDateCases[] = {
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "eq1999-07-02",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "temperature", "weight"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "ne1999-07-02",
     {"satO2-fiO2"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "gt1999-07-02",
     {"satO2-fiO2"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "lt1999-07-02",
     {}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "ge1999-07-02",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "satO2-fiO2", "temperature", "weight"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "le1999-07-02",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "temperature", "weight"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "sa1999-07-02",
     {"satO2-fiO2"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "eb1999-07-02",
     {}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "eq2014-12",
     {"satO2-fiO2"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "ne2014-12",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "temperature", "weight"}},
    {"Observation", {{"patient", "example"}, {"category", "vital-signs"}}, "date", "gt2014-12", {}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "lt2014-12",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "temperature", "weight"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "ge2014-12",
     {"satO2-fiO2"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "le2014-12",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "satO2-fiO2", "temperature", "weight"}},
    {"Observation", {{"patient", "example"}, {"category", "vital-signs"}}, "date", "sa2014-12", {}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "eb2014-12",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "temperature", "weight"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "eq2014-12-05T08:30:10Z",
     {"satO2-fiO2"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "ne2014-12-05T08:30:10Z",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "temperature", "weight"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "gt2014-12-05T08:30:10Z",
     {}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "lt2014-12-05T08:30:10Z",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "temperature", "weight"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "ge2014-12-05T08:30:10Z",
     {"satO2-fiO2"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "le2014-12-05T08:30:10Z",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "satO2-fiO2", "temperature", "weight"}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "sa2014-12-05T08:30:10Z",
     {}},
    {"Observation",
     {{"patient", "example"}, {"category", "vital-signs"}},
     "date",
     "eb2014-12-05T08:30:10Z",
     {"blood-pressure", "bmi", "bp-data-absent", "heart-rate", "height", "length",
      "oxygen-saturation", "respiratory-rate", "temperature", "weight"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "eq2016",
     {"cb20e57f-3d45-457f-b322-c85cd470c9c4"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "ne2016",
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "397157d2-140e-41ea-a09f-df6421499cb3",
      "71bc3f76-a752-4dfc-ba34-7e0a370f6268", "826e4fd9-2e41-4be9-9e5c-b06206c0887d",
      "b3adc430-bd04-42a3-b02f-39bb0742a138", "b6dea573-347b-48d2-bc43-30ac4c5ad119",
      "c3ec0cfa-597a-4352-8bfa-195422de097d", "d6608668-810b-4aff-af0c-17ef59c3e1fd",
      "d7fa7365-741e-4533-b5e3-9422ced195ae", "e2caadec-c2c4-492d-9e3e-99d7505d94ed"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "gt2016",
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "826e4fd9-2e41-4be9-9e5c-b06206c0887d",
      "b6dea573-347b-48d2-bc43-30ac4c5ad119", "d7fa7365-741e-4533-b5e3-9422ced195ae",
      "e2caadec-c2c4-492d-9e3e-99d7505d94ed"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "lt2016",
     {"397157d2-140e-41ea-a09f-df6421499cb3", "71bc3f76-a752-4dfc-ba34-7e0a370f6268",
      "b3adc430-bd04-42a3-b02f-39bb0742a138", "c3ec0cfa-597a-4352-8bfa-195422de097d",
      "d6608668-810b-4aff-af0c-17ef59c3e1fd"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "ge2016",
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "826e4fd9-2e41-4be9-9e5c-b06206c0887d",
      "b6dea573-347b-48d2-bc43-30ac4c5ad119", "cb20e57f-3d45-457f-b322-c85cd470c9c4",
      "d7fa7365-741e-4533-b5e3-9422ced195ae", "e2caadec-c2c4-492d-9e3e-99d7505d94ed"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "le2016",
     {"397157d2-140e-41ea-a09f-df6421499cb3", "71bc3f76-a752-4dfc-ba34-7e0a370f6268",
      "b3adc430-bd04-42a3-b02f-39bb0742a138", "c3ec0cfa-597a-4352-8bfa-195422de097d",
      "cb20e57f-3d45-457f-b322-c85cd470c9c4", "d6608668-810b-4aff-af0c-17ef59c3e1fd"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "sa2016",
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "826e4fd9-2e41-4be9-9e5c-b06206c0887d",
      "b6dea573-347b-48d2-bc43-30ac4c5ad119", "d7fa7365-741e-4533-b5e3-9422ced195ae",
      "e2caadec-c2c4-492d-9e3e-99d7505d94ed"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "eb2016",
     {"397157d2-140e-41ea-a09f-df6421499cb3", "71bc3f76-a752-4dfc-ba34-7e0a370f6268",
      "b3adc430-bd04-42a3-b02f-39bb0742a138", "c3ec0cfa-597a-4352-8bfa-195422de097d",
      "d6608668-810b-4aff-af0c-17ef59c3e1fd"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "eq2016-06-07",
     {"cb20e57f-3d45-457f-b322-c85cd470c9c4"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "ne2016-06-07",
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "397157d2-140e-41ea-a09f-df6421499cb3",
      "71bc3f76-a752-4dfc-ba34-7e0a370f6268", "826e4fd9-2e41-4be9-9e5c-b06206c0887d",
      "b3adc430-bd04-42a3-b02f-39bb0742a138", "b6dea573-347b-48d2-bc43-30ac4c5ad119",
      "c3ec0cfa-597a-4352-8bfa-195422de097d", "d6608668-810b-4aff-af0c-17ef59c3e1fd",
      "d7fa7365-741e-4533-b5e3-9422ced195ae", "e2caadec-c2c4-492d-9e3e-99d7505d94ed"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "gt2016-06-07",
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "826e4fd9-2e41-4be9-9e5c-b06206c0887d",
      "b6dea573-347b-48d2-bc43-30ac4c5ad119", "d7fa7365-741e-4533-b5e3-9422ced195ae",
      "e2caadec-c2c4-492d-9e3e-99d7505d94ed"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "lt2016-06-07",
     {"397157d2-140e-41ea-a09f-df6421499cb3", "71bc3f76-a752-4dfc-ba34-7e0a370f6268",
      "b3adc430-bd04-42a3-b02f-39bb0742a138", "c3ec0cfa-597a-4352-8bfa-195422de097d",
      "d6608668-810b-4aff-af0c-17ef59c3e1fd"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "ge2016-06-07",
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "826e4fd9-2e41-4be9-9e5c-b06206c0887d",
      "b6dea573-347b-48d2-bc43-30ac4c5ad119", "cb20e57f-3d45-457f-b322-c85cd470c9c4",
      "d7fa7365-741e-4533-b5e3-9422ced195ae", "e2caadec-c2c4-492d-9e3e-99d7505d94ed"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "le2016-06-07",
     {"397157d2-140e-41ea-a09f-df6421499cb3", "71bc3f76-a752-4dfc-ba34-7e0a370f6268",
      "b3adc430-bd04-42a3-b02f-39bb0742a138", "c3ec0cfa-597a-4352-8bfa-195422de097d",
      "cb20e57f-3d45-457f-b322-c85cd470c9c4", "d6608668-810b-4aff-af0c-17ef59c3e1fd"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "sa2016-06-07",
     {"0c6076ab-4f73-497b-87b6-3e52492ab93e", "826e4fd9-2e41-4be9-9e5c-b06206c0887d",
      "b6dea573-347b-48d2-bc43-30ac4c5ad119", "d7fa7365-741e-4533-b5e3-9422ced195ae",
      "e2caadec-c2c4-492d-9e3e-99d7505d94ed"}},
    {"Observation",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}, {"code", "8302-2"}},
     "date",
     "eb2016-06-07",
     {"397157d2-140e-41ea-a09f-df6421499cb3", "71bc3f76-a752-4dfc-ba34-7e0a370f6268",
      "b3adc430-bd04-42a3-b02f-39bb0742a138", "c3ec0cfa-597a-4352-8bfa-195422de097d",
      "d6608668-810b-4aff-af0c-17ef59c3e1fd"}},
    {"Encounter", {{"patient", "example"}}, "date", "eq2015-11-01", {"example-1"}},
    {"Encounter", {{"patient", "example"}}, "date", "ne2015-11-01", {"uscore-probe-encounter"}},
    {"Encounter", {{"patient", "example"}}, "date", "gt2015-11-01", {"uscore-probe-encounter"}},
    {"Encounter", {{"patient", "example"}}, "date", "lt2015-11-01", {}},
    {"Encounter",
     {{"patient", "example"}},
     "date",
     "ge2015-11-01",
     {"example-1", "uscore-probe-encounter"}},
    {"Encounter", {{"patient", "example"}}, "date", "le2015-11-01", {"example-1"}},
    {"Encounter", {{"patient", "example"}}, "date", "sa2015-11-01", {"uscore-probe-encounter"}},
    {"Encounter", {{"patient", "example"}}, "date", "eb2015-11-01", {}},
    {"Encounter", {{"patient", "example"}}, "date", "eq2015-11-01T22:30:00Z", {}},
    {"Encounter",
     {{"patient", "example"}},
     "date",
     "ne2015-11-01T22:30:00Z",
     {"example-1", "uscore-probe-encounter"}},
    {"Encounter",
     {{"patient", "example"}},
     "date",
     "gt2015-11-01T22:30:00Z",
     {"example-1", "uscore-probe-encounter"}},
    {"Encounter", {{"patient", "example"}}, "date", "lt2015-11-01T22:30:00Z", {"example-1"}},
    {"Encounter",
     {{"patient", "example"}},
     "date",
     "ge2015-11-01T22:30:00Z",
     {"example-1", "uscore-probe-encounter"}},
    {"Encounter", {{"patient", "example"}}, "date", "le2015-11-01T22:30:00Z", {"example-1"}},
    {"Encounter",
     {{"patient", "example"}},
     "date",
     "sa2015-11-01T22:30:00Z",
     {"uscore-probe-encounter"}},
    {"Encounter", {{"patient", "example"}}, "date", "eb2015-11-01T22:30:00Z", {}},
    {"Encounter",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "eq2019",
     {"034396bb-08fc-4b6f-ab69-fef094a97706", "69871b5e-0f65-4727-825c-45a780b8c137",
      "6a3177f2-af88-4354-8012-51a34e52fb16", "832db9cd-bdd3-4740-9a66-bdb175d9713e"}},
    {"Encounter",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "ne2019",
     {"1109ed2f-4fce-4f3f-a944-bf9142c62411", "15890d58-70b8-4bef-af22-d9c24ebf7d6b",
      "19f00be2-9df5-4a60-bc7c-765b643242ae", "20f3b415-316e-483a-baa4-0bdb74385adb",
      "24138793-9ce0-4b83-8dfe-a18d195f7edd", "28f19b42-b59d-4a5b-bcfc-48d5d5061562",
      "387f3095-08ca-4c91-94d4-332bb6af6a72", "3c841cf5-af71-4ada-8478-fd9631c6e995",
      "435528e4-e397-47b9-8e73-6be65e9b9276", "4f486708-ae4d-41fb-a144-773bd2a2934c",
      "505ee98d-00c1-4a22-aefa-23877622e37c", "5c50b111-ee04-40af-8fc1-c4ca6e71c3de",
      "71e3880b-d517-497f-97b1-2cca7d1569d6", "89086d21-5452-40ee-9d41-4e0c5d907fcc",
      "90660235-6978-45d4-a3ef-e00ef3339a25", "97d917d5-cc39-49bc-aee4-c59b74bbe46f",
      "9e4746e3-7992-4c18-b148-e63562df9964", "9efbe130-5f87-45bb-9b06-89953f336f4a",
      "d261b7a3-c133-4620-8fe6-522dbdff6eea", "e2a6a9ef-360d-4bca-8b9e-cedad4da2e60",
      "e31534d8-d773-46aa-ba0f-e3f9833e8053", "e63ca162-8f63-4345-881b-c21729ad4021",
      "ed3b5388-e3d5-4a27-8b11-fe9b522df489", "f3ec8902-e287-45da-8b76-d67cfeebd631"}},
    {"Encounter",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "gt2019",
     {"28f19b42-b59d-4a5b-bcfc-48d5d5061562"}},
    {"Encounter",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "lt2019",
     {"1109ed2f-4fce-4f3f-a944-bf9142c62411", "15890d58-70b8-4bef-af22-d9c24ebf7d6b",
      "19f00be2-9df5-4a60-bc7c-765b643242ae", "20f3b415-316e-483a-baa4-0bdb74385adb",
      "24138793-9ce0-4b83-8dfe-a18d195f7edd", "387f3095-08ca-4c91-94d4-332bb6af6a72",
      "3c841cf5-af71-4ada-8478-fd9631c6e995", "435528e4-e397-47b9-8e73-6be65e9b9276",
      "4f486708-ae4d-41fb-a144-773bd2a2934c", "505ee98d-00c1-4a22-aefa-23877622e37c",
      "5c50b111-ee04-40af-8fc1-c4ca6e71c3de", "71e3880b-d517-497f-97b1-2cca7d1569d6",
      "89086d21-5452-40ee-9d41-4e0c5d907fcc", "90660235-6978-45d4-a3ef-e00ef3339a25",
      "97d917d5-cc39-49bc-aee4-c59b74bbe46f", "9e4746e3-7992-4c18-b148-e63562df9964",
      "9efbe130-5f87-45bb-9b06-89953f336f4a", "d261b7a3-c133-4620-8fe6-522dbdff6eea",
      "e2a6a9ef-360d-4bca-8b9e-cedad4da2e60", "e31534d8-d773-46aa-ba0f-e3f9833e8053",
      "e63ca162-8f63-4345-881b-c21729ad4021", "ed3b5388-e3d5-4a27-8b11-fe9b522df489",
      "f3ec8902-e287-45da-8b76-d67cfeebd631"}},
    {"Encounter",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "ge2019",
     {"034396bb-08fc-4b6f-ab69-fef094a97706", "28f19b42-b59d-4a5b-bcfc-48d5d5061562",
      "69871b5e-0f65-4727-825c-45a780b8c137", "6a3177f2-af88-4354-8012-51a34e52fb16",
      "832db9cd-bdd3-4740-9a66-bdb175d9713e"}},
    {"Encounter",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "le2019",
     {"034396bb-08fc-4b6f-ab69-fef094a97706", "1109ed2f-4fce-4f3f-a944-bf9142c62411",
      "15890d58-70b8-4bef-af22-d9c24ebf7d6b", "19f00be2-9df5-4a60-bc7c-765b643242ae",
      "20f3b415-316e-483a-baa4-0bdb74385adb", "24138793-9ce0-4b83-8dfe-a18d195f7edd",
      "387f3095-08ca-4c91-94d4-332bb6af6a72", "3c841cf5-af71-4ada-8478-fd9631c6e995",
      "435528e4-e397-47b9-8e73-6be65e9b9276", "4f486708-ae4d-41fb-a144-773bd2a2934c",
      "505ee98d-00c1-4a22-aefa-23877622e37c", "5c50b111-ee04-40af-8fc1-c4ca6e71c3de",
      "69871b5e-0f65-4727-825c-45a780b8c137", "6a3177f2-af88-4354-8012-51a34e52fb16",
      "71e3880b-d517-497f-97b1-2cca7d1569d6", "832db9cd-bdd3-4740-9a66-bdb175d9713e",
      "89086d21-5452-40ee-9d41-4e0c5d907fcc", "90660235-6978-45d4-a3ef-e00ef3339a25",
      "97d917d5-cc39-49bc-aee4-c59b74bbe46f", "9e4746e3-7992-4c18-b148-e63562df9964",
      "9efbe130-5f87-45bb-9b06-89953f336f4a", "d261b7a3-c133-4620-8fe6-522dbdff6eea",
      "e2a6a9ef-360d-4bca-8b9e-cedad4da2e60", "e31534d8-d773-46aa-ba0f-e3f9833e8053",
      "e63ca162-8f63-4345-881b-c21729ad4021", "ed3b5388-e3d5-4a27-8b11-fe9b522df489",
      "f3ec8902-e287-45da-8b76-d67cfeebd631"}},
    {"Encounter",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "sa2019",
     {"28f19b42-b59d-4a5b-bcfc-48d5d5061562"}},
    {"Encounter",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "eb2019",
     {"1109ed2f-4fce-4f3f-a944-bf9142c62411", "15890d58-70b8-4bef-af22-d9c24ebf7d6b",
      "19f00be2-9df5-4a60-bc7c-765b643242ae", "20f3b415-316e-483a-baa4-0bdb74385adb",
      "24138793-9ce0-4b83-8dfe-a18d195f7edd", "387f3095-08ca-4c91-94d4-332bb6af6a72",
      "3c841cf5-af71-4ada-8478-fd9631c6e995", "435528e4-e397-47b9-8e73-6be65e9b9276",
      "4f486708-ae4d-41fb-a144-773bd2a2934c", "505ee98d-00c1-4a22-aefa-23877622e37c",
      "5c50b111-ee04-40af-8fc1-c4ca6e71c3de", "71e3880b-d517-497f-97b1-2cca7d1569d6",
      "89086d21-5452-40ee-9d41-4e0c5d907fcc", "90660235-6978-45d4-a3ef-e00ef3339a25",
      "97d917d5-cc39-49bc-aee4-c59b74bbe46f", "9e4746e3-7992-4c18-b148-e63562df9964",
      "9efbe130-5f87-45bb-9b06-89953f336f4a", "d261b7a3-c133-4620-8fe6-522dbdff6eea",
      "e2a6a9ef-360d-4bca-8b9e-cedad4da2e60", "e31534d8-d773-46aa-ba0f-e3f9833e8053",
      "e63ca162-8f63-4345-881b-c21729ad4021", "ed3b5388-e3d5-4a27-8b11-fe9b522df489",
      "f3ec8902-e287-45da-8b76-d67cfeebd631"}},
    {"Procedure", {{"patient", "example"}}, "date", "eq2019-03-26", {"defib-implant"}},
    {"Procedure", {{"patient", "example"}}, "date", "ne2019-03-26", {"rehab"}},
    {"Procedure", {{"patient", "example"}}, "date", "gt2019-03-26", {}},
    {"Procedure", {{"patient", "example"}}, "date", "lt2019-03-26", {"rehab"}},
    {"Procedure", {{"patient", "example"}}, "date", "ge2019-03-26", {"defib-implant"}},
    {"Procedure", {{"patient", "example"}}, "date", "le2019-03-26", {"defib-implant", "rehab"}},
    {"Procedure", {{"patient", "example"}}, "date", "sa2019-03-26", {}},
    {"Procedure", {{"patient", "example"}}, "date", "eb2019-03-26", {"rehab"}},
    {"Procedure", {{"patient", "example"}}, "date", "eq2002-05-23", {"rehab"}},
    {"Procedure", {{"patient", "example"}}, "date", "ne2002-05-23", {"defib-implant"}},
    {"Procedure", {{"patient", "example"}}, "date", "gt2002-05-23", {"defib-implant"}},
    {"Procedure", {{"patient", "example"}}, "date", "lt2002-05-23", {}},
    {"Procedure", {{"patient", "example"}}, "date", "ge2002-05-23", {"defib-implant", "rehab"}},
    {"Procedure", {{"patient", "example"}}, "date", "le2002-05-23", {"rehab"}},
    {"Procedure", {{"patient", "example"}}, "date", "sa2002-05-23", {"defib-implant"}},
    {"Procedure", {{"patient", "example"}}, "date", "eb2002-05-23", {}},
    {"Condition",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "onset-date",
     "eq2013-05",
     {"217df0ab-766b-4cd8-b8c7-aa9237d22ca0", "f378e9ca-694f-47fa-9920-de34c8700e96"}},
    {"Condition",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "onset-date",
     "ne2013-05",
     {"024e4a57-498d-44f5-a1d3-2efad384a57d", "394af8ef-43a2-40dd-916d-57120241c043",
      "95ceb7bb-c867-476c-a2f4-b1d8b5686cf9", "ac1c5a92-52a7-453f-a70d-0f7d8e543aed",
      "d020da27-f5ff-4b4b-bde6-4e0d2eee0da8", "e6e7a58c-f80d-4871-a33e-304e3db3c770",
      "ec4a21da-feda-476c-858c-fd5b1f1199f1", "f28534df-7850-408a-9477-eadd3cfaf616",
      "f5b423a4-5929-4706-ae92-2244ccccf4ea", "fd02cde3-fbda-4583-bf83-fd50bfd38a60"}},
    {"Condition",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "onset-date",
     "gt2013-05",
     {"95ceb7bb-c867-476c-a2f4-b1d8b5686cf9", "ac1c5a92-52a7-453f-a70d-0f7d8e543aed",
      "d020da27-f5ff-4b4b-bde6-4e0d2eee0da8", "e6e7a58c-f80d-4871-a33e-304e3db3c770",
      "ec4a21da-feda-476c-858c-fd5b1f1199f1", "fd02cde3-fbda-4583-bf83-fd50bfd38a60"}},
    {"Condition",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "onset-date",
     "lt2013-05",
     {"024e4a57-498d-44f5-a1d3-2efad384a57d", "394af8ef-43a2-40dd-916d-57120241c043",
      "f28534df-7850-408a-9477-eadd3cfaf616", "f5b423a4-5929-4706-ae92-2244ccccf4ea"}},
    {"Condition",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "onset-date",
     "ge2013-05",
     {"217df0ab-766b-4cd8-b8c7-aa9237d22ca0", "95ceb7bb-c867-476c-a2f4-b1d8b5686cf9",
      "ac1c5a92-52a7-453f-a70d-0f7d8e543aed", "d020da27-f5ff-4b4b-bde6-4e0d2eee0da8",
      "e6e7a58c-f80d-4871-a33e-304e3db3c770", "ec4a21da-feda-476c-858c-fd5b1f1199f1",
      "f378e9ca-694f-47fa-9920-de34c8700e96", "fd02cde3-fbda-4583-bf83-fd50bfd38a60"}},
    {"Condition",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "onset-date",
     "le2013-05",
     {"024e4a57-498d-44f5-a1d3-2efad384a57d", "217df0ab-766b-4cd8-b8c7-aa9237d22ca0",
      "394af8ef-43a2-40dd-916d-57120241c043", "f28534df-7850-408a-9477-eadd3cfaf616",
      "f378e9ca-694f-47fa-9920-de34c8700e96", "f5b423a4-5929-4706-ae92-2244ccccf4ea"}},
    {"Condition",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "onset-date",
     "sa2013-05",
     {"95ceb7bb-c867-476c-a2f4-b1d8b5686cf9", "ac1c5a92-52a7-453f-a70d-0f7d8e543aed",
      "d020da27-f5ff-4b4b-bde6-4e0d2eee0da8", "e6e7a58c-f80d-4871-a33e-304e3db3c770",
      "ec4a21da-feda-476c-858c-fd5b1f1199f1", "fd02cde3-fbda-4583-bf83-fd50bfd38a60"}},
    {"Condition",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "onset-date",
     "eb2013-05",
     {"024e4a57-498d-44f5-a1d3-2efad384a57d", "394af8ef-43a2-40dd-916d-57120241c043",
      "f28534df-7850-408a-9477-eadd3cfaf616", "f5b423a4-5929-4706-ae92-2244ccccf4ea"}},
    {"Immunization",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "eq2018",
     {"f71940a6-89e4-48e7-8cf4-645d65bf9c93", "f852902d-3bb2-428d-a2a0-062d58000f03"}},
    {"Immunization",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "ne2018",
     {"02c981eb-8ada-46d7-8fff-d07394c176ec", "34456830-a98d-41f8-8cec-5ced7923dd8d",
      "48bbd17c-76a0-4ecb-9fa1-2b272ba1b601", "4e114d8e-f67a-4926-b46c-cb8ebacae9ce",
      "877b2343-a5b0-47a4-85b9-1636f0b93077", "8cffb578-7e91-464b-824b-d2acb0580c09",
      "c6e1c5ed-517e-491a-b1ed-42d6fbd9096a", "d3709238-bf4c-4ba6-97df-aef2e5930806",
      "ebf0a0b2-2932-4e3c-812f-6cfa2270563c", "f10603ff-95ce-4f30-8f28-ec45f558b94d"}},
    {"Immunization",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "gt2018",
     {"4e114d8e-f67a-4926-b46c-cb8ebacae9ce", "8cffb578-7e91-464b-824b-d2acb0580c09",
      "ebf0a0b2-2932-4e3c-812f-6cfa2270563c"}},
    {"Immunization",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "lt2018",
     {"02c981eb-8ada-46d7-8fff-d07394c176ec", "34456830-a98d-41f8-8cec-5ced7923dd8d",
      "48bbd17c-76a0-4ecb-9fa1-2b272ba1b601", "877b2343-a5b0-47a4-85b9-1636f0b93077",
      "c6e1c5ed-517e-491a-b1ed-42d6fbd9096a", "d3709238-bf4c-4ba6-97df-aef2e5930806",
      "f10603ff-95ce-4f30-8f28-ec45f558b94d"}},
    {"Immunization",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "ge2018",
     {"4e114d8e-f67a-4926-b46c-cb8ebacae9ce", "8cffb578-7e91-464b-824b-d2acb0580c09",
      "ebf0a0b2-2932-4e3c-812f-6cfa2270563c", "f71940a6-89e4-48e7-8cf4-645d65bf9c93",
      "f852902d-3bb2-428d-a2a0-062d58000f03"}},
    {"Immunization",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "le2018",
     {"02c981eb-8ada-46d7-8fff-d07394c176ec", "34456830-a98d-41f8-8cec-5ced7923dd8d",
      "48bbd17c-76a0-4ecb-9fa1-2b272ba1b601", "877b2343-a5b0-47a4-85b9-1636f0b93077",
      "c6e1c5ed-517e-491a-b1ed-42d6fbd9096a", "d3709238-bf4c-4ba6-97df-aef2e5930806",
      "f10603ff-95ce-4f30-8f28-ec45f558b94d", "f71940a6-89e4-48e7-8cf4-645d65bf9c93",
      "f852902d-3bb2-428d-a2a0-062d58000f03"}},
    {"Immunization",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "sa2018",
     {"4e114d8e-f67a-4926-b46c-cb8ebacae9ce", "8cffb578-7e91-464b-824b-d2acb0580c09",
      "ebf0a0b2-2932-4e3c-812f-6cfa2270563c"}},
    {"Immunization",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "eb2018",
     {"02c981eb-8ada-46d7-8fff-d07394c176ec", "34456830-a98d-41f8-8cec-5ced7923dd8d",
      "48bbd17c-76a0-4ecb-9fa1-2b272ba1b601", "877b2343-a5b0-47a4-85b9-1636f0b93077",
      "c6e1c5ed-517e-491a-b1ed-42d6fbd9096a", "d3709238-bf4c-4ba6-97df-aef2e5930806",
      "f10603ff-95ce-4f30-8f28-ec45f558b94d"}},
    {"MedicationRequest",
     {{"patient", "example"}},
     "authoredon",
     "eq2008-04-05",
     {"medicationrequest-coded-oral-axid", "medicationrequest-contained-oral-axid",
      "medicationrequest-referenced-oral-axid"}},
    {"MedicationRequest", {{"patient", "example"}}, "authoredon", "ne2008-04-05", {"self-tylenol"}},
    {"MedicationRequest", {{"patient", "example"}}, "authoredon", "gt2008-04-05", {"self-tylenol"}},
    {"MedicationRequest", {{"patient", "example"}}, "authoredon", "lt2008-04-05", {}},
    {"MedicationRequest",
     {{"patient", "example"}},
     "authoredon",
     "ge2008-04-05",
     {"medicationrequest-coded-oral-axid", "medicationrequest-contained-oral-axid",
      "medicationrequest-referenced-oral-axid", "self-tylenol"}},
    {"MedicationRequest",
     {{"patient", "example"}},
     "authoredon",
     "le2008-04-05",
     {"medicationrequest-coded-oral-axid", "medicationrequest-contained-oral-axid",
      "medicationrequest-referenced-oral-axid"}},
    {"MedicationRequest", {{"patient", "example"}}, "authoredon", "sa2008-04-05", {"self-tylenol"}},
    {"MedicationRequest", {{"patient", "example"}}, "authoredon", "eb2008-04-05", {}},
    {"DiagnosticReport", {{"patient", "example"}}, "date", "eq2005-07-05", {"cbc"}},
    {"DiagnosticReport",
     {{"patient", "example"}},
     "date",
     "ne2005-07-05",
     {"bone-density-report", "cardiology-report", "chest-xray-report", "metabolic-panel"}},
    {"DiagnosticReport",
     {{"patient", "example"}},
     "date",
     "gt2005-07-05",
     {"bone-density-report", "cardiology-report", "chest-xray-report"}},
    {"DiagnosticReport", {{"patient", "example"}}, "date", "lt2005-07-05", {"metabolic-panel"}},
    {"DiagnosticReport",
     {{"patient", "example"}},
     "date",
     "ge2005-07-05",
     {"bone-density-report", "cardiology-report", "cbc", "chest-xray-report"}},
    {"DiagnosticReport",
     {{"patient", "example"}},
     "date",
     "le2005-07-05",
     {"cbc", "metabolic-panel"}},
    {"DiagnosticReport",
     {{"patient", "example"}},
     "date",
     "sa2005-07-05",
     {"bone-density-report", "cardiology-report", "chest-xray-report"}},
    {"DiagnosticReport", {{"patient", "example"}}, "date", "eb2005-07-05", {"metabolic-panel"}},
    {"CarePlan", {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}}, "date", "eq2012-09-10", {}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "ne2012-09-10",
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "5ff4941e-1f51-446a-90b8-511c0e22ed8d",
      "69c2ceb7-9f5b-4c18-8afd-e5df8d40d325", "9a3fc74b-f6a4-4fb8-bfc7-730056153aac",
      "d2e43f5d-9b24-4f4c-889f-cbb40ba767a1", "e0256622-77bd-432f-a9a9-1f6bb97bf1e9",
      "f7457eb6-aed5-407b-9182-9a24187532d0"}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "gt2012-09-10",
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "5ff4941e-1f51-446a-90b8-511c0e22ed8d",
      "69c2ceb7-9f5b-4c18-8afd-e5df8d40d325", "d2e43f5d-9b24-4f4c-889f-cbb40ba767a1",
      "e0256622-77bd-432f-a9a9-1f6bb97bf1e9", "f7457eb6-aed5-407b-9182-9a24187532d0"}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "lt2012-09-10",
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "9a3fc74b-f6a4-4fb8-bfc7-730056153aac",
      "e0256622-77bd-432f-a9a9-1f6bb97bf1e9", "f7457eb6-aed5-407b-9182-9a24187532d0"}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "ge2012-09-10",
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "5ff4941e-1f51-446a-90b8-511c0e22ed8d",
      "69c2ceb7-9f5b-4c18-8afd-e5df8d40d325", "d2e43f5d-9b24-4f4c-889f-cbb40ba767a1",
      "e0256622-77bd-432f-a9a9-1f6bb97bf1e9", "f7457eb6-aed5-407b-9182-9a24187532d0"}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "le2012-09-10",
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "9a3fc74b-f6a4-4fb8-bfc7-730056153aac",
      "e0256622-77bd-432f-a9a9-1f6bb97bf1e9", "f7457eb6-aed5-407b-9182-9a24187532d0"}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "sa2012-09-10",
     {"5ff4941e-1f51-446a-90b8-511c0e22ed8d", "69c2ceb7-9f5b-4c18-8afd-e5df8d40d325",
      "d2e43f5d-9b24-4f4c-889f-cbb40ba767a1"}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "eb2012-09-10",
     {"9a3fc74b-f6a4-4fb8-bfc7-730056153aac"}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "eq2022-04-10",
     {}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "ne2022-04-10",
     {"observation-occupation", "observation-occupation-industry-unknown",
      "observation-occupation-unknown", "pregnancy-intent", "pregnancy-status",
      "sexual-orientation-example", "some-day-smoker"}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "gt2022-04-10",
     {"observation-occupation", "observation-occupation-industry-unknown",
      "observation-occupation-unknown", "pregnancy-intent", "pregnancy-status"}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "lt2022-04-10",
     {"observation-occupation", "sexual-orientation-example", "some-day-smoker"}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "ge2022-04-10",
     {"observation-occupation", "observation-occupation-industry-unknown",
      "observation-occupation-unknown", "pregnancy-intent", "pregnancy-status"}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "le2022-04-10",
     {"observation-occupation", "sexual-orientation-example", "some-day-smoker"}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "sa2022-04-10",
     {"pregnancy-intent", "pregnancy-status"}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "eb2022-04-10",
     {"sexual-orientation-example", "some-day-smoker"}},
    {"Observation", {{"patient", "example"}, {"category", "social-history"}}, "date", "eq2015", {}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "ne2015",
     {"observation-occupation", "observation-occupation-industry-unknown",
      "observation-occupation-unknown", "pregnancy-intent", "pregnancy-status",
      "sexual-orientation-example", "some-day-smoker"}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "gt2015",
     {"observation-occupation", "observation-occupation-industry-unknown",
      "observation-occupation-unknown", "pregnancy-intent", "pregnancy-status",
      "sexual-orientation-example", "some-day-smoker"}},
    {"Observation", {{"patient", "example"}, {"category", "social-history"}}, "date", "lt2015", {}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "ge2015",
     {"observation-occupation", "observation-occupation-industry-unknown",
      "observation-occupation-unknown", "pregnancy-intent", "pregnancy-status",
      "sexual-orientation-example", "some-day-smoker"}},
    {"Observation", {{"patient", "example"}, {"category", "social-history"}}, "date", "le2015", {}},
    {"Observation",
     {{"patient", "example"}, {"category", "social-history"}},
     "date",
     "sa2015",
     {"observation-occupation-industry-unknown", "observation-occupation-unknown",
      "pregnancy-intent", "pregnancy-status", "sexual-orientation-example", "some-day-smoker"}},
    {"Observation", {{"patient", "example"}, {"category", "social-history"}}, "date", "eb2015", {}},
    {"CarePlan", {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}}, "date", "eq2020", {}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "ne2020",
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "5ff4941e-1f51-446a-90b8-511c0e22ed8d",
      "69c2ceb7-9f5b-4c18-8afd-e5df8d40d325", "9a3fc74b-f6a4-4fb8-bfc7-730056153aac",
      "d2e43f5d-9b24-4f4c-889f-cbb40ba767a1", "e0256622-77bd-432f-a9a9-1f6bb97bf1e9",
      "f7457eb6-aed5-407b-9182-9a24187532d0"}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "gt2020",
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "f7457eb6-aed5-407b-9182-9a24187532d0"}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "lt2020",
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "5ff4941e-1f51-446a-90b8-511c0e22ed8d",
      "69c2ceb7-9f5b-4c18-8afd-e5df8d40d325", "9a3fc74b-f6a4-4fb8-bfc7-730056153aac",
      "d2e43f5d-9b24-4f4c-889f-cbb40ba767a1", "e0256622-77bd-432f-a9a9-1f6bb97bf1e9",
      "f7457eb6-aed5-407b-9182-9a24187532d0"}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "ge2020",
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "f7457eb6-aed5-407b-9182-9a24187532d0"}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "le2020",
     {"4258ec92-9e94-47b7-9390-92c2ace1ae62", "5ff4941e-1f51-446a-90b8-511c0e22ed8d",
      "69c2ceb7-9f5b-4c18-8afd-e5df8d40d325", "9a3fc74b-f6a4-4fb8-bfc7-730056153aac",
      "d2e43f5d-9b24-4f4c-889f-cbb40ba767a1", "e0256622-77bd-432f-a9a9-1f6bb97bf1e9",
      "f7457eb6-aed5-407b-9182-9a24187532d0"}},
    {"CarePlan", {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}}, "date", "sa2020", {}},
    {"CarePlan",
     {{"patient", "bf823ea4-d765-40f8-b243-bdfdb6521408"}},
     "date",
     "eb2020",
     {"5ff4941e-1f51-446a-90b8-511c0e22ed8d", "69c2ceb7-9f5b-4c18-8afd-e5df8d40d325",
      "9a3fc74b-f6a4-4fb8-bfc7-730056153aac", "e0256622-77bd-432f-a9a9-1f6bb97bf1e9"}},
    {"Goal", {{"patient", "example"}}, "target-date", "eq2016-04-05", {"goal-1"}},
    {"Goal", {{"patient", "example"}}, "target-date", "ne2016-04-05", {"goal-sdoh-2"}},
    {"Goal", {{"patient", "example"}}, "target-date", "gt2016-04-05", {"goal-sdoh-2"}},
    {"Goal", {{"patient", "example"}}, "target-date", "lt2016-04-05", {}},
    {"Goal", {{"patient", "example"}}, "target-date", "ge2016-04-05", {"goal-1", "goal-sdoh-2"}},
    {"Goal", {{"patient", "example"}}, "target-date", "le2016-04-05", {"goal-1"}},
    {"Goal", {{"patient", "example"}}, "target-date", "sa2016-04-05", {"goal-sdoh-2"}},
    {"Goal", {{"patient", "example"}}, "target-date", "eb2016-04-05", {}},
    {"DocumentReference",
     {{"patient", "example"}},
     "date",
     "eq2022-11-18",
     {"discharge", "procedure-note123", "procedure-note456"}},
    {"DocumentReference",
     {{"patient", "example"}},
     "date",
     "ne2022-11-18",
     {"ccd123", "episode-summary"}},
    {"DocumentReference", {{"patient", "example"}}, "date", "gt2022-11-18", {}},
    {"DocumentReference",
     {{"patient", "example"}},
     "date",
     "lt2022-11-18",
     {"ccd123", "episode-summary"}},
    {"DocumentReference",
     {{"patient", "example"}},
     "date",
     "ge2022-11-18",
     {"discharge", "procedure-note123", "procedure-note456"}},
    {"DocumentReference",
     {{"patient", "example"}},
     "date",
     "le2022-11-18",
     {"ccd123", "discharge", "episode-summary", "procedure-note123", "procedure-note456"}},
    {"DocumentReference", {{"patient", "example"}}, "date", "sa2022-11-18", {}},
    {"DocumentReference",
     {{"patient", "example"}},
     "date",
     "eb2022-11-18",
     {"ccd123", "episode-summary"}},
    {"Patient",
     {{"family", "shaw"}},
     "birthdate",
     "eq1987",
     {"example", "example-targeted-provenance"}},
    {"Patient", {{"family", "shaw"}}, "birthdate", "ne1987", {"deceased-example"}},
    {"Patient", {{"family", "shaw"}}, "birthdate", "gt1987", {}},
    {"Patient", {{"family", "shaw"}}, "birthdate", "lt1987", {"deceased-example"}},
    {"Patient",
     {{"family", "shaw"}},
     "birthdate",
     "ge1987",
     {"example", "example-targeted-provenance"}},
    {"Patient",
     {{"family", "shaw"}},
     "birthdate",
     "le1987",
     {"deceased-example", "example", "example-targeted-provenance"}},
    {"Patient", {{"family", "shaw"}}, "birthdate", "sa1987", {}},
    {"Patient", {{"family", "shaw"}}, "birthdate", "eb1987", {"deceased-example"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}},
     "service-date",
     "eq2020-08-04",
     {"EOBProfessional2", "EOBProfessionalNonFinancial2"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}},
     "service-date",
     "ne2020-08-04",
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessionalTransportation1", "EOBProfessionalTransportationNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}},
     "service-date",
     "gt2020-08-04",
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessionalTransportation1", "EOBProfessionalTransportationNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}},
     "service-date",
     "lt2020-08-04",
     {"EOBInpatient2", "EOBInpatientNonFinancial2"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}},
     "service-date",
     "ge2020-08-04",
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBOutpatient2", "EOBOutpatientNonFinancial2",
      "EOBProfessional2", "EOBProfessionalNonFinancial2", "EOBProfessionalTransportation1",
      "EOBProfessionalTransportationNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}},
     "service-date",
     "le2020-08-04",
     {"EOBInpatient2", "EOBInpatientNonFinancial2", "EOBProfessional2",
      "EOBProfessionalNonFinancial2"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}},
     "service-date",
     "sa2020-08-04",
     {"EOBOutpatient2", "EOBOutpatientNonFinancial2", "EOBProfessionalTransportation1",
      "EOBProfessionalTransportationNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient1"}},
     "service-date",
     "eb2020-08-04",
     {"EOBInpatient2", "EOBInpatientNonFinancial2"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "service-start-date",
     "eq2019",
     {"EOBInpatient1", "EOBInpatientNonFinancial1", "EOBOutpatient1", "EOBOutpatientNonFinancial1",
      "EOBPharmacy1", "EOBPharmacyNonFinancial1", "EOBProfessional1",
      "EOBProfessionalNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "service-start-date",
     "ne2019",
     {"EOBOral1", "EOBOral2", "EOBOralNonFinancial1", "EOBOralNonFinancial2"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "service-start-date",
     "gt2019",
     {"EOBOral1", "EOBOral2", "EOBOralNonFinancial1", "EOBOralNonFinancial2"}},
    {"ExplanationOfBenefit", {{"patient", "Patient2"}}, "service-start-date", "lt2019", {}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "service-start-date",
     "ge2019",
     {"EOBInpatient1", "EOBInpatientNonFinancial1", "EOBOral1", "EOBOral2", "EOBOralNonFinancial1",
      "EOBOralNonFinancial2", "EOBOutpatient1", "EOBOutpatientNonFinancial1", "EOBPharmacy1",
      "EOBPharmacyNonFinancial1", "EOBProfessional1", "EOBProfessionalNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "service-start-date",
     "le2019",
     {"EOBInpatient1", "EOBInpatientNonFinancial1", "EOBOutpatient1", "EOBOutpatientNonFinancial1",
      "EOBPharmacy1", "EOBPharmacyNonFinancial1", "EOBProfessional1",
      "EOBProfessionalNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "service-start-date",
     "sa2019",
     {"EOBOral1", "EOBOral2", "EOBOralNonFinancial1", "EOBOralNonFinancial2"}},
    {"ExplanationOfBenefit", {{"patient", "Patient2"}}, "service-start-date", "eb2019", {}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "billable-period-start",
     "eq2019-01-01",
     {"EOBInpatient1", "EOBInpatientNonFinancial1", "EOBOutpatient1", "EOBOutpatientNonFinancial1",
      "EOBProfessional1", "EOBProfessionalNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "billable-period-start",
     "ne2019-01-01",
     {"EOBOral1", "EOBOral2", "EOBOralNonFinancial1", "EOBOralNonFinancial2", "EOBPharmacy1",
      "EOBPharmacyNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "billable-period-start",
     "gt2019-01-01",
     {"EOBOral1", "EOBOral2", "EOBOralNonFinancial1", "EOBOralNonFinancial2", "EOBPharmacy1",
      "EOBPharmacyNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "billable-period-start",
     "lt2019-01-01",
     {}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "billable-period-start",
     "ge2019-01-01",
     {"EOBInpatient1", "EOBInpatientNonFinancial1", "EOBOral1", "EOBOral2", "EOBOralNonFinancial1",
      "EOBOralNonFinancial2", "EOBOutpatient1", "EOBOutpatientNonFinancial1", "EOBPharmacy1",
      "EOBPharmacyNonFinancial1", "EOBProfessional1", "EOBProfessionalNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "billable-period-start",
     "le2019-01-01",
     {"EOBInpatient1", "EOBInpatientNonFinancial1", "EOBOutpatient1", "EOBOutpatientNonFinancial1",
      "EOBProfessional1", "EOBProfessionalNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "billable-period-start",
     "sa2019-01-01",
     {"EOBOral1", "EOBOral2", "EOBOralNonFinancial1", "EOBOralNonFinancial2", "EOBPharmacy1",
      "EOBPharmacyNonFinancial1"}},
    {"ExplanationOfBenefit",
     {{"patient", "Patient2"}},
     "billable-period-start",
     "eb2019-01-01",
     {}},

};

TEST_CASE("date prefixes behave per FHIR on every date parameter of the profiles", "[uscore]") {
  for (const DateCase& c : kDateCases) {
    Params p = c.params;
    p.emplace_back(c.name, c.value);
    INFO(Describe(c.type, p));
    const Page page = Search(c.type, p);
    INFO(page.error);
    REQUIRE(page.ok);
    CHECK(page.matches == c.matches);
  }
  // ap: close to the value. The spread grows with the distance from now, so only clear cases.
  CHECK(
      Search("Observation", {{"patient", "example"}, {"code", "8867-4"}, {"date", "ap1999-07-02"}})
          .matches == Ids{"heart-rate"});
  CHECK(Search("Observation", {{"patient", "example"}, {"code", "8867-4"}, {"date", "ap1960"}})
            .matches.empty());
  CHECK(Search("ExplanationOfBenefit", {{"patient", "Patient1"}, {"service-date", "ap2022-09-10"}})
            .matches.contains("EOBProfessionalTransportation1"));
}

TEST_CASE("_lastUpdated on ExplanationOfBenefit is the time the server stored it", "[uscore]") {
  const Ids patient1 = Search("ExplanationOfBenefit", {{"patient", "Patient1"}}).matches;
  REQUIRE(patient1.size() == 8);
  CHECK(Search("ExplanationOfBenefit", {{"patient", "Patient1"}, {"_lastUpdated", "gt2024-01-01"}})
            .matches == patient1);
  CHECK(Search("ExplanationOfBenefit", {{"_lastUpdated", "le2024-01-01"}, {"patient", "Patient1"}})
            .matches.empty());
  CHECK(Search("ExplanationOfBenefit", {{"patient", "Patient1"},
                                        {"_lastUpdated", "ge2024-01-01"},
                                        {"type", "professional"},
                                        {"_count", "2"}})
            .matches.size() == 2);
}

TEST_CASE("CARIN BB reference resources read by id, also inside the member's compartment",
          "[uscore]") {
  const Engine& engine = *Data().engine;
  for (const auto& [type, id] : std::vector<std::pair<std::string, std::string>>{
           {"Coverage", "Coverage1"},
           {"Patient", "Patient1"},
           {"Organization", "Payer2"},
           {"Organization", "ProviderOrganization1"},
           {"Practitioner", "Practitioner1"},
           {"ExplanationOfBenefit", "EOBProfessional2"}}) {
    INFO(type << "/" << id);
    CHECK(engine.Read(Loaded::Ctx(), type, id).ok());
    CHECK(engine.Read(Loaded::Ctx("Patient1"), type, id).ok());
    CHECK(engine.Read(Loaded::Ctx(kMember), type, id).status().code() ==
          absl::StatusCode::kNotFound);
  }
}

TEST_CASE("a member's token gets the same answers for its own searches", "[uscore]") {
  for (const Case& c : kCases) {
    std::string patient;
    for (const auto& [name, value] : c.params) {
      if (name == "patient") {
        patient = value;
      }
    }
    if (patient.empty() || absl::StrContains(patient, "/")) {
      continue;
    }
    INFO(Describe(c.type, c.params) << " as " << patient);
    const Page p = Search(c.type, c.params, patient);
    INFO(p.error);
    REQUIRE(p.ok);
    CHECK(p.matches == c.matches);
    // Provenance and included reference resources are the member's or referred to by its data.
    CHECK(p.included == c.included);
  }
}

TEST_CASE("a member sees its Device and the Provenance of its records, not another's", "[uscore]") {
  const Engine& engine = *Data().engine;
  CHECK(Search("Device", {{"patient", "example"}}, kMember).matches.empty());
  CHECK(Search("Device", {}, "example").matches == Ids{"udi-1", "udi-2", "udi-3"});
  CHECK(engine.Read(Loaded::Ctx("example"), "Device", "udi-2").ok());
  CHECK(engine.Read(Loaded::Ctx(kMember), "Device", "udi-2").status().code() ==
        absl::StatusCode::kNotFound);
  // $everything holds what the member may see: its Devices too.
  auto everything = engine.Everything(Loaded::Ctx("example"), "example", {{"_type", "Device"}});
  REQUIRE(everything.ok());
  CHECK(everything->json.find("\"udi-3\"") != std::string::npos);
  auto other = engine.Everything(Loaded::Ctx(kMember), kMember, {{"_type", "Device"}});
  REQUIRE(other.ok());
  CHECK(other->json.find("\"udi-") == std::string::npos);
  // A Provenance that also names another member's record is not shown to either member.
  REQUIRE(engine
              .Update(Loaded::Ctx(), "Provenance", "uscore-mixed", R"({"resourceType":"Provenance",
      "id":"uscore-mixed","recorded":"2024-01-01T00:00:00Z",
      "agent":[{"who":{"reference":"Organization/Payer2"}}],
      "target":[{"reference":"AllergyIntolerance/example"},
                {"reference":"AllergyIntolerance/61f0bec2-fac3-48e6-9cad-ee10c4e1237e"}]})")
              .ok());
  const Params allergies = {{"_revinclude", "Provenance:target"}};
  CHECK(Search("AllergyIntolerance", allergies, "example").included == Ids{"Provenance/79614"});
  CHECK(Search("AllergyIntolerance", allergies, kMember).included ==
        Ids{"Provenance/uscore-probe"});
  CHECK(Search("AllergyIntolerance", {{"patient", "example"}, {"_revinclude", "Provenance:target"}})
            .included == Ids{"Provenance/79614", "Provenance/uscore-mixed"});
  REQUIRE(engine.Delete(Loaded::Ctx(), "Provenance", "uscore-mixed").ok());
}

constexpr char kExternalEndpoint[] =
    "http://52.90.126.238:8080/fhir/baseDstu3/Endpoint/Endpoint-71";

TEST_CASE("PractitionerRole includes its Endpoint where Endpoint is served", "[uscore]") {
  // The Patient Access API serves no Endpoint: the include is accepted and finds none there. The
  // Provider Directory serves both, from the same engine.
  Page pa = Search("PractitionerRole", {{"specialty", "208D00000X"},
                                        {"_include", "PractitionerRole:endpoint"},
                                        {"_include", "PractitionerRole:practitioner"}});
  INFO(pa.error);
  CHECK(pa.matches == Ids{"PractitionerRole-1"});
  CHECK(pa.included == Ids{"Practitioner/Practitioner-1011"});

  auto e = Engine::Create(
      {.name = "d", .types = fhir::DirectoryTypes(), .realms = {Realm::kDirectory}}, *Data().pool);
  REQUIRE(e.ok());
  const Context dir{.realm = Realm::kDirectory, .base_url = kBase};
  std::vector<std::string> skipped;
  const std::string text = testing::ReadFile(
      Fixtures() + "/us-core/PractitionerRole_Practitioner_Endpoint_Bundle_Example.json");
  auto doc = json::Parse(text);
  REQUIRE(doc.ok());
  // The example's endpoint references name the server it came from and the id Endpoint-71 while
  // the Endpoint beside it is 71: an absolute URL of another server is never a local resource, so
  // they are pointed here, as a loader of that Bundle would.
  for (const auto& entry : (*doc)["entry"].GetArray()) {
    std::string resource = json::Serialize(entry["resource"]);
    for (size_t at; (at = resource.find(kExternalEndpoint)) != std::string::npos;) {
      resource.replace(at, std::strlen(kExternalEndpoint), "Endpoint/71");
    }
    REQUIRE((*e)->Import(dir, resource, &skipped).ok());
  }
  for (const Params& params : {Params{{"specialty", "http://nucc.org/provider-taxonomy|208D00000X"},
                                      {"_include", "PractitionerRole:endpoint"},
                                      {"_include", "PractitionerRole:practitioner"}},
                               Params{{"practitioner", "Practitioner/Practitioner-1011"},
                                      {"_include", "PractitionerRole:practitioner"},
                                      {"_include", "PractitionerRole:endpoint"}},
                               Params{{"_include", "PractitionerRole:endpoint"},
                                      {"practitioner", "Practitioner-1011"},
                                      {"_include", "PractitionerRole:practitioner"}}}) {
    auto r = (*e)->Search(dir, "PractitionerRole", params);
    INFO(Describe("PractitionerRole", params) << " " << r.status());
    REQUIRE(r.ok());
    auto bundle = json::Parse(r->json);
    REQUIRE(bundle.ok());
    Ids matches, included;
    for (const auto& entry : json::GetArray(*bundle, "entry")) {
      const std::string ref = absl::StrCat(*json::GetString(entry["resource"], "resourceType"), "/",
                                           *json::GetString(entry["resource"], "id"));
      (json::GetString(entry["search"], "mode") == "match" ? matches : included).insert(ref);
    }
    CHECK(matches == Ids{"PractitionerRole/PractitionerRole-1"});
    CHECK(included == Ids{"Endpoint/71", "Practitioner/Practitioner-1011"});
  }
}

}  // namespace
}  // namespace planapi::fhirengine
