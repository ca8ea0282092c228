// $export against a real PostgreSQL: kick-off, polling, the manifest and files, _type and
// _since, cancellation, the running-jobs limit, and bad kick-offs.
#include <chrono>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/bulk_export.h"
#include "libs/fhirengine/engine_fixture.h"
#include "libs/json/json.h"
#include "libs/testing/postgres.h"

namespace planapi::fhirengine {
namespace {

struct Fixture : EngineFixture {
  Fixture()
      : EngineFixture({.name = "d", .types = fhir::DirectoryTypes(), .realms = {Realm::kDirectory}},
                      "directory", 6) {
    exporter = std::make_shared<BulkExporter>(*pool, fhir::DirectoryTypes(), Realm::kDirectory,
                                              "/directory/r4");
    for (int i = 0; i < 2500; ++i) {  // more than one fetch chunk
      REQUIRE(engine->Update(ctx, "Practitioner", absl::StrCat("p", i),
                             absl::StrCat(R"({"resourceType":"Practitioner","name":[{"family":"F)",
                                          i, R"("}]})"))
                  .ok());
    }
    REQUIRE(engine->Update(ctx, "Location", "l1", R"({"resourceType":"Location","name":"L"})").ok());
  }
  server::WebRequest Request(std::string query, bool async = true) {
    server::WebRequest r{.method = "GET", .query = std::move(query),
                         .base_url = "https://gw.example", .request_id = "t"};
    if (async) {
      r.headers.emplace("prefer", "respond-async");
    }
    return r;
  }
  // Polls the status URL until it is not 202.
  server::WebResponse Wait(const std::string& location) {
    const std::string query = location.substr(location.find('?') + 1);
    for (int i = 0; i < 600; ++i) {
      auto s = exporter->Status(Request(query));
      REQUIRE(s.ok());
      if (s->status != 202) {
        return *s;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("the export did not finish");
    return {};
  }
  static std::string Header(const server::WebResponse& r, absl::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }
  std::shared_ptr<BulkExporter> exporter;
  const Context ctx{.realm = Realm::kDirectory, .base_url = "https://gw.example/directory/r4"};
};

TEST_CASE("an export lists every resource once in NDJSON files by type", "[export]") {
  Fixture f;
  auto kick = f.exporter->KickOff(f.Request(""));
  REQUIRE(kick.ok());
  REQUIRE(kick->status == 202);
  const std::string location = Fixture::Header(*kick, "Content-Location");
  CHECK(absl::StartsWith(location, "https://gw.example/directory/r4/$export/status?job="));
  server::WebResponse done = f.Wait(location);
  REQUIRE(done.status == 200);
  auto manifest = json::Parse(done.body);
  REQUIRE(manifest.ok());
  CHECK(json::GetBool(*manifest, "requiresAccessToken") == false);
  CHECK(json::GetString(*manifest, "request") == "https://gw.example/directory/r4/$export");
  int practitioners = 0;
  int locations = 0;
  std::set<std::string> ids;
  for (const auto& out : (*manifest)["output"].GetArray()) {
    const std::string url(*json::GetString(out, "url"));
    auto file = f.exporter->File(f.Request(url.substr(url.find('?') + 1)));
    REQUIRE(file.ok());
    REQUIRE(file->status == 200);
    CHECK(Fixture::Header(*file, "Content-Type") == "application/fhir+ndjson");
    int lines = 0;
    for (absl::string_view line : absl::StrSplit(file->body, '\n', absl::SkipEmpty())) {
      auto r = json::Parse(line);
      REQUIRE(r.ok());
      CHECK(json::GetString(*r, "resourceType") == json::GetString(out, "type"));
      CHECK(ids.insert(std::string(*json::GetString(*r, "id"))).second);
      ++lines;
    }
    CHECK(json::GetInt(out, "count") == lines);
    (json::GetString(out, "type") == "Practitioner" ? practitioners : locations) += lines;
  }
  CHECK(practitioners == 2500);
  CHECK(locations == 1);
}

TEST_CASE("_type and _since narrow an export", "[export]") {
  Fixture f;
  auto kick = f.exporter->KickOff(f.Request("_type=Location&_outputFormat=application%2Ffhir%2Bndjson"));
  REQUIRE(kick.ok());
  REQUIRE(kick->status == 202);
  auto manifest = json::Parse(f.Wait(Fixture::Header(*kick, "Content-Location")).body);
  REQUIRE(manifest.ok());
  REQUIRE((*manifest)["output"].Size() == 1);
  CHECK(json::GetString((*manifest)["output"][0], "type") == "Location");

  auto later = f.exporter->KickOff(f.Request("_since=2999-01-01T00:00:00Z"));
  REQUIRE(later.ok());
  auto empty = json::Parse(f.Wait(Fixture::Header(*later, "Content-Location")).body);
  REQUIRE(empty.ok());
  CHECK((*empty)["output"].Size() == 0);
}

TEST_CASE("bad kick-offs, unknown jobs and cancellation", "[export]") {
  Fixture f;
  CHECK(f.exporter->KickOff(f.Request("", /*async=*/false))->status == 400);
  auto bad_type = f.exporter->KickOff(f.Request("_type=Observation"));
  CHECK(bad_type->status == 400);
  CHECK(absl::StrContains(bad_type->body, "Observation"));
  CHECK(f.exporter->KickOff(f.Request("_outputFormat=text/csv"))->status == 400);
  CHECK(f.exporter->KickOff(f.Request("_typeFilter=x"))->status == 400);
  CHECK(f.exporter->KickOff(f.Request("_since=yesterday"))->status == 400);
  CHECK(f.exporter->Status(f.Request("job=nope"))->status == 404);
  CHECK(f.exporter->Status(f.Request("job=0123456789abcdef0123456789abcdef"))->status == 404);
  CHECK(f.exporter->File(f.Request("job=0123456789abcdef0123456789abcdef&n=0"))->status == 404);

  auto kick = f.exporter->KickOff(f.Request(""));
  REQUIRE(kick->status == 202);
  const std::string location = Fixture::Header(*kick, "Content-Location");
  server::WebRequest cancel = f.Request(location.substr(location.find('?') + 1));
  cancel.method = "DELETE";
  CHECK(f.exporter->Cancel(cancel)->status == 202);
  CHECK(f.exporter->Status(f.Request(cancel.query))->status == 404);
  CHECK(f.exporter->Cancel(cancel)->status == 404);
}

}  // namespace
}  // namespace planapi::fhirengine
