#include "libs/fhirengine/index_writer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

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
// CTEs. Sibling CTEs see the same snapshot, so the delete never removes the rows inserted beside
// it.
class Statement {
 public:
  Statement(Realm realm, absl::string_view type, absl::string_view id) {
    params_.push_back(absl::StrCat(static_cast<int>(realm)));
    params_.push_back(std::string(type));
    params_.push_back(std::string(id));
  }

  void Delete(absl::string_view table) {
    Add(absl::StrCat("DELETE FROM ", table, " WHERE realm = $1::smallint AND type = $2 AND id = $3"));
  }

  // `columns` name the table's columns after (realm, type, id); `arrays` hold one array literal
  // per column with its SQL array type.
  void Insert(absl::string_view table, absl::string_view columns,
              std::vector<std::pair<std::string, absl::string_view>> arrays) {
    std::string unnest;
    for (auto& [literal, sql_type] : arrays) {
      params_.push_back(std::move(literal));
      absl::StrAppend(&unnest, unnest.empty() ? "" : ", ", "$", params_.size(), "::", sql_type);
    }
    Add(absl::StrCat("INSERT INTO ", table, " (realm, type, id, ", columns,
                     ") SELECT $1::smallint, $2, $3, u.* FROM unnest(", unnest, ") AS u"));
  }

  void InsertCompartment(const std::vector<std::string>& patients) {
    params_.push_back(TextArray(patients));
    Add(absl::StrCat("INSERT INTO compartment (realm, patient, type, id) SELECT $1::smallint, "
                     "p, $2, $3 FROM unnest($",
                     params_.size(), "::text[]) AS p ON CONFLICT DO NOTHING"));
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
  void Add(std::string part) { parts_.push_back(std::move(part)); }
  std::vector<std::string> parts_;
  std::vector<pg::Param> params_;
};

template <typename Row, typename Field>
std::string Column(const std::vector<Row>& rows, Field field) {
  std::vector<std::string> values;
  values.reserve(rows.size());
  for (const Row& r : rows) {
    values.push_back(field(r));
  }
  return TextArray(values);
}

// Decimal text that round-trips (StrCat would keep six digits of a double).
std::string Num(double v) { return absl::StrFormat("%.17g", v); }
std::string Num(int64_t v) { return absl::StrCat(v); }

template <typename Row, typename Field>
std::string NumberColumn(const std::vector<Row>& rows, Field field) {
  std::string out = "{";
  for (size_t i = 0; i < rows.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ",", Num(field(rows[i])));
  }
  out += "}";
  return out;
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

absl::Status WriteIndex(pg::Connection& c, Realm realm, absl::string_view type,
                        absl::string_view id, const fhirsearch::IndexRows* rows, bool fresh) {
  Statement s(realm, type, id);
  if (!fresh) {
    for (absl::string_view table : kTables) {
      s.Delete(table);
    }
  }
  if (rows != nullptr) {
    using namespace fhirsearch;
    if (!rows->tokens.empty()) {
      const auto& t = rows->tokens;
      s.Insert("search_token", "param, system, code, display",
               {{Column(t, [](const TokenRow& r) { return r.param; }), "text[]"},
                {Column(t, [](const TokenRow& r) { return r.system; }), "text[]"},
                {Column(t, [](const TokenRow& r) { return r.code; }), "text[]"},
                {Column(t, [](const TokenRow& r) { return r.text; }), "text[]"}});
    }
    if (!rows->strings.empty()) {
      const auto& t = rows->strings;
      s.Insert("search_string", "param, norm, exact",
               {{Column(t, [](const StringRow& r) { return r.param; }), "text[]"},
                {Column(t, [](const StringRow& r) { return r.normalized; }), "text[]"},
                {Column(t, [](const StringRow& r) { return r.exact; }), "text[]"}});
    }
    if (!rows->dates.empty()) {
      const auto& t = rows->dates;
      s.Insert("search_date", "param, lo, hi",
               {{Column(t, [](const DateRow& r) { return r.param; }), "text[]"},
                {NumberColumn(t, [](const DateRow& r) { return r.lo; }), "bigint[]"},
                {NumberColumn(t, [](const DateRow& r) { return r.hi; }), "bigint[]"}});
    }
    if (!rows->references.empty()) {
      const auto& t = rows->references;
      s.Insert("search_reference", "param, target_type, target_id, url",
               {{Column(t, [](const ReferenceRow& r) { return r.param; }), "text[]"},
                {Column(t, [](const ReferenceRow& r) { return r.target_type; }), "text[]"},
                {Column(t, [](const ReferenceRow& r) { return r.target_id; }), "text[]"},
                {Column(t, [](const ReferenceRow& r) { return r.url; }), "text[]"}});
    }
    if (!rows->numbers.empty()) {
      const auto& t = rows->numbers;
      s.Insert("search_number", "param, value",
               {{Column(t, [](const NumberRow& r) { return r.param; }), "text[]"},
                {NumberColumn(t, [](const NumberRow& r) { return r.value; }), "float8[]"}});
    }
    if (!rows->quantities.empty()) {
      const auto& t = rows->quantities;
      s.Insert("search_quantity", "param, value, system, code, unit",
               {{Column(t, [](const QuantityRow& r) { return r.param; }), "text[]"},
                {NumberColumn(t, [](const QuantityRow& r) { return r.value; }), "float8[]"},
                {Column(t, [](const QuantityRow& r) { return r.system; }), "text[]"},
                {Column(t, [](const QuantityRow& r) { return r.code; }), "text[]"},
                {Column(t, [](const QuantityRow& r) { return r.unit; }), "text[]"}});
    }
    if (!rows->uris.empty()) {
      const auto& t = rows->uris;
      s.Insert("search_uri", "param, uri",
               {{Column(t, [](const UriRow& r) { return r.param; }), "text[]"},
                {Column(t, [](const UriRow& r) { return r.uri; }), "text[]"}});
    }
    if (!rows->positions.empty()) {
      const auto& t = rows->positions;
      s.Insert("search_position", "param, latitude, longitude",
               {{Column(t, [](const PositionRow& r) { return r.param; }), "text[]"},
                {NumberColumn(t, [](const PositionRow& r) { return r.latitude; }), "float8[]"},
                {NumberColumn(t, [](const PositionRow& r) { return r.longitude; }), "float8[]"}});
    }
    if (!rows->compartment_patients.empty()) {
      s.InsertCompartment(rows->compartment_patients);
    }
  }
  return s.Run(c);
}

}  // namespace planapi::fhirengine
