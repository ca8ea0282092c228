// `planctl import`: reads resource files (one resource or Bundle per .json file, one resource per
// line of an .ndjson file; folders are walked) and streams them to a FHIR service's Import RPC.
#pragma once

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace planapi::planctl {

struct Document {
  std::string source;  // "path" or "path:line"
  std::string json;
};

// The .json and .ndjson files in `paths` (folders walked), in a stable order. INVALID_ARGUMENT
// for a path that cannot be read.
absl::StatusOr<std::vector<std::string>> CollectFiles(const std::vector<std::string>& paths);

// Calls `visit` with each document of `file` in order, one at a time, so a load of gigabytes
// (10,000 generated members) never holds more than one document in memory. `visit` returns
// false to stop. INVALID_ARGUMENT when the file cannot be read.
absl::Status ForEachDocument(const std::string& file,
                             absl::FunctionRef<bool(Document&& document)> visit);

struct ImportOptions {
  std::string address;  // host:port of the fhir or directory service
  std::string realm;    // production | sandbox | directory
  std::vector<std::string> paths;
  int jobs = 2;  // parallel Import streams
};

// Streams the documents and prints the service's summary as JSON on stdout. Returns the exit
// code: 0 when everything was stored, 1 when some documents were refused (listed), 2 for bad
// arguments, 3 when the service could not be reached or failed.
int RunImport(const ImportOptions& options);

}  // namespace planapi::planctl
