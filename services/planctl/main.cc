// planctl: the operators' command line for the suite, over gRPC.
//   planctl import --realm production|sandbox|directory [--service fhir|directory]
//                  [--addr HOST:PORT] FILE|DIR...
//   planctl client|member|vendor|reviewer create ..., planctl grants list|revoke ... (auth)
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "services/planctl/auth_commands.h"
#include "services/planctl/import.h"

namespace {

constexpr char kUsage[] =
    "usage: planctl import --realm production|sandbox|directory [--service fhir|directory]\n"
    "                      [--addr HOST:PORT] FILE|DIR...\n"
    "  Loads resources (.json: a resource or a Bundle; .ndjson: one resource a line) into the\n"
    "  fhir service (default 127.0.0.1:50052) or the directory service (127.0.0.1:50053).\n"
    "       planctl client|member|vendor|reviewer create ..., planctl grants list|revoke ...\n"
    "  (the auth service; run one without flags for its usage)\n";

int Usage(const std::string& problem) {
  std::cerr << "planctl: " << problem << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
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
