// Process configuration from environment variables with command-line overrides, one naming rule
// for every service: setting "grpc-port" is env PLANAPI_GRPC_PORT and flag --grpc-port=N (or
// --grpc-port N); secrets may come from a file named by PLANAPI_<NAME>_FILE. Every getter returns
// INVALID_ARGUMENT naming the setting, so a service can refuse bad config in one line before it
// binds a port. Not thread-safe; used once at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace planapi::runtime {

class Settings {
 public:
  // Reads argv (flags) and the given environment ("NAME=value" strings, e.g. `environ`).
  // Returns INVALID_ARGUMENT for arguments that are not --flags.
  static absl::StatusOr<Settings> FromArgs(int argc, const char* const* argv,
                                           const char* const* envp);

  // A bare flag such as --migrate (or PLANAPI_MIGRATE=true).
  absl::StatusOr<bool> Bool(absl::string_view name, bool fallback);
  absl::StatusOr<std::string> String(absl::string_view name, absl::string_view fallback);
  absl::StatusOr<std::string> RequiredString(absl::string_view name);
  absl::StatusOr<int64_t> Int(absl::string_view name, int64_t fallback, int64_t min, int64_t max);
  absl::StatusOr<std::chrono::milliseconds> Seconds(absl::string_view name, int64_t fallback,
                                                    int64_t min, int64_t max);
  // One of `allowed`.
  absl::StatusOr<std::string> Choice(absl::string_view name, absl::string_view fallback,
                                     const std::vector<absl::string_view>& allowed);
  // The value of PLANAPI_<NAME>, else the trimmed contents of the file PLANAPI_<NAME>_FILE names.
  absl::StatusOr<std::string> RequiredSecret(absl::string_view name);

  // Call after every getter: an unknown --flag is a typo the operator must hear about.
  absl::Status CheckNoUnknownFlags() const;

  static std::string EnvName(absl::string_view name);

 private:
  // Flag value, else env value; nullptr when neither is set.
  const std::string* Lookup(absl::string_view name);

  std::map<std::string, std::string, std::less<>> flags_;
  std::map<std::string, std::string, std::less<>> env_;
  std::set<std::string, std::less<>> used_;
};

}  // namespace planapi::runtime
