#include "libs/runtime/settings.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "libs/status/status_macros.h"

namespace planapi::runtime {
namespace {

std::string Describe(absl::string_view name) {
  return absl::StrCat(Settings::EnvName(name), " (--", name, ")");
}

}  // namespace

std::string Settings::EnvName(absl::string_view name) {
  return absl::StrCat("PLANAPI_", absl::AsciiStrToUpper(absl::StrReplaceAll(name, {{"-", "_"}})));
}

absl::StatusOr<Settings> Settings::FromArgs(int argc, const char* const* argv,
                                            const char* const* envp) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--" || arg.size() == 2) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg,
                                                     "': settings are --name=value flags"));
    }
    arg.remove_prefix(2);
    const size_t eq = arg.find('=');
    if (eq != absl::string_view::npos) {
      s.flags_[std::string(arg.substr(0, eq))] = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc && absl::string_view(argv[i + 1]).substr(0, 2) != "--") {
      s.flags_[std::string(arg)] = argv[++i];
    } else {
      s.flags_[std::string(arg)] = "true";  // a bare switch such as --migrate
    }
  }
  for (const char* const* e = envp; e != nullptr && *e != nullptr; ++e) {
    absl::string_view kv = *e;
    const size_t eq = kv.find('=');
    if (eq != absl::string_view::npos && kv.substr(0, 8) == "PLANAPI_") {
      s.env_[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    }
  }
  return s;
}

const std::string* Settings::Lookup(absl::string_view name) {
  used_.insert(std::string(name));
  if (auto it = flags_.find(name); it != flags_.end()) {
    return &it->second;
  }
  if (auto it = env_.find(EnvName(name)); it != env_.end()) {
    return &it->second;
  }
  return nullptr;
}

absl::StatusOr<bool> Settings::Bool(absl::string_view name, bool fallback) {
  const std::string* v = Lookup(name);
  if (v == nullptr) {
    return fallback;
  }
  bool out = false;
  if (!absl::SimpleAtob(*v, &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Describe(name), ": '", *v, "' is not true or false"));
  }
  return out;
}

absl::StatusOr<std::string> Settings::String(absl::string_view name, absl::string_view fallback) {
  const std::string* v = Lookup(name);
  return v == nullptr ? std::string(fallback) : *v;
}

absl::StatusOr<std::string> Settings::RequiredString(absl::string_view name) {
  const std::string* v = Lookup(name);
  if (v == nullptr || v->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(Describe(name), " is required"));
  }
  return *v;
}

absl::StatusOr<int64_t> Settings::Int(absl::string_view name, int64_t fallback, int64_t min,
                                      int64_t max) {
  const std::string* v = Lookup(name);
  if (v == nullptr) {
    return fallback;
  }
  int64_t out = 0;
  if (!absl::SimpleAtoi(*v, &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Describe(name), ": '", *v, "' is not an integer"));
  }
  if (out < min || out > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(Describe(name), ": ", out, " is outside ", min, "..", max));
  }
  return out;
}

absl::StatusOr<std::chrono::milliseconds> Settings::Seconds(absl::string_view name,
                                                            int64_t fallback, int64_t min,
                                                            int64_t max) {
  PLANAPI_ASSIGN_OR_RETURN(int64_t seconds, Int(name, fallback, min, max));
  return std::chrono::milliseconds(seconds * 1000);
}

absl::StatusOr<std::string> Settings::Choice(absl::string_view name, absl::string_view fallback,
                                             const std::vector<absl::string_view>& allowed) {
  PLANAPI_ASSIGN_OR_RETURN(std::string v, String(name, fallback));
  for (absl::string_view a : allowed) {
    if (v == a) {
      return v;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(Describe(name), ": '", v, "' is not one of ",
                                                 absl::StrJoin(allowed, ", ")));
}

absl::StatusOr<std::string> Settings::RequiredSecret(absl::string_view name) {
  const std::string file_setting = absl::StrCat(name, "-file");
  const std::string* value = Lookup(name);
  const std::string* path = Lookup(file_setting);
  const bool has_value = value != nullptr && !value->empty();
  const bool has_path = path != nullptr && !path->empty();
  if (has_value && has_path) {
    return absl::InvalidArgumentError(absl::StrCat("set only one of ", Describe(name), " and ",
                                                   Describe(file_setting)));
  }
  if (has_value) {
    return *value;
  }
  if (!has_path) {
    return absl::InvalidArgumentError(absl::StrCat(Describe(name), " or ",
                                                   Describe(file_setting), " is required"));
  }
  std::ifstream in(*path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(Describe(file_setting), ": cannot read '", *path, "'"));
  }
  std::stringstream contents;
  contents << in.rdbuf();
  std::string secret(absl::StripAsciiWhitespace(contents.str()));
  if (secret.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Describe(file_setting), ": '", *path, "' is empty"));
  }
  return secret;
}

absl::Status Settings::CheckNoUnknownFlags() const {
  for (const auto& [name, value] : flags_) {
    if (!used_.contains(name)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
  }
  return absl::OkStatus();
}

}  // namespace planapi::runtime
