// `planctl import`: reads resource files (one resource or Bundle per .json file, one resource per
// line of an .ndjson file; folders are walked) and streams them to a FHIR service's Import RPC.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace planapi::planctl {

struct Document {
  std::string source;  // "path" or "path:line"
  std::string json;
};

// The documents in `paths`, in a stable order. INVALID_ARGUMENT for a path that cannot be read.
absl::StatusOr<std::vector<Document>> CollectDocuments(const std::vector<std::string>& paths);

struct ImportOptions {
  std::string address;  // host:port of the fhir or directory service
  std::string realm;    // production | sandbox | directory
  std::vector<std::string> paths;
};

// Streams the documents and prints the service's summary as JSON on stdout. Returns the exit
// code: 0 when everything was stored, 1 when some documents were refused (listed), 2 for bad
// arguments, 3 when the service could not be reached or failed.
int RunImport(const ImportOptions& options);

}  // namespace planapi::planctl
