// The Patient Access service over gRPC as the gateway calls it: a patient context confines
// reads and searches, and every read by an app (a request naming its OAuth client) lands in the
// audit trail in the same request, which the member's portal reads back.
#include <grpcpp/client_context.h>

#include <catch2/catch.hpp>

#include "libs/json/json.h"
#include "libs/rpc/channel.h"
#include "planapi/fhir/v1/fhir_service.grpc.pb.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

namespace pb = planapi::fhir::v1;

void AsApp(grpc::ClientContext& context, const std::string& patient) {
  context.AddMetadata("x-planapi-client", "app-123");
  context.AddMetadata("x-planapi-user", "member-7");
  if (!patient.empty()) {
    context.AddMetadata("x-planapi-patient", patient);
  }
}

TEST_CASE("an app's reads are confined to its patient and written to the audit trail",
          "[integration]") {
  auto suite = Suite::Start();
  auto stub = pb::Fhir::NewStub(rpc::MakeChannel(suite->service("fhir").address()));
  for (const auto& [type, id, json] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"Patient", "a", R"({"resourceType":"Patient","name":[{"family":"Ames"}]})"},
           {"Patient", "b", R"({"resourceType":"Patient","name":[{"family":"Bell"}]})"},
           {"Observation", "oa", R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/a"}})"},
           {"Observation", "ob", R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/b"}})"}}) {
    grpc::ClientContext context;
    pb::WriteRequest w;
    w.mutable_context()->set_realm(pb::REALM_PRODUCTION);
    w.set_type(type);
    w.set_id(id);
    w.set_resource_json(json);
    pb::ResourceResponse out;
    REQUIRE(stub->Update(&context, w, &out).ok());
  }

  {
    grpc::ClientContext context;
    AsApp(context, "a");
    pb::SearchRequest s;
    s.mutable_context()->set_realm(pb::REALM_PRODUCTION);
    s.mutable_context()->set_base_url("https://gw/fhir/r4");
    s.set_type("Observation");
    auto* p = s.add_params();
    p->set_name("status");
    p->set_value("final");
    pb::ResourceResponse out;
    REQUIRE(stub->Search(&context, s, &out).ok());
    auto bundle = json::Parse(out.resource_json());
    REQUIRE(bundle.ok());
    REQUIRE((*bundle)["entry"].Size() == 1);
    CHECK(json::GetString((*bundle)["entry"][0]["resource"], "id") == "oa");
  }
  {
    grpc::ClientContext context;
    AsApp(context, "a");
    pb::ReadRequest r;
    r.mutable_context()->set_realm(pb::REALM_PRODUCTION);
    r.set_type("Observation");
    r.set_id("ob");
    pb::ResourceResponse out;
    CHECK(stub->Read(&context, r, &out).error_code() == grpc::StatusCode::NOT_FOUND);
  }
  {
    // The payer's own reads (no client) are not an app's access.
    grpc::ClientContext context;
    pb::ReadRequest r;
    r.mutable_context()->set_realm(pb::REALM_PRODUCTION);
    r.set_type("Observation");
    r.set_id("ob");
    pb::ResourceResponse out;
    CHECK(stub->Read(&context, r, &out).ok());
  }

  grpc::ClientContext context;
  pb::AuditTrailRequest a;
  a.mutable_context()->set_realm(pb::REALM_PRODUCTION);
  a.set_patient("a");
  pb::AuditTrailResponse trail;
  REQUIRE(stub->AuditTrail(&context, a, &trail).ok());
  REQUIRE(trail.events_size() == 2);
  const pb::AuditEvent& read = trail.events(0);  // newest first
  CHECK(read.interaction() == "read");
  CHECK(read.outcome() == static_cast<int>(grpc::StatusCode::NOT_FOUND));
  CHECK(read.resources_size() == 0);
  const pb::AuditEvent& search = trail.events(1);
  CHECK(search.interaction() == "search");
  CHECK(search.client_id() == "app-123");
  CHECK(search.user_id() == "member-7");
  CHECK(search.type() == "Observation");
  CHECK(search.query() == "status=final");
  CHECK(search.outcome() == 0);
  REQUIRE(search.resources_size() == 1);
  CHECK(search.resources(0) == "Observation/oa");
  CHECK_FALSE(search.at().empty());

  grpc::ClientContext other;
  a.set_patient("b");
  REQUIRE(stub->AuditTrail(&other, a, &trail).ok());
  CHECK(trail.events_size() == 0);
}

}  // namespace
}  // namespace planapi::integration
