#include "libs/fhir/capability.h"

#include "libs/json/json.h"

namespace planapi::fhir {

std::string CapabilityStatementJson(const ServerDescription& server, absl::string_view date) {
  json::Writer w;
  w.StartObject()
      .Field("resourceType", "CapabilityStatement")
      .Field("status", "active")
      .Field("date", date)
      .Field("kind", "instance")
      .Key("software")
      .StartObject()
      .Field("name", server.name)
      .Field("version", server.software_version)
      .EndObject()
      .Key("implementation")
      .StartObject()
      .Field("description", server.name)
      .Field("url", server.base_url)
      .EndObject()
      .Field("fhirVersion", "4.0.1")
      .Key("format")
      .StartArray()
      .String("json")
      .String("application/fhir+json")
      .EndArray()
      .Key("rest")
      .StartArray()
      .StartObject()
      .Field("mode", "server")
      .Key("resource")
      .StartArray();
  for (absl::string_view type : server.types) {
    w.StartObject().Field("type", type);
    if (!server.type_interactions.empty()) {
      w.Key("interaction").StartArray();
      for (absl::string_view code : server.type_interactions) {
        w.StartObject().Field("code", code).EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray().EndObject().EndArray().EndObject();
  return w.Take();
}

}  // namespace planapi::fhir
