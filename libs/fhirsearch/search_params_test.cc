#include "libs/fhirsearch/search_params.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "libs/fhirsearch/embedded_data.h"
#include "libs/json/json.h"

namespace planapi::fhirsearch {
namespace {

constexpr absl::string_view kTypes[] = {
    "Patient",          "CareTeam",         "Coverage",          "ExplanationOfBenefit",
    "Encounter",        "DiagnosticReport", "MedicationRequest", "Medication",
    "Goal",             "Condition",        "CarePlan",          "Procedure",
    "DocumentReference", "AllergyIntolerance", "Immunization",   "Provenance",
    "Observation",      "Device",           "Practitioner",      "PractitionerRole",
    "Organization",     "Location",         "HealthcareService", "OrganizationAffiliation",
    "InsurancePlan",    "Endpoint",         "RelatedPerson"};

const Registry& AllTypes() {
  static const std::shared_ptr<const Registry> registry = [] {
    absl::StatusOr<std::shared_ptr<const Registry>> r = Registry::Load(kTypes);
    INFO(r.status());
    REQUIRE(r.ok());
    return *r;
  }();
  return *registry;
}

// Fixtures are the published IG examples in ../shared/fixtures beside the checkout.
std::string FixturesDir() {
  if (const char* dir = std::getenv("PLANAPI_FIXTURES")) {
    return dir;
  }
  return PLANAPI_DEFAULT_FIXTURES;
}

rapidjson::Document Fixture(const std::string& path) {
  const std::string full = FixturesDir() + "/" + path;
  std::ifstream in(full);
  INFO("fixture " << full << " (set PLANAPI_FIXTURES to point elsewhere)");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<rapidjson::Document> doc = json::Parse(text.str());
  REQUIRE(doc.ok());
  return *std::move(doc);
}

rapidjson::Document Doc(absl::string_view text) {
  absl::StatusOr<rapidjson::Document> doc = json::Parse(text);
  REQUIRE(doc.ok());
  return *std::move(doc);
}

using Strings = std::vector<std::string>;

// "system|code" of the token rows of `param` (text rows as "text:...").
Strings Tokens(const IndexRows& rows, absl::string_view param) {
  Strings out;
  for (const TokenRow& r : rows.tokens) {
    if (r.param == param) {
      out.push_back(r.code.empty() ? "text:" + r.text : r.system + "|" + r.code);
    }
  }
  return out;
}
// The :text forms of a token parameter's rows (displays and concept texts, normalised).
Strings Texts(const IndexRows& rows, absl::string_view param) {
  Strings out;
  for (const TokenRow& r : rows.tokens) {
    if (r.param == param) {
      out.push_back(r.text);
    }
  }
  return out;
}
Strings References(const IndexRows& rows, absl::string_view param) {
  Strings out;
  for (const ReferenceRow& r : rows.references) {
    if (r.param == param) {
      out.push_back(r.target_type + "/" + r.target_id + (r.url.empty() ? "" : " " + r.url));
    }
  }
  return out;
}
Strings StringValues(const IndexRows& rows, absl::string_view param) {
  Strings out;
  for (const StringRow& r : rows.strings) {
    if (r.param == param) {
      out.push_back(r.normalized);
    }
  }
  return out;
}
std::vector<std::pair<int64_t, int64_t>> Dates(const IndexRows& rows, absl::string_view param) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const DateRow& r : rows.dates) {
    if (r.param == param) {
      out.emplace_back(r.lo, r.hi);
    }
  }
  return out;
}
bool Contains(const Strings& s, absl::string_view v) {
  return std::find(s.begin(), s.end(), v) != s.end();
}
DateRange Range(absl::string_view text) {
  absl::StatusOr<DateRange> r = ParseDateRange(text);
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("every embedded expression parses", "[fhirsearch]") {
  size_t definitions = 0;
  for (const internal::EmbeddedFile& file : internal::EmbeddedData()) {
    if (file.name == "compartmentdefinition-patient.json") {
      continue;
    }
    absl::StatusOr<rapidjson::Document> doc = json::Parse(file.text);
    REQUIRE(doc.ok());
    for (const rapidjson::Value& entry : (*doc)["entry"].GetArray()) {
      const rapidjson::Value& sp = entry["resource"];
      ++definitions;
      if (!sp.HasMember("expression")) {
        continue;
      }
      const std::string expression = sp["expression"].GetString();
      absl::StatusOr<fhirpath::Expression> parsed = fhirpath::Expression::Parse(expression);
      INFO(file.name << ": " << sp["url"].GetString() << ": " << parsed.status());
      CHECK(parsed.ok());
    }
  }
  CHECK(definitions > 400);
}

TEST_CASE("the registry finds type and resource parameters", "[fhirsearch]") {
  const Registry& registry = AllTypes();
  const SearchParam* code = registry.Find("Observation", "code");
  REQUIRE(code != nullptr);
  CHECK(code->type == ParamType::kToken);
  CHECK(code->url == "http://hl7.org/fhir/us/core/SearchParameter/us-core-observation-code");
  CHECK(code->bases == Strings{"Observation"});
  // Resource-wide parameters apply to every type.
  for (absl::string_view type : kTypes) {
    INFO(type);
    for (absl::string_view common : {"_id", "_lastUpdated", "_tag", "_profile", "_security",
                                     "_source"}) {
      CHECK(registry.Find(type, common) != nullptr);
    }
  }
  const SearchParam* last_updated = registry.Find("Coverage", "_lastUpdated");
  REQUIRE(last_updated != nullptr);
  CHECK(last_updated->type == ParamType::kDate);
  CHECK(last_updated->url == "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated");
  CHECK(last_updated->bases.size() == std::size(kTypes));
  CHECK(registry.Find("Observation", "no-such-param") == nullptr);
  CHECK(registry.Find("Basic", "_id") == nullptr);  // not loaded
  CHECK(registry.ForType("Basic").empty());
  CHECK(ParamTypeName(ParamType::kReference) == "reference");
  CHECK(ParamTypeName(ParamType::kQuantity) == "quantity");
}

TEST_CASE("IG definitions replace core ones with the same base and code", "[fhirsearch]") {
  const Registry& registry = AllTypes();
  const SearchParam* eob_patient = registry.Find("ExplanationOfBenefit", "patient");
  REQUIRE(eob_patient != nullptr);
  CHECK(eob_patient->url ==
        "http://hl7.org/fhir/us/carin-bb/SearchParameter/explanationofbenefit-patient");
  CHECK(eob_patient->targets == Strings{"Patient"});
  const SearchParam* network = registry.Find("PractitionerRole", "network");
  REQUIRE(network != nullptr);
  CHECK(network->url ==
        "http://hl7.org/fhir/us/davinci-pdex-plan-net/SearchParameter/practitionerrole-network");
  // Core Patient-name remains for Practitioner? No: Plan-Net's practitioner-name replaces it
  // there, and US Core's patient-name replaces it for Patient, so the core definition keeps
  // only the bases nobody replaced.
  const SearchParam* related_name = registry.Find("RelatedPerson", "name");
  REQUIRE(related_name != nullptr);
  CHECK(related_name->url == "http://hl7.org/fhir/SearchParameter/RelatedPerson-name");
  const SearchParam* address = registry.Find("RelatedPerson", "address");
  REQUIRE(address != nullptr);
  CHECK(address->url == "http://hl7.org/fhir/SearchParameter/individual-address");
  CHECK(address->bases == Strings{"Patient", "Practitioner", "RelatedPerson"});
  CHECK(registry.Find("Patient", "race") != nullptr);
  CHECK(registry.Find("ExplanationOfBenefit", "service-date") != nullptr);
  // ForType is ordered by code and holds each code once.
  std::vector<const SearchParam*> params = registry.ForType("Observation");
  REQUIRE(params.size() > 20);
  CHECK(std::is_sorted(params.begin(), params.end(),
                       [](const auto* a, const auto* b) { return a->code < b->code; }));
  CHECK(std::adjacent_find(params.begin(), params.end(), [](const auto* a, const auto* b) {
          return a->code == b->code;
        }) == params.end());
}

TEST_CASE("the patient compartment comes from CompartmentDefinition-patient", "[fhirsearch]") {
  const Registry& registry = AllTypes();
  CHECK(registry.PatientCompartment("Observation") == Strings{"subject", "performer"});
  CHECK(registry.PatientCompartment("ExplanationOfBenefit") == Strings{"patient", "payee"});
  CHECK(registry.PatientCompartment("Patient") == Strings{"{def}"});
  CHECK(registry.PatientCompartment("Organization").empty());
  CHECK(registry.PatientCompartment("Unknown").empty());
}

TEST_CASE("loading only some types leaves the others out", "[fhirsearch]") {
  constexpr absl::string_view kDirectory[] = {"Location", "Organization"};
  absl::StatusOr<std::shared_ptr<const Registry>> r = Registry::Load(kDirectory);
  REQUIRE(r.ok());
  CHECK((*r)->Find("Location", "address-city") != nullptr);
  CHECK((*r)->Find("Observation", "code") == nullptr);
  const SearchParam* id = (*r)->Find("Organization", "_id");
  REQUIRE(id != nullptr);
  CHECK(id->bases == Strings{"Location", "Organization"});
}

TEST_CASE("near indexes Location.position, and only a well-formed one", "[fhirsearch][extract]") {
  rapidjson::Document loc = Fixture("plan-net/Location-PharmLoc2.json");
  IndexRows rows = Extract(AllTypes(), "Location", loc);
  REQUIRE(rows.positions.size() == 1);
  CHECK(rows.positions[0].param == "near");
  CHECK(rows.positions[0].latitude == 18);
  CHECK(rows.positions[0].longitude == 9);
  for (const char* bad : {R"({"resourceType":"Location","position":{"latitude":"18","longitude":9}})",
                          R"({"resourceType":"Location","position":{"latitude":95,"longitude":9}})",
                          R"({"resourceType":"Location","position":{"longitude":9}})"}) {
    absl::StatusOr<rapidjson::Document> doc = json::Parse(bad);
    REQUIRE(doc.ok());
    CHECK(Extract(AllTypes(), "Location", *doc).positions.empty());
  }
}

TEST_CASE("Observation rows from a US Core example", "[fhirsearch][extract]") {
  rapidjson::Document obs = Fixture("us-core/heart-rate.json");
  IndexRows rows = Extract(AllTypes(), "Observation", obs);
  // A concept's text rides on its codings' rows rather than making rows of its own.
  CHECK(Tokens(rows, "category") ==
        Strings{"http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"});
  CHECK(Texts(rows, "category") == Strings{"vital signs"});
  CHECK(Contains(Tokens(rows, "code"), "http://loinc.org|8867-4"));
  CHECK(Texts(rows, "code") == Strings{"heart rate heart_rate"});
  CHECK(Tokens(rows, "status") == Strings{"|final"});
  const DateRange day = Range("1999-07-02");
  CHECK(Dates(rows, "date") == std::vector<std::pair<int64_t, int64_t>>{{day.lo, day.hi}});
  CHECK(References(rows, "patient") == Strings{"Patient/example"});
  CHECK(References(rows, "subject") == Strings{"Patient/example"});
  CHECK(References(rows, "encounter").empty());  // display only
  // value-quantity and combo-value-quantity (value or component value) both reach it.
  REQUIRE(rows.quantities.size() == 2);
  CHECK(rows.quantities[0].param == "combo-value-quantity");
  const QuantityRow& q = rows.quantities[1];
  CHECK(q.param == "value-quantity");
  CHECK(q.value == 44);
  CHECK(q.system == "http://unitsofmeasure.org");
  CHECK(q.code == "/min");
  CHECK(q.unit == "beats/min");
  CHECK(rows.compartment_patients == Strings{"example"});
  // _id and _lastUpdated are columns, not rows; the profile is a uri row.
  for (const TokenRow& t : rows.tokens) {
    CHECK(t.param != "_id");
  }
  REQUIRE(rows.uris.size() == 1);
  CHECK(rows.uris[0].param == "_profile");
  CHECK(rows.uris[0].uri == "http://hl7.org/fhir/us/core/StructureDefinition/us-core-heart-rate");
}

TEST_CASE("Patient rows include US Core race and names", "[fhirsearch][extract]") {
  rapidjson::Document patient = Fixture("us-core/patient-example.json");
  IndexRows rows = Extract(AllTypes(), "Patient", patient);
  CHECK(Tokens(rows, "race") == Strings{"|1002-5", "|1586-7", "|2028-9", "|2036-2", "|2106-3"});
  CHECK(Tokens(rows, "ethnicity") == Strings{"|2135-2", "|2148-5", "|2184-0"});
  CHECK(Tokens(rows, "gender") == Strings{"|female"});
  CHECK(Contains(StringValues(rows, "family"), "shaw"));
  CHECK(Contains(StringValues(rows, "name"), "amy"));
  CHECK(Contains(Tokens(rows, "identifier"), "http://hospital.smarthealthit.org|1032702"));
  CHECK(rows.compartment_patients == Strings{"example"});
  CHECK(Tokens(rows, "deceased") == Strings{"|false"});
}

TEST_CASE("ExplanationOfBenefit rows from CARIN BB examples", "[fhirsearch][extract]") {
  rapidjson::Document eob = Fixture("carin-bb/ExplanationOfBenefit-EOBProfessional1.json");
  IndexRows rows = Extract(AllTypes(), "ExplanationOfBenefit", eob);
  const DateRange period_start = Range("2019-01-01");
  const DateRange period_end = Range("2019-10-31");
  const DateRange serviced = Range("2019-07-02");
  CHECK(Dates(rows, "service-date") ==
        std::vector<std::pair<int64_t, int64_t>>{{period_start.lo, period_end.hi},
                                                 {serviced.lo, serviced.hi}});
  CHECK(Dates(rows, "service-start-date") ==
        std::vector<std::pair<int64_t, int64_t>>{{period_start.lo, period_start.hi},
                                                 {serviced.lo, serviced.hi}});
  CHECK(Dates(rows, "billable-period-start") ==
        std::vector<std::pair<int64_t, int64_t>>{{period_start.lo, period_start.hi}});
  CHECK(Contains(Tokens(rows, "type"), "http://terminology.hl7.org/CodeSystem/claim-type|professional"));
  CHECK(References(rows, "patient") == Strings{"Patient/Patient2"});
  CHECK(References(rows, "coverage") == Strings{"Coverage/Coverage1"});
  CHECK(References(rows, "provider") == Strings{"Organization/ProviderOrganization1"});
  CHECK(rows.compartment_patients == Strings{"Patient2"});

  rapidjson::Document inpatient = Fixture("carin-bb/ExplanationOfBenefit-EOBInpatient1.json");
  IndexRows in_rows = Extract(AllTypes(), "ExplanationOfBenefit", inpatient);
  CHECK_FALSE(Dates(in_rows, "service-date").empty());
  CHECK_FALSE(References(in_rows, "insurer").empty());
  CHECK(in_rows.compartment_patients.size() == 1);
}

TEST_CASE("Coverage is in its beneficiary's and subscriber's compartment", "[fhirsearch][extract]") {
  rapidjson::Document coverage = Fixture("carin-bb/Coverage-Coverage1.json");
  IndexRows rows = Extract(AllTypes(), "Coverage", coverage);
  CHECK(rows.compartment_patients == Strings{"Patient1"});
  CHECK(References(rows, "payor") == Strings{"Organization/Payer2"});
  CHECK(References(rows, "beneficiary") == Strings{"Patient/Patient1"});

  // Two patients through different compartment parameters; a payor that is a Patient counts.
  auto doc = Doc(R"({"resourceType":"Coverage","id":"c","beneficiary":{"reference":"Patient/a"},
      "subscriber":{"reference":"Patient/b"},"policyHolder":{"reference":"RelatedPerson/r"},
      "payor":[{"reference":"Patient/a"},{"reference":"Organization/o"}]})");
  CHECK(Extract(AllTypes(), "Coverage", doc).compartment_patients == Strings{"a", "b"});
}

TEST_CASE("PractitionerRole rows from Plan-Net examples", "[fhirsearch][extract]") {
  rapidjson::Document role = Fixture("plan-net/PractitionerRole-CounselorRole1.json");
  IndexRows rows = Extract(AllTypes(), "PractitionerRole", role);
  CHECK(References(rows, "network") == Strings{"Organization/AcmeofCTStdNet"});
  CHECK(References(rows, "practitioner") == Strings{"Practitioner/Counselor"});
  CHECK(References(rows, "service") == Strings{"HealthcareService/VirtualCounselService"});
  CHECK(Tokens(rows, "specialty") == Strings{"http://nucc.org/provider-taxonomy|101YP2500X"});
  for (const TokenRow& t : rows.tokens) {
    if (t.param == "specialty") {
      CHECK(t.text == "professional counselor");
    }
  }
  CHECK(rows.compartment_patients.empty());

  rapidjson::Document hans = Fixture("plan-net/PractitionerRole-HansSoloRole1.json");
  IndexRows hans_rows = Extract(AllTypes(), "PractitionerRole", hans);
  CHECK_FALSE(References(hans_rows, "location").empty());
  CHECK_FALSE(References(hans_rows, "network").empty());
}

TEST_CASE("Location and Organization rows from Plan-Net examples", "[fhirsearch][extract]") {
  rapidjson::Document loc = Fixture("plan-net/Location-HospLoc1.json");
  IndexRows rows = Extract(AllTypes(), "Location", loc);
  CHECK(StringValues(rows, "address-city") == Strings{"anytown"});
  CHECK(StringValues(rows, "address-state") == Strings{"ct"});
  CHECK(StringValues(rows, "address-postalcode") == Strings{"00014-1234"});
  CHECK(Contains(StringValues(rows, "address"), "456 main street"));
  CHECK(Contains(StringValues(rows, "address"), "anytown"));
  for (const StringRow& s : rows.strings) {
    if (s.param == "address-city") {
      CHECK(s.exact == "Anytown");
    }
  }

  rapidjson::Document net = Fixture("plan-net/Organization-AcmeofCTPremNet.json");
  IndexRows net_rows = Extract(AllTypes(), "Organization", net);
  CHECK_FALSE(References(net_rows, "coverage-area").empty());
  CHECK(Contains(Tokens(net_rows, "type"),
                 "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/OrgTypeCS|ntwk"));
  CHECK(References(net_rows, "partof") == Strings{"Organization/Acme"});
}

TEST_CASE("value shapes become the rows their parameter type asks for", "[fhirsearch][extract]") {
  auto doc = Doc(R"({"resourceType":"Patient","id":"p1",
      "meta":{"tag":[{"system":"https://smarthealthit.org/tags","code":"synthea-5-2019"}],
              "lastUpdated":"2020-01-01T00:00:00Z"},
      "name":[{"family":"Müller","given":["Élodie","Anne"],"prefix":["Dr."],"text":"Dr. Élodie Müller"},
              {"family":"Müller"}],
      "telecom":[{"system":"phone","value":"555-1234"},{"system":"email","value":"e@x.org"}],
      "address":[{"line":["1 Rue"],"city":"Paris","country":"FR"}],
      "birthDate":"1980-02-29",
      "deceasedDateTime":"2020-03-01T10:00:00+01:00",
      "generalPractitioner":[{"reference":"https://other.example/fhir/Practitioner/gp1"},
                             {"reference":"#contained"},{"reference":"urn:uuid:5"},
                             {"reference":"Organization/o1/_history/3"}],
      "managingOrganization":{"identifier":{"value":"only-an-identifier"}},
      "link":[{"other":{"reference":"Patient/p2"},"type":"seealso"}]})");
  IndexRows rows = Extract(AllTypes(), "Patient", doc);
  CHECK(StringValues(rows, "family") == Strings{"muller"});  // duplicates removed
  Strings names = StringValues(rows, "name");
  std::sort(names.begin(), names.end());
  CHECK(names == Strings{"anne", "dr.", "dr. elodie muller", "elodie", "muller"});
  CHECK(Tokens(rows, "phone") == Strings{"|555-1234"});
  CHECK(Tokens(rows, "email") == Strings{"|e@x.org"});
  CHECK(Tokens(rows, "telecom") == Strings{"|555-1234", "|e@x.org"});
  CHECK(Tokens(rows, "_tag") == Strings{"https://smarthealthit.org/tags|synthea-5-2019"});
  CHECK(Tokens(rows, "deceased") == Strings{"|true"});
  CHECK(StringValues(rows, "address-city") == Strings{"paris"});
  const DateRange birth = Range("1980-02-29");
  CHECK(Dates(rows, "birthdate") == std::vector<std::pair<int64_t, int64_t>>{{birth.lo, birth.hi}});
  const DateRange death = Range("2020-03-01T09:00:00Z");
  CHECK(Dates(rows, "death-date") == std::vector<std::pair<int64_t, int64_t>>{{death.lo, death.hi}});
  CHECK(Dates(rows, "_lastUpdated").empty());
  CHECK(References(rows, "general-practitioner") ==
        Strings{"/ #contained", "/ urn:uuid:5", "Organization/o1",
                "Practitioner/gp1 https://other.example/fhir/Practitioner/gp1"});
  CHECK(References(rows, "organization").empty());
  CHECK(References(rows, "link") == Strings{"Patient/p2"});
  CHECK(rows.compartment_patients == Strings{"p1"});
}

TEST_CASE("periods are open at a missing end and timings index their events", "[fhirsearch][extract]") {
  auto enc = Doc(R"({"resourceType":"Encounter","id":"e","status":"finished",
      "subject":{"reference":"Patient/p"},"period":{"start":"2021-05-01T08:00:00Z"},
      "length":{"value":3.5,"unit":"h","system":"http://unitsofmeasure.org","code":"h"}})");
  IndexRows rows = Extract(AllTypes(), "Encounter", enc);
  CHECK(Dates(rows, "date") ==
        std::vector<std::pair<int64_t, int64_t>>{{Range("2021-05-01T08:00:00Z").lo, kMaxTime}});
  REQUIRE(rows.quantities.size() == 1);
  CHECK(rows.quantities[0].value == 3.5);
  CHECK(rows.compartment_patients == Strings{"p"});

  auto mr = Doc(R"({"resourceType":"MedicationRequest","id":"m","status":"active","intent":"order",
      "subject":{"reference":"Group/g"},
      "dosageInstruction":[{"timing":{"event":["2021-01-01","2021-01-02"]}}],
      "medicationReference":{"reference":"Medication/med1"}})");
  IndexRows mr_rows = Extract(AllTypes(), "MedicationRequest", mr);
  CHECK(Dates(mr_rows, "date").size() == 2);
  CHECK(References(mr_rows, "medication") == Strings{"Medication/med1"});
  CHECK(References(mr_rows, "patient").empty());  // the subject is a Group
  CHECK(mr_rows.compartment_patients.empty());

  auto cond = Doc(R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},
      "onsetPeriod":{"end":"2020"},"abatementString":"resolved",
      "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/condition-assertedDate",
                    "valueDateTime":"2019-06"}]})");
  IndexRows c_rows = Extract(AllTypes(), "Condition", cond);
  CHECK(Dates(c_rows, "onset-date") ==
        std::vector<std::pair<int64_t, int64_t>>{{kMinTime, Range("2020").hi}});
  CHECK(Dates(c_rows, "asserted-date") ==
        std::vector<std::pair<int64_t, int64_t>>{{Range("2019-06").lo, Range("2019-06").hi}});
  CHECK(Dates(c_rows, "abatement-date").empty());
  CHECK(c_rows.compartment_patients == Strings{"p"});
}

TEST_CASE("values of the wrong shape are skipped, not errors", "[fhirsearch][extract]") {
  auto doc = Doc(R"({"resourceType":"Observation","id":"o","status":7,
      "effectiveDateTime":"not a date","subject":{"reference":42},
      "code":{"coding":[{"system":"s"}, "junk", {"code":"c"}]},
      "valueQuantity":{"value":"NaN"},"category":[null, {"text":""}]})");
  IndexRows rows = Extract(AllTypes(), "Observation", doc);
  CHECK(Tokens(rows, "status").empty());
  CHECK(Dates(rows, "date").empty());
  CHECK(References(rows, "subject").empty());
  CHECK(Tokens(rows, "code") == Strings{"|c"});
  CHECK(rows.quantities.empty());
  CHECK(Tokens(rows, "category").empty());
  CHECK(Extract(AllTypes(), "Unknown", doc).tokens.empty());
  auto array = Doc("[1,2]");
  CHECK(Extract(AllTypes(), "Observation", array).tokens.empty());
}

// Every published example and Synthea patient extracts (under the sanitizers, without a fault),
// and whatever names a Patient as its subject or patient lands in that patient's compartment.
TEST_CASE("every fixture extracts and finds its patient compartment", "[fhirsearch][extract]") {
  const Registry& registry = AllTypes();
  size_t resources = 0;
  size_t with_patient = 0;
  auto check = [&](const rapidjson::Value& resource) {
    if (!resource.IsObject() || !resource.HasMember("resourceType")) {
      return;
    }
    const std::string type = resource["resourceType"].GetString();
    if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) {
      return;
    }
    ++resources;
    IndexRows rows = Extract(registry, type, resource);
    for (const char* field : {"subject", "patient", "beneficiary"}) {
      if (!resource.HasMember(field) || !resource[field].IsObject() ||
          !resource[field].HasMember("reference")) {
        continue;
      }
      const std::string ref = resource[field]["reference"].GetString();
      if (ref.rfind("Patient/", 0) == 0 && type != "Device" && type != "RelatedPerson") {
        ++with_patient;
        INFO(type << " " << (resource.HasMember("id") ? resource["id"].GetString() : "?")
                  << " " << field);
        CHECK(Contains(rows.compartment_patients, ref.substr(8)));
      }
    }
  };
  for (const char* dir : {"us-core", "carin-bb", "plan-net", "synthea"}) {
    for (const auto& entry : std::filesystem::directory_iterator(FixturesDir() + "/" + dir)) {
      if (entry.path().extension() != ".json") {
        continue;
      }
      rapidjson::Document doc = Fixture(std::string(dir) + "/" + entry.path().filename().string());
      if (doc.HasMember("entry") && doc["entry"].IsArray()) {
        for (const rapidjson::Value& e : doc["entry"].GetArray()) {
          if (e.HasMember("resource")) {
            check(e["resource"]);
          }
        }
      } else {
        check(doc);
      }
    }
  }
  CHECK(resources > 1000);
  CHECK(with_patient > 50);
}

}  // namespace
}  // namespace planapi::fhirsearch
