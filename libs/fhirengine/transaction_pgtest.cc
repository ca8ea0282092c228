// FHIR transaction and batch Bundles and conditional create against a real PostgreSQL: a
// transaction is all or nothing with references between entries rewritten; a batch runs each
// entry alone and reports each outcome.
#include <catch2/catch.hpp>

#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/engine_fixture.h"
#include "libs/json/json.h"
#include "libs/testing/postgres.h"

namespace planapi::fhirengine {
namespace {

struct Fixture : EngineFixture {
  Fixture()
      : EngineFixture({.name = "t", .types = fhir::PatientAccessTypes(),
                       .realms = {Realm::kProduction}}) {}
  const Context ctx{.realm = Realm::kProduction, .base_url = "https://gw/fhir/r4"};
};

constexpr char kTransaction[] = R"({"resourceType":"Bundle","type":"transaction","entry":[
  {"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","identifier":[{"system":"urn:m","value":"42"}]},
   "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:m|42"}},
  {"fullUrl":"urn:uuid:o","resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},
   "subject":{"reference":"urn:uuid:p"}},"request":{"method":"POST","url":"Observation"}},
  {"resource":{"resourceType":"Organization","id":"org1","name":"Acme"},"request":{"method":"PUT","url":"Organization/org1"}}
]})";

TEST_CASE("a transaction writes every entry with references rewritten", "[transaction]") {
  Fixture f;
  auto r = f.engine->Transaction(f.ctx, kTransaction);
  REQUIRE(r.ok());
  auto doc = json::Parse(r->json);
  REQUIRE(doc.ok());
  CHECK(json::GetString(*doc, "type") == "transaction-response");
  REQUIRE((*doc)["entry"].Size() == 3);
  CHECK(json::GetString((*doc)["entry"][0]["response"], "status") == "201 Created");
  const std::string patient_location(*json::GetString((*doc)["entry"][0]["response"], "location"));
  const std::string patient_id = patient_location.substr(8, patient_location.find('/', 8) - 8);
  auto obs = f.engine->Search(f.ctx, "Observation", {{"subject", "Patient/" + patient_id}});
  REQUIRE(obs.ok());
  CHECK(obs->resources.size() == 1);
  CHECK(f.engine->Read(f.ctx, "Organization", "org1").ok());

  // Run again: the conditional create finds the patient; the others make new versions.
  auto again = f.engine->Transaction(f.ctx, kTransaction);
  REQUIRE(again.ok());
  auto doc2 = json::Parse(again->json);
  REQUIRE(doc2.ok());
  CHECK(json::GetString((*doc2)["entry"][0]["response"], "status") == "200 OK");
  CHECK(json::GetString((*doc2)["entry"][0]["response"], "location")->substr(0, 8 + patient_id.size()) ==
        "Patient/" + patient_id);
  CHECK(json::GetString((*doc2)["entry"][2]["response"], "etag") == "W/\"2\"");
  auto both = f.engine->Search(f.ctx, "Observation", {{"subject", "Patient/" + patient_id}});
  REQUIRE(both.ok());
  CHECK(both->resources.size() == 2);  // the new observation points at the same patient
}

TEST_CASE("a transaction with one bad entry stores nothing", "[transaction]") {
  Fixture f;
  auto r = f.engine->Transaction(f.ctx, R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Organization","id":"ok","name":"fine"},"request":{"method":"PUT","url":"Organization/ok"}},
    {"resource":{"resourceType":"Patient"},"request":{"method":"PUT","url":"Organization/x"}}]})");
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("entry 1") != std::string::npos);
  CHECK(f.engine->Read(f.ctx, "Organization", "ok").status().code() == absl::StatusCode::kNotFound);

  for (const char* bad : {R"({"resourceType":"Patient"})", R"({"resourceType":"Bundle","type":"collection"})",
                          R"({"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"PATCH","url":"Patient/1"}}]})",
                          R"({"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Patient?name=x"}}]})",
                          R"({"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"POST","url":"Banana"},"resource":{"resourceType":"Banana"}}]})",
                          "not json"}) {
    INFO(bad);
    CHECK_FALSE(f.engine->Transaction(f.ctx, bad).ok());
  }
}

TEST_CASE("a transaction honours each entry's ifMatch, all or nothing", "[transaction]") {
  Fixture f;
  REQUIRE(f.engine->Update(f.ctx, "Organization", "a", R"({"resourceType":"Organization","name":"A"})").ok());
  REQUIRE(f.engine->Update(f.ctx, "Organization", "b", R"({"resourceType":"Organization","name":"B"})").ok());
  // One stale entry: 412 naming it, and neither entry is written.
  auto stale = f.engine->Transaction(f.ctx, R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Organization","id":"a","name":"A2"},"request":{"method":"PUT","url":"Organization/a","ifMatch":"W/\"1\""}},
    {"request":{"method":"DELETE","url":"Organization/b","ifMatch":"W/\"2\""}}]})");
  CHECK(stale.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(stale.status().message().find("entry 1") != std::string::npos);
  CHECK(f.engine->Read(f.ctx, "Organization", "a")->version_id == "1");
  CHECK(f.engine->Read(f.ctx, "Organization", "b").ok());
  // A malformed ifMatch: 400 naming the entry.
  auto bad = f.engine->Transaction(f.ctx, R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Organization","id":"a"},"request":{"method":"PUT","url":"Organization/a","ifMatch":"one"}}]})");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("entry 0") != std::string::npos);
  // Both current: both written.
  auto ok = f.engine->Transaction(f.ctx, R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Organization","id":"a","name":"A2"},"request":{"method":"PUT","url":"Organization/a","ifMatch":"W/\"1\""}},
    {"request":{"method":"DELETE","url":"Organization/b","ifMatch":"W/\"1\""}}]})");
  REQUIRE(ok.ok());
  CHECK(f.engine->Read(f.ctx, "Organization", "a")->version_id == "2");
  CHECK(f.engine->Read(f.ctx, "Organization", "b").status().code() == absl::StatusCode::kNotFound);
  // In a batch, a stale entry fails alone with 412.
  auto batch = f.engine->Transaction(f.ctx, R"({"resourceType":"Bundle","type":"batch","entry":[
    {"resource":{"resourceType":"Organization","id":"a","name":"A3"},"request":{"method":"PUT","url":"Organization/a","ifMatch":"W/\"1\""}},
    {"resource":{"resourceType":"Organization","id":"a","name":"A3"},"request":{"method":"PUT","url":"Organization/a","ifMatch":"W/\"2\""}}]})");
  REQUIRE(batch.ok());
  auto doc = json::Parse(batch->json);
  REQUIRE(doc.ok());
  CHECK(json::GetString((*doc)["entry"][0]["response"], "status") == "412");
  CHECK(json::GetString((*doc)["entry"][1]["response"], "status") == "200 OK");
  CHECK(f.engine->Read(f.ctx, "Organization", "a")->version_id == "3");
}

TEST_CASE("a batch runs each entry alone and reports each outcome", "[transaction]") {
  Fixture f;
  REQUIRE(f.engine->Update(f.ctx, "Organization", "gone", R"({"resourceType":"Organization"})").ok());
  auto r = f.engine->Transaction(f.ctx, R"({"resourceType":"Bundle","type":"batch","entry":[
    {"resource":{"resourceType":"Organization","id":"a","name":"A"},"request":{"method":"PUT","url":"Organization/a"}},
    {"resource":{"resourceType":"Patient"},"request":{"method":"PUT","url":"Organization/b"}},
    {"request":{"method":"DELETE","url":"Organization/gone"}},
    {"request":{"method":"GET","url":"Organization/a"}},
    {"request":{"method":"GET","url":"Organization?name=A"}},
    {"request":{"method":"GET","url":"Organization/missing"}}]})");
  REQUIRE(r.ok());
  auto doc = json::Parse(r->json);
  REQUIRE(doc.ok());
  CHECK(json::GetString(*doc, "type") == "batch-response");
  const auto& e = (*doc)["entry"];
  REQUIRE(e.Size() == 6);
  CHECK(json::GetString(e[0]["response"], "status") == "201 Created");
  CHECK(json::GetString(e[1]["response"], "status") == "400");
  CHECK(e[1]["response"].HasMember("outcome"));
  CHECK(json::GetString(e[2]["response"], "status") == "204 No Content");
  CHECK(json::GetString(e[3]["response"], "status") == "200 OK");
  CHECK(json::GetString(e[3]["resource"], "name") == "A");
  CHECK(json::GetString(e[4]["resource"], "type") == "searchset");
  CHECK(json::GetString(e[5]["response"], "status") == "404");
  CHECK(f.engine->Read(f.ctx, "Organization", "gone").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("conditional create returns the one match and refuses several", "[transaction]") {
  Fixture f;
  const char* p = R"({"resourceType":"Patient","identifier":[{"system":"urn:m","value":"7"}]})";
  auto first = f.engine->ConditionalCreate(f.ctx, "Patient", p, "identifier=urn:m|7");
  REQUIRE(first.ok());
  CHECK(first->created);
  auto second = f.engine->ConditionalCreate(f.ctx, "Patient", p, "identifier=urn%3Am%7C7");
  REQUIRE(second.ok());
  CHECK_FALSE(second->created);
  CHECK(second->id == first->id);
  REQUIRE(f.engine->Create(f.ctx, "Patient", p).ok());
  CHECK(f.engine->ConditionalCreate(f.ctx, "Patient", p, "identifier=urn:m|7").status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(f.engine->ConditionalCreate(f.ctx, "Patient", p, "colour=red").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace planapi::fhirengine
