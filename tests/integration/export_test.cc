// Bulk export of the public directory through the gateway, with no token: kick-off, polling the
// status URL, the manifest, and the NDJSON files it names.
#include <grpcpp/client_context.h>

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "libs/json/json.h"
#include "libs/rpc/channel.h"
#include "planapi/fhir/v1/fhir_service.grpc.pb.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

namespace fhirpb = planapi::fhir::v1;

TEST_CASE("the directory exports itself as NDJSON through the gateway", "[integration]") {
  auto suite = Suite::Start();
  auto client = suite->Client();
  // Nothing in it yet is fine: an export of an empty directory is an empty manifest. Write two.
  auto stub = fhirpb::Fhir::NewStub(rpc::MakeChannel(suite->service("directory").address()));
  for (const char* id : {"e1", "e2"}) {
    grpc::ClientContext context;
    fhirpb::WriteRequest w;
    w.mutable_context()->set_realm(fhirpb::REALM_DIRECTORY);
    w.set_type("Organization");
    w.set_id(id);
    w.set_resource_json(absl::StrCat(R"({"resourceType":"Organization","name":"Org )", id, "\"}"));
    fhirpb::ResourceResponse out;
    REQUIRE(stub->Update(&context, w, &out).ok());
  }
  CHECK(client.Get("/directory/r4/$export").status == 400);  // no Prefer: respond-async
  auto kick = client.Get("/directory/r4/$export?_type=Organization", {"Prefer: respond-async"});
  REQUIRE(kick.status == 202);
  const std::string status_url = kick.headers["content-location"];
  REQUIRE(absl::StartsWith(status_url, suite->base_url() + "/directory/r4/$export/status?job="));
  const std::string status_path = status_url.substr(suite->base_url().size());
  testing::HttpResult status;
  for (int i = 0; i < 200; ++i) {
    status = client.Get(status_path);
    if (status.status != 202) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(status.status == 200);
  auto manifest = json::Parse(status.body);
  REQUIRE(manifest.ok());
  REQUIRE((*manifest)["output"].Size() == 1);
  const std::string file_url(*json::GetString((*manifest)["output"][0], "url"));
  auto file = client.Get(file_url.substr(suite->base_url().size()));
  REQUIRE(file.status == 200);
  CHECK(file.headers["content-type"] == "application/fhir+ndjson");
  std::vector<std::string> lines = absl::StrSplit(file.body, '\n', absl::SkipEmpty());
  CHECK(lines.size() == 2);
  CHECK(client.Get("/directory/r4/$export/status?job=0123456789abcdef0123456789abcdef").status ==
        404);
}

}  // namespace
}  // namespace planapi::integration
