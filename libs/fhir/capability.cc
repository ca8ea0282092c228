#include "libs/fhir/capability.h"

#include <algorithm>

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
      .Field("mode", "server");
  if (!server.token_url.empty()) {
    // SMART App Launch: the OAuth endpoints as the oauth-uris extension, and the service code.
    w.Key("security")
        .StartObject()
        .Key("extension")
        .StartArray()
        .StartObject()
        .Field("url", "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris")
        .Key("extension")
        .StartArray()
        .StartObject().Field("url", "authorize").Field("valueUri", server.authorize_url).EndObject()
        .StartObject().Field("url", "token").Field("valueUri", server.token_url).EndObject()
        .EndArray()
        .EndObject()
        .EndArray()
        .Key("service")
        .StartArray()
        .StartObject()
        .Key("coding")
        .StartArray()
        .StartObject()
        .Field("system", "http://terminology.hl7.org/CodeSystem/restful-security-service")
        .Field("code", "SMART-on-FHIR")
        .EndObject()
        .EndArray()
        .EndObject()
        .EndArray()
        .EndObject();
  }
  w.Key("resource").StartArray();
  for (absl::string_view type : server.types) {
    w.StartObject().Field("type", type);
    if (!server.type_interactions.empty()) {
      w.Key("interaction").StartArray();
      for (absl::string_view code : server.type_interactions) {
        w.StartObject().Field("code", code).EndObject();
      }
      w.EndArray();
      if (std::find(server.type_interactions.begin(), server.type_interactions.end(), "update") !=
          server.type_interactions.end()) {
        // Updates honour If-Match, create with the client's id, and If-None-Exist.
        w.Field("versioning", "versioned-update")
            .Field("updateCreate", true)
            .Field("conditionalCreate", true);
      }
    }
    if (server.search != nullptr) {
      if (auto it = server.search->find(type); it != server.search->end()) {
        const TypeSearch& search = it->second;
        if (!search.includes.empty()) {
          w.Key("searchInclude").StartArray();
          for (const std::string& i : search.includes) {
            w.String(i);
          }
          w.EndArray();
        }
        if (!search.revincludes.empty()) {
          w.Key("searchRevInclude").StartArray();
          for (const std::string& i : search.revincludes) {
            w.String(i);
          }
          w.EndArray();
        }
        w.Key("searchParam").StartArray();
        for (const TypeSearch::Param& p : search.params) {
          w.StartObject()
              .Field("name", p.name)
              .Field("definition", p.definition)
              .Field("type", p.type)
              .EndObject();
        }
        w.EndArray();
      }
    }
    w.EndObject();
  }
  w.EndArray();
  if (!server.system_interactions.empty()) {
    w.Key("interaction").StartArray();
    for (absl::string_view code : server.system_interactions) {
      w.StartObject().Field("code", code).EndObject();
    }
    w.EndArray();
  }
  w.EndObject().EndArray().EndObject();
  return w.Take();
}

}  // namespace planapi::fhir
