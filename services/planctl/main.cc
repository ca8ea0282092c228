// planctl: the operators' command line for the suite, over gRPC.
//   planctl import --realm production|sandbox|directory [--service fhir|directory] [--jobs N]
//                  [--addr HOST:PORT] FILE|DIR...
//   planctl generate --members N [--seed S] [--first F] [--format bundle|ndjson] --out DIR
//   planctl generate --directory --practitioners N [--seed S] [--format ndjson|bundle]
//                    --out DIR
//   planctl client|member|vendor|reviewer create ..., planctl grants list|revoke ...,
//   planctl launch create ... (auth)
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "libs/rpc/identity.h"
#include "libs/runtime/settings.h"
#include "services/planctl/generate.h"
#include "services/planctl/auth_commands.h"
#include "services/planctl/import.h"

extern char** environ;

namespace {

constexpr char kUsage[] =
    "usage: planctl import --realm production|sandbox|directory [--service fhir|directory]\n"
    "                      [--addr HOST:PORT] [--jobs N] FILE|DIR...\n"
    "  Loads resources (.json: a resource or a Bundle; .ndjson: one resource a line) into the\n"
    "  fhir service (default 127.0.0.1:50052) or the directory service (127.0.0.1:50053),\n"
    "  over N parallel streams (default 2).\n"
    "       planctl generate --members N [--seed S] [--first F] [--format bundle|ndjson]\n"
    "                        --out DIR\n"
    "       planctl generate --directory --practitioners N [--seed S] [--format ndjson|bundle]\n"
    "                        --out DIR\n"
    "  Writes synthetic members (US Core, CARIN BB) or a provider directory (Plan-Net) that\n"
    "  planctl import loads; the same seed gives the same data.\n"
    "       planctl client|member|vendor|reviewer create ..., planctl grants list|revoke ...,\n"
    "       planctl launch create ...\n"
    "  (the auth service; run one without flags for its usage)\n";

int Usage(const std::string& problem) {
  std::cerr << "planctl: " << problem << "\n" << kUsage;
  return 2;
}

int Generate(const std::vector<std::string>& args) {
  planapi::planctl::GenerateOptions options;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag) -> std::string {
      if (absl::StartsWith(a, flag + "=")) {
        return a.substr(flag.size() + 1);
      }
      return i + 1 < args.size() ? args[++i] : "";
    };
    auto number = [&](const std::string& flag, auto* out) {
      const std::string v = value(flag);
      return absl::SimpleAtoi(v, out);
    };
    auto is = [&](const std::string& flag) { return a == flag || absl::StartsWith(a, flag + "="); };
    if (a == "--directory") {
      options.directory = true;
    } else if (is("--members")) {
      if (!number("--members", &options.members)) {
        return Usage("--members needs a number");
      }
    } else if (is("--practitioners")) {
      if (!number("--practitioners", &options.practitioners)) {
        return Usage("--practitioners needs a number");
      }
    } else if (is("--seed")) {
      if (!number("--seed", &options.seed)) {
        return Usage("--seed needs a number");
      }
    } else if (is("--first")) {
      if (!number("--first", &options.first)) {
        return Usage("--first needs a number");
      }
    } else if (is("--format")) {
      options.format = value("--format");
    } else if (is("--out")) {
      options.out = value("--out");
    } else {
      return Usage("unknown argument " + a);
    }
  }
  if (options.directory && options.members != 0) {
    return Usage("--members and --directory exclude each other");
  }
  if (!options.directory && options.practitioners != 0) {
    return Usage("--practitioners needs --directory");
  }
  return planapi::planctl::RunGenerate(options);
}

// The services accept calls only from holders of the deployment's service key: planctl reads it
// from PLANAPI_SERVICE_KEY or the file PLANAPI_SERVICE_KEY_FILE names (./planapi sets the latter).
absl::Status SetIdentity() {
  const char* none[] = {"planctl", nullptr};
  absl::StatusOr<planapi::runtime::Settings> settings =
      planapi::runtime::Settings::FromArgs(1, none, environ);
  if (!settings.ok()) {
    return settings.status();
  }
  absl::StatusOr<std::string> key = settings->RequiredSecret("service-key");
  if (!key.ok()) {
    return key.status();
  }
  return planapi::rpc::SetServiceIdentity("planctl", *key);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "generate") {
    return Generate(args);
  }
  if (absl::Status identity = SetIdentity(); !identity.ok() && !args.empty()) {
    std::cerr << "planctl: the service key: " << identity.message() << "\n";
    return 2;
  }
  if (!args.empty() && planapi::planctl::IsAuthCommand(args[0])) {
    return planapi::planctl::RunAuthCommand(args);
  }
  if (args.empty() || args[0] != "import") {
    return Usage(args.empty() ? "no command" : "unknown command '" + args[0] + "'");
  }
  planapi::planctl::ImportOptions options;
  std::string service = "fhir";
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag) -> std::string {
      if (absl::StartsWith(a, flag + "=")) {
        return a.substr(flag.size() + 1);
      }
      return i + 1 < args.size() ? args[++i] : "";
    };
    if (absl::StartsWith(a, "--realm")) {
      options.realm = value("--realm");
    } else if (absl::StartsWith(a, "--service")) {
      service = value("--service");
    } else if (absl::StartsWith(a, "--addr")) {
      options.address = value("--addr");
    } else if (absl::StartsWith(a, "--jobs")) {
      if (!absl::SimpleAtoi(value("--jobs"), &options.jobs)) {
        return Usage("--jobs takes a number");
      }
    } else if (absl::StartsWith(a, "--")) {
      return Usage("unknown flag " + a);
    } else {
      options.paths.push_back(a);
    }
  }
  if (service != "fhir" && service != "directory") {
    return Usage("--service must be fhir or directory");
  }
  if (options.address.empty()) {
    options.address = service == "fhir" ? "127.0.0.1:50052" : "127.0.0.1:50053";
  }
  if (options.realm.empty()) {
    options.realm = service == "directory" ? "directory" : "";
  }
  if (options.realm.empty()) {
    return Usage("--realm is required");
  }
  if (options.paths.empty()) {
    return Usage("no files to import");
  }
  return planapi::planctl::RunImport(options);
}
