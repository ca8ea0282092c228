// The files of libs/fhirsearch/data, compiled into the library by embed_data.cmake so that a
// service needs no data files at run time. Internal to fhirsearch.
#pragma once

#include <span>

#include "absl/strings/string_view.h"

namespace planapi::fhirsearch::internal {

struct EmbeddedFile {
  absl::string_view name;  // file name, e.g. "us-core.json"
  absl::string_view text;
};

// Every data/*.json file, ordered by name.
std::span<const EmbeddedFile> EmbeddedData();

}  // namespace planapi::fhirsearch::internal
