#include "libs/fhirengine/search.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/fhir/form.h"
#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/cursor.h"
#include "libs/fhirengine/index_writer.h"
#include "libs/json/json.h"
#include "libs/status/issue.h"
#include "libs/status/status_macros.h"

namespace planapi::fhirengine {
namespace {

using fhirsearch::ParamType;
using fhirsearch::SearchParam;

absl::Status Bad(absl::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("search parameter '", name, "': ", why));
}

// Splits on `sep` not preceded by a backslash, and removes the escapes (FHIR search escaping of
// ',', '|' and '$').
std::vector<std::string> SplitEscaped(absl::string_view s, char sep) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out.back().push_back(s[++i]);
    } else if (s[i] == sep) {
      out.emplace_back();
    } else {
      out.back().push_back(s[i]);
    }
  }
  return out;
}

// The part before the first unescaped `sep`, and the rest (escapes kept in the rest).
std::optional<std::pair<std::string, std::string>> SplitFirst(absl::string_view s, char sep) {
  std::string head;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      head.push_back(s[++i]);
    } else if (s[i] == sep) {
      return std::make_pair(head, std::string(s.substr(i + 1)));
    } else {
      head.push_back(s[i]);
    }
  }
  return std::nullopt;
}

std::string Unescape(absl::string_view s) { return SplitEscaped(s, '\0').front(); }

// Escapes LIKE's wildcards so user text matches literally (with ESCAPE '\').
std::string LikeLiteral(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

enum class Prefix { kEq, kNe, kGt, kLt, kGe, kLe, kSa, kEb, kAp };

// Takes a comparison prefix off `value` (default eq).
Prefix TakePrefix(std::string& value) {
  static const std::pair<absl::string_view, Prefix> kPrefixes[] = {
      {"eq", Prefix::kEq}, {"ne", Prefix::kNe}, {"gt", Prefix::kGt},
      {"lt", Prefix::kLt}, {"ge", Prefix::kGe}, {"le", Prefix::kLe},
      {"sa", Prefix::kSa}, {"eb", Prefix::kEb}, {"ap", Prefix::kAp}};
  if (value.size() > 2 && absl::ascii_isalpha(value[0])) {
    for (const auto& [text, p] : kPrefixes) {
      if (absl::StartsWith(value, text)) {
        value.erase(0, 2);
        return p;
      }
    }
  }
  return Prefix::kEq;
}

std::string Micros(int64_t v) { return absl::StrCat(v); }

std::string Instant(int64_t micros) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(micros),
                          absl::UTCTimeZone());
}

// The most ids a look-up binds before the search runs (a chain's link in Planner::ChainTargets,
// an intersection in Searcher::Search); beyond it the condition stays a subquery. Every one is a
// value for the planner to weigh.
constexpr int kMaxLookedUpIds = 1000;

// Runs `text` with the values of only the placeholders it uses, renumbered in order of first
// use: a search binds values for conditions that a look-up may later answer in their place, and
// PostgreSQL refuses a value whose type nothing in the statement gives. Placeholders are the
// only '$' in the statements built here (every value is bound, none written inline).
absl::StatusOr<pg::Result> ExecUsed(pg::Connection& conn, absl::string_view text,
                                    std::span<const pg::Param> params) {
  std::string out;
  out.reserve(text.size());
  std::vector<pg::Param> used;
  std::vector<size_t> renumbered(params.size() + 1, 0);
  for (size_t i = 0; i < text.size();) {
    size_t j = i + 1;
    size_t n = 0;
    while (text[i] == '$' && j < text.size() && absl::ascii_isdigit(text[j])) {
      n = n * 10 + static_cast<size_t>(text[j] - '0');
      ++j;
    }
    if (j == i + 1) {
      out.push_back(text[i++]);
      continue;
    }
    if (n == 0 || n > params.size()) {
      return absl::InternalError(absl::StrCat("placeholder $", n, " has no value"));
    }
    if (renumbered[n] == 0) {
      used.push_back(params[n - 1]);
      renumbered[n] = used.size();
    }
    absl::StrAppend(&out, "$", renumbered[n]);
    i = j;
  }
  if (used.size() == params.size()) {
    return conn.Exec(text, params);
  }
  return conn.Exec(out, used);
}

constexpr double kEarthRadiusKm = 6371.0088;  // the mean radius (IUGG)
constexpr double kPi = 3.14159265358979323846;

// One value of `near`: [latitude]|[longitude]|[distance]|[units] (R4), distance in km.
struct NearValue {
  double latitude = 0;
  double longitude = 0;
  double km = kDefaultNearKm;
};

absl::StatusOr<NearValue> ParseNear(absl::string_view name, const std::string& v) {
  const std::vector<std::string> parts = SplitEscaped(v, '|');
  if (parts.size() < 2 || parts.size() > 4) {
    return Bad(name, absl::StrCat("'", v, "' is not latitude|longitude[|distance[|units]]"));
  }
  NearValue near;
  if (!absl::SimpleAtod(parts[0], &near.latitude) || !std::isfinite(near.latitude) ||
      near.latitude < -90 || near.latitude > 90) {
    return Bad(name, absl::StrCat("latitude '", parts[0], "' is not a number from -90 to 90"));
  }
  if (!absl::SimpleAtod(parts[1], &near.longitude) || !std::isfinite(near.longitude) ||
      near.longitude < -180 || near.longitude > 180) {
    return Bad(name, absl::StrCat("longitude '", parts[1], "' is not a number from -180 to 180"));
  }
  double distance = kDefaultNearKm;
  if (parts.size() > 2 && !parts[2].empty()) {
    if (!absl::SimpleAtod(parts[2], &distance) || !std::isfinite(distance) || distance <= 0) {
      return Bad(name, absl::StrCat("distance '", parts[2], "' is not a positive number"));
    }
  }
  // Units as UCUM codes; the common spellings of miles as well.
  static const std::pair<absl::string_view, double> kUnits[] = {
      {"km", 1}, {"m", 0.001}, {"mi", 1.609344}, {"[mi_i]", 1.609344}, {"[mi_us]", 1.609347}};
  const std::string unit = parts.size() > 3 && !parts[3].empty() ? parts[3] : "km";
  const auto* found = std::find_if(std::begin(kUnits), std::end(kUnits),
                                   [&](const auto& u) { return u.first == unit; });
  if (found == std::end(kUnits)) {
    return Bad(name, absl::StrCat("unit '", unit, "' is not km, m or mi"));
  }
  near.km = distance * found->second;
  return near;
}

// The great-circle distance in km (haversine) from the point bound at `lat`, `lon` (float8
// placeholders, degrees) to the columns `lat_col`, `lon_col`.
std::string DistanceSql(absl::string_view lat_col, absl::string_view lon_col,
                        absl::string_view lat, absl::string_view lon) {
  // StrCat would round the radius to six digits.
  return absl::StrCat("(2 * ", absl::StrFormat("%.4f", kEarthRadiusKm), " * asin(least(1.0, sqrt(power(sin(radians(",
                      lat_col, " - ", lat, ") / 2), 2) + cos(radians(", lat, ")) * cos(radians(",
                      lat_col, ")) * power(sin(radians(", lon_col, " - ", lon,
                      ") / 2), 2)))))");
}

// Query parameters and a counter for table aliases, while one query is built.
class Sql {
 public:
  std::string Bind(std::string value) {
    params_.push_back(std::move(value));
    return absl::StrCat("$", params_.size());
  }
  std::string Alias(absl::string_view stem) { return absl::StrCat(stem, ++aliases_); }
  std::vector<pg::Param>& params() { return params_; }

 private:
  std::vector<pg::Param> params_;
  int aliases_ = 0;
};

constexpr absl::string_view TableOf(ParamType type) {
  switch (type) {
    case ParamType::kToken:
      return "search_token";
    case ParamType::kString:
      return "search_string";
    case ParamType::kDate:
      return "search_date";
    case ParamType::kReference:
      return "search_reference";
    case ParamType::kNumber:
      return "search_number";
    case ParamType::kQuantity:
      return "search_quantity";
    case ParamType::kUri:
      return "search_uri";
    case ParamType::kSpecial:
      return "search_position";  // the only special values indexed are positions (near)
    default:
      return "";
  }
}

struct SortKey {
  std::string expr;       // SQL over alias r
  std::string cast;       // how a cursor value is cast back
  bool descending = false;
};

struct Include {
  std::string source_type;
  std::vector<std::string> params;  // reference parameter codes
  std::string target_type;          // empty: any
  bool iterate = false;
  bool reverse = false;
  std::string text;                 // as written, for errors
};

struct Row {
  std::string type;
  std::string id;
  std::string json;
};

// What one search parameter selects: a set of ids (a SELECT of one column) that the resource's
// id must be in, or not in; or, for the few conditions that are no set (_id), a predicate.
struct Selection {
  std::string ids;
  bool excluded = false;
  std::string predicate;  // used instead of `ids` when set
  bool crosses = false;   // a chain or _has: the set is found through another type's index
};

// Plans one search: the WHERE clause, sort and includes.
class Planner {
 public:
  Planner(const fhirsearch::Registry& registry, std::span<const absl::string_view> types,
          const SearchQuery& q, Sql& sql)
      : registry_(registry), types_(types), q_(q), sql_(sql) {
    realm_ = sql_.Bind(absl::StrCat(static_cast<int>(q.realm)));
  }

  const std::string& realm() const { return realm_; }

  // Lets Chain look up the resources a chain reaches, on the connection `connection` gives, while
  // the search is planned (see ChainTargets); without it, chains are written as subqueries.
  // `connection` must outlive the planner.
  void LookUpChainTargetsWith(absl::FunctionRef<absl::StatusOr<pg::Connection*>()> connection) {
    connection_.emplace(connection);
  }

  // The point of the searched type's first `near` value, kept for _sort=near: the parameter code
  // and the float8 placeholders its latitude and longitude are bound to.
  struct NearPoint {
    std::string code;
    std::string lat;
    std::string lon;
  };

  // A boolean SQL expression over `id` (an id of a resource of `type`) for name=value.
  absl::StatusOr<std::string> Condition(absl::string_view type, absl::string_view id,
                                        absl::string_view name, absl::string_view value,
                                        int depth = 0) {
    PLANAPI_ASSIGN_OR_RETURN(Selection s, Select(type, id, name, value, depth));
    if (!s.predicate.empty()) {
      return s.predicate;
    }
    return absl::StrCat(id, s.excluded ? " NOT IN (" : " IN (", s.ids, ")");
  }

  // What name=value selects of `type`; `id` is the id expression a predicate is written over.
  absl::StatusOr<Selection> Select(absl::string_view type, absl::string_view id,
                                   absl::string_view name, absl::string_view value,
                                   int depth = 0) {
    if (depth > 4) {
      return Bad(name, "chains and _has nest at most 4 deep");
    }
    if (absl::StartsWith(name, "_has:")) {
      return Has(type, name, value, depth);
    }
    // A chain: the first '.' after the parameter (and its modifier) starts the next link.
    if (const size_t dot = name.find('.'); dot != absl::string_view::npos) {
      return Chain(type, name.substr(0, dot), name.substr(dot + 1), value, depth);
    }
    std::string code(name);
    std::string modifier;
    if (const size_t colon = code.find(':'); colon != std::string::npos) {
      modifier = code.substr(colon + 1);
      code.resize(colon);
    }
    if (code == "_id") {
      PLANAPI_ASSIGN_OR_RETURN(std::string predicate, IdCondition(id, name, modifier, value));
      return Selection{.predicate = std::move(predicate)};
    }
    if (code == "_lastUpdated") {
      PLANAPI_ASSIGN_OR_RETURN(std::string ids, LastUpdatedIds(type, name, modifier, value));
      return Selection{.ids = std::move(ids)};
    }
    const SearchParam* param = registry_.Find(type, code);
    if (param == nullptr) {
      return absl::NotFoundError(absl::StrCat("unknown search parameter '", code, "' for ", type));
    }
    const absl::string_view table = TableOf(param->type);
    if (table.empty()) {
      return Bad(name, absl::StrCat(fhirsearch::ParamTypeName(param->type),
                                    " parameters are not supported"));
    }
    const std::string scope =
        absl::StrCat("realm = ", realm_, "::smallint AND type = ", sql_.Bind(std::string(type)),
                     " AND param = ", sql_.Bind(code));
    if (modifier == "missing") {
      if (value != "true" && value != "false") {
        return Bad(name, ":missing takes true or false");
      }
      return Selection{.ids = absl::StrCat("SELECT id FROM ", table, " WHERE ", scope),
                       .excluded = value == "true"};
    }
    std::vector<std::string> alternatives;
    bool negate = false;
    const std::vector<std::string> values = SplitEscaped(value, ',');
    if (values.size() > kMaxValuesPerParameter) {
      return status::WithIssue(
          Bad(name, absl::StrCat("more than ", kMaxValuesPerParameter, " values")),
          status::IssueType::kTooCostly);
    }
    for (const std::string& v : values) {
      if (v.empty()) {
        return Bad(name, "empty value");
      }
      std::string predicate;
      switch (param->type) {
        case ParamType::kToken: {
          PLANAPI_ASSIGN_OR_RETURN(predicate, Token(name, modifier, v, &negate));
          break;
        }
        case ParamType::kString: {
          PLANAPI_ASSIGN_OR_RETURN(predicate, String(name, modifier, v));
          break;
        }
        case ParamType::kDate: {
          PLANAPI_ASSIGN_OR_RETURN(predicate, Date(name, modifier, v, "lo", "hi"));
          break;
        }
        case ParamType::kReference: {
          PLANAPI_ASSIGN_OR_RETURN(predicate, Reference(*param, name, modifier, v));
          break;
        }
        case ParamType::kNumber: {
          if (!modifier.empty()) {
            return Bad(name, absl::StrCat("modifier :", modifier, " is not supported here"));
          }
          PLANAPI_ASSIGN_OR_RETURN(predicate, Number(name, v, "value"));
          break;
        }
        case ParamType::kQuantity: {
          PLANAPI_ASSIGN_OR_RETURN(predicate, Quantity(name, modifier, v));
          break;
        }
        case ParamType::kUri: {
          PLANAPI_ASSIGN_OR_RETURN(predicate, Uri(name, modifier, v));
          break;
        }
        case ParamType::kSpecial: {
          PLANAPI_ASSIGN_OR_RETURN(predicate, Near(name, modifier, v, depth == 0 ? code : ""));
          break;
        }
        default:
          break;
      }
      alternatives.push_back(absl::StrCat("(", predicate, ")"));
    }
    return Selection{.ids = absl::StrCat("SELECT id FROM ", table, " WHERE ", scope, " AND (",
                                         absl::StrJoin(alternatives, " OR "), ")"),
                     .excluded = negate};
  }

  // The ORDER BY keys for _sort, the id last.
  absl::StatusOr<std::vector<SortKey>> Sort(absl::string_view type, absl::string_view spec) {
    std::vector<SortKey> keys;
    for (absl::string_view part : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
      SortKey key;
      if (absl::ConsumePrefix(&part, "-")) {
        key.descending = true;
      }
      if (part == "_id") {
        // The id is always the last key; alone (or first) it sets the direction.
        if (keys.empty()) {
          id_descending_ = key.descending;
        }
        continue;
      }
      if (part == "_lastUpdated") {
        key.expr = "r.last_updated";
        key.cast = "timestamptz";
      } else {
        const SearchParam* param = registry_.Find(type, part);
        if (param == nullptr) {
          return Bad("_sort", absl::StrCat("unknown search parameter '", part, "' for ", type));
        }
        const char* agg = key.descending ? "max" : "min";
        std::string column;
        switch (param->type) {
          case ParamType::kDate:
            column = key.descending ? "s.hi" : "s.lo";
            key.cast = "bigint";
            break;
          case ParamType::kString:
            column = "s.norm";
            key.cast = "text";
            break;
          case ParamType::kToken:
            column = "s.code";
            key.cast = "text";
            break;
          case ParamType::kReference:
            column = "s.target_id";
            key.cast = "text";
            break;
          case ParamType::kNumber:
          case ParamType::kQuantity:
            column = "s.value";
            key.cast = "float8";
            break;
          case ParamType::kUri:
            column = "s.uri";
            key.cast = "text";
            break;
          case ParamType::kSpecial:
            // By distance from the point the search asked to be near (its nearest position).
            if (!near_.has_value() || near_->code != part) {
              return Bad("_sort", absl::StrCat("sorting by '", part, "' needs a '", part,
                                               "' parameter to measure from"));
            }
            column = DistanceSql("s.latitude", "s.longitude", near_->lat, near_->lon);
            key.cast = "float8";
            break;
          default:
            return Bad("_sort", absl::StrCat("cannot sort by '", part, "'"));
        }
        key.expr = absl::StrCat("(SELECT ", agg, "(", column, ") FROM ", TableOf(param->type),
                                " s WHERE s.realm = r.realm AND s.type = r.type AND s.id = r.id"
                                " AND s.param = ",
                                sql_.Bind(std::string(part)), ")");
      }
      keys.push_back(std::move(key));
    }
    return keys;
  }

  absl::StatusOr<Include> ParseInclude(absl::string_view name, absl::string_view value,
                                       bool reverse) {
    Include inc;
    inc.reverse = reverse;
    inc.iterate = absl::EndsWith(name, ":iterate") || absl::EndsWith(name, ":recurse");
    inc.text = absl::StrCat(name, "=", value);
    std::vector<std::string> parts = absl::StrSplit(value, ':');
    if (parts.size() < 2 || parts.size() > 3) {
      return Bad(name, absl::StrCat("'", value, "' is not Type:parameter[:targetType]"));
    }
    if (!fhir::Contains(types_, parts[0])) {
      return Bad(name, absl::StrCat("'", parts[0], "' is not a type served here"));
    }
    inc.source_type = parts[0];
    if (parts.size() == 3) {
      if (!fhir::Contains(types_, parts[2])) {
        return Bad(name, absl::StrCat("'", parts[2], "' is not a type served here"));
      }
      inc.target_type = parts[2];
    }
    if (parts[1] == "*") {
      for (const SearchParam* p : registry_.ForType(inc.source_type)) {
        if (p->type == ParamType::kReference) {
          inc.params.push_back(p->code);
        }
      }
    } else {
      const SearchParam* p = registry_.Find(inc.source_type, parts[1]);
      if (p == nullptr || p->type != ParamType::kReference) {
        return Bad(name, absl::StrCat("'", parts[1], "' is not a reference parameter of ",
                                      inc.source_type));
      }
      if (!inc.target_type.empty() && !p->targets.empty() &&
          std::find(p->targets.begin(), p->targets.end(), inc.target_type) == p->targets.end()) {
        return Bad(name, absl::StrCat(inc.source_type, ":", parts[1], " cannot refer to ",
                                      inc.target_type));
      }
      inc.params.push_back(p->code);
    }
    if (!reverse && !inc.iterate && inc.source_type != q_.type) {
      return Bad(name, absl::StrCat("'", value, "' does not start with the searched type ", q_.type,
                                    " (use :iterate)"));
    }
    return inc;
  }

  // What a patient may see of resources of one known `type`, as a condition on `id`: the same
  // rule as Visible, written so that the patient's compartment drives the query (an OR across
  // types would make PostgreSQL scan every resource of the type).
  std::string VisibleOfType(absl::string_view type, absl::string_view id) {
    const std::string patient = sql_.Bind(q_.patient);
    if (type == "Patient") {
      return absl::StrCat(id, " = ", patient);
    }
    const std::string t = sql_.Bind(std::string(type));
    if (!registry_.PatientCompartment(type).empty()) {
      return absl::StrCat(id, " IN (SELECT c.id FROM compartment c WHERE c.realm = ", realm_,
                          "::smallint AND c.patient = ", patient, " AND c.type = ", t, ")");
    }
    return absl::StrCat(
        "(", id, " IN (SELECT v.target_id FROM compartment c JOIN search_reference v ON "
        "v.realm = c.realm AND v.type = c.type AND v.id = c.id WHERE c.realm = ", realm_,
        "::smallint AND c.patient = ", patient, " AND v.target_type = ", t, ") OR ", id,
        " IN (SELECT d.id FROM search_reference d WHERE d.realm = ", realm_,
        "::smallint AND d.type = ", t, " AND d.target_type = 'Patient' AND d.target_id = ",
        patient, "))");
  }

  // PERMISSION_DENIED when the caller's scopes do not let it search `type`.
  absl::Status CheckTypeAllowed(absl::string_view type, absl::string_view name) const {
    if (q_.allowed_types.has_value() &&
        std::find(q_.allowed_types->begin(), q_.allowed_types->end(), type) ==
            q_.allowed_types->end()) {
      return absl::PermissionDeniedError(absl::StrCat(
          "'", name, "' reaches ", type, ", which the access token does not grant"));
    }
    return absl::OkStatus();
  }

  // Whether a resource row `t` is in the patient's own record: the Patient itself or its
  // compartment (not the shared resources the record refers to).
  std::string InRecord(absl::string_view t) {
    const std::string patient = sql_.Bind(q_.patient);
    return absl::StrCat("((", t, ".type = 'Patient' AND ", t, ".id = ", patient,
                        ") OR EXISTS (SELECT 1 FROM compartment c2 WHERE c2.realm = ", t,
                        ".realm AND c2.type = ", t, ".type AND c2.id = ", t,
                        ".id AND c2.patient = ", patient, "))");
  }

  // What a patient may see of a resource row `t` (with columns realm, type, id): its compartment,
  // itself, and resources of types outside the compartment that its data refers to or that refer
  // to the patient (a Device's `patient`: Device is outside CompartmentDefinition-patient in R4,
  // yet US Core's Device?patient= is a patient-facing search).
  std::string Visible(absl::string_view t) {
    const std::string patient = sql_.Bind(q_.patient);
    std::vector<std::string> outside;
    for (absl::string_view type : types_) {
      if (type != "Patient" && registry_.PatientCompartment(type).empty()) {
        outside.emplace_back(type);
      }
    }
    // What the patient's data refers to is computed once from the patient's side (an
    // uncorrelated IN, hashed): probing from a shared Organization's side visits every resource
    // of every member that refers to it (bench/fhir.sh at 10,000 members: seconds per page).
    return absl::StrCat(
        "((", t, ".type = 'Patient' AND ", t, ".id = ", patient, ") OR EXISTS (SELECT 1 FROM "
        "compartment c WHERE c.realm = ", t, ".realm AND c.patient = ", patient,
        " AND c.type = ", t, ".type AND c.id = ", t, ".id) OR (", t, ".type = ANY(",
        sql_.Bind(TextArray(outside)), "::text[]) AND ((", t, ".type, ", t, ".id) IN (SELECT "
        "v.target_type, v.target_id FROM compartment c JOIN search_reference v ON v.realm = "
        "c.realm AND v.type = c.type AND v.id = c.id WHERE c.realm = ", realm_,
        "::smallint AND c.patient = ", patient, ") OR (", t, ".type, ", t, ".id) IN (SELECT "
        "d.type, d.id FROM search_reference d WHERE d.realm = ", realm_, "::smallint AND "
        "d.target_type = 'Patient' AND d.target_id = ", patient, "))))");
  }

  // What a patient may read of a row `t` known to be of `type`: Visible(t), plus what a
  // _revinclude would show them — a resource that refers through some parameter only to their
  // own record (US Core's Provenance of their Observation is outside the compartment, yet an app
  // that found it by _revinclude=Provenance:target must be able to read it). Only the branches
  // that type can take, so the statement is small enough for PostgreSQL to keep one generic plan
  // of it (a patient's reads are prepared; planning the whole rule each time cost more than the
  // read itself).
  std::string ReadableOf(absl::string_view t, absl::string_view type) {
    if (type == "Patient") {
      const std::string patient = sql_.Bind(q_.patient);
      return absl::StrCat("(", t, ".id = ", patient, " OR EXISTS (SELECT 1 FROM compartment c "
                          "WHERE c.realm = ", t, ".realm AND c.patient = ", patient,
                          " AND c.type = ", t, ".type AND c.id = ", t, ".id))");
    }
    const std::string visible = VisibleOfType(type, absl::StrCat(t, ".id"));
    const std::string patient = sql_.Bind(q_.patient);
    return absl::StrCat(
        "(", visible, " OR EXISTS (SELECT 1 FROM search_reference o WHERE o.realm = ", t,
        ".realm AND o.type = ", t, ".type AND o.id = ", t, ".id GROUP BY o.param HAVING "
        "bool_and((o.target_type = 'Patient' AND o.target_id = ", patient, ") OR EXISTS (SELECT 1 "
        "FROM compartment r WHERE r.realm = o.realm AND r.type = o.target_type AND r.id = "
        "o.target_id AND r.patient = ", patient, "))))");
  }


 private:
  absl::StatusOr<Selection> Has(absl::string_view type, absl::string_view name,
                                absl::string_view value, int depth) {
    // _has:Type:reference:rest
    std::vector<absl::string_view> parts = absl::StrSplit(name, absl::MaxSplits(':', 3));
    if (parts.size() != 4 || parts[3].empty()) {
      return Bad(name, "_has takes _has:Type:reference:parameter");
    }
    const absl::string_view source = parts[1];
    if (!fhir::Contains(types_, source)) {
      return Bad(name, absl::StrCat("'", source, "' is not a type served here"));
    }
    const SearchParam* ref = registry_.Find(source, parts[2]);
    if (ref == nullptr || ref->type != ParamType::kReference) {
      return Bad(name, absl::StrCat("'", parts[2], "' is not a reference parameter of ", source));
    }
    PLANAPI_RETURN_IF_ERROR(CheckTypeAllowed(source, name));
    const std::string sr = sql_.Alias("h");
    absl::StatusOr<std::string> inner =
        Condition(source, absl::StrCat(sr, ".id"), parts[3], value, depth + 1);
    if (!inner.ok()) {
      return Rename(inner.status(), name);
    }
    // A patient-scoped caller's _has looks only at resources it may see: otherwise whether a
    // shared Organization comes back would tell it about other members' records.
    const std::string confined =
        q_.patient.empty() ? "" : absl::StrCat(" AND ", VisibleOfType(source, absl::StrCat(sr, ".id")));
    return Selection{
        .ids = absl::StrCat("SELECT ", sr, ".target_id FROM search_reference ", sr, " WHERE ", sr,
                            ".realm = ", realm_, "::smallint AND ", sr, ".type = ",
                            sql_.Bind(std::string(source)), " AND ", sr, ".param = ",
                            sql_.Bind(std::string(parts[2])), " AND ", sr, ".target_type = ",
                            sql_.Bind(std::string(type)), " AND ", *inner, confined),
        .crosses = true};
  }

  absl::StatusOr<Selection> Chain(absl::string_view type, absl::string_view link,
                                  absl::string_view rest, absl::string_view value, int depth) {
    std::string code(link);
    std::string target_type;
    if (const size_t colon = code.find(':'); colon != std::string::npos) {
      target_type = code.substr(colon + 1);
      code.resize(colon);
    }
    const std::string whole = absl::StrCat(link, ".", rest);
    const SearchParam* param = registry_.Find(type, code);
    if (param == nullptr) {
      return Bad(whole, absl::StrCat("unknown search parameter '", code, "' for ", type));
    }
    if (param->type != ParamType::kReference) {
      return Bad(whole, absl::StrCat("'", code, "' is not a reference parameter, so it cannot be chained"));
    }
    std::vector<std::string> targets;
    if (!target_type.empty()) {
      if (!fhir::Contains(types_, target_type) ||
          (!param->targets.empty() && std::find(param->targets.begin(), param->targets.end(),
                                                target_type) == param->targets.end())) {
        return Bad(whole, absl::StrCat("'", code, "' cannot refer to '", target_type, "'"));
      }
      targets.push_back(target_type);
    } else {
      for (const std::string& t : param->targets) {
        if (fhir::Contains(types_, t)) {
          targets.push_back(t);
        }
      }
    }
    // The chained parameter must exist on some target; targets lacking it are left out.
    std::vector<std::string> alternatives;
    absl::Status first_error;
    for (const std::string& t : targets) {
      if (!CheckTypeAllowed(t, whole).ok()) {
        continue;  // not granted: the chain cannot pass through it
      }
      const std::string sr = sql_.Alias("c");
      absl::StatusOr<std::optional<std::string>> targets = ChainTargets(t, rest, value, depth);
      if (!targets.ok() && targets.status().code() != absl::StatusCode::kNotFound) {
        return targets.status();
      }
      std::string linked;  // a condition on sr.target_id
      if (targets.ok() && targets->has_value()) {
        linked = absl::StrCat(sr, ".target_id = ANY(", sql_.Bind(**targets), "::text[])");
      } else {
        absl::StatusOr<std::string> inner =
            Condition(t, absl::StrCat(sr, ".target_id"), rest, value, depth + 1);
        if (!inner.ok()) {
          if (inner.status().code() == absl::StatusCode::kNotFound) {
            if (first_error.ok()) {
              first_error = inner.status();
            }
            continue;
          }
          return inner.status();
        }
        // The same for chains: the linked resources must be ones the caller may see.
        linked = q_.patient.empty()
                     ? *std::move(inner)
                     : absl::StrCat(*inner, " AND ",
                                    VisibleOfType(t, absl::StrCat(sr, ".target_id")));
      }
      alternatives.push_back(absl::StrCat(
          "SELECT ", sr, ".id FROM search_reference ", sr, " WHERE ", sr, ".realm = ", realm_,
          "::smallint AND ", sr, ".type = ", sql_.Bind(std::string(type)), " AND ", sr,
          ".param = ", sql_.Bind(code), " AND ", sr, ".target_type = ", sql_.Bind(t), " AND ",
          linked));
    }
    if (alternatives.empty()) {
      return Bad(whole, first_error.ok() ? absl::StrCat("'", code, "' has no target type served here")
                                         : std::string(first_error.message()));
    }
    return Selection{.ids = absl::StrJoin(alternatives, " UNION ALL "), .crosses = true};
  }

  // The resources of `type` that the rest of a chain (`rest`=`value`) selects and the caller may
  // see, as a text[] literal, looked up now; nullopt when there is no connection to look them up
  // on or there are more than kMaxLookedUpIds. PostgreSQL keeps no statistics across tables, so
  // it cannot estimate how many references reach the resources a subquery selects (it assumed one
  // role per Location of a city where there were eleven, and probed thousands of candidates one
  // at a time); given the resources themselves, it estimates the references from search_reference's
  // own statistics. NOT_FOUND when the chained parameter does not exist on `type`.
  absl::StatusOr<std::optional<std::string>> ChainTargets(absl::string_view type,
                                                          absl::string_view rest,
                                                          absl::string_view value, int depth) {
    if (!connection_.has_value()) {
      return std::nullopt;
    }
    Sql sql;
    Planner sub(registry_, types_, q_, sql);
    sub.connection_.emplace(*connection_);
    PLANAPI_ASSIGN_OR_RETURN(Selection selected,
                             sub.Select(type, "x.id", rest, value, depth + 1));
    std::string statement;
    if (q_.patient.empty() && selected.predicate.empty() && !selected.excluded) {
      // The index holds rows of live resources only (IndexWriter replaces a resource's rows at
      // every write, and writes none for a deletion), so the set is read alone: a third of the
      // time of checking each id against resource.
      statement = absl::StrCat("SELECT DISTINCT x.id FROM (", selected.ids, ") AS x(id) LIMIT ",
                               kMaxLookedUpIds + 1);
    } else {
      std::string condition =
          selected.predicate.empty()
              ? absl::StrCat("x.id", selected.excluded ? " NOT IN (" : " IN (", selected.ids, ")")
              : std::move(selected.predicate);
      if (!q_.patient.empty()) {
        absl::StrAppend(&condition, " AND ", sub.VisibleOfType(type, "x.id"));
      }
      statement = absl::StrCat("SELECT x.id FROM resource x WHERE x.realm = ", sub.realm(),
                               "::smallint AND x.type = ", sql.Bind(std::string(type)),
                               " AND NOT x.deleted AND ", condition, " LIMIT ",
                               kMaxLookedUpIds + 1);
    }
    PLANAPI_ASSIGN_OR_RETURN(pg::Connection * conn, (*connection_)());
    PLANAPI_ASSIGN_OR_RETURN(pg::Result r, ExecUsed(*conn, statement, sql.params()));
    if (r.rows() > kMaxLookedUpIds) {
      return std::nullopt;
    }
    std::vector<std::string> ids;
    ids.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
      ids.emplace_back(r.Get(i, 0));
    }
    return TextArray(ids);
  }

  static absl::Status Rename(const absl::Status& s, absl::string_view name) {
    if (s.code() == absl::StatusCode::kNotFound) {
      return Bad(name, s.message());
    }
    return s;
  }

  absl::StatusOr<std::string> IdCondition(absl::string_view id, absl::string_view name,
                                          absl::string_view modifier, absl::string_view value) {
    if (modifier == "missing") {
      return value == "false" ? std::string("true") : std::string("false");
    }
    if (!modifier.empty() && modifier != "not") {
      return Bad(name, absl::StrCat("modifier :", modifier, " is not supported here"));
    }
    std::vector<std::string> ids = SplitEscaped(value, ',');
    for (const std::string& v : ids) {
      if (!IsValidId(v)) {
        return Bad(name, absl::StrCat("'", v, "' is not a valid id"));
      }
    }
    return absl::StrCat(modifier == "not" ? "NOT " : "", id, " = ANY(",
                        sql_.Bind(TextArray(ids)), "::text[])");
  }

  // The ids of resources of `type` whose lastUpdated matches `value`.
  absl::StatusOr<std::string> LastUpdatedIds(absl::string_view type, absl::string_view name,
                                             absl::string_view modifier, absl::string_view value) {
    if (!modifier.empty()) {
      return Bad(name, absl::StrCat("modifier :", modifier, " is not supported here"));
    }
    std::vector<std::string> alternatives;
    for (const std::string& v : SplitEscaped(value, ',')) {
      std::string text = v;
      const Prefix prefix = TakePrefix(text);
      absl::StatusOr<fhirsearch::DateRange> range = fhirsearch::ParseDateRange(text);
      if (!range.ok()) {
        return Bad(name, range.status().message());
      }
      const fhirsearch::DateRange r = *range;
      auto lo = [&] { return sql_.Bind(Instant(r.lo)) + "::timestamptz"; };
      auto hi = [&] { return sql_.Bind(Instant(r.hi)) + "::timestamptz"; };
      const std::string col = "x.last_updated";
      std::string p;
      switch (prefix) {
        case Prefix::kEq:
        case Prefix::kAp:
          p = absl::StrCat(col, " BETWEEN ", lo(), " AND ", hi());
          break;
        case Prefix::kNe:
          p = absl::StrCat(col, " NOT BETWEEN ", lo(), " AND ", hi());
          break;
        case Prefix::kGt:
        case Prefix::kSa:
          p = absl::StrCat(col, " > ", hi());
          break;
        case Prefix::kLt:
        case Prefix::kEb:
          p = absl::StrCat(col, " < ", lo());
          break;
        case Prefix::kGe:
          p = absl::StrCat(col, " >= ", lo());
          break;
        case Prefix::kLe:
          p = absl::StrCat(col, " <= ", hi());
          break;
      }
      alternatives.push_back(absl::StrCat("(", p, ")"));
    }
    return absl::StrCat("SELECT x.id FROM resource x WHERE x.realm = ", realm_,
                        "::smallint AND x.type = ", sql_.Bind(std::string(type)),
                        " AND NOT x.deleted AND (", absl::StrJoin(alternatives, " OR "), ")");
  }

  absl::StatusOr<std::string> Token(absl::string_view name, absl::string_view modifier,
                                    const std::string& v, bool* negate) {
    if (modifier == "text") {
      const std::string norm = fhirsearch::NormalizeString(Unescape(v));
      return absl::StrCat("display LIKE ", sql_.Bind(absl::StrCat("%", LikeLiteral(norm), "%")),
                          " ESCAPE '\\'");
    }
    if (modifier == "not") {
      *negate = true;
    } else if (!modifier.empty()) {
      return Bad(name, absl::StrCat("modifier :", modifier, " is not supported here"));
    }
    if (auto split = SplitFirst(v, '|'); split.has_value()) {
      const std::string code = Unescape(split->second);
      if (code.empty()) {
        return absl::StrCat("system = ", sql_.Bind(split->first));
      }
      return absl::StrCat("system = ", sql_.Bind(split->first), " AND code = ", sql_.Bind(code));
    }
    return absl::StrCat("code = ", sql_.Bind(Unescape(v)));
  }

  absl::StatusOr<std::string> String(absl::string_view name, absl::string_view modifier,
                                     const std::string& v) {
    const std::string text = Unescape(v);
    if (modifier == "exact") {
      return absl::StrCat("exact = ", sql_.Bind(text));
    }
    const std::string norm = fhirsearch::NormalizeString(text);
    if (modifier == "contains") {
      return absl::StrCat("norm LIKE ", sql_.Bind(absl::StrCat("%", LikeLiteral(norm), "%")),
                          " ESCAPE '\\'");
    }
    if (!modifier.empty()) {
      return Bad(name, absl::StrCat("modifier :", modifier, " is not supported here"));
    }
    // A prefix as a range of the text_pattern_ops index (byte order) rather than LIKE: the
    // planner estimates a range from the extended statistics' most common (type, param, norm)
    // values, so a common prefix within one parameter is no longer taken for a rare one
    // (migration 0010); it cannot do that for LIKE.
    if (const std::optional<std::string> end = fhirsearch::PrefixUpperBound(norm); end.has_value()) {
      return absl::StrCat("norm ~>=~ ", sql_.Bind(norm), " AND norm ~<~ ", sql_.Bind(*end));
    }
    return absl::StrCat("norm LIKE ", sql_.Bind(absl::StrCat(LikeLiteral(norm), "%")),
                        " ESCAPE '\\'");
  }

  // Date comparison of a stored range [lo_col, hi_col] with the value's range, per FHIR's
  // definitions of the prefixes over ranges.
  absl::StatusOr<std::string> Date(absl::string_view name, absl::string_view modifier,
                                   const std::string& v, absl::string_view lo_col,
                                   absl::string_view hi_col) {
    if (!modifier.empty()) {
      return Bad(name, absl::StrCat("modifier :", modifier, " is not supported here"));
    }
    std::string text = v;
    const Prefix prefix = TakePrefix(text);
    absl::StatusOr<fhirsearch::DateRange> range = fhirsearch::ParseDateRange(text);
    if (!range.ok()) {
      return Bad(name, range.status().message());
    }
    int64_t lo_v = range->lo;
    int64_t hi_v = range->hi;
    if (prefix == Prefix::kAp) {
      // Approximately: widened by 10% of the distance from now (at least a day).
      const int64_t now = absl::ToUnixMicros(absl::Now());
      const int64_t spread = std::max<int64_t>(
          std::abs(now - lo_v) / 10, int64_t{86400} * 1000000);
      lo_v = lo_v - spread;
      hi_v = hi_v + spread;
    }
    // Bound only when used: PostgreSQL refuses a parameter it cannot type.
    std::string lo_bound, hi_bound;
    auto lo = [&]() -> const std::string& {
      if (lo_bound.empty()) lo_bound = sql_.Bind(Micros(lo_v)) + "::bigint";
      return lo_bound;
    };
    auto hi = [&]() -> const std::string& {
      if (hi_bound.empty()) hi_bound = sql_.Bind(Micros(hi_v)) + "::bigint";
      return hi_bound;
    };
    auto within = [&] { return absl::StrCat(lo_col, " >= ", lo(), " AND ", hi_col, " <= ", hi()); };
    switch (prefix) {
      case Prefix::kEq:
        return within();
      case Prefix::kNe:
        return absl::StrCat("NOT (", within(), ")");
      case Prefix::kGt:
        return absl::StrCat(hi_col, " > ", hi());
      case Prefix::kLt:
        return absl::StrCat(lo_col, " < ", lo());
      case Prefix::kGe:
        return absl::StrCat(hi_col, " > ", hi(), " OR (", within(), ")");
      case Prefix::kLe:
        return absl::StrCat(lo_col, " < ", lo(), " OR (", within(), ")");
      case Prefix::kSa:
        return absl::StrCat(lo_col, " > ", hi());
      case Prefix::kEb:
        return absl::StrCat(hi_col, " < ", lo());
      case Prefix::kAp:
        return absl::StrCat(hi_col, " >= ", lo(), " AND ", lo_col, " <= ", hi());
    }
    return within();
  }

  // Positions within the distance of one `near` value: a latitude band and longitude range (the
  // bounding box of the circle, which the value index narrows to), then the exact great-circle
  // distance. `sort_code`, when set, records the point for _sort.
  absl::StatusOr<std::string> Near(absl::string_view name, absl::string_view modifier,
                                   const std::string& v, absl::string_view sort_code) {
    if (!modifier.empty()) {
      return Bad(name, absl::StrCat("modifier :", modifier, " is not supported here"));
    }
    PLANAPI_ASSIGN_OR_RETURN(const NearValue near, ParseNear(name, v));
    auto num = [&](double d) { return sql_.Bind(absl::StrFormat("%.17g", d)) + "::float8"; };
    const std::string lat = num(near.latitude);
    const std::string lon = num(near.longitude);
    if (!sort_code.empty() && !near_.has_value()) {
      near_ = NearPoint{std::string(sort_code), lat, lon};
    }
    // A hair wider than the circle, so rounding never drops a point on its edge.
    const double angle = near.km / kEarthRadiusKm * 1.000001;  // radians
    const double dlat = angle * 180 / kPi;
    std::vector<std::string> p = {absl::StrCat("latitude BETWEEN ", num(near.latitude - dlat),
                                               " AND ", num(near.latitude + dlat))};
    // Without a pole inside the circle, its longitudes span asin(sin(angle) / cos(latitude))
    // either side; across the antimeridian the range wraps.
    if (near.latitude + dlat < 90 && near.latitude - dlat > -90) {
      const double dlon =
          std::asin(std::sin(angle) / std::cos(near.latitude * kPi / 180)) * 180 / kPi;
      const double lo = near.longitude - dlon;
      const double hi = near.longitude + dlon;
      if (lo < -180) {
        p.push_back(
            absl::StrCat("(longitude >= ", num(lo + 360), " OR longitude <= ", num(hi), ")"));
      } else if (hi > 180) {
        p.push_back(
            absl::StrCat("(longitude >= ", num(lo), " OR longitude <= ", num(hi - 360), ")"));
      } else {
        p.push_back(absl::StrCat("longitude BETWEEN ", num(lo), " AND ", num(hi)));
      }
    }
    p.push_back(absl::StrCat(DistanceSql("latitude", "longitude", lat, lon), " <= ", num(near.km)));
    return absl::StrJoin(p, " AND ");
  }

  absl::StatusOr<std::string> Reference(const SearchParam& param, absl::string_view name,
                                        absl::string_view modifier, const std::string& v) {
    std::string text = Unescape(v);
    std::string type(modifier);
    if (!type.empty()) {
      if (!fhir::LooksLikeTypeName(type)) {
        return Bad(name, absl::StrCat("modifier :", modifier, " is not supported here"));
      }
      if (!param.targets.empty() &&
          std::find(param.targets.begin(), param.targets.end(), type) == param.targets.end()) {
        return Bad(name, absl::StrCat("'", param.code, "' cannot refer to '", type, "'"));
      }
    }
    const std::string own_base = absl::StrCat(q_.base_url, "/");
    if (absl::StartsWith(text, own_base)) {
      text.erase(0, own_base.size());
    } else if (absl::StrContains(text, "://") || absl::StartsWith(text, "urn:")) {
      return absl::StrCat("url = ", sql_.Bind(text));
    }
    std::vector<std::string> parts = absl::StrSplit(text, '/');
    std::string id;
    if (parts.size() == 1) {
      id = parts[0];
    } else if (parts.size() == 2 && fhir::LooksLikeTypeName(parts[0])) {
      if (!type.empty() && type != parts[0]) {
        return Bad(name, absl::StrCat("'", text, "' is not a ", type));
      }
      type = parts[0];
      id = parts[1];
    } else if (parts.size() == 4 && parts[2] == "_history") {
      type = parts[0];
      id = parts[1];
    } else {
      return Bad(name, absl::StrCat("'", text, "' is not an id, Type/id or absolute URL"));
    }
    if (!IsValidId(id)) {
      return Bad(name, absl::StrCat("'", id, "' is not a valid id"));
    }
    std::string p = absl::StrCat("target_id = ", sql_.Bind(id));
    if (!type.empty()) {
      absl::StrAppend(&p, " AND target_type = ", sql_.Bind(type));
    }
    return p;
  }

  // Number comparison; `eq` honours the value's precision (100 matches [99.5, 100.5)).
  absl::StatusOr<std::string> Number(absl::string_view name, const std::string& v,
                                     absl::string_view col) {
    std::string text = v;
    const Prefix prefix = TakePrefix(text);
    double value = 0;
    if (!absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
      return Bad(name, absl::StrCat("'", text, "' is not a number"));
    }
    int decimals = 0;
    if (const size_t dot = text.find('.'); dot != std::string::npos &&
                                           text.find_first_of("eE") == std::string::npos) {
      decimals = static_cast<int>(text.size() - dot - 1);
    }
    const double half = 0.5 * std::pow(10.0, -decimals);
    auto num = [&](double d) { return sql_.Bind(absl::StrFormat("%.17g", d)) + "::float8"; };
    switch (prefix) {
      case Prefix::kEq:
        return absl::StrCat(col, " >= ", num(value - half), " AND ", col, " < ", num(value + half));
      case Prefix::kNe:
        return absl::StrCat("NOT (", col, " >= ", num(value - half), " AND ", col, " < ",
                            num(value + half), ")");
      case Prefix::kGt:
      case Prefix::kSa:
        return absl::StrCat(col, " > ", num(value));
      case Prefix::kLt:
      case Prefix::kEb:
        return absl::StrCat(col, " < ", num(value));
      case Prefix::kGe:
        return absl::StrCat(col, " >= ", num(value));
      case Prefix::kLe:
        return absl::StrCat(col, " <= ", num(value));
      case Prefix::kAp: {
        const double spread = std::abs(value) * 0.1;
        return absl::StrCat(col, " BETWEEN ", num(value - spread), " AND ", num(value + spread));
      }
    }
    return std::string("false");
  }

  absl::StatusOr<std::string> Quantity(absl::string_view name, absl::string_view modifier,
                                       const std::string& v) {
    if (!modifier.empty()) {
      return Bad(name, absl::StrCat("modifier :", modifier, " is not supported here"));
    }
    std::vector<std::string> parts = SplitEscaped(v, '|');
    if (parts.size() != 1 && parts.size() != 3) {
      return Bad(name, "a quantity is [prefix]number[|system|code]");
    }
    PLANAPI_ASSIGN_OR_RETURN(std::string p, Number(name, parts[0], "value"));
    if (parts.size() == 3) {
      if (!parts[1].empty()) {
        absl::StrAppend(&p, " AND system = ", sql_.Bind(parts[1]));
      }
      if (!parts[2].empty()) {
        const std::string code = sql_.Bind(parts[2]);
        absl::StrAppend(&p, " AND (code = ", code, " OR unit = ", code, ")");
      }
    }
    return p;
  }

  absl::StatusOr<std::string> Uri(absl::string_view name, absl::string_view modifier,
                                  const std::string& v) {
    const std::string text = Unescape(v);
    if (modifier == "below") {
      return absl::StrCat("uri LIKE ", sql_.Bind(absl::StrCat(LikeLiteral(text), "%")),
                          " ESCAPE '\\'");
    }
    if (modifier == "above") {
      return absl::StrCat(sql_.Bind(text), " LIKE replace(replace(replace(uri, '\\', '\\\\'), "
                                           "'%', '\\%'), '_', '\\_') || '%' ESCAPE '\\'");
    }
    if (!modifier.empty()) {
      return Bad(name, absl::StrCat("modifier :", modifier, " is not supported here"));
    }
    return absl::StrCat("uri = ", sql_.Bind(text));
  }

  const fhirsearch::Registry& registry_;
  std::span<const absl::string_view> types_;
  const SearchQuery& q_;
  Sql& sql_;
  std::string realm_;
  std::optional<NearPoint> near_;
  std::optional<absl::FunctionRef<absl::StatusOr<pg::Connection*>()>> connection_;

 public:
  // Set by Sort: `_sort=-_id` (first or alone) orders by id descending.
  bool id_descending_ = false;
};

// Parameters that control the result rather than select resources.
constexpr absl::string_view kIgnored[] = {"_format", "_pretty"};
constexpr absl::string_view kUnsupported[] = {"_text", "_content", "_list", "_query", "_filter",
                                              "_contained", "_containedType", "_type"};

// Keeps only the listed top-level elements (plus the mandatory ones) and marks the resource
// SUBSETTED, for _elements and _summary.
std::string Subset(const std::string& json, const std::set<std::string, std::less<>>& keep,
                   bool drop_text_only) {
  absl::StatusOr<rapidjson::Document> doc = json::Parse(json);
  if (!doc.ok() || !doc->IsObject()) {
    return json;
  }
  auto& a = doc->GetAllocator();
  for (auto it = doc->MemberBegin(); it != doc->MemberEnd();) {
    const absl::string_view key(it->name.GetString(), it->name.GetStringLength());
    const bool mandatory = key == "resourceType" || key == "id" || key == "meta";
    const bool drop = drop_text_only ? key == "text" : !mandatory && !keep.contains(key);
    it = drop ? doc->EraseMember(it) : it + 1;
  }
  auto meta = doc->FindMember("meta");
  if (meta == doc->MemberEnd()) {
    doc->AddMember("meta", rapidjson::Value(rapidjson::kObjectType), a);
    meta = doc->FindMember("meta");
  }
  if (meta->value.IsObject()) {
    auto tags = meta->value.FindMember("tag");
    if (tags == meta->value.MemberEnd() || !tags->value.IsArray()) {
      meta->value.RemoveMember("tag");
      meta->value.AddMember("tag", rapidjson::Value(rapidjson::kArrayType), a);
      tags = meta->value.FindMember("tag");
    }
    rapidjson::Value tag(rapidjson::kObjectType);
    tag.AddMember("system", "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", a);
    tag.AddMember("code", "SUBSETTED", a);
    tags->value.PushBack(tag, a);
  }
  return json::Serialize(*doc);
}

}  // namespace

RowCondition Searcher::VisibleTo(Realm realm, absl::string_view patient,
                                 absl::string_view type) const {
  Sql sql;
  SearchQuery q{.realm = realm, .type = std::string(type), .patient = std::string(patient)};
  // The planner binds the realm first; type and id follow, as ResourceStore::Read numbers them.
  Planner planner(registry_, types_, q, sql);
  sql.Bind(std::string(type));
  sql.Bind(std::string());
  RowCondition condition{.sql = planner.ReadableOf("t", type)};
  condition.params.assign(std::make_move_iterator(sql.params().begin() + 3),
                          std::make_move_iterator(sql.params().end()));
  return condition;
}

absl::StatusOr<bool> Searcher::Visible(Realm realm, absl::string_view patient,
                                       absl::string_view type, absl::string_view id) const {
  const RowCondition condition = VisibleTo(realm, patient, type);
  std::vector<pg::Param> params = {absl::StrCat(static_cast<int>(realm)), std::string(type),
                                   std::string(id)};
  params.insert(params.end(), condition.params.begin(), condition.params.end());
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->ExecPrepared(absl::StrCat("SELECT 1 FROM resource t WHERE t.realm = $1::smallint AND "
                                      "t.type = $2 AND t.id = $3 AND ",
                                      condition.sql),
                         params));
  return r.rows() > 0;
}

absl::StatusOr<SearchPage> Searcher::Everything(const SearchQuery& q,
                                                 absl::string_view id) const {
  const absl::Status unknown = absl::NotFoundError(absl::StrCat("Patient/", id, " is not known"));
  if (!q.patient.empty() && q.patient != id) {
    return unknown;
  }
  if (!IsValidId(id)) {
    return absl::InvalidArgumentError(absl::StrCat("'", id, "' is not a valid resource id"));
  }
  Sql sql;
  SearchQuery scoped = q;
  scoped.type = "Patient";
  Planner planner(registry_, types_, scoped, sql);
  const std::string patient = sql.Bind(std::string(id));
  std::vector<std::string> outside;
  for (absl::string_view type : types_) {
    if (type != "Patient" && registry_.PatientCompartment(type).empty()) {
      outside.emplace_back(type);
    }
  }
  std::vector<std::string> filters = {"NOT r.deleted"};
  int count = kDefaultPageSize;
  std::optional<std::string> cursor_text;
  std::vector<std::pair<std::string, std::string>> echoed;
  for (const auto& [name, value] : q.params) {
    if (name == "_format" || name == "_pretty") {
      continue;
    }
    if (name == "_cursor") {
      cursor_text = value;
      continue;
    }
    echoed.emplace_back(name, value);
    if (name == "_count") {
      if (!absl::SimpleAtoi(value, &count) || count < 1) {
        return Bad(name, "takes a positive integer");
      }
      count = std::min(count, kMaxPageSize);
    } else if (name == "_since") {
      absl::StatusOr<fhirsearch::DateRange> since = fhirsearch::ParseDateRange(value);
      if (!since.ok()) {
        return Bad(name, since.status().message());
      }
      filters.push_back(
          absl::StrCat("r.last_updated > ", sql.Bind(Instant(since->lo)), "::timestamptz"));
    } else if (name == "_type") {
      std::vector<std::string> wanted = absl::StrSplit(value, ',', absl::SkipEmpty());
      for (const std::string& t : wanted) {
        if (!fhir::Contains(types_, t)) {
          return Bad(name, absl::StrCat("'", t, "' is not a type served here"));
        }
      }
      filters.push_back(absl::StrCat("r.type = ANY(", sql.Bind(TextArray(wanted)), "::text[])"));
    } else {
      return Bad(name, "is not a parameter of $everything (use _count, _since or _type)");
    }
  }
  const std::string members = absl::StrCat(
      "WITH members AS (SELECT c.type, c.id FROM compartment c WHERE c.realm = ", planner.realm(),
      "::smallint AND c.patient = ", patient, " UNION SELECT 'Patient', ", patient,
      " UNION SELECT v.target_type, v.target_id FROM compartment c JOIN search_reference v ON "
      "v.realm = c.realm AND v.type = c.type AND v.id = c.id WHERE c.realm = ", planner.realm(),
      "::smallint AND c.patient = ", patient, " AND v.target_type = ANY(",
      sql.Bind(TextArray(outside)), "::text[]) UNION SELECT d.type, d.id FROM search_reference d "
      "WHERE d.realm = ", planner.realm(), "::smallint AND d.type = ANY(",
      sql.Bind(TextArray(outside)), "::text[]) AND d.target_type = 'Patient' AND d.target_id = ",
      patient, ") ");
  std::optional<PageCursor> cursor;
  if (cursor_text.has_value()) {
    PLANAPI_ASSIGN_OR_RETURN(cursor, DecodeCursor(*cursor_text, 2));
    if (cursor->previous || !cursor->keys[0].has_value()) {
      return BadCursor();
    }
    filters.push_back(absl::StrCat("(r.type, r.id) > (", sql.Bind(*cursor->keys[0]), ", ",
                                   sql.Bind(*cursor->keys[1]), ")"));
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result exists,
      conn->Exec("SELECT 1 FROM resource WHERE realm = $1::smallint AND type = 'Patient' AND "
                 "id = $2 AND NOT deleted",
                 std::vector<pg::Param>{sql.params()[0], std::string(id)}));
  if (exists.rows() == 0) {
    return unknown;
  }
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec(absl::StrCat(members,
                              "SELECT r.type, r.id, r.content FROM members m JOIN resource r "
                              "ON r.realm = ", planner.realm(), "::smallint AND r.type = m.type "
                              "AND r.id = m.id WHERE ", absl::StrJoin(filters, " AND "),
                              " ORDER BY r.type, r.id LIMIT ", count + 1),
                 sql.params()));
  const bool more = r.rows() > count;
  const int n = std::min(r.rows(), count);
  std::string query_string;
  for (const auto& [name, value] : echoed) {
    absl::StrAppend(&query_string, query_string.empty() ? "" : "&", fhir::FormEncode(name), "=",
                    fhir::FormEncode(value));
  }
  const std::string self = absl::StrCat(q.base_url, "/Patient/", id, "/$everything",
                                        query_string.empty() ? "" : "?", query_string);
  json::Writer w;
  w.StartObject().Field("resourceType", "Bundle").Field("type", "searchset");
  if (!cursor.has_value() && !more) {
    w.Key("total").Int(n);
  }
  w.Key("link").StartArray();
  w.StartObject().Field("relation", "self").Field("url", self).EndObject();
  if (more && n > 0) {
    PageCursor next{.keys = {std::string(r.Get(n - 1, 0)), std::string(r.Get(n - 1, 1))}};
    w.StartObject()
        .Field("relation", "next")
        .Field("url", absl::StrCat(self, query_string.empty() ? "?" : "&", "_cursor=",
                                   EncodeCursor(next)))
        .EndObject();
  }
  w.EndArray();
  if (n > 0) {  // no empty arrays in FHIR's JSON
    w.Key("entry").StartArray();
  }
  SearchPage page;
  for (int i = 0; i < n; ++i) {
    page.resources.push_back(absl::StrCat(r.Get(i, 0), "/", r.Get(i, 1)));
    w.StartObject()
        .Field("fullUrl", absl::StrCat(q.base_url, "/", r.Get(i, 0), "/", r.Get(i, 1)))
        .Key("resource")
        .Raw(r.Get(i, 2))
        .Key("search")
        .StartObject()
        .Field("mode", "match")
        .EndObject()
        .EndObject();
  }
  if (n > 0) {
    w.EndArray();
  }
  w.EndObject();
  page.json = w.Take();
  return page;
}

absl::StatusOr<SearchPage> Searcher::Search(const SearchQuery& q) const {
  if (!fhir::Contains(types_, q.type)) {
    return status::WithIssue(
        absl::NotFoundError(absl::StrCat("resource type '", q.type, "' is not served here")),
        status::IssueType::kNotSupported);
  }
  // The connection is taken when first needed (a chain's look-up while planning, else the query
  // itself): a search refused for its parameters then never waits for, or needs, the database.
  std::optional<pg::Pool::Lease> lease;
  auto connection = [&]() -> absl::StatusOr<pg::Connection*> {
    if (!lease.has_value()) {
      PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease acquired, pool_.Acquire());
      lease.emplace(std::move(acquired));
    }
    return &**lease;
  };
  Sql sql;
  Planner planner(registry_, types_, q, sql);
  planner.LookUpChainTargetsWith(connection);
  const std::string type_param = sql.Bind(q.type);
  std::vector<std::string> where = {
      absl::StrCat("r.realm = ", planner.realm(), "::smallint"),
      absl::StrCat("r.type = ", type_param), "NOT r.deleted"};
  if (!q.patient.empty()) {
    where.push_back(planner.VisibleOfType(q.type, "r.id"));
  }
  // What the parameters ask for, planned on `p`: the result controls, the conditions and the
  // sort. Run twice when the search has a chain or _has: first on a planner that looks nothing
  // up, so that a search refused for any of its parameters never touches the database.
  struct Parsed {
    int count = kDefaultPageSize;
    std::string total_mode;
    std::string summary;
    std::set<std::string, std::less<>> elements;
    std::vector<Include> includes;
    std::vector<std::pair<std::string, std::string>> echoed;  // for the links
    std::vector<Selection> selections;
    std::vector<SortKey> keys;
    std::optional<PageCursor> cursor;
  };
  auto parse = [&q](Planner& p) -> absl::StatusOr<Parsed> {
    Parsed out;
    std::string sort_spec;
    std::optional<std::string> cursor_text;
    for (const auto& [name, value] : q.params) {
      const absl::string_view base = absl::string_view(name).substr(0, name.find(':'));
      if (std::find(std::begin(kIgnored), std::end(kIgnored), base) != std::end(kIgnored)) {
        continue;
      }
      if (name == "_cursor") {
        cursor_text = value;
        continue;
      }
      out.echoed.emplace_back(name, value);
      if (name == "_count") {
        if (!absl::SimpleAtoi(value, &out.count) || out.count < 0) {
          return Bad(name, "takes a non-negative integer");
        }
        out.count = std::min(out.count, kMaxPageSize);
      } else if (name == "_total") {
        if (value != "none" && value != "estimate" && value != "accurate") {
          return Bad(name, "takes none, estimate or accurate");
        }
        out.total_mode = value;
      } else if (name == "_summary") {
        if (value != "true" && value != "false" && value != "count" && value != "data" &&
            value != "text") {
          return Bad(name, "takes true, false, count, data or text");
        }
        out.summary = value;
      } else if (name == "_elements") {
        for (absl::string_view e : absl::StrSplit(value, ',', absl::SkipEmpty())) {
          out.elements.emplace(absl::StripAsciiWhitespace(e));
        }
      } else if (name == "_sort") {
        sort_spec = value;
      } else if (base == "_include" || base == "_revinclude") {
        PLANAPI_ASSIGN_OR_RETURN(Include inc, p.ParseInclude(name, value, base == "_revinclude"));
        out.includes.push_back(std::move(inc));
      } else if (std::find(std::begin(kUnsupported), std::end(kUnsupported), base) !=
                 std::end(kUnsupported)) {
        return Bad(name, "is not supported by this server");
      } else {
        absl::StatusOr<Selection> selection = p.Select(q.type, "r.id", name, value);
        if (!selection.ok()) {
          if (selection.status().code() == absl::StatusCode::kNotFound) {
            if (q.lenient) {
              out.echoed.pop_back();
              continue;
            }
            return Bad(name, selection.status().message());
          }
          return selection.status();
        }
        out.selections.push_back(*std::move(selection));
      }
    }
    PLANAPI_ASSIGN_OR_RETURN(out.keys, p.Sort(q.type, sort_spec));
    const bool id_descending = out.keys.empty() ? p.id_descending_ : out.keys.front().descending;
    out.keys.push_back({.expr = "r.id", .cast = "text", .descending = id_descending});
    if (cursor_text.has_value()) {
      PLANAPI_ASSIGN_OR_RETURN(out.cursor, DecodeCursor(*cursor_text, out.keys.size()));
    }
    return out;
  };
  const bool looks_up = std::any_of(q.params.begin(), q.params.end(), [](const auto& param) {
    return param.first.find('.') != std::string::npos || absl::StartsWith(param.first, "_has:");
  });
  if (looks_up) {
    Sql unbound;
    Planner checker(registry_, types_, q, unbound);
    PLANAPI_RETURN_IF_ERROR(parse(checker).status());
  }
  PLANAPI_ASSIGN_OR_RETURN(Parsed parsed, parse(planner));
  if (sql.params().size() > kMaxBoundValues) {
    return status::WithIssue(
        absl::InvalidArgumentError(absl::StrCat("the search has more than ", kMaxBoundValues,
                                                " values in all; split it")),
        status::IssueType::kTooCostly);
  }
  int& count = parsed.count;
  const std::string& total_mode = parsed.total_mode;
  const std::string& summary = parsed.summary;
  const std::set<std::string, std::less<>>& elements = parsed.elements;
  std::vector<Include>& includes = parsed.includes;
  const std::vector<std::pair<std::string, std::string>>& echoed = parsed.echoed;
  std::vector<Selection>& selections = parsed.selections;
  std::vector<SortKey>& keys = parsed.keys;
  const std::optional<PageCursor>& cursor = parsed.cursor;
  // Every parameter is valid from here on; the database may be asked.
  // PostgreSQL keeps no statistics across tables, so its count of what a chain or _has selects
  // can be off several times over, and a nested loop chosen on that count probes every candidate
  // in turn (role-specialty-city: 4,748 roles probed one by one for 341 matches, 53 ms). When
  // such a set meets another, the sets are intersected by hashing instead, at a cost linear in
  // their sizes whatever the estimates, and a small intersection is looked up first and bound as
  // ids, so that the page reads those rows alone (8 + 2 ms there). Not for a patient's searches:
  // the compartment is their selective side, and an intersection would read a broad set over
  // every member's data.
  std::vector<std::string> sets;
  bool crossing = false;
  for (Selection& s : selections) {
    if (!s.predicate.empty()) {
      where.push_back(std::move(s.predicate));
    } else if (s.excluded) {
      where.push_back(absl::StrCat("r.id NOT IN (", s.ids, ")"));
    } else {
      sets.push_back(std::move(s.ids));
      crossing = crossing || s.crosses;
    }
  }
  if (crossing && sets.size() > 1 && q.patient.empty()) {
    const std::string intersection =
        absl::StrCat("(", absl::StrJoin(sets, ") INTERSECT ("), ")");
    PLANAPI_ASSIGN_OR_RETURN(pg::Connection * conn, connection());
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result found,
        ExecUsed(*conn,
                 absl::StrCat("SELECT x.id FROM (", intersection, ") AS x(id) LIMIT ",
                              kMaxLookedUpIds + 1),
                 sql.params()));
    if (found.rows() <= kMaxLookedUpIds) {
      std::vector<std::string> ids;
      ids.reserve(found.rows());
      for (int i = 0; i < found.rows(); ++i) {
        ids.emplace_back(found.Get(i, 0));
      }
      where.push_back(absl::StrCat("r.id = ANY(", sql.Bind(TextArray(ids)), "::text[])"));
    } else {
      where.push_back(absl::StrCat("r.id IN (", intersection, ")"));
    }
  } else {
    for (const std::string& ids : sets) {
      where.push_back(absl::StrCat("r.id IN (", ids, ")"));
    }
  }
  const std::string where_sql = absl::StrJoin(where, " AND ");

  // The page: keyset predicate after (or, for a previous page, before) the cursor's row.
  const bool backwards = cursor.has_value() && cursor->previous;
  std::string page_where = where_sql;
  if (cursor.has_value()) {
    std::vector<std::string> alternatives;
    std::string equal_so_far;
    for (size_t i = 0; i < keys.size(); ++i) {
      const SortKey& k = keys[i];
      const std::optional<std::string>& c = cursor->keys[i];
      const bool ascending = k.descending == backwards;  // direction of travel
      std::string beyond;
      std::string equal;
      if (c.has_value()) {
        const std::string v = absl::StrCat(sql.Bind(*c), "::", k.cast);
        // NULLs sort last going forwards, so they lie beyond every value; going backwards
        // they lie before.
        beyond = absl::StrCat("(", k.expr, ascending ? " > " : " < ", v,
                              backwards ? ")" : absl::StrCat(" OR ", k.expr, " IS NULL)"));
        equal = absl::StrCat(k.expr, " = ", v);
      } else {
        beyond = backwards ? absl::StrCat(k.expr, " IS NOT NULL") : "false";
        equal = absl::StrCat(k.expr, " IS NULL");
      }
      alternatives.push_back(equal_so_far.empty() ? beyond
                                                  : absl::StrCat(equal_so_far, " AND ", beyond));
      equal_so_far = equal_so_far.empty() ? equal : absl::StrCat(equal_so_far, " AND ", equal);
    }
    page_where = absl::StrCat(where_sql, " AND ((", absl::StrJoin(alternatives, ") OR ("), "))");
  }
  // The page's ids and sort keys first, then the content of those rows alone: a broad search
  // may sort thousands of rows, and carrying each one's JSON through the sort costs more than
  // finding it.
  std::vector<std::string> order;        // inner query, on the expressions
  std::vector<std::string> outer_order;  // outer query, on the keys it selected
  std::vector<std::string> inner_keys;
  std::vector<std::string> selected;
  for (size_t i = 0; i < keys.size(); ++i) {
    const SortKey& k = keys[i];
    const bool desc = k.descending != backwards;
    const std::string direction =
        absl::StrCat(desc ? " DESC" : " ASC", backwards ? " NULLS FIRST" : " NULLS LAST");
    order.push_back(absl::StrCat(k.expr, direction));
    outer_order.push_back(absl::StrCat("p.k", i, direction));
    inner_keys.push_back(absl::StrCat(k.expr, " AS k", i));
    selected.push_back(absl::StrCat("p.k", i, "::text"));
  }
  const bool count_only = summary == "count";
  PLANAPI_ASSIGN_OR_RETURN(pg::Connection* const conn, connection());
  std::vector<Row> matches;
  std::vector<std::vector<std::optional<std::string>>> match_keys;
  bool more = false;
  if (!count_only && count > 0) {
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result r,
        ExecUsed(*conn, absl::StrCat("SELECT p.k", keys.size() - 1, ", c.content, ",
                                absl::StrJoin(selected, ", "), " FROM (SELECT ",
                                absl::StrJoin(inner_keys, ", "), " FROM resource r WHERE ",
                                page_where, " ORDER BY ", absl::StrJoin(order, ", "), " LIMIT ",
                                count + 1, ") p JOIN resource c ON c.realm = ", planner.realm(),
                                "::smallint AND c.type = ", type_param, " AND c.id = p.k", keys.size() - 1,
                                " ORDER BY ", absl::StrJoin(outer_order, ", ")),
                   sql.params()));
    more = r.rows() > count;
    const int n = std::min(r.rows(), count);
    for (int i = 0; i < n; ++i) {
      matches.push_back({q.type, std::string(r.Get(i, 0)), std::string(r.Get(i, 1))});
      std::vector<std::optional<std::string>> k;
      for (size_t j = 0; j < keys.size(); ++j) {
        k.push_back(r.IsNull(i, 2 + static_cast<int>(j))
                        ? std::nullopt
                        : std::optional<std::string>(std::string(r.Get(i, 2 + static_cast<int>(j)))));
      }
      match_keys.push_back(std::move(k));
    }
    if (backwards) {
      std::reverse(matches.begin(), matches.end());
      std::reverse(match_keys.begin(), match_keys.end());
    }
  }
  // The count queries take the WHERE clause alone (ExecUsed leaves out the page's values).
  const std::span<const pg::Param> count_params(sql.params());
  std::optional<int64_t> total;
  if (count_only || count == 0 || total_mode == "accurate") {
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result r,
        ExecUsed(*conn, absl::StrCat("SELECT count(*) FROM resource r WHERE ", where_sql),
                 count_params));
    int64_t n = 0;
    (void)absl::SimpleAtoi(r.Get(0, 0), &n);
    total = n;
  } else if (total_mode == "estimate") {
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result r,
        ExecUsed(*conn, absl::StrCat("EXPLAIN SELECT 1 FROM resource r WHERE ", where_sql),
                 count_params));
    // The planner's row estimate: "... (cost=a..b rows=N width=w)" on the first line.
    const absl::string_view line = r.Get(0, 0);
    if (const size_t at = line.find(" rows="); at != absl::string_view::npos) {
      int64_t n = 0;
      absl::string_view rest = line.substr(at + 6);
      (void)absl::SimpleAtoi(rest.substr(0, rest.find(' ')), &n);
      total = n;
    }
  } else if (total_mode.empty() && !cursor.has_value() && !more) {
    total = static_cast<int64_t>(matches.size());  // the whole result is on this page
  }

  // Includes: from the matches, then (for :iterate) from what was included, until nothing new.
  std::vector<Row> included;
  bool truncated = false;
  if (!includes.empty() && !matches.empty()) {
    std::set<std::pair<std::string, std::string>> seen;
    for (const Row& m : matches) {
      seen.emplace(m.type, m.id);
    }
    std::vector<const Row*> frontier;
    for (const Row& m : matches) {
      frontier.push_back(&m);
    }
    std::vector<Row> found;  // stable storage: `included` grows while frontier points into it
    for (int round = 0; round < 4 && !frontier.empty() && !truncated; ++round) {
      std::vector<Row> next;
      for (const Include& inc : includes) {
        if (round > 0 && !inc.iterate) {
          continue;
        }
        std::map<std::string, std::vector<std::string>> ids_by_type;
        for (const Row* row : frontier) {
          ids_by_type[row->type].push_back(row->id);
        }
        const absl::string_view from_type = inc.reverse ? absl::string_view() : inc.source_type;
        Sql isql;
        SearchQuery iq = q;
        Planner ip(registry_, types_, iq, isql);
        std::string sql_text;
        if (!inc.reverse) {
          auto it = ids_by_type.find(std::string(from_type));
          if (it == ids_by_type.end()) {
            continue;
          }
          // The targets are made distinct before their rows are read: a page's matches often
          // share them (twenty services at seventeen locations), and each duplicate would read
          // and sort the whole resource.
          sql_text = absl::StrCat(
              "SELECT t.type, t.id, t.content FROM resource t WHERE t.realm = ", ip.realm(),
              "::smallint AND (t.type, t.id) IN (SELECT s.target_type, s.target_id FROM "
              "search_reference s WHERE s.realm = ", ip.realm(), "::smallint AND s.type = ",
              isql.Bind(inc.source_type), " AND s.id = ANY(", isql.Bind(TextArray(it->second)),
              "::text[]) AND s.param = ANY(", isql.Bind(TextArray(inc.params)), "::text[])");
          if (!inc.target_type.empty()) {
            absl::StrAppend(&sql_text, " AND s.target_type = ", isql.Bind(inc.target_type));
          }
          absl::StrAppend(&sql_text, ") AND NOT t.deleted");
        } else {
          std::vector<std::string> alternatives;
          for (const auto& [type, ids] : ids_by_type) {
            alternatives.push_back(absl::StrCat("(s.target_type = ", isql.Bind(type),
                                                " AND s.target_id = ANY(", isql.Bind(TextArray(ids)),
                                                "::text[]))"));
          }
          const std::string source = isql.Bind(inc.source_type);
          sql_text = absl::StrCat(
              "SELECT t.type, t.id, t.content FROM resource t WHERE t.realm = ", ip.realm(),
              "::smallint AND t.type = ", source, " AND t.id IN (SELECT s.id FROM "
              "search_reference s WHERE s.realm = ", ip.realm(), "::smallint AND s.type = ", source,
              " AND s.param = ANY(", isql.Bind(TextArray(inc.params)), "::text[]) AND (",
              absl::StrJoin(alternatives, " OR "), ")) AND NOT t.deleted");
        }
        if (q.allowed_types.has_value()) {
          // Only types the token grants are included; the others are left out, not refused,
          // as a wildcard include would otherwise fail for any narrow token.
          absl::StrAppend(&sql_text, " AND t.type = ANY(",
                          isql.Bind(TextArray(*q.allowed_types)), "::text[])");
        }
        if (!q.patient.empty() && inc.reverse) {
          // What refers to the page (US Core's Provenance:target) is shown when the patient may
          // see it, or when all it refers to through the parameter is in the patient's own
          // record: a Provenance of the patient's AllergyIntolerance is outside the compartment
          // (its `patient` is only a target that is a Patient) but belongs to the record. Merely
          // visible targets do not count: an Organization is visible to all its members, and
          // another member's Patient refers to it too.
          absl::StrAppend(
              &sql_text, " AND (", ip.Visible("t"), " OR NOT EXISTS (SELECT 1 FROM "
              "search_reference o WHERE o.realm = t.realm AND o.type = t.type AND o.id = t.id AND "
              "o.param = ANY(", isql.Bind(TextArray(inc.params)), "::text[]) AND NOT EXISTS ("
              "SELECT 1 FROM resource ot WHERE ot.realm = o.realm AND ot.type = o.target_type AND "
              "ot.id = o.target_id AND ", ip.InRecord("ot"), ")))");
        } else if (!q.patient.empty()) {
          absl::StrAppend(&sql_text, " AND ", ip.Visible("t"));
        }
        absl::StrAppend(&sql_text, " ORDER BY t.type, t.id LIMIT ", kMaxIncludesPerPage + 1);
        // Without a patient, prepared: the text depends only on the include and the number of
        // types on the page, never on a value, and one plan (index probes by id) suits every
        // page; planning it cost PostgreSQL more than running it. A patient's compartment
        // conditions are planned per call: their best plan depends on how much the member has.
        PLANAPI_ASSIGN_OR_RETURN(pg::Result r, q.patient.empty()
                                                   ? conn->ExecPrepared(sql_text, isql.params())
                                                   : conn->Exec(sql_text, isql.params()));
        for (int i = 0; i < r.rows(); ++i) {
          Row row{std::string(r.Get(i, 0)), std::string(r.Get(i, 1)), std::string(r.Get(i, 2))};
          if (!seen.emplace(row.type, row.id).second) {
            continue;
          }
          if (included.size() + next.size() >= static_cast<size_t>(kMaxIncludesPerPage)) {
            truncated = true;
            break;
          }
          next.push_back(std::move(row));
        }
      }
      const size_t start = included.size();
      for (Row& row : next) {
        included.push_back(std::move(row));
      }
      frontier.clear();
      for (size_t i = start; i < included.size(); ++i) {
        frontier.push_back(&included[i]);
      }
    }
  }

  // The Bundle, with links on the caller's absolute base.
  std::string query_string;
  for (const auto& [name, value] : echoed) {
    absl::StrAppend(&query_string, query_string.empty() ? "" : "&", fhir::FormEncode(name), "=",
                    fhir::FormEncode(value));
  }
  const std::string self = absl::StrCat(q.base_url, "/", q.type,
                                        query_string.empty() ? "" : "?", query_string);
  auto link_with = [&](const PageCursor& c) {
    return absl::StrCat(self, query_string.empty() ? "?" : "&", "_cursor=", EncodeCursor(c));
  };
  json::Writer w;
  w.StartObject().Field("resourceType", "Bundle").Field("type", "searchset");
  if (total.has_value()) {
    w.Key("total").Int(*total);
  }
  w.Key("link").StartArray();
  w.StartObject().Field("relation", "self").Field("url", self).EndObject();
  // After a backwards step there is always a next page (the one we came from); a forward page
  // has a previous one when it was reached by a cursor.
  const bool has_next = backwards ? !matches.empty() : more;
  const bool has_previous = backwards ? more : cursor.has_value() && !matches.empty();
  if (has_next && !matches.empty()) {
    w.StartObject().Field("relation", "next").Field("url", link_with({false, match_keys.back()}))
        .EndObject();
  }
  if (has_previous) {
    w.StartObject().Field("relation", "previous")
        .Field("url", link_with({true, match_keys.front()}))
        .EndObject();
  }
  w.EndArray();
  // FHIR's JSON has no empty arrays: a page without entries (a count, an empty result) has no
  // `entry` at all.
  const bool entries = !matches.empty() || !included.empty() || truncated;
  if (entries) {
    w.Key("entry").StartArray();
  }
  SearchPage page;
  auto entry = [&](const Row& row, absl::string_view mode) {
    page.resources.push_back(absl::StrCat(row.type, "/", row.id));
    w.StartObject().Field("fullUrl", absl::StrCat(q.base_url, "/", row.type, "/", row.id));
    if (!elements.empty()) {
      w.Key("resource").Raw(Subset(row.json, elements, false));
    } else if (summary == "data" || summary == "true") {
      // Without element definitions (isSummary) `true` is served as `data`: all but the
      // narrative, marked SUBSETTED. Documented in docs/api.md.
      w.Key("resource").Raw(Subset(row.json, {}, true));
    } else if (summary == "text") {
      w.Key("resource").Raw(Subset(row.json, {"text"}, false));
    } else {
      w.Key("resource").Raw(row.json);
    }
    w.Key("search").StartObject().Field("mode", mode).EndObject().EndObject();
  };
  for (const Row& row : matches) {
    entry(row, "match");
  }
  for (const Row& row : included) {
    entry(row, "include");
  }
  if (truncated) {
    w.StartObject()
        .Key("resource")
        .Raw(absl::StrCat(
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"too-costly","diagnostics":"more than )",
            kMaxIncludesPerPage,
            R"( included resources; the rest were left out: ask for smaller pages"}]})"))
        .Key("search")
        .StartObject()
        .Field("mode", "outcome")
        .EndObject()
        .EndObject();
  }
  if (entries) {
    w.EndArray();
  }
  w.EndObject();
  page.json = w.Take();
  return page;
}

}  // namespace planapi::fhirengine
