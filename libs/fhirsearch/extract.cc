// Extract: a resource's index rows, from the values each search parameter's expression reaches.
// The FHIR type of a value comes from the path when it says it (valuePeriod, `as Period`), else
// from its JSON shape; a value of a shape the parameter type cannot index is skipped.
#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "libs/fhirsearch/registry_data.h"
#include "libs/fhirsearch/search_params.h"

namespace planapi::fhirsearch {
namespace {

using fhirpath::Item;

enum class Shape {
  kOther,
  kString,  // any JSON string: string, code, uri, date, ...
  kBoolean,
  kNumber,
  kCoding,
  kCodeableConcept,
  kIdentifier,
  kContactPoint,
  kHumanName,
  kAddress,
  kPeriod,
  kTiming,
  kReference,
  kQuantity,
  kMoney,
};

absl::string_view Str(const rapidjson::Value& v) {
  return absl::string_view(v.GetString(), v.GetStringLength());
}

const rapidjson::Value* Get(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

absl::string_view GetString(const rapidjson::Value& object, const char* key) {
  const rapidjson::Value* v = Get(object, key);
  return v != nullptr && v->IsString() ? Str(*v) : absl::string_view();
}

bool IsContactPointSystem(absl::string_view s) {
  static constexpr absl::string_view kSystems[] = {"phone", "fax", "email", "pager",
                                                   "url",   "sms", "other"};
  return std::find(std::begin(kSystems), std::end(kSystems), s) != std::end(kSystems);
}

Shape ShapeFromType(absl::string_view type) {
  struct Entry {
    absl::string_view type;
    Shape shape;
  };
  static constexpr Entry kTypes[] = {
      {"Coding", Shape::kCoding},
      {"CodeableConcept", Shape::kCodeableConcept},
      {"Identifier", Shape::kIdentifier},
      {"ContactPoint", Shape::kContactPoint},
      {"HumanName", Shape::kHumanName},
      {"Address", Shape::kAddress},
      {"Period", Shape::kPeriod},
      {"Timing", Shape::kTiming},
      {"Reference", Shape::kReference},
      {"Quantity", Shape::kQuantity},
      {"SimpleQuantity", Shape::kQuantity},
      {"Age", Shape::kQuantity},
      {"Duration", Shape::kQuantity},
      {"Distance", Shape::kQuantity},
      {"Count", Shape::kQuantity},
      {"Money", Shape::kMoney},
  };
  for (const Entry& e : kTypes) {
    if (e.type == type) {
      return e.shape;
    }
  }
  return Shape::kOther;
}

Shape ShapeOf(const Item& item) {
  const rapidjson::Value& v = *item.value;
  if (v.IsString()) {
    return Shape::kString;
  }
  if (v.IsBool()) {
    return Shape::kBoolean;
  }
  if (v.IsNumber()) {
    return Shape::kNumber;
  }
  if (!v.IsObject()) {
    return Shape::kOther;
  }
  if (!item.type.empty()) {
    if (const Shape shape = ShapeFromType(item.type); shape != Shape::kOther) {
      return shape;
    }
  }
  // The path did not say: guess from the members, most distinctive first.
  if (v.HasMember("coding")) {
    return Shape::kCodeableConcept;
  }
  if (v.HasMember("reference")) {
    return Shape::kReference;
  }
  if (v.HasMember("family") || v.HasMember("given")) {
    return Shape::kHumanName;
  }
  if (v.HasMember("line") || v.HasMember("city") || v.HasMember("postalCode") ||
      v.HasMember("state") || v.HasMember("country") || v.HasMember("district")) {
    return Shape::kAddress;
  }
  if (v.HasMember("currency")) {
    return Shape::kMoney;
  }
  if (const rapidjson::Value* value = Get(v, "value")) {
    if (value->IsNumber()) {
      return Shape::kQuantity;
    }
    if (value->IsString()) {
      return IsContactPointSystem(GetString(v, "system")) ? Shape::kContactPoint
                                                          : Shape::kIdentifier;
    }
  }
  if (v.HasMember("start") || v.HasMember("end")) {
    return Shape::kPeriod;
  }
  if (v.HasMember("event") || v.HasMember("repeat")) {
    return Shape::kTiming;
  }
  if (v.HasMember("code") || v.HasMember("system")) {
    return Shape::kCoding;
  }
  if (v.HasMember("text")) {
    return Shape::kCodeableConcept;
  }
  if (v.HasMember("prefix") || v.HasMember("suffix")) {
    return Shape::kHumanName;
  }
  return Shape::kOther;
}

// Calls `f` for each string in object[key], a string or an array of strings.
template <typename F>
void ForEachString(const rapidjson::Value& object, const char* key, F&& f) {
  const rapidjson::Value* v = Get(object, key);
  if (v == nullptr) {
    return;
  }
  if (v->IsString()) {
    f(Str(*v));
  } else if (v->IsArray()) {
    for (const rapidjson::Value& e : v->GetArray()) {
      if (e.IsString()) {
        f(Str(e));
      }
    }
  }
}

class Extractor {
 public:
  explicit Extractor(IndexRows& rows) : rows_(rows) {}

  void Add(const SearchParam& param, const Item& item) {
    param_ = &param;
    // An expression that stops at an extension (Plan-Net's `network`) means the extension's
    // value[x].
    bool unwrapped = false;
    if (IsExtension(item)) {
      const rapidjson::Value& v = *item.value;
      for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
        const absl::string_view key = Str(m->name);
        if (key.size() > 5 && key.substr(0, 5) == "value" &&
            absl::ascii_isupper(static_cast<unsigned char>(key[5]))) {
          AddValue(Item{&m->value, std::string(key.substr(5))});
          unwrapped = true;
        }
      }
    }
    if (!unwrapped) {
      AddValue(item);
    }
  }

 private:
  static bool IsExtension(const Item& item) {
    const rapidjson::Value& v = *item.value;
    if (!v.IsObject()) {
      return false;
    }
    if (item.type == "Extension") {
      return true;
    }
    const rapidjson::Value* url = Get(v, "url");
    return item.type.empty() && url != nullptr && url->IsString() && !v.HasMember("resourceType") &&
           !v.HasMember("reference") && !v.HasMember("value") && !v.HasMember("code");
  }

  void AddValue(const Item& item) {
    const SearchParam& param = *param_;
    switch (param.type) {
      case ParamType::kToken:
        Token(item);
        break;
      case ParamType::kString:
        String(item);
        break;
      case ParamType::kDate:
        Date(item);
        break;
      case ParamType::kReference:
        Reference(item);
        break;
      case ParamType::kQuantity:
        Quantity(item);
        break;
      case ParamType::kNumber:
        if (item.value->IsNumber()) {
          rows_.numbers.push_back({param.code, item.value->GetDouble()});
        }
        break;
      case ParamType::kUri:
        if (item.value->IsString()) {
          rows_.uris.push_back({param.code, std::string(Str(*item.value))});
        }
        break;
      case ParamType::kSpecial:
        Position(item);
        break;
      case ParamType::kComposite:
        break;
    }
  }

  // A value with latitude and longitude (Location.position); anything else a special parameter
  // reaches has no meaning we know, and is skipped.
  void Position(const Item& item) {
    const rapidjson::Value& v = *item.value;
    if (!v.IsObject()) {
      return;
    }
    const rapidjson::Value* lat = Get(v, "latitude");
    const rapidjson::Value* lon = Get(v, "longitude");
    if (lat == nullptr || lon == nullptr || !lat->IsNumber() || !lon->IsNumber()) {
      return;
    }
    const double latitude = lat->GetDouble();
    const double longitude = lon->GetDouble();
    if (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180) {
      return;
    }
    rows_.positions.push_back({param_->code, latitude, longitude});
  }

  void TokenRow(absl::string_view system, absl::string_view code, absl::string_view text) {
    if (code.empty() && text.empty()) {
      return;
    }
    rows_.tokens.push_back({param_->code, std::string(system), std::string(code),
                            text.empty() ? std::string() : NormalizeString(text)});
  }

  // `concept_text` is the enclosing CodeableConcept's text, searched by :text with the display.
  // Returns whether a row was made.
  bool Coding(const rapidjson::Value& coding, absl::string_view concept_text = "") {
    if (!coding.IsObject()) {
      return false;
    }
    const absl::string_view code = GetString(coding, "code");
    if (code.empty()) {
      return false;
    }
    const absl::string_view display = GetString(coding, "display");
    if (concept_text.empty() || concept_text == display) {
      TokenRow(GetString(coding, "system"), code, display);
    } else if (display.empty()) {
      TokenRow(GetString(coding, "system"), code, concept_text);
    } else {
      TokenRow(GetString(coding, "system"), code, absl::StrCat(display, " ", concept_text));
    }
    return true;
  }

  void Token(const Item& item) {
    const rapidjson::Value& v = *item.value;
    switch (ShapeOf(item)) {
      case Shape::kString:
        TokenRow("", Str(v), "");
        break;
      case Shape::kBoolean:
        TokenRow("", v.GetBool() ? "true" : "false", "");
        break;
      case Shape::kCoding:
        Coding(v);
        break;
      case Shape::kCodeableConcept: {
        // The concept's text rides on each coding's row (for :text); a concept with text but
        // no coding gets a row of its own. One row per coding keeps the index small: tokens
        // are most of it.
        const absl::string_view text = GetString(v, "text");
        bool any = false;
        if (const rapidjson::Value* codings = Get(v, "coding"); codings && codings->IsArray()) {
          for (const rapidjson::Value& coding : codings->GetArray()) {
            any = Coding(coding, text) || any;
          }
        }
        if (!any) {
          TokenRow("", "", text);
        }
        break;
      }
      case Shape::kIdentifier: {
        const absl::string_view value = GetString(v, "value");
        absl::string_view type_text;
        if (const rapidjson::Value* type = Get(v, "type"); type && type->IsObject()) {
          type_text = GetString(*type, "text");
        }
        if (!value.empty()) {
          TokenRow(GetString(v, "system"), value, type_text);
        }
        break;
      }
      case Shape::kContactPoint:
        TokenRow("", GetString(v, "value"), "");
        break;
      default:
        break;
    }
  }

  void StringRow(absl::string_view s) {
    if (!s.empty()) {
      rows_.strings.push_back({param_->code, NormalizeString(s), std::string(s)});
    }
  }

  void String(const Item& item) {
    const rapidjson::Value& v = *item.value;
    switch (ShapeOf(item)) {
      case Shape::kString:
        StringRow(Str(v));
        break;
      case Shape::kHumanName:
        for (const char* part : {"family", "given", "prefix", "suffix", "text"}) {
          ForEachString(v, part, [&](absl::string_view s) { StringRow(s); });
        }
        break;
      case Shape::kAddress:
        for (const char* part :
             {"line", "city", "district", "state", "postalCode", "country", "text"}) {
          ForEachString(v, part, [&](absl::string_view s) { StringRow(s); });
        }
        break;
      default:
        break;
    }
  }

  void DateRow(int64_t lo, int64_t hi) { rows_.dates.push_back({param_->code, lo, hi}); }

  void Date(const Item& item) {
    const rapidjson::Value& v = *item.value;
    switch (ShapeOf(item)) {
      case Shape::kString:
        if (absl::StatusOr<DateRange> r = ParseDateRange(Str(v)); r.ok()) {
          DateRow(r->lo, r->hi);
        }
        break;
      case Shape::kPeriod: {
        DateRange range;  // open at both ends
        const absl::string_view start = GetString(v, "start");
        const absl::string_view end = GetString(v, "end");
        if (start.empty() && end.empty()) {
          break;
        }
        if (!start.empty()) {
          absl::StatusOr<DateRange> r = ParseDateRange(start);
          if (!r.ok()) {
            break;
          }
          range.lo = r->lo;
        }
        if (!end.empty()) {
          absl::StatusOr<DateRange> r = ParseDateRange(end);
          if (!r.ok()) {
            break;
          }
          range.hi = r->hi;
        }
        DateRow(range.lo, range.hi);
        break;
      }
      case Shape::kTiming:
        ForEachString(v, "event", [&](absl::string_view s) {
          if (absl::StatusOr<DateRange> r = ParseDateRange(s); r.ok()) {
            DateRow(r->lo, r->hi);
          }
        });
        break;
      default:
        break;
    }
  }

  void Reference(const Item& item) {
    const rapidjson::Value& v = *item.value;
    switch (ShapeOf(item)) {
      case Shape::kString:  // canonical or uri
        rows_.references.push_back({param_->code, "", "", std::string(Str(v))});
        break;
      case Shape::kReference: {
        const absl::string_view reference = GetString(v, "reference");
        if (reference.empty()) {
          break;
        }
        if (reference[0] == '#') {
          // A contained resource: nothing to join to, but the element is present (:missing).
          rows_.references.push_back({param_->code, "", "", std::string(reference)});
          break;
        }
        ReferenceRow(reference, GetString(v, "type"));
        break;
      }
      default:
        break;
    }
  }

  // "Type/id", "Type/id/_history/v", "https://server/fhir/Type/id", "urn:uuid:...".
  void ReferenceRow(absl::string_view reference, absl::string_view declared_type) {
    const bool absolute = absl::StrContains(reference, ":");
    absl::string_view path = reference;
    if (const size_t h = path.find("/_history/"); h != absl::string_view::npos) {
      path = path.substr(0, h);
    }
    absl::string_view type;
    absl::string_view id;
    if (path.find_first_of("?") == absl::string_view::npos) {
      const size_t last = path.rfind('/');
      if (last != absl::string_view::npos && last > 0 && last + 1 < path.size()) {
        const size_t prev = path.rfind('/', last - 1);
        type = prev == absl::string_view::npos ? path.substr(0, last)
                                               : path.substr(prev + 1, last - prev - 1);
        id = path.substr(last + 1);
        const bool type_ok =
            !type.empty() && absl::ascii_isupper(static_cast<unsigned char>(type[0])) &&
            std::all_of(type.begin(), type.end(),
                        [](char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)); });
        if (!type_ok) {
          type = {};
          id = {};
        }
      }
    }
    if (type.empty() && !absolute) {
      return;  // neither Type/id nor a URL: nothing to match
    }
    if (type.empty()) {
      type = declared_type;
    }
    rows_.references.push_back({param_->code, std::string(type), std::string(id),
                                absolute ? std::string(reference) : std::string()});
  }

  void Quantity(const Item& item) {
    const rapidjson::Value& v = *item.value;
    switch (ShapeOf(item)) {
      case Shape::kNumber:
        rows_.quantities.push_back({param_->code, v.GetDouble(), "", "", ""});
        break;
      case Shape::kQuantity: {
        const rapidjson::Value* value = Get(v, "value");
        if (value != nullptr && value->IsNumber()) {
          rows_.quantities.push_back({param_->code, value->GetDouble(),
                                      std::string(GetString(v, "system")),
                                      std::string(GetString(v, "code")),
                                      std::string(GetString(v, "unit"))});
        }
        break;
      }
      case Shape::kMoney: {
        const rapidjson::Value* value = Get(v, "value");
        if (value != nullptr && value->IsNumber()) {
          const absl::string_view currency = GetString(v, "currency");
          rows_.quantities.push_back({param_->code, value->GetDouble(),
                                      currency.empty() ? "" : "urn:iso:std:iso:4217",
                                      std::string(currency), ""});
        }
        break;
      }
      default:
        break;
    }
  }

  IndexRows& rows_;
  const SearchParam* param_ = nullptr;
};

template <typename Row, typename Key>
void SortUnique(std::vector<Row>& rows, Key key) {
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) { return key(a) < key(b); });
  rows.erase(std::unique(rows.begin(), rows.end(),
                         [&](const Row& a, const Row& b) { return key(a) == key(b); }),
             rows.end());
}

void RemoveDuplicates(IndexRows& rows) {
  SortUnique(rows.tokens, [](const TokenRow& r) { return std::tie(r.param, r.system, r.code, r.text); });
  SortUnique(rows.strings, [](const StringRow& r) { return std::tie(r.param, r.exact); });
  SortUnique(rows.dates, [](const DateRow& r) { return std::tie(r.param, r.lo, r.hi); });
  SortUnique(rows.references, [](const ReferenceRow& r) {
    return std::tie(r.param, r.target_type, r.target_id, r.url);
  });
  SortUnique(rows.numbers, [](const NumberRow& r) { return std::tie(r.param, r.value); });
  SortUnique(rows.quantities, [](const QuantityRow& r) {
    return std::tie(r.param, r.value, r.system, r.code, r.unit);
  });
  SortUnique(rows.uris, [](const UriRow& r) { return std::tie(r.param, r.uri); });
  SortUnique(rows.positions, [](const PositionRow& r) {
    return std::tie(r.param, r.latitude, r.longitude);
  });
  SortUnique(rows.compartment_patients, [](const std::string& s) { return std::tie(s); });
}

}  // namespace

IndexRows Extract(const Registry& registry, absl::string_view type,
                  const rapidjson::Value& resource) {
  IndexRows rows;
  const Registry::Data& data = registry.data();
  auto entry = data.types.find(type);
  if (entry == data.types.end() || !resource.IsObject()) {
    return rows;
  }
  Extractor extractor(rows);
  for (const SearchParam* param : entry->second.extracted) {
    for (const Item& item : param->expression.Evaluate(resource)) {
      extractor.Add(*param, item);
    }
  }
  if (type == "Patient") {
    if (const absl::string_view id = GetString(resource, "id"); !id.empty()) {
      rows.compartment_patients.emplace_back(id);
    }
  } else {
    const std::vector<std::string>& compartment = entry->second.compartment;
    for (const ReferenceRow& row : rows.references) {
      if (row.target_type == "Patient" && !row.target_id.empty() &&
          std::find(compartment.begin(), compartment.end(), row.param) != compartment.end()) {
        rows.compartment_patients.push_back(row.target_id);
      }
    }
  }
  RemoveDuplicates(rows);
  return rows;
}

}  // namespace planapi::fhirsearch
