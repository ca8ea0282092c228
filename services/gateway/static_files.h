// The web UI's static files, read once at start-up into memory (the folder is small), so serving
// one is a map lookup and no request can reach the file system: nothing outside the folder, no
// symlink games, no path traversal.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace planapi::gateway {

struct StaticFile {
  std::string content_type;
  std::string body;
  std::string etag;
};

class StaticFiles {
 public:
  // Loads every regular file below `root` (none when `root` is empty). INVALID_ARGUMENT when the
  // folder cannot be read.
  static absl::StatusOr<StaticFiles> Load(const std::string& root);

  // The file for a URL path; "/" and folders mean their index.html.
  const StaticFile* Find(absl::string_view path) const;

 private:
  std::map<std::string, StaticFile, std::less<>> files_;
};

}  // namespace planapi::gateway
