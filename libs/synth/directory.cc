#include "libs/synth/directory.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/json/json.h"
#include "libs/synth/demographics.h"
#include "libs/synth/fhir_json.h"
#include "libs/synth/random.h"

namespace planapi::synth {
namespace {

#define PLAN_NET(name) "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/" name
#define PLAN_NET_CS(name) "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/" name

constexpr absl::string_view kNucc = "http://nucc.org/provider-taxonomy";
constexpr absl::string_view kSystemBase = "https://synth.planapi.example/fhir/";

// Practitioners per provider organization, on average; the last organization takes the rest.
constexpr int64_t kGroupSize = 10;
constexpr int kPayers = 2;
constexpr int kNetworksPerPayer = 2;

constexpr absl::string_view kPayerNames[kPayers] = {"Summit Health Plan",
                                                    "Lakeshore Health Partners"};
constexpr absl::string_view kNetworkTiers[kNetworksPerPayer] = {"Standard", "Premier"};
struct Metal {
  absl::string_view code;
  absl::string_view display;
};
constexpr Metal kMetals[] = {
    {"bronze", "Bronze-QHP"}, {"silver", "Silver-QHP"}, {"gold", "Gold-QHP"}};

// NUCC taxonomy codes of physicians; primary care repeated so it is drawn more often, as in a
// real network.
constexpr Code kSpecialties[] = {
    {kNucc, "207Q00000X", "Family Medicine Physician"},
    {kNucc, "207R00000X", "Internal Medicine Physician"},
    {kNucc, "208000000X", "Pediatrics Physician"},
    {kNucc, "207Q00000X", "Family Medicine Physician"},
    {kNucc, "207R00000X", "Internal Medicine Physician"},
    {kNucc, "207V00000X", "Obstetrics & Gynecology Physician"},
    {kNucc, "207RC0000X", "Cardiovascular Disease Physician"},
    {kNucc, "207N00000X", "Dermatology Physician"},
    {kNucc, "207X00000X", "Orthopaedic Surgery Physician"},
    {kNucc, "2084N0400X", "Neurology Physician"},
    {kNucc, "2084P0800X", "Psychiatry Physician"},
    {kNucc, "207P00000X", "Emergency Medicine Physician"},
    {kNucc, "207W00000X", "Ophthalmology Physician"},
    {kNucc, "207Y00000X", "Otolaryngology Physician"},
    {kNucc, "2085R0202X", "Diagnostic Radiology Physician"},
    {kNucc, "207RG0100X", "Gastroenterology Physician"},
    {kNucc, "207RE0101X", "Endocrinology, Diabetes & Metabolism Physician"},
    {kNucc, "208600000X", "Surgery Physician"},
    {kNucc, "207RP1001X", "Pulmonary Disease Physician"},
    {kNucc, "208800000X", "Urology Physician"},
};

// An organization's focus: its name and the specialty most of its practitioners have.
struct Focus {
  absl::string_view name;
  size_t specialty;  // index into kSpecialties
};
constexpr Focus kFoci[] = {
    {"Family Medicine", 0}, {"Internal Medicine", 1}, {"Pediatrics", 2},
    {"Women's Health", 5},  {"Heart Center", 6},      {"Dermatology", 7},
    {"Orthopedics", 8},     {"Neurology", 9},         {"Behavioral Health", 10},
    {"Primary Care", 0},    {"Eye Care", 12},         {"Digestive Health", 15},
};
constexpr absl::string_view kNamePrefixes[] = {
    "Riverside",  "Oakwood", "Lakeview",  "Summit",   "Valley",    "Cedar",
    "Pine Ridge", "Harbor",  "Northgate", "Westside", "Brookside", "Maple Grove",
};
constexpr absl::string_view kNameSuffixes[] = {"Associates", "Group",         "Clinic",
                                               "Partners",   "Medical Group", "Health"};

struct ServiceKind {
  absl::string_view code;
  absl::string_view display;
  absl::string_view name;
};
constexpr ServiceKind kServices[] = {
    {"outpat", "Clinic or Outpatient Facility", "Outpatient Services"},
    {"prov", "Medical Provider", "Office Visits"},
    {"lab", "Laboratory", "Laboratory Services"},
    {"urg", "Urgent Care", "Urgent Care"},
    {"emerg", "Emergency care", "Emergency Services"},
};

// What other organizations' resources need to know about organization `g` without generating
// it: drawn from its own stream, so any part of the directory can be computed on its own.
struct OrgPlan {
  int64_t index;
  const City* city;
  const Focus* focus;
  bool hospital;
  int locations;
  int services;
  int payer;     // whose networks it joins
  int networks;  // 1: the payer's standard network; 2: both
  std::string name;
};

OrgPlan PlanOrg(uint64_t seed, int64_t g) {
  Rng rng(seed, "org", g);
  OrgPlan p;
  p.index = g;
  p.city = &Cities()[rng.Below(Cities().size())];
  p.focus = &kFoci[rng.Below(std::size(kFoci))];
  p.hospital = rng.Chance(0.1);
  p.locations =
      p.hospital ? 1 + static_cast<int>(rng.Below(2)) : 1 + static_cast<int>(rng.Below(3));
  p.services = 2 + static_cast<int>(rng.Below(3));
  p.payer = static_cast<int>(rng.Below(kPayers));
  p.networks = rng.Chance(0.5) ? 2 : 1;
  const absl::string_view prefix = kNamePrefixes[rng.Below(std::size(kNamePrefixes))];
  if (p.hospital) {
    p.name = absl::StrCat(prefix, " Regional Medical Center");
  } else {
    const absl::string_view place = rng.Chance(0.5) ? prefix : p.city->name;
    p.name = absl::StrCat(place, " ", p.focus->name, " ",
                          kNameSuffixes[rng.Below(std::size(kNameSuffixes))]);
  }
  return p;
}

class DirectoryWriter {
 public:
  DirectoryWriter(const DirectoryOptions& options, Day as_of, ResourceSink sink)
      : options_(options),
        prefix_(absl::StrCat("s", options.seed, "-")),
        updated_(FormatDateTime(as_of - 30, 7200)),
        as_of_(as_of),
        sink_(sink) {}

  absl::Status Run() {
    const int64_t orgs = (options_.practitioners + kGroupSize - 1) / kGroupSize;
    for (int i = 0; i < kPayers && status_.ok(); ++i) {
      WritePayer(i);
    }
    for (int64_t g = 0; g < orgs && status_.ok(); ++g) {
      const OrgPlan plan = PlanOrg(options_.seed, g);
      WriteOrganization(plan);
      const int64_t first = g * kGroupSize;
      const int64_t last = std::min(options_.practitioners, first + kGroupSize);
      for (int64_t p = first; p < last && status_.ok(); ++p) {
        WritePractitioner(plan, p, orgs);
      }
    }
    return status_;
  }

 private:
  std::string Id(absl::string_view kind, int64_t n) const { return absl::StrCat(prefix_, kind, n); }
  std::string Id(absl::string_view kind, int64_t n, int64_t m) const {
    return absl::StrCat(prefix_, kind, n, "-", m);
  }
  std::string NetworkId(int payer, int tier) const { return Id("net", payer + 1, tier + 1); }

  json::Writer& Begin(absl::string_view type, std::string id, absl::string_view profile) {
    resource_.type.assign(type.data(), type.size());
    resource_.id = std::move(id);
    w_.StartObject().Field("resourceType", type).Field("id", resource_.id);
    WriteMeta(w_, updated_, {profile});
    return w_;
  }
  void End() {
    w_.EndObject();
    resource_.json = w_.Take();
    if (status_.ok()) {
      status_ = sink_(resource_);
    }
  }

  void Address(json::Writer& w, const City& city, const std::string& line, bool array) {
    if (array) {
      w.Key("address").StartArray();
    } else {
      w.Key("address");
    }
    w.StartObject()
        .Field("use", "work")
        .Field("type", "both")
        .Key("line")
        .StartArray()
        .String(line)
        .EndArray()
        .Field("city", city.name)
        .Field("state", city.state)
        .Field("postalCode", city.zip)
        .Field("country", "US")
        .EndObject();
    if (array) {
      w.EndArray();
    }
  }
  void Telecom(json::Writer& w, Rng& rng, const City& city, absl::string_view url) {
    w.Key("telecom").StartArray();
    w.StartObject()
        .Field("system", "phone")
        .Field("value", PhoneNumber(rng, city))
        .Field("use", "work")
        .Field("rank", 1);
    // Business hours, as Plan-Net's contactpoint-availabletime extension states them.
    w.Key("extension")
        .StartArray()
        .StartObject()
        .Field("url", PLAN_NET("contactpoint-availabletime"))
        .Key("extension")
        .StartArray();
    for (absl::string_view day : {"mon", "tue", "wed", "thu", "fri"}) {
      w.StartObject().Field("url", "daysOfWeek").Field("valueCode", day).EndObject();
    }
    w.StartObject()
        .Field("url", "availableStartTime")
        .Field("valueTime", "08:00:00")
        .EndObject()
        .StartObject()
        .Field("url", "availableEndTime")
        .Field("valueTime", "17:00:00")
        .EndObject()
        .EndArray()
        .EndObject()
        .EndArray();
    w.EndObject();
    if (!url.empty()) {
      w.StartObject().Field("system", "url").Field("value", url).Field("rank", 2).EndObject();
    }
    w.EndArray();
  }
  void OrgType(json::Writer& w, absl::string_view code, absl::string_view display) {
    w.Key("type").StartArray().StartObject().Key("coding").StartArray();
    WriteCoding(w, {PLAN_NET_CS("OrgTypeCS"), code, display});
    w.EndArray().EndObject().EndArray();
  }
  void EndpointRefs(json::Writer& w, const std::string& id) {
    w.Key("endpoint").StartArray();
    WriteReferenceValue(w, "Endpoint", id);
    w.EndArray();
  }
  void Endpoint(const std::string& id, bool direct, absl::string_view address,
                absl::string_view name, const std::string& managing_org) {
    json::Writer& w = Begin("Endpoint", id, PLAN_NET("plannet-Endpoint"));
    w.Key("extension")
        .StartArray()
        .StartObject()
        .Field("url", PLAN_NET("endpoint-usecase"))
        .Key("extension")
        .StartArray()
        .StartObject()
        .Field("url", "type");
    WriteConcept(w, "valueCodeableConcept",
                 {"http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT", "treatment"});
    w.EndObject().EndArray().EndObject().EndArray();
    w.Field("status", "active");
    w.Key("connectionType");
    WriteCoding(w, direct ? Code{"http://terminology.hl7.org/CodeSystem/endpoint-connection-type",
                                 "direct-project", "Direct Project"}
                          : Code{"http://terminology.hl7.org/CodeSystem/endpoint-connection-type",
                                 "hl7-fhir-rest", "HL7 FHIR"});
    w.Field("name", name);
    WriteReference(w, "managingOrganization", "Organization", managing_org);
    w.Key("payloadType").StartArray().StartObject().Key("coding").StartArray();
    WriteCoding(w, {"http://terminology.hl7.org/CodeSystem/endpoint-payload-type", "any", "Any"});
    w.EndArray().EndObject().EndArray();
    w.Key("payloadMimeType")
        .StartArray()
        .String(direct ? "application/pdf" : "application/fhir+json")
        .EndArray();
    w.Field("address", address);
    End();
  }

  void WritePayer(int i) {
    Rng rng(options_.seed, "payer", i);
    const City& city = Cities()[static_cast<size_t>(i) * 7 % Cities().size()];
    const std::string payer = Id("payer", i + 1);
    const std::string area = Id("area", i + 1);
    const std::string endpoint = Id("ep-payer", i + 1);
    const std::string slug = absl::StrCat("payer", i + 1);
    {
      json::Writer& w = Begin("Organization", payer, PLAN_NET("plannet-Organization"));
      w.Key("extension")
          .StartArray()
          .StartObject()
          .Field("url", PLAN_NET("org-description"))
          .Field("valueString", absl::StrCat(kPayerNames[i],
                                             " offers commercial and "
                                             "marketplace health plans."))
          .EndObject()
          .EndArray();
      w.Key("identifier")
          .StartArray()
          .StartObject()
          .Field("system", absl::StrCat(kSystemBase, "payerid"))
          .Field("value", absl::StrCat(70000 + i))
          .EndObject()
          .EndArray();
      w.Field("active", true);
      OrgType(w, "payer", "Payer");
      w.Field("name", kPayerNames[i]);
      Telecom(w, rng, city, absl::StrCat("https://www.", slug, ".example.com"));
      Address(w, city, StreetLine(rng), true);
      EndpointRefs(w, endpoint);
      End();
    }
    Endpoint(endpoint, false, absl::StrCat("https://fhir.", slug, ".example.com/r4"),
             absl::StrCat(kPayerNames[i], " FHIR API"), payer);
    {
      // The service area: the payer's home state.
      json::Writer& w = Begin("Location", area, PLAN_NET("plannet-Location"));
      w.Field("status", "active");
      w.Field("name", absl::StrCat("State of ", city.state, " service area"));
      w.Key("type").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(
          w, {"http://terminology.hl7.org/CodeSystem/v3-RoleCode", "HRAREA", "health region area"});
      w.EndArray().EndObject().EndArray();
      w.Key("address").StartObject().Field("state", city.state).Field("country", "US").EndObject();
      w.Key("position")
          .StartObject()
          .Key("longitude")
          .Double(city.longitude)
          .Key("latitude")
          .Double(city.latitude)
          .EndObject();
      WriteReference(w, "managingOrganization", "Organization", payer);
      End();
    }
    for (int t = 0; t < kNetworksPerPayer; ++t) {
      json::Writer& w = Begin("Organization", NetworkId(i, t), PLAN_NET("plannet-Network"));
      w.Key("extension").StartArray().StartObject().Field("url", PLAN_NET("location-reference"));
      WriteReference(w, "valueReference", "Location", area);
      w.EndObject().EndArray();
      w.Field("active", true);
      OrgType(w, "ntwk", "Network");
      w.Field("name", absl::StrCat(kPayerNames[i], " ", kNetworkTiers[t], " Network"));
      WriteReference(w, "partOf", "Organization", payer, kPayerNames[i]);
      w.Key("contact").StartArray().StartObject();
      WriteConcept(w, "purpose",
                   {"http://terminology.hl7.org/CodeSystem/contactentity-type", "PAYOR", "Payor"});
      w.Key("telecom")
          .StartArray()
          .StartObject()
          .Field("system", "phone")
          .Field("value", PhoneNumber(rng, city))
          .EndObject()
          .EndArray();
      w.EndObject().EndArray();
      End();
    }
    for (size_t m = 0; m < std::size(kMetals); ++m) {
      json::Writer& w = Begin("InsurancePlan", Id("plan", i + 1, static_cast<int64_t>(m) + 1),
                              PLAN_NET("plannet-InsurancePlan"));
      w.Field("status", "active");
      w.Key("type").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, {PLAN_NET_CS("InsuranceProductTypeCS"), "qhp", "Qualified Health Plan"});
      w.EndArray().EndObject().EndArray();
      w.Field("name", absl::StrCat(kPayerNames[i], " ", kMetals[m].display));
      w.Key("period")
          .StartObject()
          .Field("start", absl::StrCat(YearOf(as_of_), "-01-01"))
          .Field("end", absl::StrCat(YearOf(as_of_), "-12-31"))
          .EndObject();
      WriteReference(w, "ownedBy", "Organization", payer);
      WriteReference(w, "administeredBy", "Organization", payer);
      w.Key("coverageArea").StartArray();
      WriteReferenceValue(w, "Location", area);
      w.EndArray();
      EndpointRefs(w, endpoint);
      w.Key("network").StartArray();
      // Bronze and silver use the standard network; gold adds the premier one.
      for (int t = 0; t < (m == 2 ? 2 : 1); ++t) {
        WriteReferenceValue(w, "Organization", NetworkId(i, t));
      }
      w.EndArray();
      w.Key("plan").StartArray().StartObject().Key("type").StartObject().Key("coding").StartArray();
      WriteCoding(w, {PLAN_NET_CS("InsurancePlanTypeCS"), kMetals[m].code, kMetals[m].display});
      w.EndArray().EndObject().EndObject().EndArray();
      End();
    }
  }

  // A location's coordinates: the city centre moved by up to ~6 km, rounded to ~10 cm.
  static void Position(json::Writer& w, Rng& rng, const City& city) {
    w.Key("position")
        .StartObject()
        .Key("longitude")
        .Double(Round(city.longitude + (rng.Unit() - 0.5) * 0.14, 6))
        .Key("latitude")
        .Double(Round(city.latitude + (rng.Unit() - 0.5) * 0.1, 6))
        .EndObject();
  }

  void WriteOrganization(const OrgPlan& plan) {
    Rng rng(options_.seed, "org-detail", plan.index);
    const City& city = *plan.city;
    const std::string org = Id("org", plan.index + 1);
    const std::string endpoint = Id("ep-org", plan.index + 1);
    const std::string site = absl::StrCat("https://www.org", plan.index + 1, ".example.org");
    {
      json::Writer& w = Begin("Organization", org, PLAN_NET("plannet-Organization"));
      w.Key("identifier")
          .StartArray()
          .StartObject()
          .Field("system", "http://hl7.org/fhir/sid/us-npi")
          .Field("value", Npi(Mix(options_.seed) % 50000000 + 50000000 + plan.index))
          .EndObject()
          .EndArray();
      w.Field("active", true);
      if (plan.hospital) {
        OrgType(w, "fac", "Facility");
      } else {
        OrgType(w, "prvgrp", "Provider Group");
      }
      w.Field("name", plan.name);
      Telecom(w, rng, city, site);
      Address(w, city, StreetLine(rng), true);
      EndpointRefs(w, endpoint);
      End();
    }
    Endpoint(endpoint, false, absl::StrCat("https://fhir.org", plan.index + 1, ".example.org/r4"),
             absl::StrCat(plan.name, " FHIR endpoint"), org);
    for (int l = 0; l < plan.locations; ++l) {
      const std::string line = StreetLine(rng);
      json::Writer& w =
          Begin("Location", Id("loc", plan.index + 1, l + 1), PLAN_NET("plannet-Location"));
      w.Key("extension").StartArray().StartObject().Field("url", PLAN_NET("accessibility"));
      WriteConcept(w, "valueCodeableConcept",
                   {PLAN_NET_CS("AccessibilityCS"), "adacomp", "ADA compliant"});
      w.EndObject().EndArray();
      w.Field("status", "active");
      w.Field("name", absl::StrCat(plan.name, " - ", line));
      w.Key("type").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, plan.hospital ? Code{"http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                          "HOSP", "Hospital"}
                                   : Code{"http://terminology.hl7.org/CodeSystem/v3-RoleCode", "OF",
                                          "Outpatient facility"});
      w.EndArray().EndObject().EndArray();
      Telecom(w, rng, city, {});
      Address(w, city, line, false);
      Position(w, rng, city);
      WriteReference(w, "managingOrganization", "Organization", org, plan.name);
      w.Key("hoursOfOperation").StartArray().StartObject().Key("daysOfWeek").StartArray();
      for (absl::string_view day : {"mon", "tue", "wed", "thu", "fri"}) {
        w.String(day);
      }
      w.EndArray();
      if (plan.hospital) {
        w.Field("allDay", true);
      } else {
        w.Field("openingTime", "08:00:00").Field("closingTime", "17:00:00");
      }
      w.EndObject().EndArray();
      EndpointRefs(w, endpoint);
      End();
    }
    for (int s = 0; s < plan.services; ++s) {
      // A hospital's first service is its emergency department; clinics' are office visits.
      const ServiceKind& kind = plan.hospital && s == 0 ? kServices[4] : kServices[s % 4];
      json::Writer& w = Begin("HealthcareService", Id("svc", plan.index + 1, s + 1),
                              PLAN_NET("plannet-HealthcareService"));
      w.Key("extension")
          .StartArray()
          .StartObject()
          .Field("url", PLAN_NET("delivery-method"))
          .Key("extension")
          .StartArray()
          .StartObject()
          .Field("url", "type");
      WriteConcept(w, "valueCodeableConcept",
                   {PLAN_NET_CS("DeliveryMethodCS"), "physical", "Physical"});
      w.EndObject().EndArray().EndObject().EndArray();
      w.Field("active", true);
      WriteReference(w, "providedBy", "Organization", org, plan.name);
      w.Key("category").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, {PLAN_NET_CS("HealthcareServiceCategoryCS"), kind.code, kind.display});
      w.EndArray().EndObject().EndArray();
      w.Key("specialty").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, kSpecialties[plan.focus->specialty]);
      w.EndArray().EndObject().EndArray();
      w.Key("location").StartArray();
      for (int l = 0; l < plan.locations; ++l) {
        WriteReferenceValue(w, "Location", Id("loc", plan.index + 1, l + 1));
      }
      w.EndArray();
      w.Field("name", absl::StrCat(plan.name, " ", kind.name));
      Telecom(w, rng, city, {});
      EndpointRefs(w, endpoint);
      End();
    }
    for (int n = 0; n < plan.networks; ++n) {
      json::Writer& w = Begin("OrganizationAffiliation", Id("aff", plan.index + 1, n + 1),
                              PLAN_NET("plannet-OrganizationAffiliation"));
      w.Field("active", true);
      w.Key("period")
          .StartObject()
          .Field("start", FormatDate(as_of_ - 365 - 30 * plan.index % 700))
          .EndObject();
      WriteReference(w, "organization", "Organization", Id("payer", plan.payer + 1),
                     kPayerNames[plan.payer]);
      WriteReference(w, "participatingOrganization", "Organization", org, plan.name);
      w.Key("network").StartArray();
      WriteReferenceValue(w, "Organization", NetworkId(plan.payer, n));
      w.EndArray();
      w.Key("code").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, {PLAN_NET_CS("OrganizationAffiliationRoleCS"), "provider", "Provider"});
      w.EndArray().EndObject().EndArray();
      w.Key("specialty").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, kSpecialties[plan.focus->specialty]);
      w.EndArray().EndObject().EndArray();
      w.Key("location").StartArray();
      for (int l = 0; l < plan.locations; ++l) {
        WriteReferenceValue(w, "Location", Id("loc", plan.index + 1, l + 1));
      }
      w.EndArray();
      w.Key("healthcareService").StartArray();
      for (int s = 0; s < plan.services; ++s) {
        WriteReferenceValue(w, "HealthcareService", Id("svc", plan.index + 1, s + 1));
      }
      w.EndArray();
      EndpointRefs(w, endpoint);
      End();
    }
  }

  void WritePractitioner(const OrgPlan& home, int64_t p, int64_t orgs) {
    Rng rng(options_.seed, "practitioner", p);
    const bool female = rng.Chance(0.5);
    const absl::string_view given = PickFrom(rng, female ? FemaleGivenNames() : MaleGivenNames());
    const absl::string_view middle = PickFrom(rng, female ? FemaleGivenNames() : MaleGivenNames());
    const absl::string_view family = PickFrom(rng, FamilyNames());
    const bool md = rng.Chance(0.88);
    const absl::string_view degree = md ? "MD" : "DO";
    const Code& specialty = rng.Chance(0.6) ? kSpecialties[home.focus->specialty]
                                            : kSpecialties[rng.Below(std::size(kSpecialties))];
    const std::string id = Id("prac", p + 1);
    const std::string endpoint = Id("ep-prac", p + 1);
    const City& city = *home.city;
    const std::string display = absl::StrCat(given, " ", family, ", ", degree);
    {
      json::Writer& w = Begin("Practitioner", id, PLAN_NET("plannet-Practitioner"));
      w.Key("extension")
          .StartArray()
          .StartObject()
          .Field("url", PLAN_NET("practitioner-period"))
          .Key("valuePeriod")
          .StartObject()
          .Field("start", FormatDate(as_of_ - 365 * rng.Between(1, 25)))
          .EndObject()
          .EndObject()
          .EndArray();
      w.Key("identifier")
          .StartArray()
          .StartObject()
          .Key("type")
          .StartObject()
          .Key("coding")
          .StartArray();
      WriteCoding(w, {"http://terminology.hl7.org/CodeSystem/v2-0203", "NPI",
                      "National provider identifier"});
      w.EndArray()
          .EndObject()
          .Field("system", "http://hl7.org/fhir/sid/us-npi")
          .Field("value", Npi(Mix(options_.seed + 1) % 40000000 + 100000000 + p))
          .EndObject()
          .EndArray();
      w.Field("active", true);
      w.Key("name")
          .StartArray()
          .StartObject()
          .Field("use", "official")
          .Field("text", absl::StrCat(given, " ", middle.substr(0, 1), ". ", family, ", ", degree))
          .Field("family", family)
          .Key("given")
          .StartArray()
          .String(given)
          .String(middle)
          .EndArray()
          .Key("suffix")
          .StartArray()
          .String(degree)
          .EndArray()
          .EndObject()
          .EndArray();
      Telecom(w, rng, city, {});
      w.Field("gender", female ? "female" : "male");
      w.Key("qualification").StartArray();
      auto qualification = [&](const Code& code, absl::string_view issuer) {
        w.StartObject()
            .Key("extension")
            .StartArray()
            .StartObject()
            .Field("url", PLAN_NET("practitioner-qualification"))
            .Key("extension")
            .StartArray()
            .StartObject()
            .Field("url", "status")
            .Field("valueCode", "active")
            .EndObject()
            .StartObject()
            .Field("url", "whereValid");
        WriteConcept(w, "valueCodeableConcept", {"https://www.usps.com/", city.state, {}});
        w.EndObject().EndArray().EndObject().EndArray();
        WriteConcept(w, "code", code);
        w.Key("issuer").StartObject().Field("display", issuer).EndObject().EndObject();
      };
      qualification({"http://terminology.hl7.org/CodeSystem/v2-0360", degree,
                     md ? "Doctor of Medicine" : "Doctor of Osteopathy"},
                    absl::StrCat("State of ", city.state, " Medical Board"));
      qualification(specialty, "American Board of Medical Specialties");
      w.EndArray();
      w.Key("communication").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, {"urn:ietf:bcp:47", "en", "English"});
      w.EndArray().EndObject();
      if (rng.Chance(0.2)) {
        w.StartObject().Key("coding").StartArray();
        WriteCoding(w, {"urn:ietf:bcp:47", "es", "Spanish"});
        w.EndArray().EndObject();
      }
      w.EndArray();
      End();
    }
    Endpoint(
        endpoint, true,
        absl::StrCat("mailto:", absl::AsciiStrToLower(given), ".", absl::AsciiStrToLower(family),
                     p + 1, "@direct.org", home.index + 1, ".example.org"),
        absl::StrCat("Direct address of ", display), Id("org", home.index + 1));
    // Roles: one at the home organization, sometimes more at its other sites or elsewhere.
    const double draw = rng.Unit();
    const int roles = draw < 0.25 ? 1 : draw < 0.7 ? 2 : 3;
    for (int r = 0; r < roles; ++r) {
      OrgPlan other;
      const OrgPlan* at = &home;
      int location = static_cast<int>(rng.Below(static_cast<size_t>(home.locations)));
      if (r > 0 && (home.locations == 1 || rng.Chance(0.5)) && orgs > 1) {
        other = PlanOrg(options_.seed, static_cast<int64_t>(rng.Below(static_cast<size_t>(orgs))));
        at = &other;
        location = static_cast<int>(rng.Below(static_cast<size_t>(other.locations)));
      }
      json::Writer& w =
          Begin("PractitionerRole", Id("role", p + 1, r + 1), PLAN_NET("plannet-PractitionerRole"));
      w.Key("extension").StartArray();
      w.StartObject().Field("url", PLAN_NET("network-reference"));
      WriteReference(w, "valueReference", "Organization",
                     NetworkId(at->payer, static_cast<int>(rng.Below(at->networks))));
      w.EndObject();
      w.StartObject()
          .Field("url", PLAN_NET("newpatients"))
          .Key("extension")
          .StartArray()
          .StartObject()
          .Field("url", "acceptingPatients");
      const bool accepting = rng.Chance(0.7);
      WriteConcept(w, "valueCodeableConcept",
                   accepting ? Code{PLAN_NET_CS("AcceptingPatientsCS"), "newpt", "Accepting"}
                             : Code{PLAN_NET_CS("AcceptingPatientsCS"), "existptonly",
                                    "Accepting existing patients"});
      w.EndObject().EndArray().EndObject();
      w.EndArray();
      w.Field("active", true);
      w.Key("period")
          .StartObject()
          .Field("start", FormatDate(as_of_ - rng.Between(30, 3650)))
          .EndObject();
      WriteReference(w, "practitioner", "Practitioner", id, display);
      WriteReference(w, "organization", "Organization", Id("org", at->index + 1), at->name);
      w.Key("code").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, {PLAN_NET_CS("ProviderRoleCS"), "ph", "Physician"});
      w.EndArray().EndObject().EndArray();
      w.Key("specialty").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, specialty);
      w.EndArray().EndObject().EndArray();
      w.Key("location").StartArray();
      WriteReferenceValue(w, "Location", Id("loc", at->index + 1, location + 1));
      w.EndArray();
      w.Key("healthcareService").StartArray();
      WriteReferenceValue(
          w, "HealthcareService",
          Id("svc", at->index + 1,
             static_cast<int64_t>(rng.Below(static_cast<size_t>(at->services))) + 1));
      w.EndArray();
      Telecom(w, rng, *at->city, {});
      EndpointRefs(w, endpoint);
      End();
    }
  }

  const DirectoryOptions& options_;
  const std::string prefix_;
  const std::string updated_;
  const Day as_of_;
  ResourceSink sink_;
  json::Writer w_;
  Resource resource_;
  absl::Status status_;
};

}  // namespace

absl::Status GenerateDirectory(const DirectoryOptions& options, ResourceSink sink) {
  constexpr int64_t kMaxPractitioners = 1'000'000'000;  // ids stay short; NPIs stay distinct
  if (options.practitioners < 0 || options.practitioners > kMaxPractitioners) {
    return absl::InvalidArgumentError(
        absl::StrCat("the practitioner count must be between 0 and ", kMaxPractitioners));
  }
  Day as_of;
  if (!ParseDate(options.as_of, &as_of)) {
    return absl::InvalidArgumentError(
        absl::StrCat("as_of '", options.as_of, "' is not a date (YYYY-MM-DD)"));
  }
  return DirectoryWriter(options, as_of, sink).Run();
}

}  // namespace planapi::synth
