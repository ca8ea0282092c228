#include "services/gateway/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace planapi::gateway {
namespace {

struct Type {
  absl::string_view extension;
  absl::string_view content_type;
};

constexpr Type kTypes[] = {
    {".html", "text/html; charset=utf-8"},   {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"}, {".json", "application/json"},
    {".svg", "image/svg+xml"},               {".png", "image/png"},
    {".ico", "image/x-icon"},                {".txt", "text/plain; charset=utf-8"},
};

absl::string_view ContentTypeOf(absl::string_view path) {
  for (const Type& t : kTypes) {
    if (absl::EndsWith(path, t.extension)) {
      return t.content_type;
    }
  }
  return "application/octet-stream";
}

}  // namespace

absl::StatusOr<StaticFiles> StaticFiles::Load(const std::string& root) {
  StaticFiles out;
  if (root.empty()) {
    return out;
  }
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(root, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("PLANAPI_WEB_ROOT (--web-root): cannot read '", root, "': ", ec.message()));
  }
  // The error_code forms throughout: an unreadable entry is a configuration error, not a crash.
  for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      return absl::InvalidArgumentError(absl::StrCat("PLANAPI_WEB_ROOT (--web-root): cannot read '",
                                                     root, "': ", ec.message()));
    }
    const std::filesystem::directory_entry& entry = *it;
    if (!entry.is_regular_file(ec)) {
      continue;
    }
    const std::string rel =
        "/" + std::filesystem::relative(entry.path(), root, ec).generic_string();
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream body;
    body << in.rdbuf();
    StaticFile file{.content_type = std::string(ContentTypeOf(rel)), .body = body.str()};
    file.etag = absl::StrFormat("\"%x-%x\"", file.body.size(), std::hash<std::string>()(file.body));
    out.files_.emplace(rel, std::move(file));
  }
  return out;
}

const StaticFile* StaticFiles::Find(absl::string_view path) const {
  std::string key(path);
  if (absl::EndsWith(key, "/")) {
    key += "index.html";
  }
  auto it = files_.find(key);
  if (it == files_.end()) {
    it = files_.find(key + "/index.html");
  }
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace planapi::gateway
