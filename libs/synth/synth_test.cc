#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/json/json.h"
#include "libs/synth/demographics.h"
#include "libs/synth/directory.h"
#include "libs/synth/members.h"
#include "libs/synth/resource.h"

namespace planapi::synth {
namespace {

// Keeps everything generated, for inspection.
class CollectingSink : public MemberSink {
 public:
  absl::Status Shared(std::span<const Resource> resources) override {
    shared.assign(resources.begin(), resources.end());
    return absl::OkStatus();
  }
  absl::Status AddMember(const Member& member) override {
    patient_ids.emplace_back(member.patient_id);
    members.emplace_back(member.resources.begin(), member.resources.end());
    return absl::OkStatus();
  }
  std::vector<Resource> All() const {
    std::vector<Resource> all = shared;
    for (const auto& m : members) {
      all.insert(all.end(), m.begin(), m.end());
    }
    return all;
  }

  std::vector<Resource> shared;
  std::vector<std::vector<Resource>> members;
  std::vector<std::string> patient_ids;
};

CollectingSink Members(int64_t count, uint64_t seed, int64_t first = 0, bool shared = true) {
  CollectingSink sink;
  MemberOptions options;
  options.count = count;
  options.seed = seed;
  options.first_index = first;
  options.emit_shared = shared;
  REQUIRE(GenerateMembers(options, sink).ok());
  return sink;
}

std::vector<Resource> Directory(int64_t practitioners, uint64_t seed) {
  std::vector<Resource> out;
  DirectoryOptions options;
  options.practitioners = practitioners;
  options.seed = seed;
  REQUIRE(GenerateDirectory(options, [&](const Resource& r) {
            out.push_back(r);
            return absl::OkStatus();
          }).ok());
  return out;
}

rapidjson::Document ParseOrFail(const Resource& r) {
  absl::StatusOr<rapidjson::Document> doc = json::Parse(r.json);
  INFO(r.type << "/" << r.id << ": " << doc.status());
  REQUIRE(doc.ok());
  return *std::move(doc);
}

void CollectReferences(const rapidjson::Value& v, std::vector<std::string>& out) {
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (absl::string_view(m.name.GetString()) == "reference" && m.value.IsString()) {
        out.emplace_back(m.value.GetString(), m.value.GetStringLength());
      } else {
        CollectReferences(m.value, out);
      }
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      CollectReferences(e, out);
    }
  }
}

// Parses every resource, checks type and id match the JSON and ids are unique and valid, and
// that every reference names a generated resource. Returns the parsed documents by "Type/id".
std::map<std::string, rapidjson::Document> CheckClosedSet(const std::vector<Resource>& all) {
  std::map<std::string, rapidjson::Document> docs;
  for (const Resource& r : all) {
    rapidjson::Document doc = ParseOrFail(r);
    CHECK(json::GetString(doc, "resourceType") == r.type);
    CHECK(json::GetString(doc, "id") == r.id);
    CHECK(r.id.size() <= 64);
    CHECK(r.id.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.") ==
          std::string::npos);
    REQUIRE(doc.HasMember("meta"));
    CHECK(doc["meta"].HasMember("lastUpdated"));
    CHECK(doc["meta"]["profile"].Size() >= 1);
    const std::string key = absl::StrCat(r.type, "/", r.id);
    INFO("duplicate " << key);
    CHECK(docs.emplace(key, std::move(doc)).second);
  }
  int unresolved = 0;
  for (const auto& [key, doc] : docs) {
    std::vector<std::string> refs;
    CollectReferences(doc, refs);
    for (const std::string& ref : refs) {
      if (docs.count(ref) == 0) {
        ++unresolved;
        if (unresolved < 10) {
          FAIL_CHECK(key << " references " << ref << ", which was not generated");
        }
      }
    }
  }
  CHECK(unresolved == 0);
  return docs;
}

bool HasProfile(const rapidjson::Value& doc, absl::string_view needle) {
  for (const auto& p : doc["meta"]["profile"].GetArray()) {
    if (absl::StrContains(p.GetString(), needle)) {
      return true;
    }
  }
  return false;
}

std::string FirstCode(const rapidjson::Value& codeable) {
  return codeable["coding"][0]["code"].GetString();
}

TEST_CASE("synth: a member is a closed, parseable set of US Core and CARIN resources", "[synth]") {
  CollectingSink sink = Members(12, 7);
  REQUIRE(sink.members.size() == 12);
  std::map<std::string, rapidjson::Document> docs = CheckClosedSet(sink.All());

  std::map<std::string, int> by_type;
  for (const auto& [key, doc] : docs) {
    ++by_type[doc["resourceType"].GetString()];
  }
  for (const char* type :
       {"Patient", "Coverage", "ExplanationOfBenefit", "Observation", "Condition", "Encounter",
        "Procedure", "Immunization", "MedicationRequest", "AllergyIntolerance", "DiagnosticReport",
        "CarePlan", "CareTeam", "Goal", "DocumentReference", "Device", "Provenance", "Organization",
        "Practitioner"}) {
    INFO(type);
    CHECK(by_type[type] > 0);
  }
  CHECK(by_type["Patient"] == 12);
  CHECK(by_type["Coverage"] == 24);
  CHECK(by_type["Provenance"] == 12);
  // About a hundred resources a member, so 10,000 members make the million the bench loads.
  for (const auto& member : sink.members) {
    CHECK(member.size() >= 70);
    CHECK(member.size() <= 160);
    CHECK(member.front().type == "Patient");
  }
}

TEST_CASE("synth: every member has an EOB of each CARIN type with its type code and profile",
          "[synth]") {
  CollectingSink sink = Members(6, 11);
  struct Expect {
    const char* profile;
    const char* type;
    const char* subtype;
  };
  const Expect expected[] = {
      {"C4BB-ExplanationOfBenefit-Inpatient-Institutional|2.0.0", "institutional", "inpatient"},
      {"C4BB-ExplanationOfBenefit-Outpatient-Institutional|2.0.0", "institutional", "outpatient"},
      {"C4BB-ExplanationOfBenefit-Professional-NonClinician|2.0.0", "professional", ""},
      {"C4BB-ExplanationOfBenefit-Pharmacy|2.0.0", "pharmacy", ""},
      {"C4BB-ExplanationOfBenefit-Oral|2.0.0", "oral", ""},
  };
  for (const auto& member : sink.members) {
    std::map<std::string, int> found;
    for (const Resource& r : member) {
      if (r.type != "ExplanationOfBenefit") {
        continue;
      }
      rapidjson::Document eob = ParseOrFail(r);
      INFO(r.json.substr(0, 400));
      bool matched = false;
      for (const Expect& e : expected) {
        if (!HasProfile(eob, e.profile)) {
          continue;
        }
        matched = true;
        ++found[e.profile];
        CHECK(std::string(eob["type"]["coding"][0]["system"].GetString()) ==
              "http://terminology.hl7.org/CodeSystem/claim-type");
        CHECK(FirstCode(eob["type"]) == e.type);
        if (*e.subtype) {
          CHECK(FirstCode(eob["subType"]) == e.subtype);
        }
      }
      CHECK(matched);
      // What every CARIN BB EOB needs.
      CHECK(FirstCode(eob["identifier"][0]["type"]) == "uc");
      CHECK(eob.HasMember("billablePeriod"));
      CHECK(eob.HasMember("created"));
      CHECK(json::GetString(eob, "use") == "claim");
      CHECK(json::GetString(eob, "outcome") == "complete");
      CHECK(eob["insurer"].HasMember("reference"));
      CHECK(eob["provider"].HasMember("reference"));
      CHECK(eob["insurance"][0]["focal"].GetBool());
      CHECK(
          absl::StartsWith(eob["insurance"][0]["coverage"]["reference"].GetString(), "Coverage/"));
      CHECK(eob["careTeam"].Size() >= 1);
      REQUIRE(eob["item"].Size() >= 1);
      for (const auto& item : eob["item"].GetArray()) {
        CHECK((item.HasMember("servicedDate") || item.HasMember("servicedPeriod")));
        CHECK(item.HasMember("productOrService"));
      }
      std::set<std::string> info;
      for (const auto& s : eob["supportingInfo"].GetArray()) {
        info.insert(FirstCode(s["category"]));
      }
      CHECK(info.count("clmrecvddate") == 1);
      if (HasProfile(eob, "Inpatient")) {
        CHECK(info.count("admissionperiod") == 1);
        CHECK(info.count("discharge-status") == 1);
      }
      if (HasProfile(eob, "Pharmacy")) {
        CHECK(info.count("dayssupply") == 1);
        CHECK(info.count("refillnum") == 1);
        CHECK(std::string(eob["item"][0]["productOrService"]["coding"][0]["system"].GetString()) ==
              "http://hl7.org/fhir/sid/ndc");
      }
      // Header network status, and amounts whose totals add up.
      std::set<std::string> header;
      for (const auto& a : eob["adjudication"].GetArray()) {
        header.insert(FirstCode(a["category"]));
      }
      CHECK(header.count("billingnetworkstatus") == 1);
      std::map<std::string, double> totals;
      for (const auto& t : eob["total"].GetArray()) {
        totals[FirstCode(t["category"])] = t["amount"]["value"].GetDouble();
      }
      CHECK(totals["submitted"] > 0);
      CHECK(totals["benefit"] == Approx(totals["paidtoprovider"]));
      CHECK(totals["eligible"] == Approx(totals["benefit"] + totals["deductible"] +
                                         totals["copay"] + totals["coinsurance"]));
      CHECK(eob["payment"]["amount"]["value"].GetDouble() == Approx(totals["benefit"]));
    }
    for (const Expect& e : expected) {
      INFO(e.profile);
      CHECK(found[e.profile] >= 1);
    }
  }
}

TEST_CASE("synth: clinical resources carry US Core categories, codes and dates", "[synth]") {
  CollectingSink sink = Members(4, 3);
  int vitals = 0;
  int labs = 0;
  for (const auto& member : sink.members) {
    std::set<std::string> clinical;
    std::set<std::string> targets;
    for (const Resource& r : member) {
      rapidjson::Document doc = ParseOrFail(r);
      if (r.type == "Observation") {
        const std::string category = FirstCode(doc["category"][0]);
        vitals += category == "vital-signs";
        labs += category == "laboratory";
        CHECK(std::string(doc["code"]["coding"][0]["system"].GetString()) == "http://loinc.org");
        CHECK(doc.HasMember("effectiveDateTime"));
        CHECK((doc.HasMember("valueQuantity") || doc.HasMember("component") ||
               doc.HasMember("valueCodeableConcept")));
      } else if (r.type == "Condition") {
        CHECK(doc["code"]["coding"].Size() == 2);
        CHECK(std::string(doc["code"]["coding"][1]["system"].GetString()) ==
              "http://hl7.org/fhir/sid/icd-10-cm");
      } else if (r.type == "Immunization") {
        CHECK(std::string(doc["vaccineCode"]["coding"][0]["system"].GetString()) ==
              "http://hl7.org/fhir/sid/cvx");
      } else if (r.type == "MedicationRequest") {
        CHECK(std::string(doc["medicationCodeableConcept"]["coding"][0]["system"].GetString()) ==
              "http://www.nlm.nih.gov/research/umls/rxnorm");
      } else if (r.type == "Provenance") {
        for (const auto& t : doc["target"].GetArray()) {
          targets.insert(t["reference"].GetString());
        }
      }
      if (r.type != "Patient" && r.type != "Coverage" && r.type != "ExplanationOfBenefit" &&
          r.type != "Provenance") {
        clinical.insert(absl::StrCat(r.type, "/", r.id));
      }
    }
    // The Provenance names exactly the member's clinical records.
    CHECK(targets == clinical);
  }
  CHECK(vitals >= 4 * 8 * 4);
  CHECK(labs >= 4 * 10);
}

TEST_CASE("synth: members are the same bytes for a seed whatever the count or first index",
          "[synth]") {
  CollectingSink a = Members(5, 42);
  CollectingSink b = Members(5, 42);
  REQUIRE(a.members.size() == b.members.size());
  for (size_t i = 0; i < a.members.size(); ++i) {
    REQUIRE(a.members[i].size() == b.members[i].size());
    for (size_t j = 0; j < a.members[i].size(); ++j) {
      CHECK(a.members[i][j].json == b.members[i][j].json);
    }
  }
  CHECK(a.shared.size() == b.shared.size());
  // Member 3 alone, generated as a continuation run, is member 3 of the full run.
  CollectingSink later = Members(2, 42, 3, false);
  CHECK(later.shared.empty());
  REQUIRE(later.members.size() == 2);
  CHECK(later.patient_ids[0] == MemberPatientId(42, 3));
  for (size_t j = 0; j < later.members[0].size(); ++j) {
    CHECK(later.members[0][j].json == a.members[3][j].json);
  }
  // The longest ids (largest seed and index) still fit FHIR's 64 characters and resolve.
  CollectingSink extreme = Members(1, UINT64_MAX, 999'999'999'999);
  CheckClosedSet(extreme.All());
  // Another seed gives other people under other ids, so both can be loaded side by side.
  CollectingSink other = Members(5, 43);
  std::set<std::string> ids;
  for (const Resource& r : a.All()) {
    ids.insert(absl::StrCat(r.type, "/", r.id));
  }
  for (const Resource& r : other.All()) {
    CHECK(ids.count(absl::StrCat(r.type, "/", r.id)) == 0);
  }
}

TEST_CASE("synth: a member as a transaction bundle PUTs every resource under its id, or as NDJSON",
          "[synth]") {
  CollectingSink sink = Members(1, 5);
  const std::vector<Resource>& member = sink.members[0];
  const std::string text = TransactionBundle("b1", member);
  absl::StatusOr<rapidjson::Document> bundle = json::Parse(text);
  REQUIRE(bundle.ok());
  CHECK(json::GetString(*bundle, "type") == "transaction");
  REQUIRE((*bundle)["entry"].Size() == member.size());
  std::set<std::string> full_urls;
  for (size_t i = 0; i < member.size(); ++i) {
    const auto& entry = (*bundle)["entry"][static_cast<rapidjson::SizeType>(i)];
    CHECK(json::GetString(entry["request"], "method") == "PUT");
    CHECK(json::GetString(entry["request"], "url") ==
          absl::StrCat(member[i].type, "/", member[i].id));
    CHECK(json::GetString(entry["resource"], "id") == member[i].id);
    const std::string full_url(*json::GetString(entry, "fullUrl"));
    CHECK(absl::StartsWith(full_url, "urn:uuid:"));
    CHECK(full_url.size() == 45);
    full_urls.insert(full_url);
  }
  CHECK(full_urls.size() == member.size());
  // The same member as NDJSON: a line per resource, each parseable on its own.
  const std::string lines = NdjsonLines(member);
  size_t start = 0;
  size_t count = 0;
  for (size_t end = lines.find('\n'); end != std::string::npos;
       start = end + 1, end = lines.find('\n', start)) {
    CHECK(json::Parse(absl::string_view(lines).substr(start, end - start)).ok());
    ++count;
  }
  CHECK(count == member.size());
  CHECK(start == lines.size());
}

TEST_CASE("synth: the directory is a closed Plan-Net set of about five resources a practitioner",
          "[synth]") {
  const std::vector<Resource> all = Directory(300, 9);
  std::map<std::string, rapidjson::Document> docs = CheckClosedSet(all);
  std::map<std::string, int> by_type;
  for (const Resource& r : all) {
    ++by_type[r.type];
  }
  CHECK(by_type["Practitioner"] == 300);
  for (const char* type : {"Organization", "Location", "PractitionerRole", "HealthcareService",
                           "OrganizationAffiliation", "Endpoint", "InsurancePlan"}) {
    INFO(type);
    CHECK(by_type[type] > 0);
  }
  const double per_practitioner = static_cast<double>(all.size()) / 300;
  CHECK(per_practitioner > 4.3);
  CHECK(per_practitioner < 5.7);
  for (const auto& [key, doc] : docs) {
    CHECK(HasProfile(doc,
                     "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/plannet-"));
    const std::string type = doc["resourceType"].GetString();
    if (type == "PractitionerRole") {
      const auto& ext = doc["extension"][0];
      CHECK(absl::EndsWith(ext["url"].GetString(), "network-reference"));
      const std::string network = ext["valueReference"]["reference"].GetString();
      REQUIRE(docs.count(network) == 1);
      CHECK(HasProfile(docs.at(network), "plannet-Network"));
      CHECK(std::string(doc["specialty"][0]["coding"][0]["system"].GetString()) ==
            "http://nucc.org/provider-taxonomy");
      for (const char* field : {"practitioner", "organization"}) {
        CHECK(doc[field].HasMember("reference"));
      }
      for (const char* field : {"location", "healthcareService", "endpoint", "telecom"}) {
        CHECK(doc[field].Size() >= 1);
      }
    } else if (type == "Location" && doc.HasMember("position")) {
      const double lat = doc["position"]["latitude"].GetDouble();
      const double lon = doc["position"]["longitude"].GetDouble();
      // Inside the continental US and Alaska/Hawaii's box.
      CHECK(lat > 18);
      CHECK(lat < 72);
      CHECK(lon > -180);
      CHECK(lon < -60);
      if (doc["address"].HasMember("postalCode")) {
        CHECK(std::string(doc["address"]["postalCode"].GetString()).size() == 5);
        CHECK(doc["address"].HasMember("city"));
      }
    }
  }
}

TEST_CASE("synth: the directory is the same bytes for a seed and other ids for another",
          "[synth]") {
  const std::vector<Resource> a = Directory(40, 1);
  const std::vector<Resource> b = Directory(40, 1);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].json == b[i].json);
  }
  const std::vector<Resource> c = Directory(40, 2);
  std::set<std::string> ids;
  for (const Resource& r : a) {
    ids.insert(r.id);
  }
  for (const Resource& r : c) {
    CHECK(ids.count(r.id) == 0);
  }
}

TEST_CASE("synth: NPIs carry a valid check digit", "[synth]") {
  // The example NPI of the CMS NPI check-digit specification.
  CHECK(Npi(23456789) == "1234567893");
  for (uint64_t n : {0ULL, 1ULL, 99999999ULL, 123456789012ULL}) {
    const std::string npi = Npi(n);
    REQUIRE(npi.size() == 10);
    int sum = 24;
    for (int i = 8; i >= 0; --i) {
      int v = npi[i] - '0';
      if ((8 - i) % 2 == 0) {
        v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      }
      sum += v;
    }
    CHECK((sum + (npi[9] - '0')) % 10 == 0);
  }
}

TEST_CASE("synth: bad generator options are refused with INVALID_ARGUMENT", "[synth]") {
  CollectingSink sink;
  MemberOptions members;
  members.count = -1;
  CHECK(GenerateMembers(members, sink).code() == absl::StatusCode::kInvalidArgument);
  members.count = 1;
  members.first_index = INT64_MAX;
  CHECK(GenerateMembers(members, sink).code() == absl::StatusCode::kInvalidArgument);
  members.first_index = 0;
  members.as_of = "yesterday";
  CHECK(GenerateMembers(members, sink).code() == absl::StatusCode::kInvalidArgument);
  DirectoryOptions directory;
  directory.practitioners = -5;
  CHECK(GenerateDirectory(directory, [](const Resource&) { return absl::OkStatus(); }).code() ==
        absl::StatusCode::kInvalidArgument);
  // A sink's error stops generation and comes back as is.
  directory.practitioners = 10;
  int calls = 0;
  CHECK(GenerateDirectory(directory, [&](const Resource&) {
          ++calls;
          return absl::UnavailableError("disk full");
        }).code() == absl::StatusCode::kUnavailable);
  CHECK(calls == 1);
}

}  // namespace
}  // namespace planapi::synth
