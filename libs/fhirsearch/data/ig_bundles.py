#!/usr/bin/env python3
"""Writes us-core.json, carin-bb.json and plan-net.json: the IG SearchParameters planapi serves,
as SearchParameter resources in collection Bundles, reduced like the core file to the fields the
registry reads. The definitions are transcribed from the published IGs (see README.md for the
source of each); this script only keeps them in one readable table.

    python3 libs/fhirsearch/data/ig_bundles.py
"""
import json
import os

US_CORE = "http://hl7.org/fhir/us/core/SearchParameter/"
CARIN = "http://hl7.org/fhir/us/carin-bb/SearchParameter/"
PLAN_NET = "http://hl7.org/fhir/us/davinci-pdex-plan-net/SearchParameter/"

# (id, name, code, base, type, expression, targets)
US_CORE_PARAMS = [
    ("us-core-race", "USCoreRace", "race", "Patient", "token",
     "Patient.extension.where(url = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race').extension.value.code", []),
    ("us-core-ethnicity", "USCoreEthnicity", "ethnicity", "Patient", "token",
     "Patient.extension.where(url = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity').extension.value.code", []),
    ("us-core-patient-id", "USCorePatientId", "_id", "Patient", "token", "Resource.id", []),
    ("us-core-patient-birthdate", "USCorePatientBirthdate", "birthdate", "Patient", "date", "Patient.birthDate", []),
    ("us-core-patient-death-date", "USCorePatientDeathDate", "death-date", "Patient", "date", "(Patient.deceased as dateTime)", []),
    ("us-core-patient-family", "USCorePatientFamily", "family", "Patient", "string", "Patient.name.family", []),
    ("us-core-patient-gender", "USCorePatientGender", "gender", "Patient", "token", "Patient.gender", []),
    ("us-core-patient-given", "USCorePatientGiven", "given", "Patient", "string", "Patient.name.given", []),
    ("us-core-patient-identifier", "USCorePatientIdentifier", "identifier", "Patient", "token", "Patient.identifier", []),
    ("us-core-patient-name", "USCorePatientName", "name", "Patient", "string", "Patient.name", []),
    ("us-core-allergyintolerance-clinical-status", "USCoreAllergyintoleranceClinicalStatus", "clinical-status", "AllergyIntolerance", "token", "AllergyIntolerance.clinicalStatus", []),
    ("us-core-allergyintolerance-patient", "USCoreAllergyintolerancePatient", "patient", "AllergyIntolerance", "reference", "AllergyIntolerance.patient", ["Patient"]),
    ("us-core-careplan-category", "USCoreCareplanCategory", "category", "CarePlan", "token", "CarePlan.category", []),
    ("us-core-careplan-date", "USCoreCareplanDate", "date", "CarePlan", "date", "CarePlan.period", []),
    ("us-core-careplan-patient", "USCoreCareplanPatient", "patient", "CarePlan", "reference", "CarePlan.subject.where(resolve() is Patient)", ["Patient"]),
    ("us-core-careplan-status", "USCoreCareplanStatus", "status", "CarePlan", "token", "CarePlan.status", []),
    ("us-core-careteam-patient", "USCoreCareteamPatient", "patient", "CareTeam", "reference", "CareTeam.subject.where(resolve() is Patient)", ["Patient"]),
    ("us-core-careteam-role", "USCoreCareTeamRole", "role", "CareTeam", "token", "CareTeam.participant.role", []),
    ("us-core-careteam-status", "USCoreCareteamStatus", "status", "CareTeam", "token", "CareTeam.status", []),
    ("us-core-condition-abatement-date", "USCoreConditionAbatementDate", "abatement-date", "Condition", "date", "Condition.abatement.as(dateTime)|Condition.abatement.as(Period)", []),
    ("us-core-condition-asserted-date", "USCoreConditionAssertedDate", "asserted-date", "Condition", "date",
     "Condition.extension.where(url = 'http://hl7.org/fhir/StructureDefinition/condition-assertedDate').value", []),
    ("us-core-condition-category", "USCoreConditionCategory", "category", "Condition", "token", "Condition.category", []),
    ("us-core-condition-clinical-status", "USCoreConditionClinicalStatus", "clinical-status", "Condition", "token", "Condition.clinicalStatus", []),
    ("us-core-condition-code", "USCoreConditionCode", "code", "Condition", "token", "Condition.code", []),
    ("us-core-condition-encounter", "USCoreConditionEncounter", "encounter", "Condition", "reference", "Condition.encounter", ["Encounter"]),
    ("us-core-condition-onset-date", "USCoreConditionOnsetDate", "onset-date", "Condition", "date", "Condition.onset.as(dateTime)|Condition.onset.as(Period)", []),
    ("us-core-condition-patient", "USCoreConditionPatient", "patient", "Condition", "reference", "Condition.subject.where(resolve() is Patient)", ["Patient"]),
    ("us-core-condition-recorded-date", "USCoreConditionRecordedDate", "recorded-date", "Condition", "date", "Condition.recordedDate", []),
    ("us-core-coverage-patient", "USCoreCoveragePatient", "patient", "Coverage", "reference", "Coverage.beneficiary", ["Patient"]),
    ("us-core-device-patient", "USCoreDevicePatient", "patient", "Device", "reference", "Device.patient", ["Patient"]),
    ("us-core-device-status", "USCoreDeviceStatus", "status", "Device", "token", "Device.status", []),
    ("us-core-device-type", "USCoreDeviceType", "type", "Device", "token", "Device.type", []),
    ("us-core-diagnosticreport-category", "USCoreDiagnosticreportCategory", "category", "DiagnosticReport", "token", "DiagnosticReport.category", []),
    ("us-core-diagnosticreport-code", "USCoreDiagnosticreportCode", "code", "DiagnosticReport", "token", "DiagnosticReport.code", []),
    ("us-core-diagnosticreport-date", "USCoreDiagnosticreportDate", "date", "DiagnosticReport", "date", "DiagnosticReport.effective", []),
    ("us-core-diagnosticreport-patient", "USCoreDiagnosticreportPatient", "patient", "DiagnosticReport", "reference", "DiagnosticReport.subject.where(resolve() is Patient)", ["Patient"]),
    ("us-core-diagnosticreport-status", "USCoreDiagnosticreportStatus", "status", "DiagnosticReport", "token", "DiagnosticReport.status", []),
    ("us-core-documentreference-category", "USCoreDocumentreferenceCategory", "category", "DocumentReference", "token", "DocumentReference.category", []),
    ("us-core-documentreference-date", "USCoreDocumentreferenceDate", "date", "DocumentReference", "date", "DocumentReference.date", []),
    ("us-core-documentreference-id", "USCoreDocumentreferenceId", "_id", "DocumentReference", "token", "Resource.id", []),
    ("us-core-documentreference-patient", "USCoreDocumentreferencePatient", "patient", "DocumentReference", "reference", "DocumentReference.subject.where(resolve() is Patient)", ["Patient"]),
    ("us-core-documentreference-period", "USCoreDocumentreferencePeriod", "period", "DocumentReference", "date", "DocumentReference.context.period", []),
    ("us-core-documentreference-status", "USCoreDocumentreferenceStatus", "status", "DocumentReference", "token", "DocumentReference.status", []),
    ("us-core-documentreference-type", "USCoreDocumentreferenceType", "type", "DocumentReference", "token", "DocumentReference.type", []),
    ("us-core-encounter-class", "USCoreEncounterClass", "class", "Encounter", "token", "Encounter.class", []),
    ("us-core-encounter-date", "USCoreEncounterDate", "date", "Encounter", "date", "Encounter.period", []),
    ("us-core-encounter-discharge-disposition", "USCoreEncounterDischargeDisposition", "discharge-disposition", "Encounter", "token", "Encounter.hospitalization.dischargeDisposition", []),
    ("us-core-encounter-id", "USCoreEncounterId", "_id", "Encounter", "token", "Resource.id", []),
    ("us-core-encounter-identifier", "USCoreEncounterIdentifier", "identifier", "Encounter", "token", "Encounter.identifier", []),
    ("us-core-encounter-location", "USCoreEncounterLocation", "location", "Encounter", "reference", "Encounter.location.location", ["Location"]),
    ("us-core-encounter-patient", "USCoreEncounterPatient", "patient", "Encounter", "reference", "Encounter.subject.where(resolve() is Patient)", ["Patient"]),
    ("us-core-encounter-status", "USCoreEncounterStatus", "status", "Encounter", "token", "Encounter.status", []),
    ("us-core-encounter-type", "USCoreEncounterType", "type", "Encounter", "token", "Encounter.type", []),
    ("us-core-goal-description", "USCoreGoalDescription", "description", "Goal", "token", "Goal.description", []),
    ("us-core-goal-lifecycle-status", "USCoreGoalLifecycleStatus", "lifecycle-status", "Goal", "token", "Goal.lifecycleStatus", []),
    ("us-core-goal-patient", "USCoreGoalPatient", "patient", "Goal", "reference", "Goal.subject.where(resolve() is Patient)", ["Patient"]),
    ("us-core-goal-target-date", "USCoreGoalTargetDate", "target-date", "Goal", "date", "(Goal.target.due as date)", []),
    ("us-core-immunization-date", "USCoreImmunizationDate", "date", "Immunization", "date", "Immunization.occurrence", []),
    ("us-core-immunization-patient", "USCoreImmunizationPatient", "patient", "Immunization", "reference", "Immunization.patient", ["Patient"]),
    ("us-core-immunization-status", "USCoreImmunizationStatus", "status", "Immunization", "token", "Immunization.status", []),
    ("us-core-location-address", "USCoreLocationAddress", "address", "Location", "string", "Location.address", []),
    ("us-core-location-address-city", "USCoreLocationAddressCity", "address-city", "Location", "string", "Location.address.city", []),
    ("us-core-location-address-postalcode", "USCoreLocationAddressPostalcode", "address-postalcode", "Location", "string", "Location.address.postalCode", []),
    ("us-core-location-address-state", "USCoreLocationAddressState", "address-state", "Location", "string", "Location.address.state", []),
    ("us-core-location-name", "USCoreLocationName", "name", "Location", "string", "Location.name|Location.alias", []),
    ("us-core-medicationrequest-authoredon", "USCoreMedicationrequestAuthoredon", "authoredon", "MedicationRequest", "date", "MedicationRequest.authoredOn", []),
    ("us-core-medicationrequest-encounter", "USCoreMedicationrequestEncounter", "encounter", "MedicationRequest", "reference", "MedicationRequest.encounter", ["Encounter"]),
    ("us-core-medicationrequest-intent", "USCoreMedicationrequestIntent", "intent", "MedicationRequest", "token", "MedicationRequest.intent", []),
    ("us-core-medicationrequest-patient", "USCoreMedicationrequestPatient", "patient", "MedicationRequest", "reference", "MedicationRequest.subject.where(resolve() is Patient)", ["Patient"]),
    ("us-core-medicationrequest-status", "USCoreMedicationrequestStatus", "status", "MedicationRequest", "token", "MedicationRequest.status", []),
    ("us-core-observation-category", "USCoreObservationCategory", "category", "Observation", "token", "Observation.category", []),
    ("us-core-observation-code", "USCoreObservationCode", "code", "Observation", "token", "Observation.code", []),
    ("us-core-observation-date", "USCoreObservationDate", "date", "Observation", "date", "Observation.effective", []),
    ("us-core-observation-patient", "USCoreObservationPatient", "patient", "Observation", "reference", "Observation.subject.where(resolve() is Patient)", ["Patient"]),
    ("us-core-observation-status", "USCoreObservationStatus", "status", "Observation", "token", "Observation.status", []),
    ("us-core-organization-address", "USCoreOrganizationAddress", "address", "Organization", "string", "Organization.address", []),
    ("us-core-organization-name", "USCoreOrganizationName", "name", "Organization", "string", "Organization.name|Organization.alias", []),
    ("us-core-practitioner-identifier", "USCorePractitionerIdentifier", "identifier", "Practitioner", "token", "Practitioner.identifier", []),
    ("us-core-practitioner-name", "USCorePractitionerName", "name", "Practitioner", "string", "Practitioner.name", []),
    ("us-core-practitionerrole-practitioner", "USCorePractitionerrolePractitioner", "practitioner", "PractitionerRole", "reference", "PractitionerRole.practitioner", ["Practitioner"]),
    ("us-core-practitionerrole-specialty", "USCorePractitionerroleSpecialty", "specialty", "PractitionerRole", "token", "PractitionerRole.specialty", []),
    ("us-core-procedure-code", "USCoreProcedureCode", "code", "Procedure", "token", "Procedure.code", []),
    ("us-core-procedure-date", "USCoreProcedureDate", "date", "Procedure", "date", "Procedure.performed", []),
    ("us-core-procedure-patient", "USCoreProcedurePatient", "patient", "Procedure", "reference", "Procedure.subject.where(resolve() is Patient)", ["Patient"]),
    ("us-core-procedure-status", "USCoreProcedureStatus", "status", "Procedure", "token", "Procedure.status", []),
]

CARIN_PARAMS = [
    ("explanationofbenefit-billable-period-start", "ExplanationOfBenefit_BillablePeriodStart", "billable-period-start", "ExplanationOfBenefit", "date",
     "ExplanationOfBenefit.billablePeriod.start", []),
    ("explanationofbenefit-care-team", "ExplanationOfBenefit_Careteam", "care-team", "ExplanationOfBenefit", "reference",
     "ExplanationOfBenefit.careTeam.provider", ["Practitioner", "Organization", "PractitionerRole"]),
    ("explanationofbenefit-coverage", "ExplanationOfBenefit_Coverage", "coverage", "ExplanationOfBenefit", "reference",
     "ExplanationOfBenefit.insurance.coverage", ["Coverage"]),
    ("explanationofbenefit-identifier", "ExplanationOfBenefit_Identifier", "identifier", "ExplanationOfBenefit", "token",
     "ExplanationOfBenefit.identifier", []),
    ("explanationofbenefit-insurer", "ExplanationOfBenefit_Insurer", "insurer", "ExplanationOfBenefit", "reference",
     "ExplanationOfBenefit.insurer", ["Organization"]),
    ("explanationofbenefit-patient", "ExplanationOfBenefit_Patient", "patient", "ExplanationOfBenefit", "reference",
     "ExplanationOfBenefit.patient", ["Patient"]),
    ("explanationofbenefit-provider", "ExplanationOfBenefit_Provider", "provider", "ExplanationOfBenefit", "reference",
     "ExplanationOfBenefit.provider", ["Practitioner", "Organization", "PractitionerRole"]),
    ("explanationofbenefit-service-date", "ExplanationOfBenefit_ServiceDate", "service-date", "ExplanationOfBenefit", "date",
     "ExplanationOfBenefit.billablePeriod | ExplanationOfBenefit.item.serviced", []),
    ("explanationofbenefit-service-start-date", "ExplanationOfBenefit_ServiceStartDate", "service-start-date", "ExplanationOfBenefit", "date",
     "ExplanationOfBenefit.billablePeriod.start | ExplanationOfBenefit.item.serviced.ofType(date) | ExplanationOfBenefit.item.serviced.ofType(Period).start", []),
    ("explanationofbenefit-type", "ExplanationOfBenefit_Type", "type", "ExplanationOfBenefit", "token",
     "ExplanationOfBenefit.type", []),
    ("coverage-payor", "Coverage_Payor", "payor", "Coverage", "reference",
     "Coverage.payor", ["Organization", "Patient", "RelatedPerson"]),
    ("practitionerrole-organization", "ExplanationOfBenefit_Organization", "organization", "PractitionerRole", "reference",
     "PractitionerRole.organization", ["Organization"]),
    ("practitionerrole-practitioner", "ExplanationOfBenefit_Practitioner", "practitioner", "PractitionerRole", "reference",
     "PractitionerRole.practitioner", ["Practitioner"]),
]

PLAN_NET_PARAMS = [
    ("endpoint-organization", "Plannet_sp_endpoint_organization", "organization", "Endpoint", "reference", "Endpoint.managingOrganization", ["Organization"]),
    ("healthcareservice-coverage-area", "Plannet_sp_healthcareservice_coverage_area", "coverage-area", "HealthcareService", "reference", "HealthcareService.coverageArea", ["Location"]),
    ("healthcareservice-endpoint", "Plannet_sp_healthcareservice_endpoint", "endpoint", "HealthcareService", "reference", "HealthcareService.endpoint", ["Endpoint"]),
    ("healthcareservice-location", "Plannet_sp_healthcareservice_location", "location", "HealthcareService", "reference", "HealthcareService.location", ["Location"]),
    ("healthcareservice-name", "Plannet_sp_healthcareservice_name", "name", "HealthcareService", "string", "HealthcareService.name", []),
    ("healthcareservice-organization", "Plannet_sp_healthcareservice_organization", "organization", "HealthcareService", "reference", "HealthcareService.providedBy", ["Organization"]),
    ("healthcareservice-service-category", "Plannet_sp_healthcareservice_category", "service-category", "HealthcareService", "token", "HealthcareService.category", []),
    ("healthcareservice-service-type", "Plannet_sp_healthcareservice_type", "service-type", "HealthcareService", "token", "HealthcareService.type", []),
    ("healthcareservice-specialty", "Plannet_sp_healthcareservice_specialty", "specialty", "HealthcareService", "token", "HealthcareService.specialty", []),
    ("insuranceplan-administered-by", "Plannet_sp_insuranceplan_administered_by", "administered-by", "InsurancePlan", "reference", "InsurancePlan.administeredBy", ["Organization"]),
    ("insuranceplan-coverage-area", "Plannet_sp_insuranceplan_coverage_area", "coverage-area", "InsurancePlan", "reference", "InsurancePlan.coverageArea", ["Location"]),
    ("insuranceplan-identifier", "Plannet_sp_insuranceplan_identifier", "identifier", "InsurancePlan", "token", "InsurancePlan.identifier", []),
    ("insuranceplan-name", "Plannet_sp_insuranceplan_name", "name", "InsurancePlan", "string", "name | alias", []),
    ("insuranceplan-owned-by", "Plannet_sp_insuranceplan_owned_by", "owned-by", "InsurancePlan", "reference", "InsurancePlan.ownedBy", ["Organization"]),
    ("insuranceplan-plan-type", "Plannet_sp_insuranceplan_plan_type", "plan-type", "InsurancePlan", "token", "InsurancePlan.plan.type", []),
    ("insuranceplan-type", "Plannet_sp_insuranceplan_type", "type", "InsurancePlan", "token", "InsurancePlan.type", []),
    ("location-address", "Plannet_sp_location_address", "address", "Location", "string", "Location.address", []),
    ("location-address-city", "Plannet_sp_location_address_city", "address-city", "Location", "string", "Location.address.city", []),
    ("location-address-postalcode", "Plannet_sp_location_address_postalcode", "address-postalcode", "Location", "string", "Location.address.postalCode", []),
    ("location-address-state", "Plannet_sp_location_address_state", "address-state", "Location", "string", "Location.address.state", []),
    ("location-endpoint", "Plannet_sp_location_endpoint", "endpoint", "Location", "reference", "Location.endpoint", ["Endpoint"]),
    ("location-organization", "Plannet_sp_location_organization", "organization", "Location", "reference", "Location.managingOrganization", ["Organization"]),
    ("location-partof", "Plannet_sp_location_partof", "partof", "Location", "reference", "Location.partOf", ["Location"]),
    ("location-type", "Plannet_sp_location_type", "type", "Location", "token", "Location.type", []),
    ("organization-address", "Plannet_sp_organization_address", "address", "Organization", "string", "Organization.address", []),
    ("organization-coverage-area", "Plannet_sp_network_coverage_area", "coverage-area", "Organization", "reference",
     "Organization.extension.where(url='http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/location-reference').valueReference", ["Location"]),
    ("organization-endpoint", "Plannet_sp_organization_endpoint", "endpoint", "Organization", "reference", "Organization.endpoint", ["Endpoint"]),
    ("organization-name", "Plannet_sp_organization_name", "name", "Organization", "string", "Organization.name | Organization.alias", []),
    ("organization-partof", "Plannet_sp_organization_partof", "partof", "Organization", "reference", "Organization.partOf", ["Organization"]),
    ("organization-type", "Plannet_sp_organization_type", "type", "Organization", "token", "Organization.type", []),
    ("organizationaffiliation-endpoint", "Plannet_sp_organizationaffiliation_endpoint", "endpoint", "OrganizationAffiliation", "reference", "OrganizationAffiliation.endpoint", ["Endpoint"]),
    ("organizationaffiliation-location", "Plannet_sp_organizationaffiliation_location", "location", "OrganizationAffiliation", "reference", "OrganizationAffiliation.location", ["Location"]),
    ("organizationaffiliation-network", "Plannet_sp_organizationaffiliation_network", "network", "OrganizationAffiliation", "reference", "OrganizationAffiliation.network", ["Organization"]),
    ("organizationaffiliation-participating-organization", "Plannet_sp_organizationaffiliation_participating_organization", "participating-organization", "OrganizationAffiliation", "reference",
     "OrganizationAffiliation.participatingOrganization", ["Organization"]),
    ("organizationaffiliation-primary-organization", "Plannet_sp_organizationaffiliation_primary_organization", "primary-organization", "OrganizationAffiliation", "reference",
     "OrganizationAffiliation.organization", ["Organization"]),
    ("organizationaffiliation-role", "Plannet_sp_organizationaffiliation_role", "role", "OrganizationAffiliation", "token", "OrganizationAffiliation.code", []),
    ("organizationaffiliation-service", "Plannet_sp_organizationaffiliation_service", "service", "OrganizationAffiliation", "reference", "OrganizationAffiliation.healthcareService", ["HealthcareService"]),
    ("organizationaffiliation-specialty", "Plannet_sp_organizationaffiliation_specialty", "specialty", "OrganizationAffiliation", "token", "OrganizationAffiliation.specialty", []),
    ("practitioner-family-name", "Plannet_sp_practitioner_family_name", "family", "Practitioner", "string", "Practitioner.name.family", []),
    ("practitioner-given-name", "Plannet_sp_practitioner_given_name", "given", "Practitioner", "string", "Practitioner.name.given", []),
    ("practitioner-name", "Plannet_sp_practitioner_name", "name", "Practitioner", "string", "Practitioner.name", []),
    ("practitionerrole-endpoint", "Plannet_sp_practitionerrole_endpoint", "endpoint", "PractitionerRole", "reference", "PractitionerRole.endpoint", ["Endpoint"]),
    ("practitionerrole-location", "Plannet_sp_practitionerrole_location", "location", "PractitionerRole", "reference", "PractitionerRole.location", ["Location"]),
    ("practitionerrole-network", "Plannet_sp_practitionerrole_network", "network", "PractitionerRole", "reference",
     "PractitionerRole.extension.where(url='http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/network-reference')", ["Organization"]),
    ("practitionerrole-organization", "Plannet_sp_practitionerrole_organization", "organization", "PractitionerRole", "reference", "PractitionerRole.organization", ["Organization"]),
    ("practitionerrole-practitioner", "Plannet_sp_practitionerrole_practitioner", "practitioner", "PractitionerRole", "reference", "PractitionerRole.practitioner", ["Practitioner"]),
    ("practitionerrole-role", "Plannet_sp_practitionerrole_role", "role", "PractitionerRole", "token", "PractitionerRole.code", []),
    ("practitionerrole-service", "Plannet_sp_practitionerrole_service", "service", "PractitionerRole", "reference", "PractitionerRole.healthcareService", ["HealthcareService"]),
    ("practitionerrole-specialty", "Plannet_sp_practitionerrole_specialty", "specialty", "PractitionerRole", "token", "PractitionerRole.specialty", []),
]


def write(path, prefix, version, params):
    lines = []
    for (pid, name, code, base, typ, expression, targets) in params:
        sp = {"resourceType": "SearchParameter", "id": pid, "url": prefix + pid,
              "version": version, "name": name, "code": code, "type": typ, "base": [base],
              "expression": expression}
        if targets:
            sp["target"] = targets
        lines.append(json.dumps({"resource": sp}, ensure_ascii=False, separators=(",", ":")))
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"resourceType":"Bundle","type":"collection","entry":[\n')
        f.write(",\n".join(lines))
        f.write("\n]}\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(here, "us-core.json"), US_CORE, "6.1.0", US_CORE_PARAMS)
    write(os.path.join(here, "carin-bb.json"), CARIN, "2.0.0", CARIN_PARAMS)
    write(os.path.join(here, "plan-net.json"), PLAN_NET, "1.1.0", PLAN_NET_PARAMS)
    print(len(US_CORE_PARAMS), len(CARIN_PARAMS), len(PLAN_NET_PARAMS))


if __name__ == "__main__":
    main()
