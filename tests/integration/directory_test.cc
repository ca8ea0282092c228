// The FHIR engine end to end: the payer writes over gRPC (as its ingest will), the public reads
// through the gateway over TLS, with versions, history, conditional reads and deletes.
#include <grpcpp/client_context.h>

#include <catch2/catch.hpp>

#include "libs/json/json.h"
#include "libs/rpc/channel.h"
#include "planapi/fhir/v1/fhir_service.grpc.pb.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

namespace pb = planapi::fhir::v1;

grpc::Status Put(pb::Fhir::Stub& stub, const std::string& type, const std::string& id,
                 const std::string& json, pb::ResourceResponse* out) {
  grpc::ClientContext context;
  pb::WriteRequest request;
  request.mutable_context()->set_realm(pb::REALM_DIRECTORY);
  request.set_type(type);
  request.set_id(id);
  request.set_resource_json(json);
  return stub.Update(&context, request, out);
}

TEST_CASE("directory resources written over gRPC read back through the gateway",
          "[integration]") {
  auto suite = Suite::Start();
  auto channel = rpc::MakeChannel(suite->service("directory").address());
  auto stub = pb::Fhir::NewStub(channel);
  pb::ResourceResponse written;
  REQUIRE(Put(*stub, "Location", "loc-1",
              R"({"resourceType":"Location","name":"Main St Clinic"})", &written)
              .ok());
  CHECK(written.created());
  REQUIRE(Put(*stub, "Location", "loc-1",
              R"({"resourceType":"Location","name":"Main Street Clinic"})", &written)
              .ok());
  CHECK(written.version_id() == "2");
  // Bad input is refused with the reason and stores nothing.
  pb::ResourceResponse ignored;
  grpc::Status bad = Put(*stub, "Location", "loc-1", R"({"resourceType":"Practitioner"})", &ignored);
  CHECK(bad.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(bad.error_message().find("does not match") != std::string::npos);

  auto client = suite->Client();
  auto read = client.Get("/directory/r4/Location/loc-1");
  REQUIRE(read.status == 200);
  CHECK(read.headers["etag"] == "W/\"2\"");
  CHECK_FALSE(read.headers["last-modified"].empty());
  auto doc = json::Parse(read.body);
  REQUIRE(doc.ok());
  CHECK(json::GetString(*doc, "name") == "Main Street Clinic");
  CHECK(json::GetString((*doc)["meta"], "versionId") == "2");

  CHECK(client.Get("/directory/r4/Location/loc-1", {"If-None-Match: W/\"2\""}).status == 304);
  auto v1 = client.Get("/directory/r4/Location/loc-1/_history/1");
  CHECK(v1.status == 200);
  CHECK(v1.body.find("Main St Clinic") != std::string::npos);
  auto history = client.Get("/directory/r4/Location/loc-1/_history");
  REQUIRE(history.status == 200);
  auto bundle = json::Parse(history.body);
  REQUIRE(bundle.ok());
  CHECK((*bundle)["entry"].Size() == 2);
  CHECK(client.Get("/directory/r4/Location/nope").status == 404);
  CHECK(client.Get("/directory/r4/Location/loc-1/_history/9").status == 404);
  // Anonymous writes through the gateway are refused.
  CHECK(client.Send("PUT", "/directory/r4/Location/loc-1", R"({"resourceType":"Location"})",
                    {"Content-Type: application/fhir+json"})
            .status == 401);

  grpc::ClientContext context;
  pb::DeleteRequest del;
  del.mutable_context()->set_realm(pb::REALM_DIRECTORY);
  del.set_type("Location");
  del.set_id("loc-1");
  REQUIRE(stub->Delete(&context, del, &ignored).ok());
  auto gone = client.Get("/directory/r4/Location/loc-1");
  CHECK(gone.status == 410);
  CHECK(gone.body.find("\"deleted\"") != std::string::npos);
  for (const auto& [name, code] : suite->Stop()) {
    INFO(name);
    CHECK(code == 0);
  }
}

}  // namespace
}  // namespace planapi::integration
