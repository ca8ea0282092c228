// Structured logs: one JSON object per line on stderr, with the service name, level, message, the
// request id when there is one, and extra fields. Never log tokens, secrets or PHI: log a hash
// prefix and the request id instead. Thread-safe; InitLogging is called once from main.
#pragma once

#include <initializer_list>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace planapi::runtime {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name);

// Sets the process's service name and minimum level. Before it, logs go out as "planapi" at info.
void InitLogging(absl::string_view service, LogLevel min_level);

// Whether a message at `level` would be written: lets hot paths skip building fields.
bool LogEnabled(LogLevel level);

using LogField = std::pair<absl::string_view, absl::string_view>;

void Log(LogLevel level, absl::string_view message, std::initializer_list<LogField> fields = {});
inline void LogInfo(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kInfo, m, f);
}
inline void LogWarn(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kWarn, m, f);
}
inline void LogError(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(LogLevel::kError, m, f);
}

}  // namespace planapi::runtime
