#include "libs/testing/service.h"

#include <signal.h>

#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"

namespace planapi::testing {

std::string BinDir() {
  const char* dir = std::getenv("PLANAPI_BIN_DIR");
  return dir != nullptr ? dir : PLANAPI_DEFAULT_BIN_DIR;
}

std::string SourceDir() {
  const char* dir = std::getenv("PLANAPI_SOURCE_DIR");
  return dir != nullptr ? dir : PLANAPI_DEFAULT_SOURCE_DIR;
}

std::string FixturesDir() {
  if (const char* dir = std::getenv("PLANAPI_FIXTURES")) {
    return dir;
  }
  const std::string dir = SourceDir() + "/../shared/fixtures";
  return std::filesystem::is_directory(dir) ? dir : "";
}

Service::Service(Process process, int port, std::string log_path, std::unique_ptr<TempDir> dir)
    : process_(std::move(process)),
      port_(port),
      log_path_(std::move(log_path)),
      dir_(std::move(dir)) {}

absl::StatusOr<std::unique_ptr<Service>> Service::Start(
    const std::string& name, const std::map<std::string, std::string>& env,
    const std::vector<std::string>& args) {
  auto dir = std::make_unique<TempDir>();
  const std::string port_file = dir->path() + "/port";
  // Logs outlive the temp dir so that a failing test can point at them.
  static int started = 0;
  const char* tmp = std::getenv("TMPDIR");
  const std::string log_dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/planapi-test-logs");
  std::filesystem::create_directories(log_dir);
  const std::string log_path =
      absl::StrCat(log_dir, "/", name, "-", getpid(), "-", started++, ".log");
  std::vector<std::string> argv = {BinDir() + "/planapi-" + name, "--port-file=" + port_file};
  argv.insert(argv.end(), args.begin(), args.end());
  PLANAPI_ASSIGN_OR_RETURN(Process process, Process::Start(argv, env, log_path));
  absl::StatusOr<std::string> port_text = WaitForFile(port_file, std::chrono::seconds(30));
  if (!port_text.ok()) {
    return absl::UnavailableError(absl::StrCat(name, " did not start; log:\n", ReadFile(log_path)));
  }
  int port = 0;
  if (!absl::SimpleAtoi(*port_text, &port)) {
    return absl::InternalError(absl::StrCat("bad port file: ", *port_text));
  }
  return std::unique_ptr<Service>(new Service(std::move(process), port, log_path, std::move(dir)));
}

absl::StatusOr<int> Service::Stop(std::chrono::milliseconds timeout) {
  return process_.Stop(SIGTERM, timeout);
}

void Service::Kill() { (void)process_.Stop(SIGKILL, std::chrono::seconds(5)); }

Service::~Service() {
  if (process_.Running()) {
    (void)process_.Stop(SIGTERM, std::chrono::seconds(20));
  }
}

}  // namespace planapi::testing
