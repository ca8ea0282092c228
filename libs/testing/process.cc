#include "libs/testing/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/base/call_once.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/rpc/identity.h"
#include "libs/runtime/settings.h"

extern char** environ;

namespace planapi::testing {

void EnsureServiceIdentity() {
  static absl::once_flag once;
  absl::call_once(once, [] {
    std::string key;
    const auto given = [](const char* name) {
      const char* v = std::getenv(name);
      return v != nullptr && *v != 0;
    };
    if (given("PLANAPI_SERVICE_KEY") || given("PLANAPI_SERVICE_KEY_FILE")) {
      // Read as the services read it (e.g. var/service_key of a local suite).
      const char* none[] = {"tests", nullptr};
      absl::StatusOr<runtime::Settings> settings = runtime::Settings::FromArgs(1, none, environ);
      absl::StatusOr<std::string> secret =
          settings.ok() ? settings->RequiredSecret("service-key") : settings.status();
      if (!secret.ok()) {
        std::fprintf(stderr, "tests: %s\n", std::string(secret.status().message()).c_str());
        std::abort();
      }
      key = *std::move(secret);
    } else {
      std::ifstream random("/dev/urandom", std::ios::binary);
      std::string bytes(32, '\0');
      random.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      key = absl::BytesToHexString(bytes);
      ::setenv("PLANAPI_SERVICE_KEY", key.c_str(), 1);
    }
    if (absl::Status s = rpc::SetServiceIdentity("test", key); !s.ok()) {
      std::fprintf(stderr, "tests: PLANAPI_SERVICE_KEY: %s\n", std::string(s.message()).c_str());
      std::abort();
    }
  });
}

namespace {

absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& env,
                            const std::string& log_path) {
  EnsureServiceIdentity();
  // A key given as a file (or given empty) replaces the inherited one: both set is a
  // configuration error the services report.
  const bool own_key = env.contains("PLANAPI_SERVICE_KEY") || env.contains("PLANAPI_SERVICE_KEY_FILE");
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    absl::string_view kv = *e;
    const std::string name(kv.substr(0, kv.find('=')));
    if (!env.contains(name) && !(own_key && name == "PLANAPI_SERVICE_KEY")) {
      env_strings.emplace_back(kv);
    }
  }
  for (const auto& [k, v] : env) {
    env_strings.push_back(absl::StrCat(k, "=", v));
  }
  std::vector<char*> envp;
  for (std::string& s : env_strings) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);
  std::vector<char*> args;
  std::vector<std::string> argv_copy = argv;
  for (std::string& a : argv_copy) {
    args.push_back(a.data());
  }
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!log_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  }
  // Children start with default signal handling and an empty mask, whatever the test blocked.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("cannot start ", argv[0], ": ", strerror(rc)));
  }
  return pid;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  return 128 + WTERMSIG(status);
}

}  // namespace

absl::StatusOr<int> RunCommand(const std::vector<std::string>& argv,
                               const std::map<std::string, std::string>& env,
                               const std::string& log_path) {
  absl::StatusOr<pid_t> pid = Spawn(argv, env, log_path);
  if (!pid.ok()) {
    return pid.status();
  }
  int status = 0;
  while (waitpid(*pid, &status, 0) < 0) {
  }
  return DecodeWaitStatus(status);
}

absl::StatusOr<Process> Process::Start(const std::vector<std::string>& argv,
                                       const std::map<std::string, std::string>& env,
                                       const std::string& log_path) {
  absl::StatusOr<pid_t> pid = Spawn(argv, env, log_path);
  if (!pid.ok()) {
    return pid.status();
  }
  return Process(*pid);
}

Process::Process(Process&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}
Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) {
      (void)Stop(SIGKILL, std::chrono::seconds(5));
    }
    pid_ = std::exchange(other.pid_, -1);
  }
  return *this;
}
Process::~Process() {
  if (pid_ > 0) {
    (void)Stop(SIGKILL, std::chrono::seconds(5));
  }
}

bool Process::Running() {
  if (pid_ <= 0) {
    return false;
  }
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

absl::StatusOr<int> Process::Stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) {
    return absl::FailedPreconditionError("process already reaped");
  }
  kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return DecodeWaitStatus(status);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return absl::DeadlineExceededError("process did not exit in time");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

absl::StatusOr<std::string> WaitForFile(const std::string& path,
                                        std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string contents(absl::StripAsciiWhitespace(ReadFile(path)));
    if (!contents.empty()) {
      return contents;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat("no ", path, " within the timeout"));
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = absl::StrCat(base != nullptr ? base : "/tmp", "/planapi-test-XXXXXX");
  path_ = mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace planapi::testing
