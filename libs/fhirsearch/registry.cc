// Registry::Load: the embedded SearchParameter bundles, layered core first and then each IG, and
// the patient CompartmentDefinition, compiled once into per-type lookup tables.
#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/fhirsearch/embedded_data.h"
#include "libs/fhirsearch/registry_data.h"
#include "libs/fhirsearch/search_params.h"
#include "libs/json/json.h"
#include "libs/status/status_macros.h"

namespace planapi::fhirsearch {
namespace {

constexpr absl::string_view kCompartmentFile = "compartmentdefinition-patient.json";
// Later layers replace earlier definitions with the same base and code. Data files not listed
// here are IGs too, loaded after these in name order.
constexpr absl::string_view kLayers[] = {"core-search-parameters.json", "us-core.json",
                                         "carin-bb.json", "plan-net.json"};

struct TypeName {
  ParamType type;
  absl::string_view name;
};
constexpr TypeName kTypeNames[] = {
    {ParamType::kNumber, "number"},       {ParamType::kDate, "date"},
    {ParamType::kString, "string"},       {ParamType::kToken, "token"},
    {ParamType::kReference, "reference"}, {ParamType::kComposite, "composite"},
    {ParamType::kQuantity, "quantity"},   {ParamType::kUri, "uri"},
    {ParamType::kSpecial, "special"},
};

absl::string_view Str(const rapidjson::Value& v) {
  return absl::string_view(v.GetString(), v.GetStringLength());
}

std::vector<std::string> Strings(const rapidjson::Value& object, const char* key) {
  std::vector<std::string> out;
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsArray()) {
    return out;
  }
  for (const rapidjson::Value& v : it->value.GetArray()) {
    if (v.IsString()) {
      out.emplace_back(Str(v));
    }
  }
  return out;
}

// Where a definition sits among the others for one (type, code): a later layer wins, and within
// a layer a definition for the type itself wins over a Resource-wide one.
struct Slot {
  SearchParam* param = nullptr;
  int priority = -1;
};

class Loader {
 public:
  explicit Loader(std::span<const absl::string_view> types) {
    for (absl::string_view t : types) {
      types_.insert(std::string(t));
    }
  }

  absl::Status LoadBundle(absl::string_view file, absl::string_view text, int layer) {
    absl::StatusOr<rapidjson::Document> doc = json::Parse(text);
    if (!doc.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": ", doc.status().message()));
    }
    auto entries = doc->FindMember("entry");
    if (!doc->IsObject() || entries == doc->MemberEnd() || !entries->value.IsArray()) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": expected a Bundle with entry[]"));
    }
    for (const rapidjson::Value& entry : entries->value.GetArray()) {
      auto resource = entry.FindMember("resource");
      if (resource == entry.MemberEnd() || !resource->value.IsObject()) {
        return absl::InvalidArgumentError(absl::StrCat(file, ": an entry without a resource"));
      }
      PLANAPI_RETURN_IF_ERROR(AddDefinition(file, resource->value, layer));
    }
    return absl::OkStatus();
  }

  absl::Status LoadCompartment(absl::string_view text) {
    PLANAPI_ASSIGN_OR_RETURN(rapidjson::Document doc, json::Parse(text));
    auto resources = doc.FindMember("resource");
    if (!doc.IsObject() || resources == doc.MemberEnd() || !resources->value.IsArray()) {
      return absl::InvalidArgumentError(
          absl::StrCat(kCompartmentFile, ": expected a CompartmentDefinition with resource[]"));
    }
    for (const rapidjson::Value& r : resources->value.GetArray()) {
      auto code = r.FindMember("code");
      if (code == r.MemberEnd() || !code->value.IsString() ||
          !types_.contains(Str(code->value))) {
        continue;
      }
      compartment_[std::string(Str(code->value))] = Strings(r, "param");
    }
    return absl::OkStatus();
  }

  std::unique_ptr<Registry::Data> Finish() {
    auto data = std::make_unique<Registry::Data>();
    absl::flat_hash_map<const SearchParam*, std::vector<std::string>> bases;
    for (const std::string& type : types_) {
      Registry::Data::Type& entry = data->types[type];
      auto slots = slots_.find(type);
      if (slots != slots_.end()) {
        for (const auto& [code, slot] : slots->second) {
          entry.by_code[code] = slot.param;
          entry.ordered.push_back(slot.param);
          bases[slot.param].push_back(type);
        }
      }
      std::sort(entry.ordered.begin(), entry.ordered.end(),
                [](const SearchParam* a, const SearchParam* b) { return a->code < b->code; });
      for (const SearchParam* p : entry.ordered) {
        // _id and _lastUpdated are columns of the resource table; composite parameters have no
        // rows of their own. Special ones are extracted: those that reach positions (near) index
        // them.
        if (p->code == "_id" || p->code == "_lastUpdated" || p->type == ParamType::kComposite ||
            p->expression.empty()) {
          continue;
        }
        entry.extracted.push_back(p);
      }
      if (type == "Patient") {
        entry.compartment = {"{def}"};
      } else if (auto c = compartment_.find(type); c != compartment_.end()) {
        entry.compartment = c->second;
      }
    }
    // Keep the definitions that won somewhere; their bases are the types they won.
    for (std::unique_ptr<SearchParam>& param : params_) {
      auto it = bases.find(param.get());
      if (it == bases.end()) {
        continue;
      }
      param->bases = std::move(it->second);
      std::sort(param->bases.begin(), param->bases.end());
      data->params.push_back(std::move(param));
    }
    return data;
  }

 private:
  absl::Status AddDefinition(absl::string_view file, const rapidjson::Value& sp, int layer) {
    auto param = std::make_unique<SearchParam>();
    auto member = [&](const char* key) -> absl::string_view {
      auto it = sp.FindMember(key);
      return it != sp.MemberEnd() && it->value.IsString() ? Str(it->value) : "";
    };
    param->code = std::string(member("code"));
    param->url = std::string(member("url"));
    if (param->code.empty() || param->url.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": a SearchParameter without code or url"));
    }
    const absl::string_view type = member("type");
    auto known = std::find_if(std::begin(kTypeNames), std::end(kTypeNames),
                              [&](const TypeName& t) { return t.name == type; });
    if (known == std::end(kTypeNames)) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": ", param->url, " has the unknown type '", type, "'"));
    }
    param->type = known->type;
    param->targets = Strings(sp, "target");
    if (const absl::string_view expression = member("expression"); !expression.empty()) {
      absl::StatusOr<fhirpath::Expression> parsed = fhirpath::Expression::Parse(expression);
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(file, ": ", param->url, ": ", parsed.status().message()));
      }
      param->expression = *std::move(parsed);
    }
    bool used = false;
    for (const std::string& base : Strings(sp, "base")) {
      const bool everywhere = base == "Resource" || base == "DomainResource";
      const int priority = layer * 2 + (everywhere ? 0 : 1);
      if (everywhere) {
        for (const std::string& t : types_) {
          used |= Place(t, param.get(), priority);
        }
      } else if (types_.contains(base)) {
        used |= Place(base, param.get(), priority);
      }
    }
    if (used) {
      params_.push_back(std::move(param));
    }
    return absl::OkStatus();
  }

  bool Place(const std::string& type, SearchParam* param, int priority) {
    Slot& slot = slots_[type][param->code];
    if (priority < slot.priority) {
      return false;
    }
    slot = Slot{param, priority};
    return true;
  }

  absl::flat_hash_set<std::string> types_;
  std::vector<std::unique_ptr<SearchParam>> params_;
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, Slot>> slots_;
  absl::flat_hash_map<std::string, std::vector<std::string>> compartment_;
};

}  // namespace

absl::string_view ParamTypeName(ParamType type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) {
      return t.name;
    }
  }
  return "unknown";
}

absl::StatusOr<std::shared_ptr<const Registry>> Registry::Load(
    std::span<const absl::string_view> types) {
  Loader loader(types);
  std::span<const internal::EmbeddedFile> files = internal::EmbeddedData();
  auto layer_of = [](absl::string_view name) {
    auto it = std::find(std::begin(kLayers), std::end(kLayers), name);
    return it == std::end(kLayers) ? static_cast<int>(std::size(kLayers))
                                   : static_cast<int>(it - std::begin(kLayers));
  };
  std::vector<const internal::EmbeddedFile*> ordered;
  for (const internal::EmbeddedFile& file : files) {
    if (file.name == kCompartmentFile) {
      PLANAPI_RETURN_IF_ERROR(loader.LoadCompartment(file.text));
    } else {
      ordered.push_back(&file);
    }
  }
  // Stable: files outside kLayers keep their name order.
  std::stable_sort(ordered.begin(), ordered.end(), [&](const auto* a, const auto* b) {
    return layer_of(a->name) < layer_of(b->name);
  });
  for (size_t i = 0; i < ordered.size(); ++i) {
    PLANAPI_RETURN_IF_ERROR(
        loader.LoadBundle(ordered[i]->name, ordered[i]->text, static_cast<int>(i)));
  }
  return std::make_shared<const Registry>(loader.Finish());
}

Registry::Registry(std::unique_ptr<Data> data) : data_(std::move(data)) {}
Registry::~Registry() = default;

const SearchParam* Registry::Find(absl::string_view type, absl::string_view code) const {
  auto t = data_->types.find(type);
  if (t == data_->types.end()) {
    return nullptr;
  }
  auto p = t->second.by_code.find(code);
  return p == t->second.by_code.end() ? nullptr : p->second;
}

std::vector<const SearchParam*> Registry::ForType(absl::string_view type) const {
  auto t = data_->types.find(type);
  return t == data_->types.end() ? std::vector<const SearchParam*>{} : t->second.ordered;
}

const std::vector<std::string>& Registry::PatientCompartment(absl::string_view type) const {
  static const std::vector<std::string> kNone;
  auto t = data_->types.find(type);
  return t == data_->types.end() ? kNone : t->second.compartment;
}

}  // namespace planapi::fhirsearch
