#include "libs/runtime/settings.h"

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include <catch2/catch.hpp>

namespace planapi::runtime {
namespace {

Settings Make(std::vector<const char*> args, std::vector<const char*> env) {
  args.insert(args.begin(), "prog");
  env.push_back(nullptr);
  auto s = Settings::FromArgs(static_cast<int>(args.size()), args.data(), env.data());
  REQUIRE(s.ok());
  return *std::move(s);
}

TEST_CASE("flags override environment, which overrides defaults", "[runtime]") {
  Settings s = Make({"--grpc-port=7000"}, {"PLANAPI_GRPC_PORT=6000", "PLANAPI_LOG_LEVEL=debug"});
  CHECK(*s.Int("grpc-port", 1, 0, 65535) == 7000);
  CHECK(*s.String("log-level", "info") == "debug");
  CHECK(*s.Int("pool-size", 8, 1, 100) == 8);
  CHECK(s.CheckNoUnknownFlags().ok());
}

TEST_CASE("bad values name the setting", "[runtime]") {
  Settings s = Make({"--grpc-port", "http"}, {"PLANAPI_POOL_SIZE=0"});
  absl::Status port = s.Int("grpc-port", 1, 0, 65535).status();
  CHECK(port.code() == absl::StatusCode::kInvalidArgument);
  CHECK(port.message() == "PLANAPI_GRPC_PORT (--grpc-port): 'http' is not an integer");
  CHECK(s.Int("pool-size", 8, 1, 100).status().message() ==
        "PLANAPI_POOL_SIZE (--pool-size): 0 is outside 1..100");
  CHECK(s.RequiredString("database-url").status().message() ==
        "PLANAPI_DATABASE_URL (--database-url) is required");
  CHECK(s.Choice("log-level", "loud", {"info", "debug"}).status().message() ==
        "PLANAPI_LOG_LEVEL (--log-level): 'loud' is not one of info, debug");
}

TEST_CASE("unknown flags and stray arguments are refused", "[runtime]") {
  Settings s = Make({"--grpc-prot=1", "--migrate"}, {});
  CHECK(*s.Bool("migrate", false));
  CHECK(s.CheckNoUnknownFlags().message() == "unknown flag --grpc-prot");
  const char* argv[] = {"prog", "stray"};
  CHECK_FALSE(Settings::FromArgs(2, argv, nullptr).ok());
}

TEST_CASE("secrets come from the variable or from the file it names", "[runtime]") {
  char tmpl[] = "/tmp/planapi-secret-XXXXXX";
  const int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  const std::string path = tmpl;
  std::ofstream(path) << "  postgresql://db/x\n";
  Settings from_file = Make({}, {("PLANAPI_DATABASE_URL_FILE=" + path).c_str()});
  CHECK(*from_file.RequiredSecret("database-url") == "postgresql://db/x");
  Settings direct = Make({"--database-url=postgresql://a/b"}, {});
  CHECK(*direct.RequiredSecret("database-url") == "postgresql://a/b");
  Settings both = Make({"--database-url=postgresql://a/b"}, {("PLANAPI_DATABASE_URL_FILE=" + path).c_str()});
  CHECK(both.RequiredSecret("database-url").status().message().find("set only one of") == 0);
  CHECK(both.CheckNoUnknownFlags().ok());
  Settings missing = Make({"--database-url-file=/nonexistent/x"}, {});
  CHECK(missing.RequiredSecret("database-url").status().message().find("cannot read") !=
        absl::string_view::npos);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace planapi::runtime
