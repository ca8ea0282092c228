// Search over the published US Core and CARIN BB examples in a real PostgreSQL: each parameter
// type and modifier, includes, chains, _has, paging, compartments and the bad cases, with the
// expected resources asserted by id (worked out by hand from the example files).
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
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

std::string Fixtures() {
  const std::string dir = testing::FixturesDir();
  INFO("fixtures expected in ../shared/fixtures beside the checkout, or PLANAPI_FIXTURES");
  REQUIRE(!dir.empty());
  return dir;
}

constexpr char kBase[] = "https://gw.example/fhir/r4";

// One database with the examples loaded, shared by every test case here (loading takes seconds).
struct Loaded : EngineFixture {
  Loaded()
      : EngineFixture({.name = "t", .types = fhir::PatientAccessTypes(),
                       .realms = {Realm::kProduction, Realm::kSandbox}}) {
    for (const char* folder : {"us-core", "carin-bb"}) {
      for (const auto& f : std::filesystem::directory_iterator(Fixtures() + "/" + folder)) {
        if (f.path().extension() != ".json") {
          continue;
        }
        const std::string text = testing::ReadFile(f.path());
        auto doc = json::Parse(text);
        REQUIRE(doc.ok());
        const std::string type(json::GetString(*doc, "resourceType").value_or(""));
        if (!fhir::Contains(fhir::PatientAccessTypes(), type)) {
          continue;  // searchset Bundles and types this API does not serve
        }
        std::vector<std::string> skipped;
        auto written = engine->Import(Ctx(), text, &skipped);
        INFO(f.path());
        REQUIRE(written.ok());
      }
    }
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
  rapidjson::Document bundle;
  Ids matches;
  Ids included;
  std::string next;
  std::string previous;
};

Page Parse(const std::string& json) {
  Page p;
  auto doc = json::Parse(json);
  REQUIRE(doc.ok());
  p.bundle = *std::move(doc);
  REQUIRE(json::GetString(p.bundle, "type") == "searchset");
  for (const auto& l : p.bundle["link"].GetArray()) {
    if (json::GetString(l, "relation") == "next") {
      p.next = std::string(*json::GetString(l, "url"));
    } else if (json::GetString(l, "relation") == "previous") {
      p.previous = std::string(*json::GetString(l, "url"));
    }
  }
  for (const auto& e : json::GetArray(p.bundle, "entry")) {
    const std::string id(json::GetString(e["resource"], "id").value_or(""));
    if (json::GetString(e["search"], "mode") == "match") {
      p.matches.insert(id);
    } else if (json::GetString(e["search"], "mode") == "include") {
      p.included.insert(absl::StrCat(*json::GetString(e["resource"], "resourceType"), "/", id));
    }
  }
  return p;
}

Page Search(const std::string& type, const Params& params, const std::string& patient = "") {
  auto r = Data().engine->Search(Loaded::Ctx(patient), type, params);
  INFO(r.status());
  REQUIRE(r.ok());
  return Parse(r->json);
}

absl::Status SearchError(const std::string& type, const Params& params) {
  return Data().engine->Search(Loaded::Ctx(), type, params).status();
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
      } else {
        decoded.push_back(value[i]);
      }
    }
    out.emplace_back(std::string(part.substr(0, eq)), decoded);
  }
  return out;
}

const Ids kLab = {"at-home-in-vitro-test", "cbc-erythrocytes", "cbc-hematocrit", "cbc-hemoglobin",
                  "cbc-leukocytes", "cbc-mch", "cbc-mchc", "cbc-mcv", "cbc-platelets",
                  "serum-bun", "serum-calcium", "serum-chloride", "serum-co2", "serum-creatinine",
                  "serum-glucose", "serum-potassium", "serum-sodium", "serum-total-bilirubin",
                  "urobilinogen"};

TEST_CASE("token search with and without system, reference as id or Type/id", "[search]") {
  CHECK(Search("Observation", {{"patient", "example"}, {"category", "laboratory"}}).matches ==
        kLab);
  CHECK(Search("Observation",
               {{"patient", "Patient/example"},
                {"category",
                 "http://terminology.hl7.org/CodeSystem/observation-category|laboratory"}})
            .matches == kLab);
  CHECK(Search("Observation", {{"patient", kBase + std::string("/Patient/example")},
                               {"category", "laboratory"}})
            .matches == kLab);
  CHECK(Search("Observation", {{"code", "http://loinc.org|8867-4"}}).matches ==
        Ids{"heart-rate"});
  CHECK(Search("Observation", {{"code", "http://snomed.info/sct|8867-4"}}).matches.empty());
  CHECK(Search("Observation", {{"subject:Patient", "infant-example"}}).matches.size() == 10);
  // :text finds the concept's text (heart_rate) and the coding's display (Heart rate).
  CHECK(Search("Observation", {{"code:text", "heart_rate"}}).matches == Ids{"heart-rate"});
  CHECK(Search("Observation", {{"code:text", "HEART RATE"}, {"patient", "example"}})
            .matches.contains("heart-rate"));
}

TEST_CASE("date search over dateTimes and Periods with prefixes", "[search]") {
  const Params vitals = {{"patient", "example"}, {"category", "vital-signs"}};
  auto with = [&](std::string date) {
    Params p = vitals;
    p.emplace_back("date", std::move(date));
    return Search("Observation", p).matches;
  };
  CHECK(with("1999-07-02").size() == 10);
  CHECK(with("ge2000") == Ids{"satO2-fiO2"});
  CHECK(with("gt2014-12-05") == Ids{});
  CHECK(with("2014-12") == Ids{"satO2-fiO2"});
  CHECK(with("lt2000-01-01").size() == 10);
  CHECK(with("le1999-07-02").size() == 10);
  CHECK(with("sa1999-07-02") == Ids{"satO2-fiO2"});
  CHECK(with("ne1999-07-02") == Ids{"satO2-fiO2"});
  // 09:30:10+01:00 is 08:30:10Z.
  CHECK(with("2014-12-05T08:30:10Z") == Ids{"satO2-fiO2"});
  CHECK(with("ge1999-07-02,2014").size() == 11);

  // CARIN BB service-date: the items' dates (the billing period spans the whole month).
  CHECK(Search("ExplanationOfBenefit", {{"patient", "Patient2"}, {"service-date", "2021-03-18"}})
            .matches == Ids{"EOBOral1", "EOBOralNonFinancial1"});
  CHECK(Search("ExplanationOfBenefit", {{"patient", "Patient2"}, {"service-date", "ge2021-01-01"}})
            .matches == Ids{"EOBOral1", "EOBOral2", "EOBOralNonFinancial1", "EOBOralNonFinancial2"});
}

TEST_CASE("quantity, number-like prefixes and _lastUpdated", "[search]") {
  const Params hr = {{"code", "8867-4"}};
  auto with = [&](std::string q) {
    Params p = hr;
    p.emplace_back("value-quantity", std::move(q));
    return Search("Observation", p).matches;
  };
  CHECK(with("44") == Ids{"heart-rate"});
  CHECK(with("44|http://unitsofmeasure.org|/min") == Ids{"heart-rate"});
  CHECK(with("44||beats/min") == Ids{"heart-rate"});
  CHECK(with("44|http://unitsofmeasure.org|mg").empty());
  CHECK(with("gt43.5") == Ids{"heart-rate"});
  CHECK(with("lt44").empty());
  CHECK(with("ap40") == Ids{"heart-rate"});
  CHECK(with("44.4").empty());  // 44.4 means [44.35, 44.45)

  CHECK(Search("Patient", {{"_id", "example"}, {"_lastUpdated", "gt2000-01-01"}}).matches ==
        Ids{"example"});
  CHECK(Search("Patient", {{"_id", "example"}, {"_lastUpdated", "lt2000-01-01"}}).matches.empty());
  Page estimate = Search("Observation", {{"patient", "example"}, {"_total", "estimate"}});
  CHECK(estimate.bundle.HasMember("total"));
}

TEST_CASE("string search is case and accent blind, with exact and contains", "[search]") {
  CHECK(Search("Patient", {{"family", "shaw"}}).matches ==
        Ids{"example", "deceased-example", "example-targeted-provenance"});
  CHECK(Search("Patient", {{"family", "SHA"}}).matches.size() == 3);
  CHECK(Search("Patient", {{"family:exact", "shaw"}}).matches.empty());
  CHECK(Search("Patient", {{"family:exact", "Shaw"}}).matches.size() == 3);
  CHECK(Search("Patient", {{"family:contains", "xampl"}}).matches ==
        Ids{"child-example", "infant-example", "Patient1"});
  CHECK(Search("Patient", {{"name", "shaw"}, {"gender", "female"}, {"birthdate", "1987"}}).matches ==
        Ids{"example", "example-targeted-provenance"});
}

TEST_CASE("modifiers missing and not, comma OR, repeated AND", "[search]") {
  CHECK(Search("Condition", {{"patient", "example"}, {"clinical-status", "active"}}).matches ==
        Ids{"condition-duodenal-ulcer", "condition-SDOH-example", "health-concern-example"});
  CHECK(Search("Condition", {{"clinical-status:not", "active"}}).matches ==
        Ids{"encounter-diagnosis-example1", "encounter-diagnosis-example2"});
  CHECK(Search("Condition", {{"category", "health-concern,encounter-diagnosis"}}).matches.size() ==
        3);
  CHECK(Search("Condition", {{"category", "problem-list-item"}, {"category", "sdoh"}}).matches ==
        Ids{"condition-SDOH-example"});
  // The contained medication is present (as a reference to #med2), the coded ones are not
  // references at all.
  CHECK(Search("MedicationRequest", {{"medication:missing", "true"}}).matches ==
        Ids{"medicationrequest-coded-oral-axid", "self-tylenol"});
  CHECK(Search("MedicationRequest", {{"medication:missing", "false"}}).matches ==
        Ids{"medicationrequest-referenced-oral-axid", "medicationrequest-contained-oral-axid"});
  CHECK(Search("Patient", {{"_id", "example,Patient1"}}).matches == Ids{"example", "Patient1"});
}

TEST_CASE("US Core and CARIN BB includes", "[search]") {
  Page mr = Search("MedicationRequest", {{"patient", "example"},
                                         {"intent", "order"},
                                         {"status", "active"},
                                         {"_include", "MedicationRequest:medication"}});
  CHECK(mr.matches == Ids{"medicationrequest-referenced-oral-axid",
                          "medicationrequest-coded-oral-axid",
                          "medicationrequest-contained-oral-axid"});
  CHECK(mr.included == Ids{"Medication/uscore-med2"});

  Page cov = Search("Coverage", {{"patient", "Patient1"}, {"_include", "Coverage:payor"}});
  CHECK(cov.matches == Ids{"Coverage1", "Coverage2"});
  CHECK(cov.included == Ids{"Organization/Payer2"});

  Page eob = Search("ExplanationOfBenefit", {{"patient", "Patient1"},
                                             {"type", "professional"},
                                             {"_include", "ExplanationOfBenefit:*"}});
  CHECK(eob.matches == Ids{"EOBProfessional2", "EOBProfessionalNonFinancial2",
                           "EOBProfessionalTransportation1",
                           "EOBProfessionalTransportationNonFinancial1"});
  CHECK(eob.included.contains("Patient/Patient1"));
  CHECK((eob.included.contains("Coverage/Coverage3") || eob.included.contains("Coverage/Coverage1")));

  Page prov = Search("Patient", {{"_id", "example-targeted-provenance"},
                                 {"_revinclude", "Provenance:target"}});
  CHECK(prov.included == Ids{"Provenance/example-targeted-provenance"});
}

TEST_CASE("chains and _has", "[search]") {
  CHECK(Search("Observation", {{"patient.family", "example"}, {"code", "9271-8"}}).matches ==
        Ids{"10-minute-apgar-score", "10-minute-apgar-score-panel"});
  CHECK(Search("Coverage", {{"payor:Organization.name", "UPMC"}}).matches ==
        Ids{"Coverage1", "Coverage2"});
  CHECK(Search("Patient", {{"_has:Observation:patient:code", "8867-4"}}).matches ==
        Ids{"example"});
  CHECK(Search("Patient", {{"_has:ExplanationOfBenefit:patient:type", "oral"}}).matches ==
        Ids{"Patient2"});
}

TEST_CASE("paging walks every match once, forwards and back", "[search]") {
  Page first = Search("Observation", {{"patient", "example"}, {"_count", "10"}, {"_total", "accurate"}});
  REQUIRE(json::GetInt(first.bundle, "total") == 103);
  CHECK(first.matches.size() == 10);
  CHECK(first.previous.empty());
  Ids all = first.matches;
  std::vector<Page> pages;
  std::string next = first.next;
  while (!next.empty()) {
    pages.push_back(Search("Observation", LinkParams(next)));
    for (const auto& id : pages.back().matches) {
      CHECK(all.insert(id).second);  // never twice
    }
    next = pages.back().next;
  }
  CHECK(all.size() == 103);
  CHECK(pages.size() == 10);
  // Back from the second page is the first again.
  REQUIRE(!pages[0].previous.empty());
  CHECK(Search("Observation", LinkParams(pages[0].previous)).matches == first.matches);

  // Sorted by date, newest first: the 2014 observation leads.
  Page sorted = Search("Observation", {{"patient", "example"}, {"category", "vital-signs"},
                                       {"_sort", "-date"}, {"_count", "1"}});
  CHECK(sorted.matches == Ids{"satO2-fiO2"});
  Ids walked = sorted.matches;
  for (std::string n = sorted.next; !n.empty();) {
    Page p = Search("Observation", LinkParams(n));
    walked.insert(p.matches.begin(), p.matches.end());
    n = p.next;
  }
  CHECK(walked.size() == 11);
}

TEST_CASE("totals, summary and elements", "[search]") {
  Page count = Search("Observation", {{"patient", "infant-example"}, {"_summary", "count"}});
  CHECK(json::GetInt(count.bundle, "total") == 10);
  CHECK_FALSE(count.bundle.HasMember("entry"));  // FHIR's JSON has no empty arrays
  CHECK_FALSE(Search("Observation", {{"patient", "nobody"}}).bundle.HasMember("entry"));
  Page small = Search("Patient", {{"_id", "example"}, {"_elements", "gender"}});
  const auto& patient = small.bundle["entry"][0]["resource"];
  CHECK(patient.HasMember("gender"));
  CHECK_FALSE(patient.HasMember("name"));
  CHECK(json::Serialize(patient["meta"]).find("SUBSETTED") != std::string::npos);
}

TEST_CASE("a patient context confines search, includes and reads", "[search]") {
  CHECK(Search("Observation", {}, "infant-example").matches.size() == 10);
  CHECK(Search("Observation", {{"patient", "example"}}, "infant-example").matches.empty());
  CHECK(Search("Patient", {}, "Patient1").matches == Ids{"Patient1"});
  Page eob = Search("ExplanationOfBenefit", {{"_include", "ExplanationOfBenefit:patient"}},
                    "Patient1");
  CHECK(eob.matches.size() == 8);
  CHECK(eob.included == Ids{"Patient/Patient1"});

  const Context ctx = Loaded::Ctx("infant-example");
  CHECK(Data().engine->Read(ctx, "Observation", "head-circumference").ok());
  CHECK(Data().engine->Read(ctx, "Observation", "heart-rate").status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(Data().engine->Read(ctx, "Patient", "example").status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(Data().engine->Read(Loaded::Ctx("Patient1"), "Organization", "Payer2").ok());
  CHECK(Data().engine->Read(Loaded::Ctx("Patient1"), "Organization", "DentalPayer1").status().code() ==
        absl::StatusCode::kNotFound);
}

TEST_CASE("a patient reads the Provenance of their own data, not of others'", "[search]") {
  auto& engine = *Data().engine;
  // Provenance is in the compartment only when its target is the Patient itself; one of the
  // infant's Observation is what a _revinclude=Provenance:target shows them.
  REQUIRE(engine.Update(Loaded::Ctx(), "Provenance", "prov-of-infant-obs",
                        R"({"resourceType":"Provenance","target":[{"reference":)"
                        R"("Observation/head-circumference"}],"recorded":"2020-01-01T00:00:00Z",)"
                        R"("agent":[{"who":{"reference":"Practitioner/practitioner-1"}}]})")
              .ok());
  // One whose targets are the infant's and another member's data belongs to neither alone.
  REQUIRE(engine.Update(Loaded::Ctx(), "Provenance", "prov-of-two-members",
                        R"({"resourceType":"Provenance","target":[{"reference":)"
                        R"("Observation/head-circumference"},{"reference":"Observation/heart-rate"}],)"
                        R"("recorded":"2020-01-01T00:00:00Z","agent":[{"who":{"reference":)"
                        R"("Practitioner/practitioner-1"}}]})")
              .ok());
  const Context infant = Loaded::Ctx("infant-example");
  CHECK(engine.Read(infant, "Provenance", "prov-of-infant-obs").ok());
  CHECK(engine.Read(infant, "Provenance", "prov-of-two-members").status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(engine.Read(Loaded::Ctx("example"), "Provenance", "prov-of-infant-obs").status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(engine.History(infant, "Provenance", "prov-of-infant-obs", 0).ok());
  // The same rule decides what _revinclude shows.
  Page rev = Search("Observation", {{"_id", "head-circumference"},
                                    {"_revinclude", "Provenance:target"}},
                    "infant-example");
  CHECK(rev.included.contains("Provenance/prov-of-infant-obs"));
  CHECK_FALSE(rev.included.contains("Provenance/prov-of-two-members"));
  REQUIRE(engine.Delete(Loaded::Ctx(), "Provenance", "prov-of-infant-obs").ok());
  REQUIRE(engine.Delete(Loaded::Ctx(), "Provenance", "prov-of-two-members").ok());
}

TEST_CASE("Patient $everything pages through the record and what it refers to", "[search]") {
  auto& engine = *Data().engine;
  std::set<std::string> all;
  std::vector<std::pair<std::string, std::string>> params = {{"_count", "7"}};
  int pages = 0;
  while (true) {
    auto r = engine.Everything(Loaded::Ctx(), "Patient1", params);
    REQUIRE(r.ok());
    Page p = Parse(r->json);
    ++pages;
    for (const auto& e : json::GetArray(p.bundle, "entry")) {
      CHECK(all.insert(absl::StrCat(*json::GetString(e["resource"], "resourceType"), "/",
                                    *json::GetString(e["resource"], "id")))
                .second);
    }
    if (p.next.empty()) {
      break;
    }
    params = LinkParams(p.next);
  }
  CHECK(pages > 1);
  CHECK(all.contains("Patient/Patient1"));
  CHECK(all.contains("ExplanationOfBenefit/EOBInpatient2"));
  CHECK(all.contains("Coverage/Coverage1"));
  CHECK(all.contains("Organization/Payer2"));    // referenced
  CHECK_FALSE(all.contains("Patient/Patient2"));
  CHECK_FALSE(all.contains("ExplanationOfBenefit/EOBOral1"));
  CHECK_FALSE(all.contains("Organization/DentalPayer1"));

  auto eobs = engine.Everything(Loaded::Ctx(), "Patient1", {{"_type", "ExplanationOfBenefit"}});
  REQUIRE(eobs.ok());
  CHECK(Parse(eobs->json).matches.size() == 8);
  // Another member's token cannot ask for this record; unknown patients and bad input fail.
  CHECK(engine.Everything(Loaded::Ctx("Patient2"), "Patient1", {}).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(engine.Everything(Loaded::Ctx(), "nobody", {}).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(engine.Everything(Loaded::Ctx(), "Patient1", {{"_type", "Banana"}}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(engine.Everything(Loaded::Ctx(), "Patient1", {{"start", "2020"}}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(engine.Everything(Loaded::Ctx(), "Patient1", {{"_since", "2100-01-01"}}).ok());
}

TEST_CASE("a patient context cannot reach other members through shared resources", "[search]") {
  auto& engine = *Data().engine;
  // Another member whose Patient names the same payer Patient1's data refers to.
  REQUIRE(engine.Update(Loaded::Ctx(), "Patient", "leak-probe",
                        R"({"resourceType":"Patient","name":[{"family":"Leakprobe"}],)"
                        R"("managingOrganization":{"reference":"Organization/Payer2"}})")
              .ok());
  // _revinclude through a shared (visible) Organization does not bring the other Patient.
  Page rev = Search("Organization", {{"_id", "Payer2"}, {"_revinclude", "Patient:organization"}},
                    "Patient1");
  CHECK(rev.matches == Ids{"Payer2"});
  CHECK_FALSE(rev.included.contains("Patient/leak-probe"));
  // _has and chains only look at what the caller may see: no yes/no answers about others.
  CHECK(Search("Organization", {{"_has:Patient:organization:family", "leakprobe"}}, "Patient1")
            .matches.empty());
  CHECK(Search("Organization", {{"_has:Patient:organization:family", "leakprobe"}})
            .matches == Ids{"Payer2"});
  // Types the token does not grant are left out of includes and refused in _has.
  Context narrow = Loaded::Ctx("Patient1");
  narrow.allowed_types = std::vector<std::string>{"Coverage", "Organization"};
  auto cov = engine.Search(narrow, "Coverage", {{"_include", "Coverage:beneficiary"},
                                                {"_include", "Coverage:payor"}});
  REQUIRE(cov.ok());
  Page p = Parse(cov->json);
  CHECK(p.included == Ids{"Organization/Payer2"});
  CHECK(engine.Search(narrow, "Organization", {{"_has:ExplanationOfBenefit:insurer:type", "oral"}})
            .status().code() == absl::StatusCode::kPermissionDenied);
  // Ids sort descending when asked, alone.
  Page desc = Search("Patient", {{"_id", "Patient1,Patient2"}, {"_sort", "-_id"}, {"_count", "1"}});
  CHECK(desc.matches == Ids{"Patient2"});
  REQUIRE(engine.Delete(Loaded::Ctx(), "Patient", "leak-probe").ok());
}

TEST_CASE("writes keep the index current", "[search]") {
  const Context ctx = Loaded::Ctx();
  auto& engine = *Data().engine;
  REQUIRE(engine.Update(ctx, "Patient", "index-probe",
                        R"({"resourceType":"Patient","name":[{"family":"Zyxwv"}]})").ok());
  CHECK(Search("Patient", {{"family", "zyxwv"}}).matches == Ids{"index-probe"});
  REQUIRE(engine.Update(ctx, "Patient", "index-probe",
                        R"({"resourceType":"Patient","name":[{"family":"Qwerty"}]})").ok());
  CHECK(Search("Patient", {{"family", "zyxwv"}}).matches.empty());
  CHECK(Search("Patient", {{"family", "qwerty"}}).matches == Ids{"index-probe"});
  REQUIRE(engine.Delete(ctx, "Patient", "index-probe").ok());
  CHECK(Search("Patient", {{"family", "qwerty"}}).matches.empty());
  // Another realm does not see production's data.
  auto sandbox = engine.Search({.realm = Realm::kSandbox, .base_url = kBase}, "Patient",
                               {{"family", "shaw"}});
  REQUIRE(sandbox.ok());
  CHECK(Parse(sandbox->json).matches.empty());
}

TEST_CASE("a string prefix matches exactly the values that start with it", "[search]") {
  // The prefix is searched as a range up to its last character's successor; the successor of
  // U+10FFFF does not exist, so that prefix falls back to LIKE.
  const Context ctx = Loaded::Ctx();
  auto& engine = *Data().engine;
  const std::pair<const char*, const char*> names[] = {
      {"prefix-1", "Qpab"},          {"prefix-2", "Qpabc"},   {"prefix-3", "Qpabd"},
      {"prefix-4", "Qp\u4e2d\u6587"}, {"prefix-5", "Qp\u4e2e"}, {"prefix-6", "Qpx\U0010FFFFy"},
      {"prefix-7", "Qpxz"},          {"prefix-8", "Qpa_c%"}};
  for (const auto& [id, family] : names) {
    REQUIRE(engine.Update(ctx, "Patient", id,
                          absl::StrCat(R"({"resourceType":"Patient","name":[{"family":")", family,
                                       R"("}]})")).ok());
  }
  CHECK(Search("Patient", {{"family", "qpab"}}).matches == Ids{"prefix-1", "prefix-2", "prefix-3"});
  CHECK(Search("Patient", {{"family", "qpabc"}}).matches == Ids{"prefix-2"});
  CHECK(Search("Patient", {{"family", "qpac"}}).matches.empty());
  CHECK(Search("Patient", {{"family", "qp\u4e2d"}}).matches == Ids{"prefix-4"});
  CHECK(Search("Patient", {{"family", "qpx\U0010FFFF"}}).matches == Ids{"prefix-6"});
  CHECK(Search("Patient", {{"family", "qpa_"}}).matches == Ids{"prefix-8"});
  CHECK(Search("Patient", {{"family", "qpa%"}}).matches.empty());
  for (const auto& [id, family] : names) {
    REQUIRE(engine.Delete(ctx, "Patient", id).ok());
  }
}

TEST_CASE("bad searches are refused naming the parameter", "[search]") {
  auto refused = [](const std::string& type, const Params& p, absl::string_view mentions) {
    const absl::Status s = SearchError(type, p);
    INFO(s);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(s.message(), mentions));
  };
  refused("Observation", {{"colour", "red"}}, "colour");
  refused("Observation", {{"date", "2020-13-01"}}, "date");
  refused("Observation", {{"date", "yesterday"}}, "date");
  refused("Observation", {{"category:below", "x"}}, ":below");
  refused("Observation", {{"patient.colour", "x"}}, "colour");
  refused("Observation", {{"category.name", "x"}}, "category");
  refused("Observation", {{"_include", "Observation:colour"}}, "colour");
  refused("Observation", {{"_include", "Nonsense:patient"}}, "Nonsense");
  refused("Observation", {{"_sort", "colour"}}, "colour");
  refused("Observation", {{"_count", "-1"}}, "_count");
  refused("Observation", {{"_cursor", "garbage"}}, "_cursor");
  refused("Observation", {{"_has:Observation:patient", "x"}}, "_has");
  refused("Observation", {{"value-quantity", "abc"}}, "value-quantity");
  refused("Patient", {{"_id", "not an id"}}, "_id");
  refused("Patient", {{"gender:missing", "maybe"}}, "missing");
  std::string many = "1";
  for (int i = 0; i < 1000; ++i) {
    many += ",1";
  }
  refused("Observation", {{"code", many}}, "more than 1000 values");
  CHECK(Data().engine->Search(Loaded::Ctx(), "Nonsense", {}).status().code() ==
        absl::StatusCode::kNotFound);
  // Lenient handling drops what it does not know, and says so by leaving it out of self.
  Context lenient = Loaded::Ctx();
  lenient.lenient = true;
  auto r = Data().engine->Search(lenient, "Patient", {{"colour", "red"}, {"_id", "example"}});
  REQUIRE(r.ok());
  Page p = Parse(r->json);
  CHECK(p.matches == Ids{"example"});
  CHECK(r->json.find("colour") == std::string::npos);
}

}  // namespace
}  // namespace planapi::fhirengine
