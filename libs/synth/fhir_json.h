// Writers for the FHIR datatypes the synthetic generators repeat thousands of times (Coding,
// CodeableConcept, Reference, Money, Quantity, dates), on json::Writer. Internal to libs/synth:
// the generators stream resources straight to JSON text and never build a document tree.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/json/json.h"

namespace planapi::synth {

// One coding of a code table row. The views point at static tables.
struct Code {
  absl::string_view system;
  absl::string_view code;
  absl::string_view display;
};

// Days since 1970-01-01 (proleptic Gregorian), for cheap date arithmetic.
using Day = int64_t;
Day DayFromCivil(int year, int month, int day);
// "YYYY-MM-DD".
std::string FormatDate(Day day);
// "YYYY-MM-DDThh:mm:ssZ"; `second_of_day` in [0, 86400).
std::string FormatDateTime(Day day, int second_of_day);
// Parses "YYYY-MM-DD"; false when malformed.
bool ParseDate(absl::string_view text, Day* day);
// The calendar year of `day`.
int YearOf(Day day);

// {"system":..,"code":..,"display":..}; display omitted when empty.
void WriteCoding(json::Writer& w, const Code& code);
// key: {"coding":[code], "text": text or display}.
void WriteConcept(json::Writer& w, absl::string_view key, const Code& code,
                  absl::string_view text = {});
// key: [ {"coding":[code]} ] — a one-element array of CodeableConcept.
void WriteConceptList(json::Writer& w, absl::string_view key, const Code& code);
// key: {"reference":"Type/id"}, with a display when given.
void WriteReference(json::Writer& w, absl::string_view key, absl::string_view type,
                    absl::string_view id, absl::string_view display = {});
// A Reference object as an array element (no key).
void WriteReferenceValue(json::Writer& w, absl::string_view type, absl::string_view id);
// "meta": {"lastUpdated":..,"profile":[...]}.
void WriteMeta(json::Writer& w, absl::string_view last_updated,
               std::initializer_list<absl::string_view> profiles);
// key: {"value": cents/100, "currency":"USD"}.
void WriteMoney(json::Writer& w, absl::string_view key, int64_t cents);
// key: {"value":..,"unit":..,"system":"http://unitsofmeasure.org","code":..}.
void WriteQuantity(json::Writer& w, absl::string_view key, double value, absl::string_view unit,
                   absl::string_view ucum);
// Rounds to `decimals` places so values print short and stable.
double Round(double value, int decimals);

}  // namespace planapi::synth
