// Child processes for tests and tools: run a command to completion, or keep a long-running one
// (a service under test) and stop it with SIGTERM, reporting how it exited.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace planapi::testing {

// Gives this test process a service identity ("test") and the deployment key every process it
// starts inherits (PLANAPI_SERVICE_KEY: the one in the environment, else a random one), once:
// the services refuse calls without a service identity. Spawning a child calls it.
void EnsureServiceIdentity();

// Runs argv[0] (looked up in PATH) with extra environment variables, waits, and returns its exit
// code; stdout and stderr go to `log_path` when set. INTERNAL if it cannot be started.
absl::StatusOr<int> RunCommand(const std::vector<std::string>& argv,
                               const std::map<std::string, std::string>& env = {},
                               const std::string& log_path = "");

// A started child process. The destructor kills it (SIGKILL) if still running.
class Process {
 public:
  static absl::StatusOr<Process> Start(const std::vector<std::string>& argv,
                                       const std::map<std::string, std::string>& env,
                                       const std::string& log_path);
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  ~Process();

  pid_t pid() const { return pid_; }
  bool Running();
  // Sends `signal` and waits up to `timeout`; returns the exit code, 128+signal when killed by a
  // signal, or DEADLINE_EXCEEDED (after SIGKILL) when it did not exit in time.
  absl::StatusOr<int> Stop(int signal, std::chrono::milliseconds timeout);

 private:
  explicit Process(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

// Waits until `path` exists and is non-empty, up to `timeout`; returns its trimmed contents.
absl::StatusOr<std::string> WaitForFile(const std::string& path, std::chrono::milliseconds timeout);

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);

}  // namespace planapi::testing
