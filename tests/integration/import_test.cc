// Bulk load with planctl: the published Plan-Net examples into the directory, a Synthea
// transaction Bundle into the Patient Access store, and bad documents refused one by one.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "libs/json/json.h"
#include "libs/testing/process.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

// The published HL7 examples and Synthea patients live in the team's shared folder beside the
// checkout (PLANAPI_FIXTURES overrides); without them these tests fail, saying so.
std::string Fixtures() {
  const std::string dir = testing::FixturesDir();
  INFO("fixtures expected in ../shared/fixtures beside the checkout, or PLANAPI_FIXTURES");
  REQUIRE(!dir.empty());
  return dir;
}

struct Run {
  int exit_code;
  rapidjson::Document summary;
  std::string output;
};

Run Planctl(std::vector<std::string> args) {
  testing::TempDir dir;
  const std::string log = dir.path() + "/out";
  args.insert(args.begin(), testing::BinDir() + "/planctl");
  auto rc = testing::RunCommand(args, {}, log);
  REQUIRE(rc.ok());
  Run run{*rc, rapidjson::Document(), testing::ReadFile(log)};
  // The summary is the last line; errors may come before it on stderr.
  const std::string& out = run.output;
  const size_t start = out.rfind('{', out.rfind("\"documents\""));
  if (start != std::string::npos) {
    auto doc = json::Parse(absl::string_view(out).substr(start));
    if (doc.ok()) {
      run.summary = *std::move(doc);
    }
  }
  return run;
}

TEST_CASE("planctl loads the Plan-Net examples into the public directory", "[integration]") {
  auto suite = Suite::Start();
  Run run = Planctl({"import", "--service", "directory", "--addr",
                     suite->service("directory").address(), Fixtures() + "/plan-net"});
  INFO(run.output);
  CHECK(run.exit_code == 0);
  REQUIRE(run.summary.IsObject());
  // The 51 IG examples and the NPPES-derived sample below them, one resource a file.
  const int64_t documents = *json::GetInt(run.summary, "documents");
  CHECK(documents > 51);
  CHECK(json::GetInt(run.summary, "resources_written") == documents);
  CHECK(run.summary["errors"].Size() == 0);
  CHECK(json::GetInt(run.summary["written_by_type"], "PractitionerRole") > 0);
  auto read = suite->Client().Get("/directory/r4/Endpoint/AcmeOfCTPortalEndpoint");
  CHECK(read.status == 200);
  CHECK(read.body.find("\"AcmeOfCTPortalEndpoint\"") != std::string::npos);
  // Loading again makes new versions, never duplicates.
  Run again = Planctl({"import", "--service", "directory", "--addr",
                       suite->service("directory").address(), Fixtures() + "/plan-net"});
  CHECK(json::GetInt(again.summary, "resources_written") == documents);
  CHECK(suite->Client().Get("/directory/r4/Endpoint/AcmeOfCTPortalEndpoint").headers["etag"] ==
        "W/\"2\"");
}

TEST_CASE("planctl loads a Synthea transaction bundle with references rewritten",
          "[integration]") {
  auto suite = Suite::Start();
  std::string bundle;
  for (const auto& f : std::filesystem::directory_iterator(Fixtures() + "/synthea")) {
    bundle = f.path().string();
    break;
  }
  REQUIRE_FALSE(bundle.empty());
  Run run = Planctl({"import", "--realm", "sandbox", "--addr", suite->service("fhir").address(),
                     bundle});
  INFO(run.output.substr(0, 2000));
  REQUIRE(run.summary.IsObject());
  CHECK(json::GetInt(run.summary, "documents") == 1);
  CHECK(json::GetInt(run.summary["written_by_type"], "Patient") == 1);
  CHECK(json::GetInt(run.summary, "resources_written") > 10);
  // Types the Patient Access API does not serve are reported, not silently dropped.
  CHECK(run.exit_code == (run.summary["errors"].Size() == 0 ? 0 : 1));
  for (const auto& e : run.summary["errors"].GetArray()) {
    CHECK(std::string(e["message"].GetString()).find("is not served here") != std::string::npos);
  }
}

TEST_CASE("planctl reports bad documents by line and stores the good ones", "[integration]") {
  auto suite = Suite::Start();
  testing::TempDir dir;
  const std::string file = dir.path() + "/mixed.ndjson";
  std::ofstream(file) << R"({"resourceType":"Location","id":"a","name":"A"})" << "\n"
                      << "{not json\n"
                      << R"({"resourceType":"Patient","id":"p"})" << "\n"
                      << R"({"resourceType":"Location","id":"bad id!"})" << "\n"
                      << R"({"resourceType":"Location","id":"b","name":"B"})" << "\n";
  Run run = Planctl({"import", "--service", "directory", "--addr",
                     suite->service("directory").address(), file});
  INFO(run.output);
  CHECK(run.exit_code == 1);
  REQUIRE(run.summary.IsObject());
  CHECK(json::GetInt(run.summary, "documents") == 5);
  CHECK(json::GetInt(run.summary, "resources_written") == 2);
  REQUIRE(run.summary["errors"].Size() == 3);
  CHECK(json::GetString(run.summary["errors"][0], "source") == file + ":2");
  CHECK(json::GetString(run.summary["errors"][1], "source") == file + ":3");
  CHECK(suite->Client().Get("/directory/r4/Location/b").status == 200);
  // Bad arguments: exit 2 with the usage.
  CHECK(Planctl({"import", "--realm", "mars", file}).exit_code == 2);
  CHECK(Planctl({"import", "--service", "directory", "/nonexistent/file.json"}).exit_code == 2);
  CHECK(Planctl({"export"}).exit_code == 2);
}

}  // namespace
}  // namespace planapi::integration
