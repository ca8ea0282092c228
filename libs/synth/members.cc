#include "libs/synth/members.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/json/json.h"
#include "libs/synth/demographics.h"
#include "libs/synth/fhir_json.h"
#include "libs/synth/random.h"

namespace planapi::synth {
namespace {

// --- Profiles and code systems ------------------------------------------------------------------

#define US_CORE(name) "http://hl7.org/fhir/us/core/StructureDefinition/" name
#define CARIN(name) "http://hl7.org/fhir/us/carin-bb/StructureDefinition/" name "|2.0.0"

constexpr absl::string_view kLoinc = "http://loinc.org";
constexpr absl::string_view kSnomed = "http://snomed.info/sct";
constexpr absl::string_view kIcd10 = "http://hl7.org/fhir/sid/icd-10-cm";
constexpr absl::string_view kCpt = "http://www.ama-assn.org/go/cpt";
constexpr absl::string_view kRxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
constexpr absl::string_view kCvx = "http://hl7.org/fhir/sid/cvx";
constexpr absl::string_view kNdc = "http://hl7.org/fhir/sid/ndc";
constexpr absl::string_view kCdt = "http://www.ada.org/cdt";
constexpr absl::string_view kV2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";
constexpr absl::string_view kC4bbIdType =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType";
constexpr absl::string_view kC4bbAdj =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication";
constexpr absl::string_view kAdj = "http://terminology.hl7.org/CodeSystem/adjudication";
constexpr absl::string_view kC4bbAdjDisc =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator";
constexpr absl::string_view kC4bbAdjStatus =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus";
constexpr absl::string_view kC4bbInfo =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType";
constexpr absl::string_view kC4bbCareTeamRole =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole";
constexpr absl::string_view kC4bbDiagType =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType";
constexpr absl::string_view kExDiagType = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype";
constexpr absl::string_view kPos =
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set";
constexpr absl::string_view kRevenue = "https://www.nubc.org/CodeSystem/RevenueCodes";
constexpr absl::string_view kObsCategory =
    "http://terminology.hl7.org/CodeSystem/observation-category";
constexpr absl::string_view kSystemBase = "https://synth.planapi.example/fhir/";

constexpr Code kVitalSigns{kObsCategory, "vital-signs", "Vital Signs"};
constexpr Code kLaboratory{kObsCategory, "laboratory", "Laboratory"};
constexpr Code kSocialHistory{kObsCategory, "social-history", "Social History"};

// --- Code tables --------------------------------------------------------------------------------

// A chronic condition with the drug usually prescribed for it and the NDC package a pharmacy
// claim dispenses.
struct ChronicCondition {
  Code snomed;
  Code icd10;
  Code rxnorm;
  Code ndc;
  absl::string_view dosage;
};

constexpr ChronicCondition kChronic[] = {
    {{kSnomed, "38341003", "Hypertensive disorder, systemic arterial (disorder)"},
     {kIcd10, "I10", "Essential (primary) hypertension"},
     {kRxNorm, "314076", "lisinopril 10 MG Oral Tablet"},
     {kNdc, "68180-0513-01", "Lisinopril 10 mg, 90 TABLET in 1 BOTTLE"},
     "Take 1 tablet by mouth once daily"},
    {{kSnomed, "44054006", "Diabetes mellitus type 2 (disorder)"},
     {kIcd10, "E11.9", "Type 2 diabetes mellitus without complications"},
     {kRxNorm, "860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet"},
     {kNdc, "65862-0008-01", "Metformin HCl 500 mg, 100 TABLET in 1 BOTTLE"},
     "Take 1 tablet by mouth daily with the evening meal"},
    {{kSnomed, "55822004", "Hyperlipidemia (disorder)"},
     {kIcd10, "E78.5", "Hyperlipidemia, unspecified"},
     {kRxNorm, "617312", "atorvastatin 10 MG Oral Tablet"},
     {kNdc, "0071-0155-23", "Lipitor 10 mg, 90 TABLET, FILM COATED in 1 BOTTLE"},
     "Take 1 tablet by mouth at bedtime"},
    {{kSnomed, "195967001", "Asthma (disorder)"},
     {kIcd10, "J45.909", "Unspecified asthma, uncomplicated"},
     {kRxNorm, "745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"},
     {kNdc, "0173-0682-20", "Ventolin HFA 90 mcg/actuation, 1 INHALER"},
     "Inhale 2 puffs every 4 to 6 hours as needed for wheezing"},
    {{kSnomed, "40930008", "Hypothyroidism (disorder)"},
     {kIcd10, "E03.9", "Hypothyroidism, unspecified"},
     {kRxNorm, "966222", "levothyroxine sodium 0.05 MG Oral Tablet"},
     {kNdc, "0378-1803-01", "Levothyroxine sodium 50 mcg, 90 TABLET in 1 BOTTLE"},
     "Take 1 tablet by mouth every morning before breakfast"},
    {{kSnomed, "35489007", "Depressive disorder (disorder)"},
     {kIcd10, "F32.A", "Depression, unspecified"},
     {kRxNorm, "312940", "sertraline 50 MG Oral Tablet"},
     {kNdc, "16729-0114-01", "Sertraline HCl 50 mg, 30 TABLET in 1 BOTTLE"},
     "Take 1 tablet by mouth once daily"},
    {{kSnomed, "235595009", "Gastroesophageal reflux disease (disorder)"},
     {kIcd10, "K21.9", "Gastro-esophageal reflux disease without esophagitis"},
     {kRxNorm, "314200", "pantoprazole 40 MG Delayed Release Oral Tablet"},
     {kNdc, "62175-0617-37", "Pantoprazole sodium 40 mg, 30 TABLET, DELAYED RELEASE in 1 BOTTLE"},
     "Take 1 tablet by mouth daily before breakfast"},
    {{kSnomed, "239873007", "Osteoarthritis of knee (disorder)"},
     {kIcd10, "M17.9", "Osteoarthritis of knee, unspecified"},
     {kRxNorm, "197806", "ibuprofen 600 MG Oral Tablet"},
     {kNdc, "67877-0320-01", "Ibuprofen 600 mg, 100 TABLET, FILM COATED in 1 BOTTLE"},
     "Take 1 tablet by mouth every 8 hours as needed for pain with food"},
};
constexpr int kHypertension = 0;
constexpr int kDiabetes = 1;
constexpr int kHyperlipidemia = 2;

// Acute problems behind an admission (inpatient stay) or an emergency visit.
struct AcuteProblem {
  Code snomed;
  Code icd10;
  Code pcs;  // ICD-10-PCS procedure on the claim
  absl::string_view drg;
  absl::string_view drg_display;
};
constexpr AcuteProblem kAdmissions[] = {
    {{kSnomed, "233604007", "Pneumonia (disorder)"},
     {kIcd10, "J18.9", "Pneumonia, unspecified organism"},
     {"http://www.cms.gov/Medicare/Coding/ICD10", "BW03ZZZ", "Plain Radiography of Chest"},
     "194",
     "Simple pneumonia and pleurisy with CC"},
    {{kSnomed, "49436004", "Atrial fibrillation (disorder)"},
     {kIcd10, "I48.91", "Unspecified atrial fibrillation"},
     {"http://www.cms.gov/Medicare/Coding/ICD10", "4A02X4Z",
      "Measurement of Cardiac Electrical Activity, External Approach"},
     "309",
     "Cardiac arrhythmia and conduction disorders with CC"},
    {{kSnomed, "68566005", "Urinary tract infectious disease (disorder)"},
     {kIcd10, "N39.0", "Urinary tract infection, site not specified"},
     {"http://www.cms.gov/Medicare/Coding/ICD10", "3E033GC",
      "Introduction of Other Therapeutic Substance into Peripheral Vein, Percutaneous Approach"},
     "690",
     "Kidney and urinary tract infections without MCC"},
};
constexpr AcuteProblem kEmergencies[] = {
    {{kSnomed, "44465007", "Sprain of ankle (disorder)"},
     {kIcd10, "S93.401A", "Sprain of unspecified ligament of right ankle, initial encounter"},
     {kCpt, "73610", "Radiologic examination, ankle; complete, minimum of 3 views"},
     "",
     ""},
    {{kSnomed, "29857009", "Chest pain (finding)"},
     {kIcd10, "R07.9", "Chest pain, unspecified"},
     {kCpt, "93010",
      "Electrocardiogram, routine ECG with at least 12 leads; interpretation and report only"},
     "",
     ""},
    {{kSnomed, "10509002", "Acute bronchitis (disorder)"},
     {kIcd10, "J20.9", "Acute bronchitis, unspecified"},
     {kCpt, "71046", "Radiologic examination, chest; 2 views"},
     "",
     ""},
};

struct VisitCode {
  Code snomed;
  Code cpt;
};
constexpr VisitCode kOfficeVisits[] = {
    {{kSnomed, "185349003", "Encounter for check up (procedure)"},
     {kCpt, "99214", "Office or other outpatient visit, established patient, moderate MDM"}},
    {{kSnomed, "185345009", "Encounter for symptom (procedure)"},
     {kCpt, "99213", "Office or other outpatient visit, established patient, low MDM"}},
    {{kSnomed, "390906007", "Follow-up encounter (procedure)"},
     {kCpt, "99213", "Office or other outpatient visit, established patient, low MDM"}},
};

struct Vital {
  absl::string_view profile;
  Code code;
  absl::string_view unit;
  absl::string_view ucum;
};

struct Lab {
  Code code;
  absl::string_view unit;
  double mean;
  double sd;
  int decimals;
  double low;
  double high;
};
constexpr Lab kMetabolicPanel[] = {
    {{kLoinc, "2345-7", "Glucose [Mass/volume] in Serum or Plasma"}, "mg/dL", 95, 12, 0, 70, 99},
    {{kLoinc, "3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma"},
     "mg/dL",
     14,
     4,
     0,
     7,
     20},
    {{kLoinc, "2160-0", "Creatinine [Mass/volume] in Serum or Plasma"},
     "mg/dL",
     0.9,
     0.2,
     2,
     0.6,
     1.3},
    {{kLoinc, "2951-2", "Sodium [Moles/volume] in Serum or Plasma"}, "mmol/L", 140, 2, 0, 136, 145},
    {{kLoinc, "2823-3", "Potassium [Moles/volume] in Serum or Plasma"},
     "mmol/L",
     4.2,
     0.3,
     1,
     3.5,
     5.1},
    {{kLoinc, "17861-6", "Calcium [Mass/volume] in Serum or Plasma"},
     "mg/dL",
     9.5,
     0.4,
     1,
     8.6,
     10.3},
};
constexpr Lab kLipidPanel[] = {
    {{kLoinc, "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma"},
     "mg/dL",
     195,
     30,
     0,
     0,
     200},
    {{kLoinc, "2571-8", "Triglyceride [Mass/volume] in Serum or Plasma"},
     "mg/dL",
     140,
     40,
     0,
     0,
     150},
    {{kLoinc, "2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma"},
     "mg/dL",
     52,
     10,
     0,
     40,
     100},
    {{kLoinc, "18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay"},
     "mg/dL",
     115,
     25,
     0,
     0,
     100},
};
constexpr Lab kA1c[] = {
    {{kLoinc, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"}, "%", 5.5, 0.3, 1, 4.0, 5.6},
};
struct Panel {
  Code code;
  std::span<const Lab> labs;
  Code cpt;  // what the lab bills
};
const Panel kPanels[] = {
    {{kLoinc, "51990-0", "Basic metabolic panel - Blood"},
     kMetabolicPanel,
     {kCpt, "80048", "Basic metabolic panel (Calcium, total)"}},
    {{kLoinc, "57698-3", "Lipid panel with direct LDL - Serum or Plasma"},
     kLipidPanel,
     {kCpt, "80061", "Lipid panel"}},
    {{kLoinc, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"},
     kA1c,
     {kCpt, "83036", "Hemoglobin; glycosylated (A1C)"}},
};

constexpr Code kVaccines[] = {
    {kCvx, "140", "Influenza, seasonal, injectable, preservative free"},
    {kCvx, "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose"},
    {kCvx, "115", "Tdap"},
    {kCvx, "187", "zoster recombinant"},
    {kCvx, "33", "pneumococcal polysaccharide PPV23"},
};

struct ProcedureCode {
  Code snomed;
  Code cpt;
  int min_age;
};
constexpr ProcedureCode kProcedures[] = {
    {{kSnomed, "73761001", "Colonoscopy (procedure)"},
     {kCpt, "45378", "Colonoscopy, flexible; diagnostic"},
     45},
    {{kSnomed, "29303009", "Electrocardiographic procedure (procedure)"},
     {kCpt, "93000", "Electrocardiogram, routine ECG with at least 12 leads"},
     18},
    {{kSnomed, "24623002", "Screening mammography (procedure)"},
     {kCpt, "77067", "Screening mammography, bilateral"},
     40},
    {{kSnomed, "399208008", "Plain X-ray of chest (procedure)"},
     {kCpt, "71046", "Radiologic examination, chest; 2 views"},
     18},
};

struct Allergy {
  Code code;
  absl::string_view category;
  Code reaction;
};
constexpr Allergy kAllergies[] = {
    {{kSnomed, "764146007", "Penicillin (substance)"},
     "medication",
     {kSnomed, "247472004", "Wheal (finding)"}},
    {{kSnomed, "256349002", "Peanut - dietary (substance)"},
     "food",
     {kSnomed, "39579001", "Anaphylaxis (disorder)"}},
    {{kSnomed, "111088007", "Latex (substance)"},
     "environment",
     {kSnomed, "271807003", "Eruption of skin (disorder)"}},
    {{kSnomed, "387406002", "Sulfamethoxazole (substance)"},
     "medication",
     {kSnomed, "271807003", "Eruption of skin (disorder)"}},
};

struct Device {
  Code type;
  absl::string_view di;
  absl::string_view manufacturer;
};
constexpr Device kDevices[] = {
    {{kSnomed, "14106009", "Cardiac pacemaker, device (physical object)"},
     "00643169007222",
     "Medtronic"},
    {{kSnomed, "72506001", "Implantable defibrillator, device (physical object)"},
     "00802526473616",
     "Boston Scientific"},
    {{kSnomed, "43252007", "Cochlear prosthesis, device (physical object)"},
     "09321502003544",
     "Cochlear"},
};

struct DentalService {
  Code cdt;
  int64_t cents;
  bool tooth;  // billed on a tooth and surface
};
constexpr DentalService kDental[] = {
    {{kCdt, "D0120", "Periodic oral evaluation - established patient"}, 6500, false},
    {{kCdt, "D1110", "Prophylaxis - adult"}, 11000, false},
    {{kCdt, "D0274", "Bitewings - four radiographic images"}, 7500, false},
    {{kCdt, "D2391", "Resin-based composite - one surface, posterior"}, 19500, true},
};

struct Race {
  absl::string_view code;
  absl::string_view display;
};
constexpr Race kRaces[] = {
    {"2106-3", "White"},
    {"2054-5", "Black or African American"},
    {"2028-9", "Asian"},
    {"1002-5", "American Indian or Alaska Native"},
    {"2076-8", "Native Hawaiian or Other Pacific Islander"},
};

// --- The shared organizations and practitioners -------------------------------------------------

enum class OrgKind { kPayer, kDentalPayer, kHospital, kClinic, kPharmacy, kDental, kLab };

struct OrgRow {
  absl::string_view slug;
  absl::string_view name;
  OrgKind kind;
};
constexpr OrgRow kOrgs[] = {
    {"payer1", "Summit Health Plan", OrgKind::kPayer},
    {"payer2", "Lakeshore Health Partners", OrgKind::kPayer},
    {"dentalpayer1", "BrightSmile Dental Plan", OrgKind::kDentalPayer},
    {"hospital1", "Riverside General Hospital", OrgKind::kHospital},
    {"hospital2", "St. Anne Medical Center", OrgKind::kHospital},
    {"hospital3", "Mercy Valley Hospital", OrgKind::kHospital},
    {"clinic1", "Northside Family Medicine", OrgKind::kClinic},
    {"clinic2", "Cedar Internal Medicine Group", OrgKind::kClinic},
    {"clinic3", "Harbor Primary Care", OrgKind::kClinic},
    {"clinic4", "Summit Orthopedic Associates", OrgKind::kClinic},
    {"pharmacy1", "Corner Drug Pharmacy", OrgKind::kPharmacy},
    {"pharmacy2", "MedFirst Pharmacy", OrgKind::kPharmacy},
    {"dental1", "Bright Dental Group", OrgKind::kDental},
    {"dental2", "Parkview Family Dentistry", OrgKind::kDental},
    {"lab1", "Precision Clinical Laboratories", OrgKind::kLab},
};
constexpr int kPhysicians = 24;
constexpr int kDentists = 4;

struct SharedOrg {
  std::string id;
  absl::string_view name;
  OrgKind kind;
};
struct SharedPractitioner {
  std::string id;
  std::string display;
};

struct SharedSet {
  std::vector<SharedOrg> orgs;
  std::vector<SharedPractitioner> physicians;
  std::vector<SharedPractitioner> dentists;

  std::vector<const SharedOrg*> OfKind(OrgKind kind) const {
    std::vector<const SharedOrg*> out;
    for (const SharedOrg& o : orgs) {
      if (o.kind == kind) {
        out.push_back(&o);
      }
    }
    return out;
  }
};

std::string SeedPrefix(uint64_t seed) { return absl::StrCat("s", seed, "-"); }

// Decides the shared set's ids and names; the same for a seed whatever else is generated.
SharedSet PlanShared(uint64_t seed) {
  SharedSet set;
  const std::string prefix = SeedPrefix(seed);
  for (const OrgRow& row : kOrgs) {
    set.orgs.push_back({absl::StrCat(prefix, "org-", row.slug), row.name, row.kind});
  }
  Rng rng(seed, "practitioner-names", 0);
  auto name = [&](absl::string_view title) {
    const bool female = rng.Chance(0.5);
    const absl::string_view given = PickFrom(rng, female ? FemaleGivenNames() : MaleGivenNames());
    const absl::string_view family = PickFrom(rng, FamilyNames());
    return absl::StrCat(given, " ", family, ", ", title);
  };
  for (int i = 0; i < kPhysicians; ++i) {
    set.physicians.push_back({absl::StrCat(prefix, "pract-", i + 1), name("MD")});
  }
  for (int i = 0; i < kDentists; ++i) {
    set.dentists.push_back({absl::StrCat(prefix, "dentist-", i + 1), name("DDS")});
  }
  return set;
}

// Appends resources to a reused vector, writing each through one reused json::Writer.
class Emitter {
 public:
  explicit Emitter(std::vector<Resource>& out) : out_(out) {}

  json::Writer& Begin(absl::string_view type, absl::string_view id) {
    out_.push_back({std::string(type), std::string(id), {}});
    w_.StartObject().Field("resourceType", type).Field("id", id);
    return w_;
  }
  void End() {
    w_.EndObject();
    out_.back().json = w_.Take();
  }
  json::Writer& w() { return w_; }

 private:
  std::vector<Resource>& out_;
  json::Writer w_;
};

void WriteSharedOrg(Emitter& e, const SharedOrg& org, Rng& rng, absl::string_view updated) {
  json::Writer& w = e.Begin("Organization", org.id);
  WriteMeta(w, updated, {US_CORE("us-core-organization"), CARIN("C4BB-Organization")});
  const City& city = PickFrom(rng, Cities());
  w.Key("identifier").StartArray();
  const bool payer = org.kind == OrgKind::kPayer || org.kind == OrgKind::kDentalPayer;
  if (payer) {
    w.StartObject().Key("type").StartObject().Key("coding").StartArray();
    WriteCoding(w, {kC4bbIdType, "payerid", "Payer ID"});
    w.EndArray()
        .EndObject()
        .Field("system", absl::StrCat(kSystemBase, "payerid"))
        .Field("value", absl::StrCat(60000 + rng.Below(39999)))
        .EndObject();
  }
  w.StartObject().Key("type").StartObject().Key("coding").StartArray();
  WriteCoding(w, {kV2_0203, "NPI", "National provider identifier"});
  w.EndArray()
      .EndObject()
      .Field("system", "http://hl7.org/fhir/sid/us-npi")
      .Field("value", Npi(rng.Next()))
      .EndObject();
  w.EndArray().Field("active", true);
  absl::string_view type_code = "prov";
  absl::string_view type_display = "Healthcare Provider";
  if (payer) {
    type_code = "pay";
    type_display = "Payer";
  } else if (org.kind == OrgKind::kPharmacy || org.kind == OrgKind::kLab) {
    type_code = "other";
    type_display = org.kind == OrgKind::kPharmacy ? "Pharmacy" : "Laboratory";
  }
  w.Key("type").StartArray().StartObject().Key("coding").StartArray();
  WriteCoding(w, {"http://terminology.hl7.org/CodeSystem/organization-type", type_code,
                  type_code == "other" ? "Other" : type_display});
  w.EndArray().Field("text", type_display).EndObject().EndArray();
  w.Field("name", org.name);
  w.Key("telecom")
      .StartArray()
      .StartObject()
      .Field("system", "phone")
      .Field("value", PhoneNumber(rng, city))
      .Field("use", "work")
      .EndObject()
      .EndArray();
  w.Key("address")
      .StartArray()
      .StartObject()
      .Key("line")
      .StartArray()
      .String(StreetLine(rng))
      .EndArray()
      .Field("city", city.name)
      .Field("state", city.state)
      .Field("postalCode", city.zip)
      .Field("country", "US")
      .EndObject()
      .EndArray();
  e.End();
}

void WriteSharedPractitioner(Emitter& e, const SharedPractitioner& p, Rng& rng,
                             absl::string_view updated) {
  json::Writer& w = e.Begin("Practitioner", p.id);
  WriteMeta(w, updated, {US_CORE("us-core-practitioner"), CARIN("C4BB-Practitioner")});
  w.Key("identifier")
      .StartArray()
      .StartObject()
      .Key("type")
      .StartObject()
      .Key("coding")
      .StartArray();
  WriteCoding(w, {kV2_0203, "NPI", "National provider identifier"});
  w.EndArray()
      .EndObject()
      .Field("system", "http://hl7.org/fhir/sid/us-npi")
      .Field("value", Npi(rng.Next()))
      .EndObject()
      .EndArray();
  w.Field("active", true);
  // display is "Given Family, MD".
  const size_t space = p.display.find(' ');
  const size_t comma = p.display.find(',');
  const absl::string_view display(p.display);
  w.Key("name")
      .StartArray()
      .StartObject()
      .Field("text", display)
      .Field("family", display.substr(space + 1, comma - space - 1))
      .Key("given")
      .StartArray()
      .String(display.substr(0, space))
      .EndArray()
      .Key("suffix")
      .StartArray()
      .String(display.substr(comma + 2))
      .EndArray()
      .EndObject()
      .EndArray();
  const City& city = PickFrom(rng, Cities());
  w.Key("telecom")
      .StartArray()
      .StartObject()
      .Field("system", "phone")
      .Field("value", PhoneNumber(rng, city))
      .Field("use", "work")
      .EndObject()
      .EndArray();
  w.Key("address")
      .StartArray()
      .StartObject()
      .Key("line")
      .StartArray()
      .String(StreetLine(rng))
      .EndArray()
      .Field("city", city.name)
      .Field("state", city.state)
      .Field("postalCode", city.zip)
      .Field("country", "US")
      .EndObject()
      .EndArray();
  e.End();
}

// --- One member --------------------------------------------------------------------------------

// Amounts of one claim line, in cents, consistent with each other:
// submitted = eligible + noncovered, eligible = benefit + deductible + copay + coinsurance.
struct Amounts {
  int64_t submitted = 0;
  int64_t eligible = 0;
  int64_t deductible = 0;
  int64_t copay = 0;
  int64_t coinsurance = 0;
  int64_t benefit = 0;
  int64_t noncovered = 0;

  int64_t member_liability() const { return deductible + copay + coinsurance; }
  void Add(const Amounts& o) {
    submitted += o.submitted;
    eligible += o.eligible;
    deductible += o.deductible;
    copay += o.copay;
    coinsurance += o.coinsurance;
    benefit += o.benefit;
    noncovered += o.noncovered;
  }
};

Amounts Price(Rng& rng, int64_t submitted, int64_t copay) {
  Amounts a;
  a.submitted = submitted;
  a.eligible = submitted * static_cast<int64_t>(rng.Between(55, 85)) / 100;
  a.noncovered = a.submitted - a.eligible;
  a.copay = std::min(copay, a.eligible);
  if (rng.Chance(0.25)) {
    a.deductible = std::min<int64_t>(a.eligible - a.copay, rng.Between(50, 500) * 100);
  }
  const int64_t rest = a.eligible - a.copay - a.deductible;
  a.coinsurance = copay == 0 ? rest / 5 : 0;
  a.benefit = rest - a.coinsurance;
  return a;
}

// The amount categories CARIN BB puts on lines and totals. `discount` replaces `noncovered`
// on pharmacy and oral claims, as their examples do.
void WriteAmounts(json::Writer& w, const Amounts& a, bool discount) {
  auto one = [&](absl::string_view system, absl::string_view code, absl::string_view display,
                 int64_t cents) {
    w.StartObject();
    WriteConcept(w, "category", {system, code, display});
    WriteMoney(w, "amount", cents);
    w.EndObject();
  };
  one(kAdj, "submitted", "Submitted Amount", a.submitted);
  one(kAdj, "eligible", "Eligible Amount", a.eligible);
  one(kAdj, "deductible", "Deductible", a.deductible);
  one(kAdj, "copay", "CoPay", a.copay);
  one(kC4bbAdj, "coinsurance", "Co-insurance", a.coinsurance);
  if (discount) {
    one(kC4bbAdj, "discount", "Discount", a.noncovered);
  } else {
    one(kC4bbAdj, "noncovered", "Noncovered", a.noncovered);
  }
  one(kAdj, "benefit", "Benefit Amount", a.benefit);
  one(kC4bbAdj, "memberliability", "Member liability", a.member_liability());
  one(kC4bbAdj, "paidtoprovider", "Paid to provider", a.benefit);
  one(kC4bbAdj, "paidbypatient", "Paid by patient", a.member_liability());
}

void WriteStatusAdjudication(json::Writer& w, absl::string_view discriminator,
                             absl::string_view status) {
  w.StartObject();
  WriteConcept(w, "category", {kC4bbAdjDisc, discriminator, {}});
  WriteConcept(w, "reason", {kC4bbAdjStatus, status, {}});
  w.EndObject();
}

struct Encounter {
  std::string id;
  Day day;
  Day end;
  int second;  // start time of day
  enum Kind { kInpatient, kEmergency, kOffice } kind;
  const SharedOrg* org;
  const SharedPractitioner* practitioner;
  const AcuteProblem* problem = nullptr;  // inpatient and emergency
  const VisitCode* visit = nullptr;       // office
  std::string condition_id;               // the encounter diagnosis (inpatient and emergency)
};

struct Medication {
  std::string request_id;
  const ChronicCondition* condition;
  Day authored;
  const SharedPractitioner* prescriber;
};

class MemberWriter {
 public:
  MemberWriter(const SharedSet& shared, uint64_t seed, int64_t index, Day as_of,
               std::vector<Resource>& out)
      : shared_(shared),
        rng_(seed, "member", index),
        as_of_(as_of),
        prefix_(MemberPatientId(seed, index)),
        e_(out) {
    member_number_ = absl::StrCat("SY", (Mix(seed) % 900 + 100), index + 100000000);
  }

  void Write() {
    Plan();
    WritePatient();
    WriteCoverage(medical_coverage_, *payer_, false);
    WriteCoverage(dental_coverage_, *dental_payer_, true);
    for (const Encounter& enc : encounters_) {
      WriteEncounter(enc);
    }
    WriteConditions();
    WriteObservationsAndReports();
    WriteProcedures();
    WriteImmunizations();
    WriteMedications();
    WriteAllergy();
    WriteCarePlanTeamGoal();
    WriteDocuments();
    WriteDevice();
    const size_t clinical_end = clinical_.size();
    WriteInpatientEob(encounters_[0]);
    WriteOutpatientEob(encounters_[1]);
    for (size_t i = 2; i < encounters_.size(); ++i) {
      WriteProfessionalEob(encounters_[i]);
    }
    // Chronic medications are refilled every 90 days: one to three fills each.
    for (const Medication& m : meds_) {
      const int fills = static_cast<int>(rng_.Between(1, 3));
      for (int fill = 0; fill < fills && m.authored + 90 * fill < as_of_ - 1; ++fill) {
        WritePharmacyEob(m, fill);
      }
    }
    WriteOralEob();
    WriteProvenance(clinical_end);
  }

 private:
  std::string Id(absl::string_view kind, int n) const {
    return absl::StrCat(prefix_, "-", kind, n);
  }
  const SharedPractitioner* Physician() {
    return &shared_.physicians[rng_.Below(shared_.physicians.size())];
  }
  const SharedOrg* OrgOf(OrgKind kind) {
    std::vector<const SharedOrg*> orgs = shared_.OfKind(kind);
    return orgs[rng_.Below(orgs.size())];
  }
  json::Writer& Begin(absl::string_view type, const std::string& id, bool clinical = true) {
    if (clinical) {
      clinical_.push_back({std::string(type), id});
    }
    return e_.Begin(type, id);
  }
  void Subject(json::Writer& w, absl::string_view key = "subject") {
    WriteReference(w, key, "Patient", prefix_, display_name_);
  }
  std::string Updated(Day day) const { return FormatDateTime(day, 43200 + 1800); }
  std::string At(Day day, int second) const { return FormatDateTime(day, second); }

  // Decides who the member is and what happened to them, before anything is written.
  void Plan() {
    female_ = rng_.Chance(0.52);
    given_ = PickFrom(rng_, female_ ? FemaleGivenNames() : MaleGivenNames());
    middle_ = PickFrom(rng_, female_ ? FemaleGivenNames() : MaleGivenNames());
    family_ = PickFrom(rng_, FamilyNames());
    display_name_ = absl::StrCat(given_, " ", family_);
    city_ = &PickFrom(rng_, Cities());
    birth_ = as_of_ - rng_.Between(19 * 365, 85 * 365);
    age_ = static_cast<int>((as_of_ - birth_) / 365);
    payer_ = OrgOf(OrgKind::kPayer);
    dental_payer_ = OrgOf(OrgKind::kDentalPayer);
    pcp_ = Physician();
    clinic_ = OrgOf(OrgKind::kClinic);
    // Coverage began on a January 1st one to three years ago.
    coverage_start_ = DayFromCivil(YearOf(as_of_) - static_cast<int>(rng_.Between(1, 3)), 1, 1);
    medical_coverage_ = Id("cov", 1);
    dental_coverage_ = Id("cov", 2);

    // Chronic conditions: one to four distinct ones, more with age.
    const int chronic_count = static_cast<int>(rng_.Between(1, age_ > 50 ? 4 : 2));
    std::vector<int> pool(std::size(kChronic));
    for (size_t i = 0; i < pool.size(); ++i) {
      pool[i] = static_cast<int>(i);
    }
    for (int i = 0; i < chronic_count; ++i) {
      const size_t j = i + rng_.Below(pool.size() - i);
      std::swap(pool[i], pool[j]);
      chronic_.push_back(pool[i]);
    }

    // Encounters: an inpatient stay, an emergency visit, then office visits oldest first.
    const Day span = as_of_ - coverage_start_ - 30;
    const int office = static_cast<int>(rng_.Between(3, 6));
    std::vector<Day> days;
    for (int i = 0; i < office + 2; ++i) {
      days.push_back(coverage_start_ + rng_.Between(0, span));
    }
    std::sort(days.begin() + 2, days.end());
    for (int i = 0; i < office + 2; ++i) {
      Encounter enc;
      enc.id = Id("enc", i + 1);
      enc.day = days[i];
      enc.second = static_cast<int>(rng_.Between(8 * 3600, 17 * 3600) / 900 * 900);
      if (i == 0) {
        enc.kind = Encounter::kInpatient;
        enc.problem = &PickFrom(rng_, std::span<const AcuteProblem>(kAdmissions));
        enc.end = enc.day + rng_.Between(2, 5);
        enc.org = OrgOf(OrgKind::kHospital);
        enc.practitioner = Physician();
      } else if (i == 1) {
        enc.kind = Encounter::kEmergency;
        enc.problem = &PickFrom(rng_, std::span<const AcuteProblem>(kEmergencies));
        enc.end = enc.day;
        enc.org = OrgOf(OrgKind::kHospital);
        enc.practitioner = Physician();
      } else {
        enc.kind = Encounter::kOffice;
        enc.visit = &PickFrom(rng_, std::span<const VisitCode>(kOfficeVisits));
        enc.end = enc.day;
        enc.org = clinic_;
        enc.practitioner = pcp_;
      }
      encounters_.push_back(std::move(enc));
    }
    for (int i = 0; i < static_cast<int>(chronic_.size()); ++i) {
      chronic_onset_.push_back(birth_ + (as_of_ - birth_) * rng_.Between(50, 95) / 100);
    }
  }

  void WritePatient() {
    json::Writer& w = Begin("Patient", prefix_, false);
    WriteMeta(w, Updated(coverage_start_), {US_CORE("us-core-patient"), CARIN("C4BB-Patient")});
    const Race& race = kRaces[rng_.Below(std::size(kRaces))];
    const bool hispanic = rng_.Chance(0.19);
    w.Key("extension").StartArray();
    w.StartObject()
        .Field("url", US_CORE("us-core-race"))
        .Key("extension")
        .StartArray()
        .StartObject()
        .Field("url", "ombCategory")
        .Key("valueCoding");
    WriteCoding(w, {"urn:oid:2.16.840.1.113883.6.238", race.code, race.display});
    w.EndObject()
        .StartObject()
        .Field("url", "text")
        .Field("valueString", race.display)
        .EndObject()
        .EndArray()
        .EndObject();
    const Code ethnicity =
        hispanic ? Code{"urn:oid:2.16.840.1.113883.6.238", "2135-2", "Hispanic or Latino"}
                 : Code{"urn:oid:2.16.840.1.113883.6.238", "2186-5", "Not Hispanic or Latino"};
    w.StartObject()
        .Field("url", US_CORE("us-core-ethnicity"))
        .Key("extension")
        .StartArray()
        .StartObject()
        .Field("url", "ombCategory")
        .Key("valueCoding");
    WriteCoding(w, ethnicity);
    w.EndObject()
        .StartObject()
        .Field("url", "text")
        .Field("valueString", ethnicity.display)
        .EndObject()
        .EndArray()
        .EndObject();
    w.StartObject()
        .Field("url", US_CORE("us-core-birthsex"))
        .Field("valueCode", female_ ? "F" : "M")
        .EndObject();
    w.EndArray();
    w.Key("identifier").StartArray();
    w.StartObject().Key("type").StartObject().Key("coding").StartArray();
    WriteCoding(w, {kV2_0203, "MB", "Member Number"});
    w.EndArray()
        .EndObject()
        .Field("system", absl::StrCat(kSystemBase, "memberidentifier"))
        .Field("value", member_number_)
        .EndObject();
    w.StartObject().Key("type").StartObject().Key("coding").StartArray();
    WriteCoding(w, {kC4bbIdType, "um", "Unique Member ID"});
    w.EndArray()
        .EndObject()
        .Field("system", absl::StrCat(kSystemBase, "uniquememberidentifier"))
        .Field("value", prefix_)
        .EndObject();
    w.EndArray();
    w.Field("active", true);
    w.Key("name")
        .StartArray()
        .StartObject()
        .Field("use", "official")
        .Field("family", family_)
        .Key("given")
        .StartArray()
        .String(given_)
        .String(middle_)
        .EndArray()
        .EndObject()
        .EndArray();
    std::string email = absl::StrCat(given_, ".", family_, rng_.Below(1000), "@example.com");
    std::transform(email.begin(), email.end(), email.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    w.Key("telecom")
        .StartArray()
        .StartObject()
        .Field("system", "phone")
        .Field("value", PhoneNumber(rng_, *city_))
        .Field("use", rng_.Chance(0.7) ? "mobile" : "home")
        .EndObject()
        .StartObject()
        .Field("system", "email")
        .Field("value", email)
        .EndObject()
        .EndArray();
    w.Field("gender", female_ ? "female" : "male").Field("birthDate", FormatDate(birth_));
    w.Key("address")
        .StartArray()
        .StartObject()
        .Field("use", "home")
        .Field("type", "physical")
        .Key("line")
        .StartArray()
        .String(StreetLine(rng_))
        .EndArray()
        .Field("city", city_->name)
        .Field("state", city_->state)
        .Field("postalCode", city_->zip)
        .Field("country", "US")
        .Key("period")
        .StartObject()
        .Field("start", FormatDate(coverage_start_ - 400))
        .EndObject()
        .EndObject()
        .EndArray();
    const bool spanish = hispanic && rng_.Chance(0.4);
    w.Key("communication").StartArray().StartObject();
    WriteConcept(w, "language",
                 spanish ? Code{"urn:ietf:bcp:47", "es", "Spanish"}
                         : Code{"urn:ietf:bcp:47", "en-US", "English (United States)"});
    w.Field("preferred", true).EndObject().EndArray();
    e_.End();
  }

  void WriteCoverage(const std::string& id, const SharedOrg& payer, bool dental) {
    json::Writer& w = Begin("Coverage", id, false);
    WriteMeta(w, Updated(coverage_start_), {US_CORE("us-core-coverage"), CARIN("C4BB-Coverage")});
    w.Key("identifier")
        .StartArray()
        .StartObject()
        .Key("type")
        .StartObject()
        .Key("coding")
        .StartArray();
    WriteCoding(w, {kV2_0203, "MB", "Member Number"});
    w.EndArray()
        .EndObject()
        .Field("system", absl::StrCat(kSystemBase, "memberidentifier"))
        .Field("value", member_number_);
    WriteReference(w, "assigner", "Organization", payer.id, payer.name);
    w.EndObject().EndArray();
    w.Field("status", "active");
    WriteConcept(w, "type",
                 dental ? Code{"http://terminology.hl7.org/CodeSystem/v3-ActCode", "DENTAL",
                               "dental care policy"}
                        : Code{"https://nahdo.org/sopt", "512", "Commercial Managed Care - PPO"});
    Subject(w, "policyHolder");
    Subject(w, "subscriber");
    w.Field("subscriberId", member_number_);
    Subject(w, "beneficiary");
    w.Field("dependent", "01");
    WriteConcept(w, "relationship",
                 {"http://terminology.hl7.org/CodeSystem/subscriber-relationship", "self", "Self"});
    w.Key("period").StartObject().Field("start", FormatDate(coverage_start_)).EndObject();
    w.Key("payor")
        .StartArray()
        .StartObject()
        .Field("reference", absl::StrCat("Organization/", payer.id))
        .Field("display", payer.name)
        .EndObject()
        .EndArray();
    auto cls = [&](absl::string_view code, absl::string_view display, absl::string_view value,
                   absl::string_view name) {
      w.StartObject();
      WriteConcept(w, "type",
                   {"http://terminology.hl7.org/CodeSystem/coverage-class", code, display});
      w.Field("value", value).Field("name", name).EndObject();
    };
    w.Key("class").StartArray();
    const int group = static_cast<int>(rng_.Between(1, 40));
    cls("group", "Group", absl::StrCat("GRP", 1000 + group),
        absl::StrCat(city_->name, " Employers Group ", group));
    if (dental) {
      cls("plan", "Plan", "DEN-PPO", "Dental PPO");
    } else {
      static constexpr absl::string_view kPlans[] = {"Bronze PPO", "Silver PPO", "Gold PPO"};
      const size_t p = rng_.Below(3);
      cls("plan", "Plan", absl::StrCat("MED-", kPlans[p].substr(0, 4)), kPlans[p]);
    }
    w.EndArray();
    w.Field("network", dental ? "Dental PPO Network" : "Preferred Provider Network");
    e_.End();
  }

  void WriteEncounter(const Encounter& enc) {
    json::Writer& w = Begin("Encounter", enc.id);
    WriteMeta(w, Updated(enc.end + 1), {US_CORE("us-core-encounter")});
    w.Key("identifier")
        .StartArray()
        .StartObject()
        .Field("system", absl::StrCat(kSystemBase, "encounter"))
        .Field("value", enc.id)
        .EndObject()
        .EndArray();
    w.Field("status", "finished");
    const absl::string_view act = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    w.Key("class");
    switch (enc.kind) {
      case Encounter::kInpatient:
        WriteCoding(w, {act, "IMP", "inpatient encounter"});
        WriteConceptList(w, "type", {kSnomed, "32485007", "Hospital admission (procedure)"});
        break;
      case Encounter::kEmergency:
        WriteCoding(w, {act, "EMER", "emergency"});
        WriteConceptList(w, "type", {kSnomed, "50849002", "Emergency room admission (procedure)"});
        break;
      case Encounter::kOffice:
        WriteCoding(w, {act, "AMB", "ambulatory"});
        w.Key("type").StartArray().StartObject().Key("coding").StartArray();
        WriteCoding(w, enc.visit->snomed);
        WriteCoding(w, enc.visit->cpt);
        w.EndArray().Field("text", enc.visit->snomed.display).EndObject().EndArray();
        break;
    }
    Subject(w);
    w.Key("participant").StartArray().StartObject();
    WriteConceptList(w, "type",
                     {"http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                      enc.kind == Encounter::kInpatient ? "ATND" : "PPRF",
                      enc.kind == Encounter::kInpatient ? "attender" : "primary performer"});
    WriteReference(w, "individual", "Practitioner", enc.practitioner->id,
                   enc.practitioner->display);
    w.EndObject().EndArray();
    w.Key("period")
        .StartObject()
        .Field("start", At(enc.day, enc.second))
        .Field("end", At(enc.end, enc.kind == Encounter::kInpatient ? 39600 : enc.second + 1800))
        .EndObject();
    if (enc.kind == Encounter::kOffice) {
      if (!chronic_.empty()) {
        w.Key("reasonCode").StartArray().StartObject().Key("coding").StartArray();
        WriteCoding(w, kChronic[chronic_[0]].snomed);
        w.EndArray().EndObject().EndArray();
      }
    } else {
      w.Key("reasonCode").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, enc.problem->snomed);
      w.EndArray().EndObject().EndArray();
    }
    if (enc.kind == Encounter::kInpatient) {
      w.Key("hospitalization").StartObject();
      WriteConcept(
          w, "dischargeDisposition",
          {"http://www.nubc.org/patient-discharge", "01", "Discharged to home or self care"});
      w.EndObject();
    }
    WriteReference(w, "serviceProvider", "Organization", enc.org->id, enc.org->name);
    e_.End();
  }

  void WriteCondition(const std::string& id, const Code& snomed, const Code& icd, bool problem_list,
                      Day onset, const Encounter* enc, bool active) {
    json::Writer& w = Begin("Condition", id);
    WriteMeta(w, Updated(enc ? enc->end : onset + 1),
              {problem_list ? US_CORE("us-core-condition-problems-health-concerns")
                            : US_CORE("us-core-condition-encounter-diagnosis")});
    WriteConcept(w, "clinicalStatus",
                 {"http://terminology.hl7.org/CodeSystem/condition-clinical",
                  active ? "active" : "resolved", active ? "Active" : "Resolved"});
    WriteConcept(
        w, "verificationStatus",
        {"http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"});
    w.Key("category").StartArray().StartObject().Key("coding").StartArray();
    WriteCoding(w, problem_list ? Code{"http://terminology.hl7.org/CodeSystem/condition-category",
                                       "problem-list-item", "Problem List Item"}
                                : Code{"http://terminology.hl7.org/CodeSystem/condition-category",
                                       "encounter-diagnosis", "Encounter Diagnosis"});
    w.EndArray().EndObject().EndArray();
    w.Key("code").StartObject().Key("coding").StartArray();
    WriteCoding(w, snomed);
    WriteCoding(w, icd);
    w.EndArray().Field("text", icd.display).EndObject();
    Subject(w);
    if (enc != nullptr) {
      WriteReference(w, "encounter", "Encounter", enc->id);
    }
    w.Field("onsetDateTime", FormatDate(onset));
    if (!active) {
      w.Field("abatementDateTime", FormatDate(onset + 14));
    }
    w.Field("recordedDate", FormatDate(enc ? enc->day : onset));
    WriteReference(w, "recorder", "Practitioner", enc ? enc->practitioner->id : pcp_->id);
    e_.End();
  }

  void WriteConditions() {
    for (size_t i = 0; i < chronic_.size(); ++i) {
      const ChronicCondition& c = kChronic[chronic_[i]];
      WriteCondition(Id("cond", static_cast<int>(i) + 1), c.snomed, c.icd10, true,
                     chronic_onset_[i], nullptr, true);
    }
    for (int i = 0; i < 2; ++i) {
      Encounter& enc = encounters_[i];
      enc.condition_id = Id("cond", static_cast<int>(chronic_.size()) + i + 1);
      WriteCondition(enc.condition_id, enc.problem->snomed, enc.problem->icd10, false, enc.day,
                     &enc, false);
    }
  }

  // One Observation; `value` is written by the caller's lambda.
  template <typename F>
  void Observation(const std::string& id, absl::string_view profile, const Code& category,
                   const Code& code, const Encounter& enc, int second, F&& value) {
    Observation(id, profile, category, {code}, enc, second, std::forward<F>(value));
  }
  template <typename F>
  void Observation(const std::string& id, absl::string_view profile, const Code& category,
                   std::initializer_list<Code> codes, const Encounter& enc, int second, F&& value) {
    json::Writer& w = Begin("Observation", id);
    WriteMeta(w, Updated(enc.end + 1), {profile});
    w.Field("status", "final");
    w.Key("category").StartArray().StartObject().Key("coding").StartArray();
    WriteCoding(w, category);
    w.EndArray().EndObject().EndArray();
    w.Key("code").StartObject().Key("coding").StartArray();
    for (const Code& code : codes) {
      WriteCoding(w, code);
    }
    w.EndArray().Field("text", codes.begin()->display).EndObject();
    Subject(w);
    WriteReference(w, "encounter", "Encounter", enc.id);
    w.Field("effectiveDateTime", At(enc.day, second));
    value(w);
    e_.End();
  }

  void WriteVitals(const Encounter& enc, int& n) {
    const int t = enc.second + 300;
    const double height = Round(height_cm_, 1);
    const double weight =
        Round(bmi_ * (height_cm_ / 100) * (height_cm_ / 100) + rng_.Normal(0, 1.2), 1);
    const double bmi = Round(weight / ((height_cm_ / 100) * (height_cm_ / 100)), 1);
    const bool hypertensive =
        std::find(chronic_.begin(), chronic_.end(), kHypertension) != chronic_.end();
    const int systolic = static_cast<int>(rng_.Normal(hypertensive ? 142 : 118, 8));
    const int diastolic = static_cast<int>(rng_.Normal(hypertensive ? 90 : 76, 5));
    auto quantity = [](double v, absl::string_view unit, absl::string_view ucum) {
      return [=](json::Writer& w) { WriteQuantity(w, "valueQuantity", v, unit, ucum); };
    };
    Observation(Id("obs", ++n), US_CORE("us-core-blood-pressure"), kVitalSigns,
                {kLoinc, "85354-9", "Blood pressure panel with all children optional"}, enc, t,
                [&](json::Writer& w) {
                  w.Key("component").StartArray().StartObject();
                  WriteConcept(w, "code", {kLoinc, "8480-6", "Systolic blood pressure"});
                  WriteQuantity(w, "valueQuantity", systolic, "mmHg", "mm[Hg]");
                  w.EndObject().StartObject();
                  WriteConcept(w, "code", {kLoinc, "8462-4", "Diastolic blood pressure"});
                  WriteQuantity(w, "valueQuantity", diastolic, "mmHg", "mm[Hg]");
                  w.EndObject().EndArray();
                });
    Observation(Id("obs", ++n), US_CORE("us-core-heart-rate"), kVitalSigns,
                {kLoinc, "8867-4", "Heart rate"}, enc, t,
                quantity(std::round(rng_.Normal(74, 8)), "beats/minute", "/min"));
    Observation(Id("obs", ++n), US_CORE("us-core-respiratory-rate"), kVitalSigns,
                {kLoinc, "9279-1", "Respiratory rate"}, enc, t,
                quantity(std::round(rng_.Normal(16, 1.5)), "breaths/minute", "/min"));
    Observation(
        Id("obs", ++n), US_CORE("us-core-body-temperature"), kVitalSigns,
        {kLoinc, "8310-5", "Body temperature"}, enc, t,
        quantity(Round(rng_.Normal(enc.kind == Encounter::kInpatient ? 38.1 : 36.8, 0.3), 1), "Cel",
                 "Cel"));
    Observation(Id("obs", ++n), US_CORE("us-core-body-weight"), kVitalSigns,
                {kLoinc, "29463-7", "Body weight"}, enc, t, quantity(weight, "kg", "kg"));
    Observation(Id("obs", ++n), US_CORE("us-core-body-height"), kVitalSigns,
                {kLoinc, "8302-2", "Body height"}, enc, t, quantity(height, "cm", "cm"));
    Observation(Id("obs", ++n), US_CORE("us-core-bmi"), kVitalSigns,
                {kLoinc, "39156-5", "Body mass index (BMI) [Ratio]"}, enc, t,
                quantity(bmi, "kg/m2", "kg/m2"));
    Observation(Id("obs", ++n), US_CORE("us-core-pulse-oximetry"), kVitalSigns,
                {{kLoinc, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"},
                 {kLoinc, "2708-6", "Oxygen saturation in Arterial blood"}},
                enc, t, [&](json::Writer& w) {
                  // The profile wants both codes: 2708-6 is the generic oxygen saturation.
                  WriteQuantity(w, "valueQuantity",
                                std::min(100.0, std::round(rng_.Normal(97, 1.2))), "%", "%");
                });
  }

  void WriteLabPanel(const Panel& panel, const Encounter& enc, int& n, int& reports) {
    const int t = enc.second + 1800;
    std::vector<std::string> results;
    const bool diabetic = std::find(chronic_.begin(), chronic_.end(), kDiabetes) != chronic_.end();
    const bool lipids =
        std::find(chronic_.begin(), chronic_.end(), kHyperlipidemia) != chronic_.end();
    for (const Lab& lab : panel.labs) {
      double mean = lab.mean;
      if (diabetic && (lab.code.code == "4548-4")) {
        mean = 7.4;
      } else if (diabetic && lab.code.code == "2345-7") {
        mean = 150;
      } else if (lipids && (lab.code.code == "2093-3" || lab.code.code == "18262-6")) {
        mean *= 1.25;
      }
      const double v = std::max(lab.low / 2, Round(rng_.Normal(mean, lab.sd), lab.decimals));
      results.push_back(Id("obs", ++n));
      Observation(
          results.back(), US_CORE("us-core-observation-lab"), kLaboratory, lab.code, enc, t,
          [&](json::Writer& w) {
            WriteQuantity(w, "valueQuantity", v, lab.unit, lab.unit);
            const absl::string_view flag = v > lab.high ? "H" : v < lab.low ? "L" : "N";
            const absl::string_view text = v > lab.high ? "High" : v < lab.low ? "Low" : "Normal";
            w.Key("interpretation").StartArray().StartObject().Key("coding").StartArray();
            WriteCoding(w, {"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                            flag, text});
            w.EndArray().EndObject().EndArray();
            w.Key("referenceRange").StartArray().StartObject();
            if (lab.low > 0) {
              WriteQuantity(w, "low", lab.low, lab.unit, lab.unit);
            }
            WriteQuantity(w, "high", lab.high, lab.unit, lab.unit);
            w.EndObject().EndArray();
          });
    }
    json::Writer& w = Begin("DiagnosticReport", Id("report", ++reports));
    WriteMeta(w, Updated(enc.end + 1), {US_CORE("us-core-diagnosticreport-lab")});
    w.Field("status", "final");
    w.Key("category").StartArray().StartObject().Key("coding").StartArray();
    WriteCoding(w, {"http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory"});
    w.EndArray().EndObject().EndArray();
    WriteConcept(w, "code", panel.code);
    Subject(w);
    WriteReference(w, "encounter", "Encounter", enc.id);
    w.Field("effectiveDateTime", At(enc.day, t));
    w.Field("issued", At(enc.day + 1, 32400));
    const SharedOrg* lab_org = shared_.OfKind(OrgKind::kLab)[0];
    w.Key("performer").StartArray();
    WriteReferenceValue(w, "Organization", lab_org->id);
    w.EndArray();
    w.Key("result").StartArray();
    for (const std::string& r : results) {
      WriteReferenceValue(w, "Observation", r);
    }
    w.EndArray();
    e_.End();
  }

  void WriteObservationsAndReports() {
    height_cm_ = rng_.Normal(female_ ? 163 : 176, 7);
    bmi_ = std::max(18.0, rng_.Normal(28, 5));
    int n = 0;
    int reports = 0;
    for (const Encounter& enc : encounters_) {
      WriteVitals(enc, n);
    }
    // Labs at the first office visit, an A1c at the second for people with diabetes.
    const Encounter& first_office = encounters_[2];
    WriteLabPanel(kPanels[0], first_office, n, reports);
    WriteLabPanel(kPanels[1], first_office, n, reports);
    if (std::find(chronic_.begin(), chronic_.end(), kDiabetes) != chronic_.end()) {
      WriteLabPanel(kPanels[2], encounters_[3], n, reports);
    }
    // Smoking status, recorded at the last office visit.
    static constexpr Code kSmoking[] = {
        {kSnomed, "266919005", "Never smoked tobacco (finding)"},
        {kSnomed, "8517006", "Ex-smoker (finding)"},
        {kSnomed, "77176002", "Smoker (finding)"},
    };
    const double draw = rng_.Unit();
    const Code& status = kSmoking[draw < 0.6 ? 0 : draw < 0.85 ? 1 : 2];
    Observation(Id("obs", ++n), US_CORE("us-core-smokingstatus"), kSocialHistory,
                {kLoinc, "72166-2", "Tobacco smoking status"}, encounters_.back(),
                encounters_.back().second + 600,
                [&](json::Writer& w) { WriteConcept(w, "valueCodeableConcept", status); });
  }

  void WriteProcedure(const std::string& id, const Code& snomed, const Code& cpt,
                      const Encounter& enc, absl::string_view reason_condition) {
    json::Writer& w = Begin("Procedure", id);
    WriteMeta(w, Updated(enc.end + 1), {US_CORE("us-core-procedure")});
    w.Field("status", "completed");
    w.Key("code").StartObject().Key("coding").StartArray();
    WriteCoding(w, snomed);
    WriteCoding(w, cpt);
    w.EndArray().Field("text", snomed.display).EndObject();
    Subject(w);
    WriteReference(w, "encounter", "Encounter", enc.id);
    w.Key("performedPeriod")
        .StartObject()
        .Field("start", At(enc.day, enc.second + 1200))
        .Field("end", At(enc.day, enc.second + 2400))
        .EndObject();
    w.Key("performer").StartArray().StartObject();
    WriteReference(w, "actor", "Practitioner", enc.practitioner->id, enc.practitioner->display);
    WriteReference(w, "onBehalfOf", "Organization", enc.org->id);
    w.EndObject().EndArray();
    if (!reason_condition.empty()) {
      w.Key("reasonReference").StartArray();
      WriteReferenceValue(w, "Condition", reason_condition);
      w.EndArray();
    }
    e_.End();
  }

  void WriteProcedures() {
    int n = 0;
    // What the emergency visit needed (its claim bills the same code).
    const Encounter& er = encounters_[1];
    const Code er_snomed =
        er.problem->pcs.code == "93010" ? kProcedures[1].snomed
        : er.problem->pcs.code == "73610"
            ? Code{kSnomed, "363680008", "Radiographic imaging procedure (procedure)"}
            : kProcedures[3].snomed;
    WriteProcedure(Id("proc", ++n), er_snomed, er.problem->pcs, er, er.condition_id);
    for (const ProcedureCode& p : kProcedures) {
      if (age_ >= p.min_age && (p.snomed.code != "24623002" || female_) && rng_.Chance(0.3)) {
        const Encounter& enc = encounters_[2 + rng_.Below(encounters_.size() - 2)];
        WriteProcedure(Id("proc", ++n), p.snomed, p.cpt, enc, {});
      }
    }
  }

  void WriteImmunizations() {
    int n = 0;
    auto one = [&](const Code& vaccine, Day day) {
      json::Writer& w = Begin("Immunization", Id("imm", ++n));
      WriteMeta(w, Updated(day), {US_CORE("us-core-immunization")});
      w.Field("status", "completed");
      WriteConcept(w, "vaccineCode", vaccine);
      Subject(w, "patient");
      w.Field("occurrenceDateTime", At(day, 36000 + static_cast<int>(rng_.Below(28800))));
      w.Field("primarySource", true);
      w.Field("lotNumber", absl::StrCat("LOT", 10000 + rng_.Below(89999)));
      w.Key("performer").StartArray().StartObject();
      WriteReference(w, "actor", "Practitioner", pcp_->id, pcp_->display);
      w.EndObject().EndArray();
      e_.End();
    };
    // A flu shot every autumn of coverage, then one or two others.
    for (int year = YearOf(coverage_start_); year < YearOf(as_of_); ++year) {
      if (rng_.Chance(0.7)) {
        one(kVaccines[0], DayFromCivil(year, 10, 1) + rng_.Between(0, 45));
      }
    }
    one(kVaccines[1], coverage_start_ + rng_.Between(30, 300));
    one(kVaccines[2 + rng_.Below(std::size(kVaccines) - 2)],
        coverage_start_ + rng_.Between(30, 300));
  }

  void WriteMedications() {
    for (size_t i = 0; i < chronic_.size(); ++i) {
      const ChronicCondition& c = kChronic[chronic_[i]];
      Medication m{Id("medreq", static_cast<int>(i) + 1), &c,
                   std::max(chronic_onset_[i], coverage_start_) + rng_.Between(1, 60), pcp_};
      json::Writer& w = Begin("MedicationRequest", m.request_id);
      WriteMeta(w, Updated(m.authored), {US_CORE("us-core-medicationrequest")});
      w.Field("status", "active").Field("intent", "order");
      w.Key("category").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, {"http://terminology.hl7.org/CodeSystem/medicationrequest-category",
                      "community", "Community"});
      w.EndArray().EndObject().EndArray();
      w.Field("reportedBoolean", false);
      WriteConcept(w, "medicationCodeableConcept", c.rxnorm);
      Subject(w);
      w.Field("authoredOn", FormatDate(m.authored));
      WriteReference(w, "requester", "Practitioner", m.prescriber->id, m.prescriber->display);
      w.Key("reasonReference").StartArray();
      WriteReferenceValue(w, "Condition", Id("cond", static_cast<int>(i) + 1));
      w.EndArray();
      w.Key("dosageInstruction")
          .StartArray()
          .StartObject()
          .Field("text", c.dosage)
          .EndObject()
          .EndArray();
      w.Key("dispenseRequest").StartObject().Field("numberOfRepeatsAllowed", 3);
      WriteQuantity(w, "quantity", 90, "tablet", "{tbl}");
      w.Key("expectedSupplyDuration")
          .StartObject()
          .Field("value", 90)
          .Field("unit", "days")
          .Field("system", "http://unitsofmeasure.org")
          .Field("code", "d")
          .EndObject();
      w.EndObject();
      e_.End();
      meds_.push_back(std::move(m));
    }
  }

  void WriteAllergy() {
    const Allergy& a = kAllergies[rng_.Below(std::size(kAllergies))];
    json::Writer& w = Begin("AllergyIntolerance", Id("allergy", 1));
    WriteMeta(w, Updated(coverage_start_ + 20), {US_CORE("us-core-allergyintolerance")});
    WriteConcept(
        w, "clinicalStatus",
        {"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"});
    WriteConcept(w, "verificationStatus",
                 {"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                  "confirmed", "Confirmed"});
    w.Field("type", "allergy");
    w.Key("category").StartArray().String(a.category).EndArray();
    w.Field("criticality", a.reaction.code == "39579001" ? "high" : "low");
    WriteConcept(w, "code", a.code);
    Subject(w, "patient");
    w.Field("recordedDate", FormatDate(coverage_start_ + 20));
    WriteReference(w, "recorder", "Practitioner", pcp_->id);
    w.Key("reaction")
        .StartArray()
        .StartObject()
        .Key("manifestation")
        .StartArray()
        .StartObject()
        .Key("coding")
        .StartArray();
    WriteCoding(w, a.reaction);
    w.EndArray()
        .EndObject()
        .EndArray()
        .Field("severity", a.reaction.code == "39579001" ? "severe" : "mild")
        .EndObject()
        .EndArray();
    e_.End();
  }

  void WriteCarePlanTeamGoal() {
    const Day day = encounters_.back().day;
    const ChronicCondition& main = kChronic[chronic_[0]];
    const std::string goal_id = Id("goal", 1);
    {
      json::Writer& w = Begin("Goal", goal_id);
      WriteMeta(w, Updated(day), {US_CORE("us-core-goal")});
      w.Field("lifecycleStatus", "active");
      WriteConcept(
          w, "achievementStatus",
          {"http://terminology.hl7.org/CodeSystem/goal-achievement", "in-progress", "In Progress"});
      w.Key("description").StartObject().Key("coding").StartArray();
      WriteCoding(w, {kSnomed, "281007008", "Control of disease (procedure)"});
      w.EndArray()
          .Field("text", absl::StrCat("Keep ", main.icd10.display, " under control"))
          .EndObject();
      Subject(w);
      w.Field("startDate", FormatDate(day));
      w.Key("target")
          .StartArray()
          .StartObject()
          .Field("dueDate", FormatDate(day + 180))
          .EndObject()
          .EndArray();
      w.Key("addresses").StartArray();
      WriteReferenceValue(w, "Condition", Id("cond", 1));
      w.EndArray();
      e_.End();
    }
    const std::string team_id = Id("careteam", 1);
    {
      json::Writer& w = Begin("CareTeam", team_id);
      WriteMeta(w, Updated(day), {US_CORE("us-core-careteam")});
      w.Field("status", "active");
      w.Field("name", absl::StrCat("Primary care team for ", display_name_));
      Subject(w);
      w.Key("period").StartObject().Field("start", FormatDate(coverage_start_)).EndObject();
      w.Key("participant").StartArray().StartObject();
      WriteConceptList(w, "role", {kSnomed, "453231000124104", "Primary care provider"});
      WriteReference(w, "member", "Practitioner", pcp_->id, pcp_->display);
      WriteReference(w, "onBehalfOf", "Organization", clinic_->id);
      w.EndObject().StartObject();
      WriteConceptList(w, "role", {kSnomed, "116154003", "Patient (person)"});
      WriteReference(w, "member", "Patient", prefix_, display_name_);
      w.EndObject().EndArray();
      w.Key("managingOrganization").StartArray();
      WriteReferenceValue(w, "Organization", clinic_->id);
      w.EndArray();
      e_.End();
    }
    json::Writer& w = Begin("CarePlan", Id("careplan", 1));
    WriteMeta(w, Updated(day), {US_CORE("us-core-careplan")});
    w.Key("text")
        .StartObject()
        .Field("status", "generated")
        .Field("div",
               absl::StrCat("<div xmlns=\"http://www.w3.org/1999/xhtml\">Care plan for ",
                            main.icd10.display, ": medication, diet and follow-up visits.</div>"))
        .EndObject();
    w.Field("status", "active").Field("intent", "plan");
    w.Key("category").StartArray().StartObject().Key("coding").StartArray();
    WriteCoding(w, {"http://hl7.org/fhir/us/core/CodeSystem/careplan-category", "assess-plan",
                    "Assessment and Plan of Treatment"});
    w.EndArray().EndObject().EndArray();
    w.Field("title", absl::StrCat(main.icd10.display, " care plan"));
    Subject(w);
    w.Key("period").StartObject().Field("start", FormatDate(day)).EndObject();
    WriteReference(w, "author", "Practitioner", pcp_->id, pcp_->display);
    w.Key("careTeam").StartArray();
    WriteReferenceValue(w, "CareTeam", team_id);
    w.EndArray();
    w.Key("addresses").StartArray();
    WriteReferenceValue(w, "Condition", Id("cond", 1));
    w.EndArray();
    w.Key("goal").StartArray();
    WriteReferenceValue(w, "Goal", goal_id);
    w.EndArray();
    e_.End();
  }

  void WriteDocument(int n, const Encounter& enc, const Code& type, absl::string_view note) {
    json::Writer& w = Begin("DocumentReference", Id("doc", n));
    WriteMeta(w, Updated(enc.end + 1), {US_CORE("us-core-documentreference")});
    w.Key("identifier")
        .StartArray()
        .StartObject()
        .Field("system", "urn:ietf:rfc:3986")
        .Field("value", absl::StrCat("urn:uuid:", NameUuid(Id("doc", n))))
        .EndObject()
        .EndArray();
    w.Field("status", "current");
    WriteConcept(w, "type", type);
    w.Key("category").StartArray().StartObject().Key("coding").StartArray();
    WriteCoding(w, {"http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                    "clinical-note", "Clinical Note"});
    w.EndArray().EndObject().EndArray();
    Subject(w);
    w.Field("date", At(enc.end, 61200));
    w.Key("author").StartArray();
    WriteReferenceValue(w, "Practitioner", enc.practitioner->id);
    w.EndArray();
    WriteReference(w, "custodian", "Organization", enc.org->id);
    // base64 of the note; short notes keep the encoding cheap.
    static constexpr char kB64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string data;
    for (size_t i = 0; i < note.size(); i += 3) {
      const uint32_t b0 = static_cast<unsigned char>(note[i]);
      const uint32_t b1 = i + 1 < note.size() ? static_cast<unsigned char>(note[i + 1]) : 0;
      const uint32_t b2 = i + 2 < note.size() ? static_cast<unsigned char>(note[i + 2]) : 0;
      const uint32_t v = (b0 << 16) | (b1 << 8) | b2;
      data += kB64[(v >> 18) & 63];
      data += kB64[(v >> 12) & 63];
      data += i + 1 < note.size() ? kB64[(v >> 6) & 63] : '=';
      data += i + 2 < note.size() ? kB64[v & 63] : '=';
    }
    w.Key("content")
        .StartArray()
        .StartObject()
        .Key("attachment")
        .StartObject()
        .Field("contentType", "text/plain")
        .Field("data", data)
        .Field("title", type.display)
        .EndObject();
    w.Key("format");
    WriteCoding(w, {"http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode",
                    "urn:ihe:iti:xds:2017:mimeTypeSufficient", "mimeType Sufficient"});
    w.EndObject().EndArray();
    w.Key("context").StartObject().Key("encounter").StartArray();
    WriteReferenceValue(w, "Encounter", enc.id);
    w.EndArray()
        .Key("period")
        .StartObject()
        .Field("start", At(enc.day, enc.second))
        .Field("end", At(enc.end, 61200))
        .EndObject()
        .EndObject();
    e_.End();
  }

  void WriteDocuments() {
    const Encounter& stay = encounters_[0];
    WriteDocument(1, stay, {kLoinc, "18842-5", "Discharge summary"},
                  absl::StrCat("Admitted for ", stay.problem->icd10.display,
                               ". Treated and discharged home in stable condition. Follow up "
                               "with primary care in one week."));
    const Encounter& visit = encounters_.back();
    WriteDocument(2, visit, {kLoinc, "11506-3", "Progress note"},
                  absl::StrCat("Follow-up of ", kChronic[chronic_[0]].icd10.display,
                               ". Stable on current medication. Continue plan; labs in 6 "
                               "months."));
  }

  void WriteDevice() {
    // About one member in five over 50 has an implanted device.
    if (age_ < 50 || !rng_.Chance(0.2)) {
      return;
    }
    const Device& d = kDevices[rng_.Below(std::size(kDevices))];
    const Day made = coverage_start_ - rng_.Between(200, 900);
    char lot[16];
    std::snprintf(lot, sizeof(lot), "L%05d", static_cast<int>(rng_.Below(99999)));
    const std::string serial = absl::StrCat("SN", rng_.Between(100000, 999999));
    json::Writer& w = Begin("Device", Id("device", 1));
    WriteMeta(w, Updated(made + 30), {US_CORE("us-core-implantable-device")});
    const std::string expiry = FormatDate(made + 3650);
    const std::string hrf = absl::StrCat(
        "(01)", d.di, "(11)", FormatDate(made).substr(2, 2), FormatDate(made).substr(5, 2),
        FormatDate(made).substr(8, 2), "(17)", expiry.substr(2, 2), expiry.substr(5, 2),
        expiry.substr(8, 2), "(10)", lot, "(21)", serial);
    w.Key("udiCarrier")
        .StartArray()
        .StartObject()
        .Field("deviceIdentifier", d.di)
        .Field("carrierHRF", hrf)
        .EndObject()
        .EndArray();
    w.Field("status", "active")
        .Field("manufacturer", d.manufacturer)
        .Field("manufactureDate", FormatDate(made))
        .Field("expirationDate", expiry)
        .Field("lotNumber", lot)
        .Field("serialNumber", serial);
    WriteConcept(w, "type", d.type);
    Subject(w, "patient");
    e_.End();
  }

  // --- Claims ---

  struct EobHeader {
    std::string id;
    absl::string_view profile;
    Code type;
    Code subtype;  // empty system: none
    Day start;
    Day end;
    Day created;
    const SharedOrg* insurer;
    const std::string* coverage;
    absl::string_view provider_type;
    absl::string_view provider_id;
    absl::string_view provider_display;
  };

  // The parts every CARIN BB EOB shares; the caller adds the type-specific ones.
  void Header(json::Writer& w, const EobHeader& h) {
    WriteMeta(w, Updated(h.created), {h.profile});
    w.Key("identifier")
        .StartArray()
        .StartObject()
        .Key("type")
        .StartObject()
        .Key("coding")
        .StartArray();
    WriteCoding(w, {kC4bbIdType, "uc", "Unique Claim ID"});
    w.EndArray()
        .EndObject()
        .Field("system", absl::StrCat(kSystemBase, "claimidentifier"))
        .Field("value", absl::StrCat("CLM-", h.id))
        .EndObject()
        .EndArray();
    w.Field("status", "active");
    WriteConcept(w, "type", h.type);
    if (!h.subtype.system.empty()) {
      WriteConcept(w, "subType", h.subtype);
    }
    w.Field("use", "claim");
    Subject(w, "patient");
    w.Key("billablePeriod")
        .StartObject()
        .Field("start", FormatDate(h.start))
        .Field("end", FormatDate(h.end))
        .EndObject();
    w.Field("created", At(h.created, 32400));
    WriteReference(w, "insurer", "Organization", h.insurer->id, h.insurer->name);
    WriteReference(w, "provider", h.provider_type, h.provider_id, h.provider_display);
    w.Key("payee").StartObject();
    WriteConcept(w, "type",
                 {"http://terminology.hl7.org/CodeSystem/payeetype", "provider", "Provider"});
    WriteReference(w, "party", h.provider_type, h.provider_id);
    w.EndObject();
    w.Field("outcome", "complete");
    Insurance(w, *h.coverage);
  }

  void CareTeam(json::Writer& w,
                std::initializer_list<std::pair<const SharedPractitioner*, Code>> members) {
    w.Key("careTeam").StartArray();
    int seq = 0;
    for (const auto& [who, role] : members) {
      w.StartObject().Field("sequence", ++seq);
      WriteReference(w, "provider", "Practitioner", who->id, who->display);
      WriteConcept(w, "role", role);
      w.EndObject();
    }
    w.EndArray();
  }

  // Starts a supportingInfo entry with its sequence and category; the caller adds the value.
  json::Writer& Info(json::Writer& w, int& seq, absl::string_view category,
                     absl::string_view display) {
    w.StartObject().Field("sequence", ++seq);
    WriteConcept(w, "category", {kC4bbInfo, category, display});
    return w;
  }

  void Diagnoses(json::Writer& w, std::initializer_list<std::pair<Code, Code>> diagnoses,
                 bool on_admission) {
    w.Key("diagnosis").StartArray();
    int seq = 0;
    for (const auto& [code, type] : diagnoses) {
      w.StartObject().Field("sequence", ++seq);
      WriteConcept(w, "diagnosisCodeableConcept", code);
      w.Key("type").StartArray().StartObject().Key("coding").StartArray();
      WriteCoding(w, type);
      w.EndArray().EndObject().EndArray();
      if (on_admission) {
        WriteConcept(w, "onAdmission",
                     {"https://www.nubc.org/CodeSystem/PresentOnAdmission", "Y", "Yes"});
      }
      w.EndObject();
    }
    w.EndArray();
  }

  void Insurance(json::Writer& w, const std::string& coverage) {
    w.Key("insurance").StartArray().StartObject().Field("focal", true);
    WriteReference(w, "coverage", "Coverage", coverage);
    w.EndObject().EndArray();
  }

  void Totals(json::Writer& w, const Amounts& total, bool discount, Day paid) {
    w.Key("total").StartArray();
    WriteAmounts(w, total, discount);
    w.EndArray();
    w.Key("payment").StartObject();
    WriteConcept(w, "type",
                 {"http://terminology.hl7.org/CodeSystem/ex-paymenttype", "complete", "Complete"});
    w.Field("date", FormatDate(paid));
    WriteMoney(w, "amount", total.benefit);
    w.EndObject();
  }

  Code PrincipalType() const { return {kExDiagType, "principal", "Principal Diagnosis"}; }

  void WriteInpatientEob(const Encounter& stay) {
    const std::string id = Id("eob-inpatient", 1);
    json::Writer& w = Begin("ExplanationOfBenefit", id, false);
    const Day created = stay.end + rng_.Between(3, 20);
    Header(w,
           {id,
            CARIN("C4BB-ExplanationOfBenefit-Inpatient-Institutional"),
            {"http://terminology.hl7.org/CodeSystem/claim-type", "institutional", "Institutional"},
            {"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBInstitutionalClaimSubType",
             "inpatient", "Inpatient"},
            stay.day,
            stay.end,
            created,
            payer_,
            &medical_coverage_,
            "Organization",
            stay.org->id,
            stay.org->name});
    CareTeam(w, {{stay.practitioner, {kC4bbCareTeamRole, "attending", "Attending"}},
                 {pcp_, {kC4bbCareTeamRole, "referring", "Referring"}}});
    int seq = 0;
    w.Key("supportingInfo").StartArray();
    Info(w, seq, "admissionperiod", "Admission Period")
        .Key("timingPeriod")
        .StartObject()
        .Field("start", FormatDate(stay.day))
        .Field("end", FormatDate(stay.end))
        .EndObject()
        .EndObject();
    Info(w, seq, "clmrecvddate", "Claim Received Date")
        .Field("timingDate", FormatDate(created - 2))
        .EndObject();
    WriteConcept(Info(w, seq, "typeofbill", "Type of Bill"), "code",
                 {"https://www.nubc.org/CodeSystem/TypeOfBill", "0111",
                  "Hospital inpatient, admit through discharge claim"});
    w.EndObject();
    WriteConcept(Info(w, seq, "pointoforigin", "Point Of Origin"), "code",
                 {"https://www.nubc.org/CodeSystem/PointOfOrigin", "1",
                  "Non-Health Care Facility Point of Origin"});
    w.EndObject();
    WriteConcept(Info(w, seq, "admtype", "Admission Type"), "code",
                 {"https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit", "1", "Emergency"});
    w.EndObject();
    WriteConcept(Info(w, seq, "discharge-status", "Discharge Status"), "code",
                 {"https://www.nubc.org/CodeSystem/PatDischargeStatus", "01",
                  "Discharged to home or self care"});
    w.EndObject();
    WriteConcept(Info(w, seq, "drg", "DRG"), "code",
                 {"https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/"
                  "MS-DRG-Classifications-and-Software",
                  stay.problem->drg, stay.problem->drg_display});
    w.EndObject();
    Info(w, seq, "medicalrecordnumber", "Medical Record Number")
        .Field("valueString", absl::StrCat("MRN", 100000 + rng_.Below(899999)))
        .EndObject();
    Info(w, seq, "patientaccountnumber", "Patient Account Number")
        .Field("valueString", absl::StrCat("PA", 100000 + rng_.Below(899999)))
        .EndObject();
    w.EndArray();
    const Code chronic_icd = kChronic[chronic_[0]].icd10;
    Diagnoses(w,
              {{stay.problem->icd10, PrincipalType()},
               {stay.problem->icd10, {kExDiagType, "admitting", "Admitting Diagnosis"}},
               {chronic_icd, {kC4bbDiagType, "other", "Other"}}},
              true);
    w.Key("procedure").StartArray().StartObject().Field("sequence", 1);
    w.Key("type").StartArray().StartObject().Key("coding").StartArray();
    WriteCoding(w, {"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimProcedureType",
                    "principal", "Principal"});
    w.EndArray().EndObject().EndArray();
    w.Field("date", FormatDate(stay.day));
    WriteConcept(w, "procedureCodeableConcept", stay.problem->pcs);
    w.EndObject().EndArray();
    // Lines: room and board per day, pharmacy, laboratory, radiology.
    struct Line {
      Code revenue;
      Code service;
      int64_t cents;
      int64_t quantity;
    };
    const int64_t days = std::max<int64_t>(1, stay.end - stay.day);
    const Line lines[] = {
        {{kRevenue, "0120", "Room & Board - Semi-Private"},
         {"http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-applicable",
          "Not Applicable"},
         210000 * days,
         days},
        {{kRevenue, "0250", "Pharmacy - General"},
         {"http://terminology.hl7.org/CodeSystem/data-absent-reason", "not-applicable",
          "Not Applicable"},
         rng_.Between(300, 1500) * 100,
         1},
        {{kRevenue, "0300", "Laboratory - General"},
         kPanels[0].cpt,
         rng_.Between(150, 400) * 100,
         1},
        {{kRevenue, "0320", "Radiology - Diagnostic - General"},
         {kCpt, "71046", "Radiologic examination, chest; 2 views"},
         rng_.Between(200, 600) * 100,
         1},
    };
    Amounts total;
    w.Key("item").StartArray();
    int n = 0;
    for (const Line& line : lines) {
      Amounts a = Price(rng_, line.cents, 0);
      total.Add(a);
      w.StartObject().Field("sequence", ++n);
      WriteConcept(w, "revenue", line.revenue);
      WriteConcept(w, "productOrService", line.service);
      w.Key("servicedPeriod")
          .StartObject()
          .Field("start", FormatDate(stay.day))
          .Field("end", FormatDate(stay.end))
          .EndObject();
      w.Key("quantity").StartObject().Field("value", line.quantity).EndObject();
      w.Key("adjudication").StartArray();
      WriteAmounts(w, a, false);
      w.EndArray().EndObject();
    }
    w.EndArray();
    w.Key("adjudication").StartArray();
    WriteStatusAdjudication(w, "benefitpaymentstatus", "innetwork");
    WriteStatusAdjudication(w, "billingnetworkstatus", "contracted");
    w.EndArray();
    Totals(w, total, false, created + 14);
    e_.End();
  }

  void WriteOutpatientEob(const Encounter& er) {
    const std::string id = Id("eob-outpatient", 1);
    json::Writer& w = Begin("ExplanationOfBenefit", id, false);
    const Day created = er.day + rng_.Between(3, 20);
    Header(w,
           {id,
            CARIN("C4BB-ExplanationOfBenefit-Outpatient-Institutional"),
            {"http://terminology.hl7.org/CodeSystem/claim-type", "institutional", "Institutional"},
            {"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBInstitutionalClaimSubType",
             "outpatient", "Outpatient"},
            er.day,
            er.day,
            created,
            payer_,
            &medical_coverage_,
            "Organization",
            er.org->id,
            er.org->name});
    CareTeam(w, {{er.practitioner, {kC4bbCareTeamRole, "attending", "Attending"}}});
    int seq = 0;
    w.Key("supportingInfo").StartArray();
    Info(w, seq, "clmrecvddate", "Claim Received Date")
        .Field("timingDate", FormatDate(created - 2))
        .EndObject();
    WriteConcept(Info(w, seq, "typeofbill", "Type of Bill"), "code",
                 {"https://www.nubc.org/CodeSystem/TypeOfBill", "0131",
                  "Hospital outpatient, admit through discharge claim"});
    w.EndObject();
    WriteConcept(Info(w, seq, "pointoforigin", "Point Of Origin"), "code",
                 {"https://www.nubc.org/CodeSystem/PointOfOrigin", "1",
                  "Non-Health Care Facility Point of Origin"});
    w.EndObject();
    WriteConcept(Info(w, seq, "admtype", "Admission Type"), "code",
                 {"https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit", "1", "Emergency"});
    w.EndObject();
    WriteConcept(Info(w, seq, "discharge-status", "Discharge Status"), "code",
                 {"https://www.nubc.org/CodeSystem/PatDischargeStatus", "01",
                  "Discharged to home or self care"});
    w.EndObject();
    w.EndArray();
    Diagnoses(
        w,
        {{er.problem->icd10, PrincipalType()},
         {er.problem->icd10, {kC4bbDiagType, "patientreasonforvisit", "Patient Reason for Visit"}}},
        false);
    struct Line {
      Code revenue;
      Code service;
      int64_t cents;
    };
    const Line lines[] = {
        {{kRevenue, "0450", "Emergency Room - General"},
         {kCpt, "99284", "Emergency department visit, moderate MDM"},
         rng_.Between(900, 2200) * 100},
        {{kRevenue,
          er.problem->pcs.code == "93010" ? absl::string_view("0730") : absl::string_view("0320"),
          er.problem->pcs.code == "93010" ? absl::string_view("EKG/ECG - General")
                                          : absl::string_view("Radiology - Diagnostic - General")},
         er.problem->pcs,
         rng_.Between(150, 500) * 100},
    };
    Amounts total;
    w.Key("item").StartArray();
    int n = 0;
    for (const Line& line : lines) {
      Amounts a = Price(rng_, line.cents, n == 0 ? 15000 : 0);
      total.Add(a);
      w.StartObject().Field("sequence", ++n);
      WriteConcept(w, "revenue", line.revenue);
      WriteConcept(w, "productOrService", line.service);
      w.Field("servicedDate", FormatDate(er.day));
      WriteConcept(w, "locationCodeableConcept", {kPos, "23", "Emergency Room - Hospital"});
      w.Key("quantity").StartObject().Field("value", 1).EndObject();
      w.Key("adjudication").StartArray();
      WriteAmounts(w, a, false);
      w.EndArray().EndObject();
    }
    w.EndArray();
    w.Key("adjudication").StartArray();
    WriteStatusAdjudication(w, "benefitpaymentstatus", "innetwork");
    WriteStatusAdjudication(w, "billingnetworkstatus", "contracted");
    w.EndArray();
    Totals(w, total, false, created + 14);
    e_.End();
  }

  void WriteProfessionalEob(const Encounter& visit) {
    const std::string id = Id("eob-professional", ++professional_);
    json::Writer& w = Begin("ExplanationOfBenefit", id, false);
    const Day created = visit.day + rng_.Between(3, 20);
    Header(w, {id,
               CARIN("C4BB-ExplanationOfBenefit-Professional-NonClinician"),
               {"http://terminology.hl7.org/CodeSystem/claim-type", "professional", "Professional"},
               {},
               visit.day,
               visit.day,
               created,
               payer_,
               &medical_coverage_,
               "Organization",
               visit.org->id,
               visit.org->name});
    CareTeam(w, {{visit.practitioner, {kC4bbCareTeamRole, "rendering", "Rendering provider"}}});
    int seq = 0;
    w.Key("supportingInfo").StartArray();
    Info(w, seq, "clmrecvddate", "Claim Received Date")
        .Field("timingDate", FormatDate(created - 2))
        .EndObject();
    w.EndArray();
    const ChronicCondition& c = kChronic[chronic_[0]];
    if (chronic_.size() > 1) {
      Diagnoses(w,
                {{c.icd10, PrincipalType()},
                 {kChronic[chronic_[1]].icd10, {kC4bbDiagType, "secondary", "Secondary"}}},
                false);
    } else {
      Diagnoses(w, {{c.icd10, PrincipalType()}}, false);
    }
    Amounts a = Price(
        rng_, (visit.visit->cpt.code == "99214" ? 19500 : 13500) + rng_.Between(0, 40) * 100, 2500);
    w.Key("item").StartArray().StartObject().Field("sequence", 1);
    w.Key("careTeamSequence").StartArray().Int(1).EndArray();
    w.Key("diagnosisSequence").StartArray().Int(1).EndArray();
    WriteConcept(w, "productOrService", visit.visit->cpt);
    w.Field("servicedDate", FormatDate(visit.day));
    WriteConcept(w, "locationCodeableConcept", {kPos, "11", "Office"});
    w.Key("quantity").StartObject().Field("value", 1).EndObject();
    w.Key("adjudication").StartArray();
    WriteStatusAdjudication(w, "benefitpaymentstatus", "innetwork");
    WriteAmounts(w, a, false);
    w.EndArray().EndObject().EndArray();
    w.Key("adjudication").StartArray();
    WriteStatusAdjudication(w, "billingnetworkstatus", "contracted");
    WriteStatusAdjudication(w, "renderingnetworkstatus", "contracted");
    w.EndArray();
    Totals(w, a, false, created + 14);
    e_.End();
  }

  void WritePharmacyEob(const Medication& m, int fill) {
    const std::string id = Id("eob-pharmacy", ++pharmacy_);
    const SharedOrg* pharmacy = OrgOf(OrgKind::kPharmacy);
    const Day filled = std::min(as_of_ - 1, m.authored + 90 * fill + rng_.Between(0, 3));
    const Day created = filled + 1;
    json::Writer& w = Begin("ExplanationOfBenefit", id, false);
    Header(w, {id,
               CARIN("C4BB-ExplanationOfBenefit-Pharmacy"),
               {"http://terminology.hl7.org/CodeSystem/claim-type", "pharmacy", "Pharmacy"},
               {},
               filled,
               filled,
               created,
               payer_,
               &medical_coverage_,
               "Organization",
               pharmacy->id,
               pharmacy->name});
    CareTeam(w, {{m.prescriber, {kC4bbCareTeamRole, "prescribing", "Prescribing provider"}}});
    int seq = 0;
    const int64_t refills = fill;
    w.Key("supportingInfo").StartArray();
    Info(w, seq, "clmrecvddate", "Claim Received Date")
        .Field("timingDate", FormatDate(created))
        .EndObject();
    Info(w, seq, "dayssupply", "Days Supply")
        .Key("valueQuantity")
        .StartObject()
        .Field("value", 90)
        .EndObject()
        .EndObject();
    WriteConcept(
        Info(w, seq, "dawcode", "Dispense as Written"), "code",
        {"http://terminology.hl7.org/CodeSystem/NCPDPDispensedAsWrittenOrProductSelectionCode", "0",
         "No Product Selection Indicated"});
    w.EndObject();
    Info(w, seq, "refillnum", "Refill Number")
        .Key("valueQuantity")
        .StartObject()
        .Field("value", refills)
        .EndObject()
        .EndObject();
    Info(w, seq, "refillsauthorized", "Refills Authorized")
        .Key("valueQuantity")
        .StartObject()
        .Field("value", 3)
        .EndObject()
        .EndObject();
    WriteConcept(
        Info(w, seq, "brandgenericindicator", "Brand Generic Indicator"), "code",
        {"http://terminology.hl7.org/CodeSystem/NCPDPBrandGenericIndicator", "2", "Generic"});
    w.EndObject();
    WriteConcept(
        Info(w, seq, "rxorigincode", "Rx Origin Code"), "code",
        {"http://terminology.hl7.org/CodeSystem/NCPDPPrescriptionOriginCode", "3", "Electronic"});
    w.EndObject();
    WriteConcept(
        Info(w, seq, "compoundcode", "Compound Code"), "code",
        {"http://terminology.hl7.org/CodeSystem/NCPDPCompoundCode", "1", "Not a Compound"});
    w.EndObject();
    w.EndArray();
    Amounts a = Price(rng_, rng_.Between(1500, 24000), 1000);
    w.Key("item").StartArray().StartObject().Field("sequence", 1);
    w.Key("informationSequence").StartArray();
    for (int i = 2; i <= seq; ++i) {
      w.Int(i);
    }
    w.EndArray();
    WriteConcept(w, "productOrService", m.condition->ndc);
    w.Field("servicedDate", FormatDate(filled));
    w.Key("quantity").StartObject().Field("value", 90).Field("unit", "tablet").EndObject();
    w.Key("adjudication").StartArray();
    WriteStatusAdjudication(w, "benefitpaymentstatus", "innetwork");
    WriteAmounts(w, a, true);
    w.EndArray().EndObject().EndArray();
    w.Key("adjudication").StartArray();
    WriteStatusAdjudication(w, "billingnetworkstatus", "contracted");
    w.EndArray();
    Totals(w, a, true, created + 14);
    e_.End();
  }

  void WriteOralEob() {
    const std::string id = Id("eob-oral", 1);
    const SharedOrg* office = OrgOf(OrgKind::kDental);
    const SharedPractitioner* dentist = &shared_.dentists[rng_.Below(shared_.dentists.size())];
    const Day day = coverage_start_ + rng_.Between(10, as_of_ - coverage_start_ - 30);
    const Day created = day + rng_.Between(3, 15);
    json::Writer& w = Begin("ExplanationOfBenefit", id, false);
    Header(w, {id,
               CARIN("C4BB-ExplanationOfBenefit-Oral"),
               {"http://terminology.hl7.org/CodeSystem/claim-type", "oral", "Oral"},
               {},
               day,
               day,
               created,
               dental_payer_,
               &dental_coverage_,
               "Organization",
               office->id,
               office->name});
    CareTeam(w, {{dentist, {kC4bbCareTeamRole, "rendering", "Rendering provider"}}});
    int seq = 0;
    w.Key("supportingInfo").StartArray();
    Info(w, seq, "clmrecvddate", "Claim Received Date")
        .Field("timingDate", FormatDate(created - 1))
        .EndObject();
    Info(w, seq, "servicefacility", "Service Facility");
    WriteReference(w, "valueReference", "Organization", office->id, office->name);
    w.EndObject();
    w.EndArray();
    Diagnoses(w,
              {{{kIcd10, "Z01.20",
                 "Encounter for dental examination and cleaning without abnormal findings"},
                PrincipalType()}},
              false);
    Amounts total;
    w.Key("item").StartArray();
    const bool filling = rng_.Chance(0.35);
    int n = 0;
    for (const DentalService& s : kDental) {
      if (s.tooth && !filling) {
        continue;
      }
      Amounts a = Price(rng_, s.cents, 0);
      total.Add(a);
      w.StartObject().Field("sequence", ++n);
      w.Key("careTeamSequence").StartArray().Int(1).EndArray();
      WriteConcept(w, "productOrService", s.cdt);
      w.Field("servicedDate", FormatDate(day));
      WriteConcept(w, "locationCodeableConcept", {kPos, "11", "Office"});
      w.Key("quantity").StartObject().Field("value", 1).EndObject();
      if (s.tooth) {
        static constexpr absl::string_view kTeeth[] = {"3", "14", "19", "30"};
        WriteConcept(w, "bodySite",
                     {"http://terminology.hl7.org/CodeSystem/ADAUniversalToothDesignationSystem",
                      kTeeth[rng_.Below(4)],
                      {}});
        w.Key("subSite").StartArray().StartObject().Key("coding").StartArray();
        WriteCoding(
            w, {"http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSurfaceCodes", "O", "Occlusal"});
        w.EndArray().EndObject().EndArray();
      }
      w.Key("adjudication").StartArray();
      WriteStatusAdjudication(w, "benefitpaymentstatus", "innetwork");
      WriteAmounts(w, a, true);
      w.EndArray().EndObject();
    }
    w.EndArray();
    w.Key("adjudication").StartArray();
    WriteStatusAdjudication(w, "billingnetworkstatus", "contracted");
    WriteStatusAdjudication(w, "renderingnetworkstatus", "contracted");
    w.EndArray();
    Totals(w, total, true, created + 14);
    e_.End();
  }

  void WriteProvenance(size_t clinical_end) {
    const Day day = encounters_.back().end + 1;
    json::Writer& w = e_.Begin("Provenance", Id("provenance", 1));
    WriteMeta(w, Updated(day), {US_CORE("us-core-provenance")});
    w.Key("target").StartArray();
    for (size_t i = 0; i < clinical_end; ++i) {
      WriteReferenceValue(w, clinical_[i].first, clinical_[i].second);
    }
    w.EndArray();
    w.Field("recorded", At(day, 3600));
    w.Key("agent").StartArray().StartObject();
    WriteConcept(
        w, "type",
        {"http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author", "Author"});
    WriteReference(w, "who", "Practitioner", pcp_->id, pcp_->display);
    WriteReference(w, "onBehalfOf", "Organization", clinic_->id);
    w.EndObject().StartObject();
    WriteConcept(w, "type",
                 {"http://hl7.org/fhir/us/core/CodeSystem/us-core-provenance-participant-type",
                  "transmitter", "Transmitter"});
    WriteReference(w, "who", "Organization", payer_->id, payer_->name);
    w.EndObject().EndArray();
    e_.End();
  }

  const SharedSet& shared_;
  Rng rng_;
  const Day as_of_;
  const std::string prefix_;  // the Patient id; other ids extend it
  Emitter e_;
  std::string member_number_;
  // (type, id) of every clinical resource, for the Provenance.
  std::vector<std::pair<std::string, std::string>> clinical_;

  bool female_ = false;
  absl::string_view given_, middle_, family_;
  std::string display_name_;
  const City* city_ = nullptr;
  Day birth_ = 0;
  int age_ = 0;
  const SharedOrg* payer_ = nullptr;
  const SharedOrg* dental_payer_ = nullptr;
  const SharedOrg* clinic_ = nullptr;
  const SharedPractitioner* pcp_ = nullptr;
  Day coverage_start_ = 0;
  std::string medical_coverage_, dental_coverage_;
  std::vector<int> chronic_;
  std::vector<Day> chronic_onset_;
  std::vector<Encounter> encounters_;
  std::vector<Medication> meds_;
  double height_cm_ = 170;
  double bmi_ = 26;
  int professional_ = 0;
  int pharmacy_ = 0;
};

}  // namespace

std::string MemberPatientId(uint64_t seed, int64_t index) {
  return absl::StrCat(SeedPrefix(seed), "m", index);
}

absl::Status GenerateMembers(const MemberOptions& options, MemberSink& sink) {
  // The bound keeps every id within FHIR's 64 characters and the arithmetic far from overflow.
  constexpr int64_t kMaxIndex = 1'000'000'000'000;
  if (options.count < 0 || options.first_index < 0 || options.count > kMaxIndex ||
      options.first_index > kMaxIndex - options.count) {
    return absl::InvalidArgumentError(absl::StrCat(
        "member count and first index must not be negative and stay below ", kMaxIndex));
  }
  Day as_of;
  if (!ParseDate(options.as_of, &as_of)) {
    return absl::InvalidArgumentError(
        absl::StrCat("as_of '", options.as_of, "' is not a date (YYYY-MM-DD)"));
  }
  const SharedSet shared = PlanShared(options.seed);
  std::vector<Resource> resources;
  if (options.emit_shared) {
    Emitter e(resources);
    Rng rng(options.seed, "shared", 0);
    const std::string updated = FormatDateTime(as_of - 400, 0);
    for (const SharedOrg& org : shared.orgs) {
      WriteSharedOrg(e, org, rng, updated);
    }
    for (const SharedPractitioner& p : shared.physicians) {
      WriteSharedPractitioner(e, p, rng, updated);
    }
    for (const SharedPractitioner& p : shared.dentists) {
      WriteSharedPractitioner(e, p, rng, updated);
    }
    if (absl::Status s = sink.Shared(resources); !s.ok()) {
      return s;
    }
  }
  for (int64_t i = options.first_index; i < options.first_index + options.count; ++i) {
    resources.clear();
    MemberWriter writer(shared, options.seed, i, as_of, resources);
    writer.Write();
    const std::string patient_id = MemberPatientId(options.seed, i);
    if (absl::Status s = sink.AddMember({i, patient_id, resources}); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace planapi::synth
