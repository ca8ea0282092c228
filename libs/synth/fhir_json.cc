#include "libs/synth/fhir_json.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace planapi::synth {
namespace {

struct Civil {
  int year;
  int month;
  int day;
};

// Howard Hinnant's days_from_civil / civil_from_days: exact for every date we generate.
Civil CivilFromDay(Day z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

}  // namespace

Day DayFromCivil(int year, int month, int day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string FormatDate(Day day) {
  const Civil c = CivilFromDay(day);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

std::string FormatDateTime(Day day, int second_of_day) {
  const Civil c = CivilFromDay(day);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day,
                second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
  return buf;
}

int YearOf(Day day) { return CivilFromDay(day).year; }

bool ParseDate(absl::string_view text, Day* day) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  int y, m, d;
  if (parts.size() != 3 || parts[0].size() != 4 || parts[1].size() != 2 || parts[2].size() != 2 ||
      !absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &d) || m < 1 || m > 12 || d < 1 || d > 31) {
    return false;
  }
  *day = DayFromCivil(y, m, d);
  return true;
}

void WriteCoding(json::Writer& w, const Code& code) {
  w.StartObject().Field("system", code.system).Field("code", code.code);
  if (!code.display.empty()) {
    w.Field("display", code.display);
  }
  w.EndObject();
}

void WriteConcept(json::Writer& w, absl::string_view key, const Code& code,
                  absl::string_view text) {
  w.Key(key).StartObject().Key("coding").StartArray();
  WriteCoding(w, code);
  w.EndArray();
  if (!text.empty()) {
    w.Field("text", text);
  } else if (!code.display.empty()) {
    w.Field("text", code.display);
  }
  w.EndObject();
}

void WriteConceptList(json::Writer& w, absl::string_view key, const Code& code) {
  w.Key(key).StartArray().StartObject().Key("coding").StartArray();
  WriteCoding(w, code);
  w.EndArray().EndObject().EndArray();
}

void WriteReference(json::Writer& w, absl::string_view key, absl::string_view type,
                    absl::string_view id, absl::string_view display) {
  w.Key(key);
  w.StartObject().Field("reference", absl::StrCat(type, "/", id));
  if (!display.empty()) {
    w.Field("display", display);
  }
  w.EndObject();
}

void WriteReferenceValue(json::Writer& w, absl::string_view type, absl::string_view id) {
  w.StartObject().Field("reference", absl::StrCat(type, "/", id)).EndObject();
}

void WriteMeta(json::Writer& w, absl::string_view last_updated,
               std::initializer_list<absl::string_view> profiles) {
  w.Key("meta").StartObject().Field("lastUpdated", last_updated).Key("profile").StartArray();
  for (absl::string_view p : profiles) {
    w.String(p);
  }
  w.EndArray().EndObject();
}

void WriteMoney(json::Writer& w, absl::string_view key, int64_t cents) {
  w.Key(key).StartObject();
  if (cents % 100 == 0) {
    w.Field("value", cents / 100);
  } else {
    w.Key("value").Double(static_cast<double>(cents) / 100.0);
  }
  w.Field("currency", "USD").EndObject();
}

void WriteQuantity(json::Writer& w, absl::string_view key, double value, absl::string_view unit,
                   absl::string_view ucum) {
  w.Key(key)
      .StartObject()
      .Key("value")
      .Double(value)
      .Field("unit", unit)
      .Field("system", "http://unitsofmeasure.org")
      .Field("code", ucum)
      .EndObject();
}

double Round(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

}  // namespace planapi::synth
