#include "libs/fhirpath/fhirpath.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "libs/json/json.h"

namespace planapi::fhirpath {
namespace {

rapidjson::Document Doc(absl::string_view text) {
  absl::StatusOr<rapidjson::Document> doc = json::Parse(text);
  REQUIRE(doc.ok());
  return *std::move(doc);
}

Expression Parsed(absl::string_view text) {
  absl::StatusOr<Expression> e = Expression::Parse(text);
  INFO(text << ": " << e.status());
  REQUIRE(e.ok());
  return *std::move(e);
}

// Each item as compact JSON, with its type after a '@' when the path gave one.
std::vector<std::string> Eval(absl::string_view expression, const rapidjson::Value& resource) {
  std::vector<std::string> out;
  const Expression parsed = Parsed(expression);  // literal items point into it
  for (const Item& item : parsed.Evaluate(resource)) {
    std::string s = json::Serialize(*item.value);
    if (!item.type.empty()) {
      s += "@" + item.type;
    }
    out.push_back(std::move(s));
  }
  return out;
}

using Strings = std::vector<std::string>;

constexpr absl::string_view kObservation = R"({
  "resourceType": "Observation", "id": "o1", "status": "final",
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs"}]},
               {"coding": [{"system": "http://example.org", "code": "extra"}], "text": "Extra"}],
  "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}], "text": "Heart rate"},
  "subject": {"reference": "Patient/p1"},
  "performer": [{"reference": "Practitioner/d1"}, {"reference": "https://h.example/fhir/Patient/p2"},
                {"reference": "Patient/p3/_history/2"}, {"reference": "#contained"},
                {"reference": "urn:uuid:1234"}],
  "effectivePeriod": {"start": "2020-01-01", "end": "2020-01-02"},
  "valueQuantity": {"value": 72, "unit": "beats/minute"},
  "component": [{"code": {"text": "a"}, "valueString": "x"},
                {"code": {"text": "b"}, "valueCodeableConcept": {"text": "y"}}],
  "extension": [{"url": "http://e/one", "valueCode": "c1"},
                {"url": "http://e/two", "valueBoolean": true}]
})";

TEST_CASE("member paths flatten arrays at each step", "[fhirpath]") {
  auto doc = Doc(kObservation);
  CHECK(Eval("Observation.status", doc) == Strings{R"("final")"});
  CHECK(Eval("Observation.category.coding.code", doc) == Strings{R"("vital-signs")", R"("extra")"});
  CHECK(Eval("Observation.component.code.text", doc) == Strings{R"("a")", R"("b")"});
  CHECK(Eval("Observation.missing.deeper", doc).empty());
  // A path without a type name starts at the resource.
  CHECK(Eval("status", doc) == Strings{R"("final")"});
  CHECK(Eval("`status`", doc) == Strings{R"("final")"});
}

TEST_CASE("choice elements are reached by their base name with the suffix as type", "[fhirpath]") {
  auto doc = Doc(kObservation);
  CHECK(Eval("Observation.effective", doc) ==
        Strings{R"({"start":"2020-01-01","end":"2020-01-02"}@Period)"});
  CHECK(Eval("Observation.value", doc) == Strings{R"({"value":72,"unit":"beats/minute"}@Quantity)"});
  CHECK(Eval("Observation.component.value", doc) ==
        Strings{R"("x"@string)", R"({"text":"y"}@CodeableConcept)"});
  auto dt = Doc(R"({"resourceType":"Observation","effectiveDateTime":"2021-03-04T05:06:07Z"})");
  CHECK(Eval("Observation.effective", dt) == Strings{R"("2021-03-04T05:06:07Z"@dateTime)"});
}

TEST_CASE("as, ofType and the as() function keep items of the type", "[fhirpath]") {
  auto doc = Doc(kObservation);
  CHECK(Eval("(Observation.effective as Period)", doc).size() == 1);
  CHECK(Eval("(Observation.effective as dateTime)", doc).empty());
  CHECK(Eval("Observation.effective.as(Period)", doc).size() == 1);
  CHECK(Eval("Observation.effective.ofType(FHIR.Period)", doc).size() == 1);
  CHECK(Eval("(Observation.value as CodeableConcept) | (Observation.component.value as CodeableConcept)",
             doc) == Strings{R"({"text":"y"}@CodeableConcept)"});
  CHECK(Eval("(Observation.value as string) | (Observation.value as CodeableConcept).text", doc)
            .empty());
  CHECK(Eval("Observation.component.value.ofType(string)", doc) == Strings{R"("x"@string)"});
  // Without a choice suffix the JSON shape decides.
  auto goal = Doc(R"({"resourceType":"Goal","target":[{"dueDate":"2020-05-05"},
                      {"dueDuration":{"value":3,"unit":"d"}}],"start":{"x":1}})");
  CHECK(Eval("(Goal.target.due as date)", goal) == Strings{R"("2020-05-05"@date)"});
  auto cond = Doc(R"({"resourceType":"Condition","abatementString":"gone"})");
  CHECK(Eval("Condition.abatement.as(string)", cond) == Strings{R"("gone"@string)"});
  CHECK(Eval("Condition.abatement.as(dateTime) | Condition.abatement.as(Period)", cond).empty());
}

TEST_CASE("is tests one item and resolve() is tells the reference's type", "[fhirpath]") {
  auto doc = Doc(kObservation);
  CHECK(Eval("Observation.subject.where(resolve() is Patient)", doc) ==
        Strings{R"({"reference":"Patient/p1"})"});
  CHECK(Eval("Observation.performer.where(resolve() is Patient)", doc) ==
        Strings{R"({"reference":"https://h.example/fhir/Patient/p2"})",
                R"({"reference":"Patient/p3/_history/2"})"});
  CHECK(Eval("Observation.performer.where(resolve() is Practitioner)", doc) ==
        Strings{R"({"reference":"Practitioner/d1"})"});
  CHECK(Eval("Observation.subject.resolve().is(Patient)", doc) == Strings{"true@boolean"});
  CHECK(Eval("Observation.effective is Period", doc) == Strings{"true@boolean"});
  CHECK(Eval("Observation.effective is dateTime", doc) == Strings{"false@boolean"});
  auto typed = Doc(R"({"resourceType":"Provenance","target":[{"type":"Patient","identifier":{"value":"1"}}]})");
  CHECK(Eval("Provenance.target.where(resolve() is Patient)", typed).size() == 1);
}

TEST_CASE("unions across bases evaluate only the branch of the resource type", "[fhirpath]") {
  auto patient = Doc(R"({"resourceType":"Patient","name":[{"family":"P"}],"gender":"female"})");
  auto practitioner = Doc(R"({"resourceType":"Practitioner","name":[{"family":"D"}]})");
  const char* kExpr = "Patient.name | Person.name | Practitioner.name | RelatedPerson.name";
  CHECK(Eval(kExpr, patient) == Strings{R"({"family":"P"})"});
  CHECK(Eval(kExpr, practitioner) == Strings{R"({"family":"D"})"});
  CHECK(Eval("Observation.code", patient).empty());
  // A union removes duplicates.
  CHECK(Eval("Patient.gender | Patient.gender", patient) == Strings{R"("female")"});
  CHECK(Eval("Resource.id | DomainResource.meta", Doc(R"({"resourceType":"Patient","id":"x"})")) ==
        Strings{R"("x")"});
}

TEST_CASE("where with equality, extensions and value", "[fhirpath]") {
  auto doc = Doc(kObservation);
  CHECK(Eval("Observation.extension('http://e/one').value", doc) == Strings{R"("c1"@code)"});
  CHECK(Eval("Observation.extension.where(url='http://e/two').value", doc) ==
        Strings{"true@boolean"});
  CHECK(Eval("Observation.extension.where(url = 'http://e/none').value", doc).empty());
  auto patient = Doc(R"({"resourceType":"Patient","telecom":[{"system":"phone","value":"555"},
                         {"system":"email","value":"a@b.c"}]})");
  CHECK(Eval("Patient.telecom.where(system='email')", patient) ==
        Strings{R"({"system":"email","value":"a@b.c"})"});
  CHECK(Eval("Patient.telecom.where(system!='email').value", patient) == Strings{R"("555")"});
  CHECK(Eval("Patient.telecom.where($this.system='phone').value", patient) == Strings{R"("555")"});
  auto race = Doc(R"({"resourceType":"Patient","extension":[{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
      "extension":[{"url":"ombCategory","valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"2106-3"}},
                   {"url":"text","valueString":"White"}]}]})");
  CHECK(Eval("Patient.extension.where(url = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race')"
             ".extension.value.code",
             race) == Strings{R"("2106-3")"});
}

TEST_CASE("exists, first, and, or, != and boolean literals", "[fhirpath]") {
  const char* kDeceased = "Patient.deceased.exists() and Patient.deceased != false";
  CHECK(Eval(kDeceased, Doc(R"({"resourceType":"Patient"})")) == Strings{"false@boolean"});
  CHECK(Eval(kDeceased, Doc(R"({"resourceType":"Patient","deceasedBoolean":false})")) ==
        Strings{"false@boolean"});
  CHECK(Eval(kDeceased, Doc(R"({"resourceType":"Patient","deceasedBoolean":true})")) ==
        Strings{"true@boolean"});
  CHECK(Eval(kDeceased, Doc(R"({"resourceType":"Patient","deceasedDateTime":"2020"})")) ==
        Strings{"true@boolean"});
  auto doc = Doc(kObservation);
  CHECK(Eval("Observation.category.first().coding.code", doc) == Strings{R"("vital-signs")"});
  CHECK(Eval("Observation.component.exists(code.text = 'b')", doc) == Strings{"true@boolean"});
  CHECK(Eval("Observation.status = 'final' or Observation.nothing", doc) == Strings{"true@boolean"});
  CHECK(Eval("Observation.status = 'draft' or Observation.nothing", doc).empty());
  CHECK(Eval("Observation.status = 'draft' and Observation.nothing", doc) == Strings{"false@boolean"});
  CHECK(Eval("Observation.status = 'final' and true", doc) == Strings{"true@boolean"});
  CHECK(Eval("'it\\'s'", doc) == Strings{R"("it's"@string)"});
}

TEST_CASE("expressions outside the subset are refused when parsed", "[fhirpath]") {
  for (absl::string_view bad :
       {"Patient.name.count()", "Patient.name[0]", "Patient.birthDate > @2020", "1 + 2",
        "Patient.name.given.join(',')", "%resource.id", "Patient.a xor Patient.b",
        "Patient.name.where(", "Patient.name)", "Patient..name", "'open", "Patient.name.",
        "Observation.value as", "Patient.id implies true", "Patient.name contains 'x'",
        "extension(url)", "Patient.name.", "", "Patient.name ~ 'x'"}) {
    absl::StatusOr<Expression> e = Expression::Parse(bad);
    INFO(bad);
    CHECK(e.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(e.status().message().find("FHIRPath") != absl::string_view::npos);
  }
  CHECK(Expression::Parse("Patient.name.count()").status().message().find("count()") !=
        absl::string_view::npos);
}

TEST_CASE("a default expression is empty and yields nothing", "[fhirpath]") {
  Expression e;
  CHECK(e.empty());
  CHECK(e.Evaluate(Doc(kObservation)).empty());
  Expression parsed = Parsed("Observation.status");
  CHECK_FALSE(parsed.empty());
  CHECK(parsed.text() == "Observation.status");
  Expression copy = parsed;  // cheap: shares the tree
  CHECK(Eval(copy.text(), Doc(kObservation)) == Strings{R"("final")"});
}

}  // namespace
}  // namespace planapi::fhirpath
