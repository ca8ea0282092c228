#include "libs/synth/resource.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "libs/json/json.h"
#include "libs/synth/random.h"

namespace planapi::synth {

std::string TransactionBundle(absl::string_view bundle_id, std::span<const Resource> resources) {
  json::Writer w;
  w.StartObject()
      .Field("resourceType", "Bundle")
      .Field("id", bundle_id)
      .Field("type", "transaction")
      .Key("entry")
      .StartArray();
  for (const Resource& r : resources) {
    const std::string address = absl::StrCat(r.type, "/", r.id);
    w.StartObject()
        .Field("fullUrl", absl::StrCat("urn:uuid:", NameUuid(address)))
        .Key("resource")
        .Raw(r.json)
        .Key("request")
        .StartObject()
        .Field("method", "PUT")
        .Field("url", address)
        .EndObject()
        .EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

std::string NdjsonLines(std::span<const Resource> resources) {
  size_t size = 0;
  for (const Resource& r : resources) {
    size += r.json.size() + 1;
  }
  std::string out;
  out.reserve(size);
  for (const Resource& r : resources) {
    out.append(r.json);
    out.push_back('\n');
  }
  return out;
}

std::string NameUuid(absl::string_view name) {
  const uint64_t hi = HashText(name);
  const uint64_t lo = Mix(hi ^ HashText(absl::StrCat("planapi-synth:", name)));
  // Version 5 and the RFC 4122 variant, so validators accept the UUID's shape.
  const uint64_t a = (hi & 0xffffffffffff0fffULL) | 0x0000000000005000ULL;
  const uint64_t b = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace planapi::synth
