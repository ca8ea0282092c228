// Runs one of the suite's real executables for integration tests: on port 0 with a port file, its
// logs in a file, stopped with SIGTERM so that graceful shutdown is part of every test.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/testing/process.h"

namespace planapi::testing {

// The folder holding the built executables (this build's, or PLANAPI_BIN_DIR).
std::string BinDir();
// The source tree (this build's, or PLANAPI_SOURCE_DIR).
std::string SourceDir();
// The published HL7 examples and Synthea patients: the team's shared folder beside the checkout
// (../shared/fixtures), or PLANAPI_FIXTURES. Empty when neither exists.
std::string FixturesDir();

class Service {
 public:
  // Starts build/bin/planapi-<name> with `env` and `args` plus --port-file, and waits until it
  // has written its port (it writes it once listening). The gateway's port file holds the HTTPS
  // port, the others' their gRPC port.
  static absl::StatusOr<std::unique_ptr<Service>> Start(
      const std::string& name, const std::map<std::string, std::string>& env,
      const std::vector<std::string>& args = {});
  ~Service();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& log_path() const { return log_path_; }
  std::string Log() const { return ReadFile(log_path_); }
  bool Running() { return process_.Running(); }

  // SIGTERM and wait; the exit code (0 for a clean drain).
  absl::StatusOr<int> Stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // SIGKILL: a crash, for fault tests.
  void Kill();

 private:
  Service(Process process, int port, std::string log_path, std::unique_ptr<TempDir> dir);
  Process process_;
  int port_;
  std::string log_path_;
  std::unique_ptr<TempDir> dir_;
};

}  // namespace planapi::testing
