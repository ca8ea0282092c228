#!/usr/bin/env python3
"""Regenerates core-search-parameters.json and compartmentdefinition-patient.json from the FHIR R4
definitions: the core SearchParameters reduced to the fields the registry reads and to the
resource types planapi serves.

    python3 libs/fhirsearch/data/reduce.py [/work/shared/fhir-r4]
"""
import json
import os
import sys

BASES = [
    "Patient", "CareTeam", "Coverage", "ExplanationOfBenefit", "Encounter", "DiagnosticReport",
    "MedicationRequest", "Medication", "Goal", "Condition", "CarePlan", "Procedure",
    "DocumentReference", "AllergyIntolerance", "Immunization", "Provenance", "Observation",
    "Device", "Practitioner", "PractitionerRole", "Organization", "Location", "HealthcareService",
    "OrganizationAffiliation", "InsurancePlan", "Endpoint", "RelatedPerson",
]
# Of the Resource/DomainResource parameters, the ones with an expression we can evaluate
# (_text, _content and _query have none).
RESOURCE_CODES = {"_id", "_lastUpdated", "_tag", "_profile", "_security", "_source"}
FIELDS = ["resourceType", "id", "url", "name", "code", "type", "base", "expression", "target"]


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/fhir-r4"
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(src, "search-parameters.json"), encoding="utf-8") as f:
        bundle = json.load(f)
    lines = []
    for entry in bundle["entry"]:
        sp = entry["resource"]
        if sp.get("resourceType") != "SearchParameter":
            continue
        if set(sp["base"]) & {"Resource", "DomainResource"}:
            if sp["code"] not in RESOURCE_CODES:
                continue
            bases = sp["base"]
        else:
            bases = [b for b in sp["base"] if b in BASES]
        if not bases:
            continue
        out = {k: sp[k] for k in FIELDS if k in sp}
        out["base"] = bases
        lines.append(json.dumps({"resource": out}, ensure_ascii=False, separators=(",", ":")))
    with open(os.path.join(here, "core-search-parameters.json"), "w", encoding="utf-8") as f:
        f.write('{"resourceType":"Bundle","type":"collection","entry":[\n')
        f.write(",\n".join(lines))
        f.write("\n]}\n")
    with open(os.path.join(src, "compartmentdefinition-patient.json"), encoding="utf-8") as f:
        compartment = json.load(f)
    with open(os.path.join(here, "compartmentdefinition-patient.json"), "w", encoding="utf-8") as f:
        json.dump(compartment, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"{len(lines)} core search parameters")


if __name__ == "__main__":
    main()
