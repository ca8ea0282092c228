// Synthetic data end to end: `planctl generate` writes members and a directory, `planctl import`
// loads them into the running fhir and directory services with nothing refused, and what was
// generated reads back.
#include <grpcpp/client_context.h>

#include <catch2/catch.hpp>

#include "libs/json/json.h"
#include "libs/rpc/channel.h"
#include "libs/synth/members.h"
#include "libs/testing/process.h"
#include "planapi/fhir/v1/fhir_service.grpc.pb.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

namespace pb = planapi::fhir::v1;

struct Run {
  int exit_code;
  rapidjson::Document summary;
  std::string output;
};

// Runs planctl; its JSON summary is the last line of the output.
Run Planctl(std::vector<std::string> args) {
  testing::TempDir dir;
  const std::string log = dir.path() + "/out";
  args.insert(args.begin(), testing::BinDir() + "/planctl");
  auto rc = testing::RunCommand(args, {}, log);
  REQUIRE(rc.ok());
  Run run{*rc, rapidjson::Document(), testing::ReadFile(log)};
  const std::string& out = run.output;
  const size_t end = out.find_last_not_of("\n");
  const size_t start = end == std::string::npos ? std::string::npos : out.rfind('\n', end);
  auto doc = json::Parse(absl::string_view(out).substr(start == std::string::npos ? 0 : start + 1));
  if (doc.ok()) {
    run.summary = *std::move(doc);
  }
  return run;
}

int64_t Int(const rapidjson::Value& object, absl::string_view key) {
  return json::GetInt(object, key).value_or(-1);
}

// The types and counts generate reported equal the ones import wrote, with nothing refused.
void CheckImported(const Run& generated, const Run& imported) {
  INFO(imported.output.substr(0, 3000));
  CHECK(imported.exit_code == 0);
  REQUIRE(imported.summary.IsObject());
  CHECK(imported.summary["errors"].Size() == 0);
  CHECK(Int(imported.summary, "errors_not_listed") == 0);
  CHECK(Int(imported.summary, "resources_written") == Int(generated.summary, "resources_written"));
  for (const auto& m : generated.summary["written_by_type"].GetObject()) {
    INFO(m.name.GetString());
    CHECK(Int(imported.summary["written_by_type"], m.name.GetString()) == m.value.GetInt64());
  }
}

absl::StatusOr<std::string> ReadResource(const std::string& address, pb::Realm realm,
                                         const std::string& type, const std::string& id) {
  auto stub = pb::Fhir::NewStub(rpc::MakeChannel(address));
  grpc::ClientContext context;
  pb::ReadRequest request;
  request.mutable_context()->set_realm(realm);
  request.set_type(type);
  request.set_id(id);
  pb::ResourceResponse response;
  grpc::Status status = stub->Read(&context, request, &response);
  if (!status.ok()) {
    return absl::NotFoundError(status.error_message());
  }
  return response.resource_json();
}

TEST_CASE("generated members load into the Patient Access store as bundles and as NDJSON",
          "[integration]") {
  auto suite = Suite::Start();
  testing::TempDir dir;
  const std::string fhir = suite->service("fhir").address();

  Run bundles = Planctl({"generate", "--members", "3", "--seed", "21", "--out", dir.path() + "/b"});
  INFO(bundles.output.substr(0, 2000));
  REQUIRE(bundles.exit_code == 0);
  REQUIRE(bundles.summary.IsObject());
  CHECK(Int(bundles.summary, "files") == 4);  // shared.json and one Bundle a member
  CHECK(Int(bundles.summary["written_by_type"], "Patient") == 3);
  Run loaded = Planctl({"import", "--realm", "sandbox", "--addr", fhir, dir.path() + "/b"});
  CheckImported(bundles, loaded);
  CHECK(Int(loaded.summary, "documents") == 4);

  // The next members of the same seed, as NDJSON, go beside them into the production realm.
  Run lines = Planctl({"generate", "--members", "2", "--seed", "21", "--first", "3", "--format",
                       "ndjson", "--out", dir.path() + "/n"});
  REQUIRE(lines.exit_code == 0);
  Run loaded_lines =
      Planctl({"import", "--realm", "production", "--addr", fhir, dir.path() + "/n"});
  CheckImported(lines, loaded_lines);

  // Resources keep their generated ids, in the realm they were loaded into only.
  const std::string patient = synth::MemberPatientId(21, 1);
  auto read = ReadResource(fhir, pb::REALM_SANDBOX, "Patient", patient);
  REQUIRE(read.ok());
  CHECK(read->find("us-core-patient") != std::string::npos);
  CHECK(ReadResource(fhir, pb::REALM_SANDBOX, "ExplanationOfBenefit", patient + "-eob-oral1").ok());
  CHECK(ReadResource(fhir, pb::REALM_PRODUCTION, "Patient", synth::MemberPatientId(21, 4)).ok());
  CHECK_FALSE(ReadResource(fhir, pb::REALM_PRODUCTION, "Patient", patient).ok());
}

TEST_CASE("a generated directory loads into the public directory and reads back", "[integration]") {
  auto suite = Suite::Start();
  testing::TempDir dir;
  Run generated = Planctl(
      {"generate", "--directory", "--practitioners", "60", "--seed", "5", "--out", dir.path()});
  INFO(generated.output.substr(0, 2000));
  REQUIRE(generated.exit_code == 0);
  REQUIRE(generated.summary.IsObject());
  CHECK(Int(generated.summary["written_by_type"], "Practitioner") == 60);
  Run loaded = Planctl({"import", "--realm", "directory", "--service", "directory", "--addr",
                        suite->service("directory").address(), dir.path()});
  CheckImported(generated, loaded);

  auto client = suite->Client();
  auto role = client.Get("/directory/r4/PractitionerRole/s5-role1-1");
  REQUIRE(role.status == 200);
  auto doc = json::Parse(role.body);
  REQUIRE(doc.ok());
  // What the role points at is there too.
  for (const char* field : {"practitioner", "organization"}) {
    const std::string ref = (*doc)[field]["reference"].GetString();
    INFO(ref);
    CHECK(client.Get("/directory/r4/" + ref).status == 200);
  }
  const std::string location = (*doc)["location"][0]["reference"].GetString();
  CHECK(client.Get("/directory/r4/" + location).status == 200);
}

}  // namespace
}  // namespace planapi::integration
