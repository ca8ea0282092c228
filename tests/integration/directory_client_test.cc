// The public Provider Directory end to end, as an app sees it: the whole suite started, the 49
// Plan-Net examples loaded with planctl, then fhir-kit-client from npm (in Node) searching
// through the gateway over TLS without any token (directory_client/check.mjs holds the
// assertions). Needs node and npm (./planapi test installs them); fetches fhir-kit-client from the
// npm registry once, into build/node/directory-client, pinned by the committed package-lock.json.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_split.h"
#include "libs/testing/process.h"
#include "libs/testing/service.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

namespace fs = std::filesystem;

// `name` found in PATH, or empty.
std::string InPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (const auto& dir : absl::StrSplit(path == nullptr ? "" : path, ':', absl::SkipEmpty())) {
    const fs::path candidate = fs::path(std::string(dir)) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return "";
}

// Runs argv, failing the test with its output unless it exits 0.
void MustRun(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::string& what) {
  testing::TempDir dir;
  const std::string log = dir.path() + "/out";
  absl::StatusOr<int> rc = testing::RunCommand(argv, env, log);
  REQUIRE(rc.ok());
  INFO(what << ":\n" << testing::ReadFile(log));
  REQUIRE(*rc == 0);
  // The node script's report is worth seeing in the ctest log even when it passes.
  if (what == "fhir-kit-client checks") {
    WARN(testing::ReadFile(log));
  }
}

// The folder with check.mjs and node_modules/fhir-kit-client, installed when missing or when
// the committed lock file changed.
std::string ClientDir() {
  const fs::path source = fs::path(testing::SourceDir()) / "tests/integration/directory_client";
  const fs::path dir = fs::path(testing::BinDir()).parent_path() / "node/directory-client";
  fs::create_directories(dir);
  const std::string lock = testing::ReadFile((source / "package-lock.json").string());
  const bool current = fs::exists(dir / "node_modules/fhir-kit-client/package.json") &&
                       fs::exists(dir / "package-lock.json") &&
                       testing::ReadFile((dir / "package-lock.json").string()) == lock;
  for (const char* file : {"package.json", "package-lock.json", "check.mjs"}) {
    fs::copy_file(source / file, dir / file, fs::copy_options::overwrite_existing);
  }
  if (!current) {
    MustRun({"npm", "ci", "--no-audit", "--no-fund", "--prefix", dir.string()}, {},
            "npm ci (fhir-kit-client from the npm registry)");
  }
  return dir.string();
}

TEST_CASE("fhir-kit-client searches the public directory through the gateway without a token",
          "[integration]") {
  {
    INFO("node and npm are required for this test: ./planapi test installs them "
         "(Debian: apt-get install nodejs npm)");
    REQUIRE_FALSE(InPath("node").empty());
    REQUIRE_FALSE(InPath("npm").empty());
  }
  const std::string client_dir = ClientDir();

  auto suite = Suite::Start();
  const std::string fixtures = testing::FixturesDir();
  INFO("fixtures expected in ../shared/fixtures beside the checkout, or PLANAPI_FIXTURES");
  REQUIRE(!fixtures.empty());
  // The 49 IG examples only: the NPPES sample below them would change what each search finds.
  std::vector<std::string> import = {testing::BinDir() + "/planctl", "import", "--realm",
                                     "directory", "--service", "directory", "--addr",
                                     suite->service("directory").address()};
  size_t files = 0;
  for (const auto& f : fs::directory_iterator(fixtures + "/plan-net")) {
    if (f.is_regular_file() && f.path().extension() == ".json") {
      import.push_back(f.path().string());
      ++files;
    }
  }
  REQUIRE(files == 49);
  MustRun(import, {}, "planctl import");

  MustRun({"node", client_dir + "/check.mjs"},
          {{"PLANAPI_DIRECTORY_BASE", suite->base_url() + "/directory/r4"},
           {"NODE_EXTRA_CA_CERTS", suite->ca_file()}},
          "fhir-kit-client checks");

  for (const auto& [name, code] : suite->Stop()) {
    INFO(name);
    CHECK(code == 0);
  }
}

}  // namespace
}  // namespace planapi::integration
