#include <catch2/catch.hpp>
#include <string>

#include "libs/fhirsearch/search_params.h"

namespace planapi::fhirsearch {
namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kDay = 86400 * kSecond;

DateRange Range(absl::string_view text) {
  absl::StatusOr<DateRange> r = ParseDateRange(text);
  INFO(text << ": " << r.status());
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("a year, a month and a day cover every instant in them", "[fhirsearch][date]") {
  CHECK(Range("1970").lo == 0);
  CHECK(Range("1970").hi == 365 * kDay - 1);
  CHECK(Range("1970-01").hi == 31 * kDay - 1);
  CHECK(Range("1970-01-02").lo == kDay);
  CHECK(Range("1970-01-02").hi == 2 * kDay - 1);
  // 2020-01-01T00:00:00Z is 1577836800 s after the epoch.
  CHECK(Range("2020").lo == 1577836800 * kSecond);
  CHECK(Range("2020").hi == Range("2021").lo - 1);
  CHECK(Range("1969-12-31").lo == -kDay);
  CHECK(Range("0001-01-01").lo < Range("1969").lo);
  CHECK(Range("9999-12-31").hi == Range("9999").hi);
}

TEST_CASE("leap years have a 29th of February and 366 days", "[fhirsearch][date]") {
  CHECK(Range("2020-02").hi - Range("2020-02").lo + 1 == 29 * kDay);
  CHECK(Range("2021-02").hi - Range("2021-02").lo + 1 == 28 * kDay);
  CHECK(Range("2000-02-29").lo == Range("2000-03-01").lo - kDay);
  CHECK(Range("2024").hi - Range("2024").lo + 1 == 366 * kDay);
  CHECK_FALSE(ParseDateRange("2021-02-29").ok());
  CHECK_FALSE(ParseDateRange("1900-02-29").ok());  // divisible by 100, not by 400
  CHECK(ParseDateRange("2000-02-29").ok());        // divisible by 400
}

TEST_CASE("date-times and instants cover their stated precision in UTC", "[fhirsearch][date]") {
  const int64_t noon = Range("2020-06-15").lo + 12 * 3600 * kSecond;
  CHECK(Range("2020-06-15T12:00:00Z").lo == noon);
  CHECK(Range("2020-06-15T12:00:00Z").hi == noon + kSecond - 1);
  CHECK(Range("2020-06-15T12:00:00").lo == noon);  // no zone: UTC
  CHECK(Range("2020-06-15T14:00:00+02:00").lo == noon);
  CHECK(Range("2020-06-15T07:30:00-04:30").lo == noon);
  CHECK(Range("2020-06-15T12:00:00.5Z").lo == noon + 500000);
  CHECK(Range("2020-06-15T12:00:00.5Z").hi == noon + 599999);
  CHECK(Range("2020-06-15T12:00:00.123456Z").lo == noon + 123456);
  CHECK(Range("2020-06-15T12:00:00.123456Z").hi == noon + 123456);
  CHECK(Range("2020-06-15T12:00:00.1234567Z").lo == noon + 123456);
  CHECK(Range("2015-02-07T13:28:17.239+02:00").lo ==
        Range("2015-02-07T11:28:17Z").lo + 239000);
  // A zone can move the instant to another day.
  CHECK(Range("2020-01-01T01:00:00+02:00").lo == Range("2019-12-31T23:00:00Z").lo);
}

TEST_CASE("malformed dates are refused saying why", "[fhirsearch][date]") {
  for (absl::string_view bad :
       {"", "20", "202", "2020-", "2020-1", "2020-13", "2020-00", "2020-04-31", "2021-02-30",
        "2020-01-00", "2020-01-32", "0000", "2020/01/01", "2020-01-01T", "2020-01-01T10",
        "2020-01-01T10:00", "2020-01-01T24:00:00Z", "2020-01-01T10:60:00Z",
        "2020-01-01T10:00:00.Z", "2020-01-01T10:00:00+0200", "2020-01-01T10:00:00+15:00",
        "2020-01-01T10:00:00Zjunk", "2020-01-01 10:00:00", "abcd", "2020-01-01junk",
        "2020-01-01T10:00:00X"}) {
    absl::StatusOr<DateRange> r = ParseDateRange(bad);
    INFO("'" << bad << "'");
    CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(r.status().message().find("FHIR date") != absl::string_view::npos);
  }
}

TEST_CASE("strings are normalised to lower case without accents", "[fhirsearch][string]") {
  CHECK(NormalizeString("Müller") == "muller");
  CHECK(NormalizeString("ÉLODIE") == "elodie");
  CHECK(NormalizeString("  Jean-Luc   Picard\t\n") == "jean-luc picard");
  CHECK(NormalizeString("Ångström Øresund Straße") == "angstrom oresund strasse");
  CHECK(NormalizeString("Łódź Dvořák Škoda") == "lodz dvorak skoda");
  // Decomposed accents (e + combining acute) fold the same way as precomposed ones.
  CHECK(NormalizeString("Rene\xCC\x81") == "rene");
  CHECK(NormalizeString("O'Brien, Jr.") == "o'brien, jr.");
  CHECK(NormalizeString("a\xC2\xA0" "b") == "a b");  // no-break space
  CHECK(NormalizeString("") == "");
  CHECK(NormalizeString("   ") == "");
  // Scripts without a Latin fold pass through unchanged; so do bytes that are not UTF-8.
  CHECK(NormalizeString("Ωμέγα") == "Ωμέγα");
  CHECK(NormalizeString("a\xff" "b") == "a\xff" "b");
}

TEST_CASE("a prefix's upper bound is the prefix with its last character's successor", "[values]") {
  CHECK(PrefixUpperBound("smi") == "smj");
  CHECK(PrefixUpperBound("a\u00e9") == "a\u00ea");              // two-byte character
  CHECK(PrefixUpperBound("\u4e2d") == "\u4e2e");                 // three bytes
  CHECK(PrefixUpperBound("x\u00ff") == "x\u0100");              // carries into two bytes
  CHECK(PrefixUpperBound("x\x7f") == "x\xc2\x80");              // one byte to two (U+0080)
  CHECK(PrefixUpperBound("x\ud7ff") == "x\ue000");              // surrogates are skipped
  CHECK(PrefixUpperBound("x\U0010FFFF") == std::nullopt);        // nothing above it
  CHECK(PrefixUpperBound("") == std::nullopt);
  CHECK(PrefixUpperBound("x\xc3") == std::nullopt);              // cut off mid-character
  for (const std::string p : {"smi", "a\u00e9", "\U0001F600"}) {
    const std::string bound = *PrefixUpperBound(p);
    CHECK(p < bound);
    CHECK(p + "\U0010FFFF" < bound);  // every string starting with p sorts below the bound
  }
}

}  // namespace
}  // namespace planapi::fhirsearch
