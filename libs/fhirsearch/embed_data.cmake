# Writes OUT: a C++ file defining planapi::fhirsearch::internal::EmbeddedData() from FILES (the
# JSON files of libs/fhirsearch/data), so the published definitions travel inside the library.
# Run at build time by libs/fhirsearch/CMakeLists.txt.
set(body "")
foreach(f IN LISTS FILES)
  get_filename_component(name ${f} NAME)
  file(READ ${f} text)
  string(FIND "${text}" ")planapi_json\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${f} contains the raw-string delimiter )planapi_json\"")
  endif()
  string(APPEND body "    {\"${name}\", R\"planapi_json(${text})planapi_json\"},\n")
endforeach()
if(body STREQUAL "")
  message(FATAL_ERROR "no data files to embed")
endif()
file(WRITE ${OUT}.tmp "// Generated from libs/fhirsearch/data by embed_data.cmake; do not edit.
#include \"libs/fhirsearch/embedded_data.h\"

namespace planapi::fhirsearch::internal {
namespace {
constexpr EmbeddedFile kFiles[] = {
${body}};
}  // namespace

std::span<const EmbeddedFile> EmbeddedData() { return kFiles; }

}  // namespace planapi::fhirsearch::internal
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
