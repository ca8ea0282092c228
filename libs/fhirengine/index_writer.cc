#include "libs/fhirengine/index_writer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace planapi::fhirengine {
namespace {

void AppendQuoted(std::string& out, absl::string_view v) {
  out.push_back('"');
  for (char ch : v) {
    if (ch == '"' || ch == '\\') {
      out.push_back('\\');
    }
    out.push_back(ch);
  }
  out.push_back('"');
}

// Builds the one statement: a DELETE and an INSERT ... unnest(...) per table, as data-modifying
// CTEs. Sibling CTEs see the same snapshot, so a delete never removes rows inserted beside it.
class Statement {
 public:
  explicit Statement(Realm realm) { params_.push_back(absl::StrCat(static_cast<int>(realm))); }

  // Deletes the rows of the resources (types[i], ids[i]).
  void Delete(absl::string_view table, const std::string& types, const std::string& ids) {
    const std::string t = Bind(types);
    const std::string i = Bind(ids);
    Add(absl::StrCat("DELETE FROM ", table, " WHERE realm = $1::smallint AND (type, id) IN "
                     "(SELECT * FROM unnest(", t, "::text[], ", i, "::text[]))"));
  }

  // `columns` name the table's columns after realm; `arrays` hold one array literal per column
  // with its SQL array type.
  void Insert(absl::string_view table, absl::string_view columns,
              std::vector<std::pair<std::string, absl::string_view>> arrays,
              absl::string_view suffix = "") {
    std::string unnest;
    for (auto& [literal, sql_type] : arrays) {
      absl::StrAppend(&unnest, unnest.empty() ? "" : ", ", Bind(std::move(literal)), "::", sql_type);
    }
    Add(absl::StrCat("INSERT INTO ", table, " (realm, ", columns,
                     ") SELECT $1::smallint, u.* FROM unnest(", unnest, ") AS u", suffix));
  }

  absl::Status Run(pg::Connection& c) {
    if (parts_.empty()) {
      return absl::OkStatus();
    }
    std::string sql = "WITH ";
    for (size_t i = 0; i < parts_.size(); ++i) {
      absl::StrAppend(&sql, i == 0 ? "" : ", ", "s", i, " AS (", parts_[i], ")");
    }
    sql += " SELECT 1";
    return c.Exec(sql, params_).status();
  }

 private:
  std::string Bind(std::string value) {
    params_.push_back(std::move(value));
    return absl::StrCat("$", params_.size());
  }
  void Add(std::string part) { parts_.push_back(std::move(part)); }
  std::vector<std::string> parts_;
  std::vector<pg::Param> params_;
};

// Decimal text that round-trips (StrCat would keep six digits of a double).
std::string Num(double v) { return absl::StrFormat("%.17g", v); }
std::string Num(int64_t v) { return absl::StrCat(v); }

// Columns of every resource's rows of one kind, flattened, with each row's type and id.
class Columns {
 public:
  explicit Columns(size_t n) : text_(n) {}
  void Row(absl::string_view type, absl::string_view id) {
    types_.emplace_back(type);
    ids_.emplace_back(id);
  }
  std::vector<std::string>& text(size_t i) { return text_[i]; }
  bool empty() const { return types_.empty(); }
  std::vector<std::pair<std::string, absl::string_view>> Arrays() {
    std::vector<std::pair<std::string, absl::string_view>> out = {{TextArray(types_), "text[]"},
                                                                  {TextArray(ids_), "text[]"}};
    for (auto& column : text_) {
      out.emplace_back(TextArray(column), "text[]");
    }
    return out;
  }

 private:
  std::vector<std::string> types_;
  std::vector<std::string> ids_;
  std::vector<std::vector<std::string>> text_;
};

std::string NumberArray(const std::vector<std::string>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

constexpr absl::string_view kTables[] = {"search_token",     "search_string",   "search_date",
                                         "search_reference", "search_number",   "search_quantity",
                                         "search_uri",       "search_position",
                                         "compartment"};

}  // namespace

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out.push_back(',');
    }
    AppendQuoted(out, values[i]);
  }
  out.push_back('}');
  return out;
}

absl::Status WriteIndex(pg::Connection& c, Realm realm, const std::vector<IndexUpdate>& updates) {
  using namespace fhirsearch;
  Statement s(realm);
  std::vector<std::string> stale_types;
  std::vector<std::string> stale_ids;
  // Columns after (type, id): text columns first, then numeric ones, per table.
  Columns tokens(4), strings(3), dates(1), references(4), numbers(1), quantities(4), uris(2),
      positions(1), compartment(1);
  std::vector<std::string> date_lo, date_hi, number_value, quantity_value, latitude, longitude;
  for (const IndexUpdate& u : updates) {
    if (!u.fresh) {
      stale_types.push_back(u.type);
      stale_ids.push_back(u.id);
    }
    if (u.rows == nullptr) {
      continue;
    }
    const IndexRows& rows = *u.rows;
    for (const TokenRow& r : rows.tokens) {
      tokens.Row(u.type, u.id);
      tokens.text(0).push_back(r.param);
      tokens.text(1).push_back(r.system);
      tokens.text(2).push_back(r.code);
      tokens.text(3).push_back(r.text);
    }
    for (const StringRow& r : rows.strings) {
      strings.Row(u.type, u.id);
      strings.text(0).push_back(r.param);
      strings.text(1).push_back(r.normalized);
      strings.text(2).push_back(r.exact);
    }
    for (const DateRow& r : rows.dates) {
      dates.Row(u.type, u.id);
      dates.text(0).push_back(r.param);
      date_lo.push_back(Num(r.lo));
      date_hi.push_back(Num(r.hi));
    }
    for (const ReferenceRow& r : rows.references) {
      references.Row(u.type, u.id);
      references.text(0).push_back(r.param);
      references.text(1).push_back(r.target_type);
      references.text(2).push_back(r.target_id);
      references.text(3).push_back(r.url);
    }
    for (const NumberRow& r : rows.numbers) {
      numbers.Row(u.type, u.id);
      numbers.text(0).push_back(r.param);
      number_value.push_back(Num(r.value));
    }
    for (const QuantityRow& r : rows.quantities) {
      quantities.Row(u.type, u.id);
      quantities.text(0).push_back(r.param);
      quantities.text(1).push_back(r.system);
      quantities.text(2).push_back(r.code);
      quantities.text(3).push_back(r.unit);
      quantity_value.push_back(Num(r.value));
    }
    for (const UriRow& r : rows.uris) {
      uris.Row(u.type, u.id);
      uris.text(0).push_back(r.param);
      uris.text(1).push_back(r.uri);
    }
    for (const PositionRow& r : rows.positions) {
      positions.Row(u.type, u.id);
      positions.text(0).push_back(r.param);
      latitude.push_back(Num(r.latitude));
      longitude.push_back(Num(r.longitude));
    }
    for (const std::string& patient : rows.compartment_patients) {
      compartment.Row(u.type, u.id);
      compartment.text(0).push_back(patient);
    }
  }
  if (!stale_types.empty()) {
    const std::string types = TextArray(stale_types);
    const std::string ids = TextArray(stale_ids);
    for (absl::string_view table : kTables) {
      s.Delete(table, types, ids);
    }
  }
  auto with = [](Columns& c, std::vector<std::pair<std::vector<std::string>*, absl::string_view>> extra) {
    auto arrays = c.Arrays();
    for (auto& [values, type] : extra) {
      arrays.emplace_back(NumberArray(*values), type);
    }
    return arrays;
  };
  if (!tokens.empty()) {
    s.Insert("search_token", "type, id, param, system, code, display", with(tokens, {}));
  }
  if (!strings.empty()) {
    s.Insert("search_string", "type, id, param, norm, exact", with(strings, {}));
  }
  if (!dates.empty()) {
    s.Insert("search_date", "type, id, param, lo, hi",
             with(dates, {{&date_lo, "bigint[]"}, {&date_hi, "bigint[]"}}));
  }
  if (!references.empty()) {
    s.Insert("search_reference", "type, id, param, target_type, target_id, url",
             with(references, {}));
  }
  if (!numbers.empty()) {
    s.Insert("search_number", "type, id, param, value", with(numbers, {{&number_value, "float8[]"}}));
  }
  if (!quantities.empty()) {
    s.Insert("search_quantity", "type, id, param, system, code, unit, value",
             with(quantities, {{&quantity_value, "float8[]"}}));
  }
  if (!uris.empty()) {
    s.Insert("search_uri", "type, id, param, uri", with(uris, {}));
  }
  if (!positions.empty()) {
    s.Insert("search_position", "type, id, param, latitude, longitude",
             with(positions, {{&latitude, "float8[]"}, {&longitude, "float8[]"}}));
  }
  if (!compartment.empty()) {
    s.Insert("compartment", "type, id, patient", with(compartment, {}), " ON CONFLICT DO NOTHING");
  }
  return s.Run(c);
}

}  // namespace planapi::fhirengine
