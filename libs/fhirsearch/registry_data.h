// The tables behind Registry, shared by the loader and Extract. Internal to fhirsearch.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "libs/fhirsearch/search_params.h"

namespace planapi::fhirsearch {

struct Registry::Data {
  struct Type {
    absl::flat_hash_map<std::string, const SearchParam*> by_code;
    std::vector<const SearchParam*> ordered;    // by code
    std::vector<const SearchParam*> extracted;  // what Extract evaluates, by code
    std::vector<std::string> compartment;       // CompartmentDefinition-patient params
  };
  std::vector<std::unique_ptr<SearchParam>> params;
  absl::flat_hash_map<std::string, Type> types;
};

}  // namespace planapi::fhirsearch
