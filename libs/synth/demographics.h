// Real-looking people and places for the synthetic generators: small tables of common US given
// and family names, street names and real US cities (state, ZIP, coordinates, area code). Kept
// small on purpose: realistic enough for searches by city, state, ZIP and distance to return
// sensible answers, not a census.
#pragma once

#include <span>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/synth/random.h"

namespace planapi::synth {

struct City {
  absl::string_view name;
  absl::string_view state;  // USPS code
  absl::string_view zip;    // a ZIP code in the city's centre
  double latitude;
  double longitude;
  absl::string_view area_code;
};

std::span<const City> Cities();
std::span<const absl::string_view> MaleGivenNames();
std::span<const absl::string_view> FemaleGivenNames();
std::span<const absl::string_view> FamilyNames();
std::span<const absl::string_view> StreetNames();

// Picks one element uniformly.
template <typename T>
const T& PickFrom(Rng& rng, std::span<const T> items) {
  return items[rng.Below(items.size())];
}

// "1234 Oak Ave" and "(312) 555-0142" (555-01xx numbers are reserved for fiction).
std::string StreetLine(Rng& rng);
std::string PhoneNumber(Rng& rng, const City& city);

}  // namespace planapi::synth

namespace planapi::synth {

// A National Provider Identifier that passes the NPI check digit (Luhn over "80840" + the first
// nine digits), derived from `n`: 10 digits starting with 1 or 2.
std::string Npi(uint64_t n);

}  // namespace planapi::synth
