#include "libs/runtime/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/json/json.h"

namespace planapi::runtime {
namespace {

// Process-wide logging state, set once by InitLogging before threads start.
struct LogState {
  std::mutex mu;
  std::string service = "planapi";
  std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
};

LogState& State() {
  static LogState* state = new LogState();  // never destroyed: logging works during exit
  return *state;
}

constexpr absl::string_view kLevelNames[] = {"debug", "info", "warn", "error"};

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (kLevelNames[i] == name) {
      return static_cast<LogLevel>(i);
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("log level '", name, "' is not one of debug, info, warn, error"));
}

void InitLogging(absl::string_view service, LogLevel min_level) {
  LogState& s = State();
  std::lock_guard lock(s.mu);
  s.service = std::string(service);
  s.min_level = static_cast<int>(min_level);
}

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= State().min_level.load(std::memory_order_relaxed);
}

void Log(LogLevel level, absl::string_view message, std::initializer_list<LogField> fields) {
  LogState& s = State();
  if (static_cast<int>(level) < s.min_level.load(std::memory_order_relaxed)) {
    return;
  }
  json::Writer w;
  w.StartObject()
      .Field("ts", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()))
      .Field("level", kLevelNames[static_cast<int>(level)]);
  {
    std::lock_guard lock(s.mu);
    w.Field("svc", s.service);
  }
  w.Field("msg", message);
  for (const auto& [key, value] : fields) {
    w.Field(key, value);
  }
  w.EndObject();
  std::string line = w.Take();
  line.push_back('\n');
  // One write per line keeps lines whole when threads log at once.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace planapi::runtime
