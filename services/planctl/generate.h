// `planctl generate`: writes synthetic members (libs/synth) as one transaction Bundle per member
// or as NDJSON per resource type, or a synthetic provider directory, into a folder that
// `planctl import` loads as it is.
#pragma once

#include <cstdint>
#include <string>

namespace planapi::planctl {

struct GenerateOptions {
  bool directory = false;     // the provider directory instead of members
  int64_t members = 0;        // how many members
  int64_t practitioners = 0;  // how many practitioners (directory)
  uint64_t seed = 1;
  int64_t first = 0;   // index of the first member, to add to an earlier generation
  std::string format;  // "bundle" or "ndjson"; empty: bundle for members, ndjson else
  std::string out;     // folder, created when missing
};

// Generates into `options.out` and prints a JSON summary (files, resources by type, seconds,
// resources per second) on stdout. Returns the exit code: 0 when everything was written, 1 when
// a file could not be written, 2 for bad arguments.
//
// Layout: members as bundles: shared.json (the payers, providers and practitioners members
// reference) and member-<index>.json; as NDJSON: <Type>.ndjson. The directory: <Type>.ndjson,
// or as bundles directory-<n>.json transaction Bundles of at most 1000 resources.
int RunGenerate(const GenerateOptions& options);

}  // namespace planapi::planctl
