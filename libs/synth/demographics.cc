#include "libs/synth/demographics.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace planapi::synth {
namespace {

// Downtown ZIP codes and coordinates of real US cities.
constexpr City kCities[] = {
    {"New York", "NY", "10001", 40.7506, -73.9972, "212"},
    {"Los Angeles", "CA", "90012", 34.0614, -118.2385, "213"},
    {"Chicago", "IL", "60601", 41.8858, -87.6181, "312"},
    {"Houston", "TX", "77002", 29.7560, -95.3573, "713"},
    {"Phoenix", "AZ", "85004", 33.4515, -112.0685, "602"},
    {"Philadelphia", "PA", "19103", 39.9528, -75.1745, "215"},
    {"San Antonio", "TX", "78205", 29.4246, -98.4895, "210"},
    {"San Diego", "CA", "92101", 32.7194, -117.1628, "619"},
    {"Dallas", "TX", "75201", 32.7876, -96.7994, "214"},
    {"Austin", "TX", "78701", 30.2713, -97.7426, "512"},
    {"Jacksonville", "FL", "32202", 30.3299, -81.6559, "904"},
    {"Columbus", "OH", "43215", 39.9656, -83.0046, "614"},
    {"Charlotte", "NC", "28202", 35.2270, -80.8425, "704"},
    {"Indianapolis", "IN", "46204", 39.7718, -86.1565, "317"},
    {"Seattle", "WA", "98101", 47.6114, -122.3305, "206"},
    {"Denver", "CO", "80202", 39.7518, -104.9983, "303"},
    {"Boston", "MA", "02108", 42.3576, -71.0646, "617"},
    {"Nashville", "TN", "37203", 36.1517, -86.7903, "615"},
    {"Detroit", "MI", "48226", 42.3316, -83.0471, "313"},
    {"Portland", "OR", "97204", 45.5186, -122.6738, "503"},
    {"Las Vegas", "NV", "89101", 36.1725, -115.1228, "702"},
    {"Memphis", "TN", "38103", 35.1456, -90.0526, "901"},
    {"Louisville", "KY", "40202", 38.2527, -85.7510, "502"},
    {"Baltimore", "MD", "21202", 39.2904, -76.6078, "410"},
    {"Milwaukee", "WI", "53202", 43.0451, -87.9006, "414"},
    {"Albuquerque", "NM", "87102", 35.0841, -106.6509, "505"},
    {"Tucson", "AZ", "85701", 32.2217, -110.9698, "520"},
    {"Sacramento", "CA", "95814", 38.5805, -121.4944, "916"},
    {"Kansas City", "MO", "64106", 39.1030, -94.5800, "816"},
    {"Atlanta", "GA", "30303", 33.7525, -84.3915, "404"},
    {"Omaha", "NE", "68102", 41.2587, -95.9378, "402"},
    {"Minneapolis", "MN", "55401", 44.9850, -93.2700, "612"},
    {"Pittsburgh", "PA", "15222", 40.4470, -79.9940, "412"},
    {"Cleveland", "OH", "44114", 41.5055, -81.6813, "216"},
    {"Hartford", "CT", "06103", 41.7668, -72.6740, "860"},
    {"Salt Lake City", "UT", "84111", 40.7596, -111.8868, "801"},
    {"Raleigh", "NC", "27601", 35.7785, -78.6390, "919"},
    {"Richmond", "VA", "23219", 37.5407, -77.4360, "804"},
    {"New Orleans", "LA", "70112", 29.9560, -90.0760, "504"},
    {"Birmingham", "AL", "35203", 33.5186, -86.8104, "205"},
    {"Boise", "ID", "83702", 43.6150, -116.2023, "208"},
    {"Des Moines", "IA", "50309", 41.5868, -93.6250, "515"},
};

constexpr absl::string_view kMale[] = {
    "James",  "Robert", "John",    "Michael", "David",   "William", "Richard",
    "Joseph", "Thomas", "Charles", "Daniel",  "Matthew", "Anthony", "Mark",
    "Steven", "Andrew", "Joshua",  "Kevin",   "Brian",   "Carlos",  "Luis",
    "Jamal",  "Wei",    "Raj",     "Ethan",   "Noah",    "Liam",    "Mateo",
};
constexpr absl::string_view kFemale[] = {
    "Mary",    "Patricia", "Jennifer", "Linda",    "Elizabeth", "Barbara", "Susan",
    "Jessica", "Sarah",    "Karen",    "Lisa",     "Nancy",     "Sandra",  "Ashley",
    "Emily",   "Michelle", "Maria",    "Sofia",    "Aisha",     "Mei",     "Priya",
    "Olivia",  "Emma",     "Ava",      "Isabella", "Camila",    "Grace",   "Hannah",
};
constexpr absl::string_view kFamily[] = {
    "Smith",     "Johnson",  "Williams",  "Brown",   "Jones",    "Garcia",   "Miller",   "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez",   "Gonzalez", "Wilson",   "Anderson", "Thomas",
    "Taylor",    "Moore",    "Jackson",   "Martin",  "Lee",      "Perez",    "Thompson", "White",
    "Harris",    "Sanchez",  "Clark",     "Ramirez", "Lewis",    "Robinson", "Walker",   "Young",
    "Allen",     "King",     "Wright",    "Scott",   "Torres",   "Nguyen",   "Hill",     "Flores",
    "Green",     "Adams",    "Nelson",    "Baker",   "Hall",     "Rivera",   "Campbell", "Mitchell",
    "Carter",    "Roberts",  "Patel",     "Kim",     "Chen",     "Okafor",
};
constexpr absl::string_view kStreets[] = {
    "Main St",     "Oak Ave",  "Maple Ave",   "Washington St", "Park Ave",    "Elm St",
    "Lake Rd",     "Pine St",  "Cedar Ln",    "Hill St",       "Church St",   "Highland Ave",
    "Market St",   "Broad St", "Center St",   "Jefferson Ave", "Lincoln Ave", "Madison Ave",
    "Franklin St", "River Rd", "Sunset Blvd", "Walnut St",     "Spring St",   "Chestnut St",
};

}  // namespace

std::span<const City> Cities() { return kCities; }
std::span<const absl::string_view> MaleGivenNames() { return kMale; }
std::span<const absl::string_view> FemaleGivenNames() { return kFemale; }
std::span<const absl::string_view> FamilyNames() { return kFamily; }
std::span<const absl::string_view> StreetNames() { return kStreets; }

std::string StreetLine(Rng& rng) {
  return absl::StrCat(rng.Between(1, 9899), " ", PickFrom(rng, StreetNames()));
}

std::string PhoneNumber(Rng& rng, const City& city) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "(%.*s) 555-01%02d", static_cast<int>(city.area_code.size()),
                city.area_code.data(), static_cast<int>(rng.Below(100)));
  return buf;
}

}  // namespace planapi::synth

namespace planapi::synth {

std::string Npi(uint64_t n) {
  char digits[11];
  std::snprintf(digits, sizeof(digits), "%d%08llu", static_cast<int>(1 + (n / 100000000) % 2),
                static_cast<unsigned long long>(n % 100000000));
  // Luhn over the prefix 80840 and the nine digits: doubling starts at the rightmost of the nine.
  int sum = 24;  // the contribution of "80840", as the NPI standard gives it
  for (int i = 8; i >= 0; --i) {
    int v = digits[i] - '0';
    if ((8 - i) % 2 == 0) {
      v *= 2;
      if (v > 9) {
        v -= 9;
      }
    }
    sum += v;
  }
  digits[9] = static_cast<char>('0' + (10 - sum % 10) % 10);
  digits[10] = '\0';
  return digits;
}

}  // namespace planapi::synth
