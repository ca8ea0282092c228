// planctl's commands for the auth service (planapi.auth.v1.Auth over gRPC), for operators and
// scripts: register OAuth clients, create member/vendor/reviewer accounts, list and revoke grants.
// Every command prints one JSON object on stdout.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace planapi::planctl {

// The nouns RunAuthCommand handles ("client", "member", "vendor", "reviewer", "grants").
bool IsAuthCommand(const std::string& noun);

// `--name value` / `--name=value` flags after "<noun> <verb>", repeatable. INVALID_ARGUMENT for a
// positional argument or a flag without a value.
absl::StatusOr<std::multimap<std::string, std::string>> ParseFlags(
    const std::vector<std::string>& args);

// Runs `planctl <noun> <verb> [flags]` (args start at the noun). Exit codes as for import: 0 done,
// 1 refused by the service (bad value, already exists, not found), 2 bad arguments, 3 the service
// could not be reached or failed.
int RunAuthCommand(const std::vector<std::string>& args);

}  // namespace planapi::planctl
