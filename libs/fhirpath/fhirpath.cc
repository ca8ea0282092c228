#include "libs/fhirpath/fhirpath.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace planapi::fhirpath {

// The AST. One struct for every kind keeps the evaluator a single switch; fields a kind does not
// use stay empty.
struct Expression::Node {
  enum class Kind {
    kIdentifier,  // `name`: a member of each input item or, at a path start, a resource type
    kFunction,    // `source.fn(args)`
    kString,      // 'text'
    kBoolean,     // true / false
    kThis,        // $this
    kUnion,       // lhs | rhs
    kEqual,       // lhs = rhs
    kNotEqual,    // lhs != rhs
    kAnd,         // lhs and rhs
    kOr,          // lhs or rhs
    kIs,          // lhs is Type
    kAs,          // lhs as Type
  };
  enum class Function { kNone, kWhere, kExists, kFirst, kAs, kIs, kOfType, kResolve, kExtension };

  Kind kind = Kind::kIdentifier;
  Function function = Function::kNone;
  std::string text;  // identifier, literal text, type name or extension url
  bool boolean = false;
  std::shared_ptr<const Node> source;  // the input collection; null: the evaluation context
  std::shared_ptr<const Node> lhs;
  std::shared_ptr<const Node> rhs;  // also the criteria of where() / exists()
  rapidjson::Value literal;          // kString: refers to `text`, so results can point at it
};

namespace {

using Node = Expression::Node;
using NodePtr = std::shared_ptr<const Node>;
using Collection = std::vector<Item>;

// ---------------------------------------------------------------------------------------------
// Lexer

enum class TokenKind { kEnd, kIdentifier, kString, kNumber, kVariable, kSymbol };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // identifier (backticks removed), unescaped string, symbol
  size_t offset = 0;
};

absl::Status Unsupported(absl::string_view what, absl::string_view expression) {
  return absl::InvalidArgumentError(
      absl::StrCat("FHIRPath: ", what, " is not supported, in '", expression, "'"));
}

absl::StatusOr<std::vector<Token>> Lex(absl::string_view in) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token token;
    token.offset = i;
    if (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < in.size() &&
             (absl::ascii_isalnum(static_cast<unsigned char>(in[j])) || in[j] == '_')) {
        ++j;
      }
      token.kind = TokenKind::kIdentifier;
      token.text = std::string(in.substr(i, j - i));
      i = j;
    } else if (c == '`') {
      const size_t end = in.find('`', i + 1);
      if (end == absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("FHIRPath: unterminated `identifier` in '", in, "'"));
      }
      token.kind = TokenKind::kIdentifier;
      token.text = std::string(in.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '\'') {
      std::string text;
      size_t j = i + 1;
      bool closed = false;
      while (j < in.size()) {
        const char d = in[j];
        if (d == '\'') {
          closed = true;
          ++j;
          break;
        }
        if (d == '\\' && j + 1 < in.size()) {
          const char e = in[j + 1];
          switch (e) {
            case 'n': text += '\n'; break;
            case 't': text += '\t'; break;
            case 'r': text += '\r'; break;
            case 'f': text += '\f'; break;
            case '\'': case '"': case '`': case '\\': case '/': text += e; break;
            default:
              return Unsupported(absl::StrCat("the escape \\", std::string(1, e)), in);
          }
          j += 2;
          continue;
        }
        text += d;
        ++j;
      }
      if (!closed) {
        return absl::InvalidArgumentError(
            absl::StrCat("FHIRPath: unterminated string literal in '", in, "'"));
      }
      token.kind = TokenKind::kString;
      token.text = std::move(text);
      i = j;
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < in.size() && (absl::ascii_isdigit(static_cast<unsigned char>(in[j])) || in[j] == '.')) {
        ++j;
      }
      token.kind = TokenKind::kNumber;
      token.text = std::string(in.substr(i, j - i));
      i = j;
    } else if (c == '$' || c == '%') {
      size_t j = i + 1;
      while (j < in.size() &&
             (absl::ascii_isalnum(static_cast<unsigned char>(in[j])) || in[j] == '_')) {
        ++j;
      }
      token.kind = TokenKind::kVariable;
      token.text = std::string(in.substr(i, j - i));
      i = j;
    } else {
      static constexpr const char* kTwo[] = {"!=", "<=", ">=", "!~"};
      token.kind = TokenKind::kSymbol;
      token.text = std::string(1, c);
      for (const char* two : kTwo) {
        if (in.substr(i, 2) == two) {
          token.text = two;
        }
      }
      i += token.text.size();
    }
    tokens.push_back(std::move(token));
  }
  tokens.push_back(Token{TokenKind::kEnd, "", in.size()});
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser: recursive descent over the FHIRPath grammar, lowest precedence first:
//   or  ->  and  ->  = !=  ->  |  ->  is/as  ->  postfix (term ('.' invocation)*)

class Parser {
 public:
  Parser(absl::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  absl::StatusOr<NodePtr> ParseAll() {
    absl::StatusOr<NodePtr> node = ParseOr();
    if (!node.ok()) {
      return node;
    }
    if (Peek().kind != TokenKind::kEnd) {
      return Unexpected();
    }
    return node;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool IsSymbol(absl::string_view symbol, size_t ahead = 0) const {
    return Peek(ahead).kind == TokenKind::kSymbol && Peek(ahead).text == symbol;
  }
  bool IsKeyword(absl::string_view word) const {
    return Peek().kind == TokenKind::kIdentifier && Peek().text == word;
  }

  absl::Status Unexpected() const {
    const Token& token = Peek();
    if (token.kind == TokenKind::kEnd) {
      return absl::InvalidArgumentError(
          absl::StrCat("FHIRPath: unexpected end of expression in '", text_, "'"));
    }
    static constexpr absl::string_view kOperators[] = {"xor", "implies", "in", "contains", "div",
                                                       "mod"};
    for (absl::string_view op : kOperators) {
      if (token.kind == TokenKind::kIdentifier && token.text == op) {
        return Unsupported(absl::StrCat("the operator '", op, "'"), text_);
      }
    }
    static constexpr absl::string_view kSymbols[] = {"+", "-", "*", "/", "&", "<", ">",
                                                     "<=", ">=", "~", "!~", "[", "@"};
    if (token.kind == TokenKind::kSymbol &&
        std::find(std::begin(kSymbols), std::end(kSymbols), token.text) != std::end(kSymbols)) {
      return Unsupported(absl::StrCat("the operator '", token.text, "'"), text_);
    }
    return absl::InvalidArgumentError(absl::StrCat("FHIRPath: unexpected '", token.text,
                                                   "' at offset ", token.offset, " in '", text_,
                                                   "'"));
  }

  static NodePtr Binary(Node::Kind kind, NodePtr lhs, NodePtr rhs) {
    auto node = std::make_shared<Node>();
    node->kind = kind;
    node->lhs = std::move(lhs);
    node->rhs = std::move(rhs);
    return node;
  }

  absl::StatusOr<NodePtr> ParseOr() {
    absl::StatusOr<NodePtr> lhs = ParseAnd();
    while (lhs.ok() && IsKeyword("or")) {
      ++pos_;
      absl::StatusOr<NodePtr> rhs = ParseAnd();
      if (!rhs.ok()) {
        return rhs;
      }
      lhs = Binary(Node::Kind::kOr, *std::move(lhs), *std::move(rhs));
    }
    return lhs;
  }

  absl::StatusOr<NodePtr> ParseAnd() {
    absl::StatusOr<NodePtr> lhs = ParseEquality();
    while (lhs.ok() && IsKeyword("and")) {
      ++pos_;
      absl::StatusOr<NodePtr> rhs = ParseEquality();
      if (!rhs.ok()) {
        return rhs;
      }
      lhs = Binary(Node::Kind::kAnd, *std::move(lhs), *std::move(rhs));
    }
    return lhs;
  }

  absl::StatusOr<NodePtr> ParseEquality() {
    absl::StatusOr<NodePtr> lhs = ParseUnion();
    while (lhs.ok() && (IsSymbol("=") || IsSymbol("!="))) {
      const Node::Kind kind = IsSymbol("=") ? Node::Kind::kEqual : Node::Kind::kNotEqual;
      ++pos_;
      absl::StatusOr<NodePtr> rhs = ParseUnion();
      if (!rhs.ok()) {
        return rhs;
      }
      lhs = Binary(kind, *std::move(lhs), *std::move(rhs));
    }
    return lhs;
  }

  absl::StatusOr<NodePtr> ParseUnion() {
    absl::StatusOr<NodePtr> lhs = ParseType();
    while (lhs.ok() && IsSymbol("|")) {
      ++pos_;
      absl::StatusOr<NodePtr> rhs = ParseType();
      if (!rhs.ok()) {
        return rhs;
      }
      lhs = Binary(Node::Kind::kUnion, *std::move(lhs), *std::move(rhs));
    }
    return lhs;
  }

  absl::StatusOr<NodePtr> ParseType() {
    absl::StatusOr<NodePtr> lhs = ParsePostfix();
    while (lhs.ok() && (IsKeyword("is") || IsKeyword("as"))) {
      const Node::Kind kind = IsKeyword("is") ? Node::Kind::kIs : Node::Kind::kAs;
      ++pos_;
      absl::StatusOr<std::string> type = ParseTypeSpecifier();
      if (!type.ok()) {
        return type.status();
      }
      auto node = std::make_shared<Node>();
      node->kind = kind;
      node->lhs = *std::move(lhs);
      node->text = *std::move(type);
      lhs = NodePtr(std::move(node));
    }
    return lhs;
  }

  // `Period`, `FHIR.Period` or `System.String`: the type name without its namespace.
  absl::StatusOr<std::string> ParseTypeSpecifier() {
    if (Peek().kind != TokenKind::kIdentifier) {
      return Unexpected();
    }
    std::string name = Peek().text;
    ++pos_;
    if ((name == "FHIR" || name == "System") && IsSymbol(".") &&
        Peek(1).kind == TokenKind::kIdentifier) {
      name = Peek(1).text;
      pos_ += 2;
    }
    return name;
  }

  absl::StatusOr<NodePtr> ParsePostfix() {
    absl::StatusOr<NodePtr> node = ParseTerm();
    while (node.ok() && IsSymbol(".")) {
      ++pos_;
      node = ParseInvocation(*std::move(node));
    }
    if (node.ok() && IsSymbol("[")) {
      return Unsupported("indexing with []", text_);
    }
    return node;
  }

  absl::StatusOr<NodePtr> ParseTerm() {
    const Token& token = Peek();
    switch (token.kind) {
      case TokenKind::kString: {
        auto node = std::make_shared<Node>();
        node->kind = Node::Kind::kString;
        node->text = token.text;
        node->literal.SetString(rapidjson::StringRef(node->text.data(), node->text.size()));
        ++pos_;
        return NodePtr(std::move(node));
      }
      case TokenKind::kNumber:
        return Unsupported(absl::StrCat("the number literal ", token.text), text_);
      case TokenKind::kVariable: {
        if (token.text != "$this") {
          return Unsupported(absl::StrCat("the variable ", token.text), text_);
        }
        auto node = std::make_shared<Node>();
        node->kind = Node::Kind::kThis;
        ++pos_;
        return NodePtr(std::move(node));
      }
      case TokenKind::kIdentifier:
        if (token.text == "true" || token.text == "false") {
          auto node = std::make_shared<Node>();
          node->kind = Node::Kind::kBoolean;
          node->boolean = token.text == "true";
          ++pos_;
          return NodePtr(std::move(node));
        }
        return ParseInvocation(nullptr);
      case TokenKind::kSymbol:
        if (token.text == "(") {
          ++pos_;
          absl::StatusOr<NodePtr> inner = ParseOr();
          if (!inner.ok()) {
            return inner;
          }
          if (!IsSymbol(")")) {
            return Unexpected();
          }
          ++pos_;
          return inner;
        }
        if (token.text == "{") {
          return Unsupported("the empty collection {}", text_);
        }
        return Unexpected();
      case TokenKind::kEnd:
        return Unexpected();
    }
    return Unexpected();
  }

  // An identifier or a function call applied to `source` (null: the context).
  absl::StatusOr<NodePtr> ParseInvocation(NodePtr source) {
    if (Peek().kind != TokenKind::kIdentifier) {
      return Unexpected();
    }
    const std::string name = Peek().text;
    ++pos_;
    auto node = std::make_shared<Node>();
    node->source = std::move(source);
    if (!IsSymbol("(")) {
      node->kind = Node::Kind::kIdentifier;
      node->text = name;
      return NodePtr(std::move(node));
    }
    ++pos_;  // (
    node->kind = Node::Kind::kFunction;
    if (name == "where" || name == "exists") {
      node->function = name == "where" ? Node::Function::kWhere : Node::Function::kExists;
      if (!(name == "exists" && IsSymbol(")"))) {
        absl::StatusOr<NodePtr> criteria = ParseOr();
        if (!criteria.ok()) {
          return criteria;
        }
        node->rhs = *std::move(criteria);
      }
    } else if (name == "first" || name == "resolve") {
      node->function = name == "first" ? Node::Function::kFirst : Node::Function::kResolve;
    } else if (name == "as" || name == "is" || name == "ofType") {
      node->function = name == "as"   ? Node::Function::kAs
                       : name == "is" ? Node::Function::kIs
                                      : Node::Function::kOfType;
      absl::StatusOr<std::string> type = ParseTypeSpecifier();
      if (!type.ok()) {
        return type.status();
      }
      node->text = *std::move(type);
    } else if (name == "extension") {
      node->function = Node::Function::kExtension;
      if (Peek().kind != TokenKind::kString) {
        return Unsupported("extension() without a string literal url", text_);
      }
      node->text = Peek().text;
      ++pos_;
    } else {
      return Unsupported(absl::StrCat("the function ", name, "()"), text_);
    }
    if (!IsSymbol(")")) {
      return Unexpected();
    }
    ++pos_;
    return NodePtr(std::move(node));
  }

  absl::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Evaluation

const rapidjson::Value& BooleanValue(bool b) {
  static const rapidjson::Value kTrue(true);
  static const rapidjson::Value kFalse(false);
  return b ? kTrue : kFalse;
}

Collection Boolean(bool b) { return {Item{&BooleanValue(b), "boolean"}}; }

absl::string_view StringOf(const rapidjson::Value& v) {
  return absl::string_view(v.GetString(), v.GetStringLength());
}

constexpr absl::string_view kPrimitiveTypes[] = {
    "boolean", "integer", "string",  "decimal",      "uri",      "url",        "canonical",
    "base64Binary", "instant", "date", "dateTime",   "time",     "code",       "oid",
    "id",      "markdown", "unsignedInt", "positiveInt", "uuid", "xhtml"};

bool IsPrimitiveType(absl::string_view name) {
  for (absl::string_view p : kPrimitiveTypes) {
    if (p == name) {
      return true;
    }
  }
  return false;
}

// "DateTime" (a choice suffix) -> "dateTime"; complex types keep their case.
std::string TypeFromSuffix(absl::string_view suffix) {
  std::string lower(suffix);
  lower[0] = absl::ascii_tolower(static_cast<unsigned char>(lower[0]));
  if (IsPrimitiveType(lower)) {
    return lower;
  }
  return std::string(suffix);
}

void AppendFlattened(const rapidjson::Value& v, std::string type, Collection& out) {
  if (v.IsArray()) {
    for (const rapidjson::Value& element : v.GetArray()) {
      if (!element.IsNull()) {
        out.push_back(Item{&element, type});
      }
    }
  } else if (!v.IsNull()) {
    out.push_back(Item{&v, std::move(type)});
  }
}

// `name` of one item: the member itself or, for a choice element, every `name<Type>` member.
void Member(const Item& item, absl::string_view name, Collection& out) {
  const rapidjson::Value& v = *item.value;
  if (!v.IsObject()) {
    return;
  }
  auto it = v.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  if (it != v.MemberEnd()) {
    AppendFlattened(it->value, "", out);
    return;
  }
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    const absl::string_view key = StringOf(m->name);
    if (key.size() > name.size() && key.substr(0, name.size()) == name &&
        absl::ascii_isupper(static_cast<unsigned char>(key[name.size()]))) {
      AppendFlattened(m->value, TypeFromSuffix(key.substr(name.size())), out);
    }
  }
}

bool IsDateLike(absl::string_view s) {
  // YYYY, YYYY-MM, YYYY-MM-DD, optionally followed by Thh:mm...
  if (s.size() < 4) {
    return false;
  }
  for (int i = 0; i < 4; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return s.size() == 4 || s[4] == '-';
}

bool HasMember(const rapidjson::Value& v, const char* name) { return v.HasMember(name); }

// The FHIR type of a value whose path did not say it, guessed from its JSON shape. Only the
// distinctions the published expressions need: Period vs dateTime, Quantity vs CodeableConcept...
bool ShapeMatches(const rapidjson::Value& v, absl::string_view type) {
  if (v.IsBool()) {
    return type == "boolean";
  }
  if (v.IsNumber()) {
    return type == "decimal" || type == "integer" || type == "unsignedInt" ||
           type == "positiveInt";
  }
  if (v.IsString()) {
    if (type == "date" || type == "dateTime" || type == "instant") {
      return IsDateLike(StringOf(v));
    }
    return IsPrimitiveType(type) && type != "boolean" && type != "integer" &&
           type != "decimal" && type != "unsignedInt" && type != "positiveInt";
  }
  if (!v.IsObject()) {
    return false;
  }
  if (type == "Period") {
    return (HasMember(v, "start") || HasMember(v, "end")) && !HasMember(v, "value");
  }
  if (type == "Range") {
    return HasMember(v, "low") || HasMember(v, "high");
  }
  if (type == "Quantity" || type == "SimpleQuantity" || type == "Age" || type == "Duration" ||
      type == "Distance" || type == "Count") {
    return HasMember(v, "value") && v["value"].IsNumber() && !HasMember(v, "currency");
  }
  if (type == "Money") {
    return HasMember(v, "currency") || (HasMember(v, "value") && v["value"].IsNumber());
  }
  if (type == "CodeableConcept") {
    return HasMember(v, "coding") || (HasMember(v, "text") && v.MemberCount() <= 3 &&
                                      !HasMember(v, "reference") && !HasMember(v, "div"));
  }
  if (type == "Coding") {
    return (HasMember(v, "code") || HasMember(v, "system")) && !HasMember(v, "value") &&
           !HasMember(v, "coding");
  }
  if (type == "Reference") {
    return HasMember(v, "reference") || (HasMember(v, "identifier") && HasMember(v, "type")) ||
           (HasMember(v, "display") && v.MemberCount() == 1);
  }
  if (type == "Identifier") {
    return HasMember(v, "value") && v["value"].IsString() && !HasMember(v, "url");
  }
  if (type == "SampledData") {
    return HasMember(v, "origin") && HasMember(v, "dimensions");
  }
  if (type == "Attachment") {
    return HasMember(v, "contentType") || HasMember(v, "data");
  }
  if (type == "Timing") {
    return HasMember(v, "event") || HasMember(v, "repeat");
  }
  if (HasMember(v, "resourceType")) {
    return v["resourceType"].IsString() && StringOf(v["resourceType"]) == type;
  }
  return false;
}

bool TypeNamesEqual(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size() || a.empty()) {
    return false;
  }
  return absl::ascii_tolower(static_cast<unsigned char>(a[0])) ==
             absl::ascii_tolower(static_cast<unsigned char>(b[0])) &&
         a.substr(1) == b.substr(1);
}

bool IsOfType(const Item& item, absl::string_view type) {
  if (type == "Resource" || type == "DomainResource") {
    return item.value->IsObject() && item.value->HasMember("resourceType");
  }
  if (!item.type.empty()) {
    return TypeNamesEqual(item.type, type);
  }
  return ShapeMatches(*item.value, type);
}

// The resource type a Reference (or a reference string) points at, without resolving it:
// "Patient/1", "Patient/1/_history/2", "https://x/fhir/Patient/1", or Reference.type.
std::string ReferencedType(const rapidjson::Value& v) {
  const rapidjson::Value* ref = nullptr;
  if (v.IsString()) {
    ref = &v;
  } else if (v.IsObject()) {
    auto it = v.FindMember("reference");
    if (it != v.MemberEnd() && it->value.IsString()) {
      ref = &it->value;
    } else {
      auto type = v.FindMember("type");
      if (type != v.MemberEnd() && type->value.IsString()) {
        return std::string(StringOf(type->value));
      }
      return "";
    }
  }
  if (ref == nullptr) {
    return "";
  }
  absl::string_view s = StringOf(*ref);
  if (s.empty() || s[0] == '#' || s.substr(0, 4) == "urn:") {
    return "";
  }
  if (const size_t q = s.find_first_of("?#"); q != absl::string_view::npos) {
    s = s.substr(0, q);
  }
  if (const size_t h = s.find("/_history/"); h != absl::string_view::npos) {
    s = s.substr(0, h);
  }
  const size_t last = s.rfind('/');
  if (last == absl::string_view::npos || last == 0) {
    return "";
  }
  const size_t prev = s.rfind('/', last - 1);
  const absl::string_view type =
      prev == absl::string_view::npos ? s.substr(0, last) : s.substr(prev + 1, last - prev - 1);
  if (type.empty() || !absl::ascii_isupper(static_cast<unsigned char>(type[0]))) {
    return "";
  }
  for (char c : type) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) {
      return "";
    }
  }
  return std::string(type);
}

// FHIRPath singleton evaluation of a collection as a boolean: empty is unknown, one boolean is
// itself, any other single item is true.
std::optional<bool> Truth(const Collection& c) {
  if (c.empty()) {
    return std::nullopt;
  }
  if (c.size() == 1 && c[0].value->IsBool()) {
    return c[0].value->GetBool();
  }
  return true;
}

bool ValuesEqual(const rapidjson::Value& a, const rapidjson::Value& b) {
  if (a.IsNumber() && b.IsNumber()) {
    return a.GetDouble() == b.GetDouble();
  }
  return a == b;  // RapidJSON compares strings, booleans, objects and arrays deeply
}

class Evaluator {
 public:
  Collection Eval(const Node& node, const Collection& context) {
    switch (node.kind) {
      case Node::Kind::kIdentifier:
        if (node.source != nullptr) {
          return Members(node, Eval(*node.source, context));
        }
        return Identifier(node, context);
      case Node::Kind::kFunction:
        return Function(node, node.source ? Eval(*node.source, context) : context);
      case Node::Kind::kString:
        return Collection{Item{&node.literal, "string"}};
      case Node::Kind::kBoolean:
        return Boolean(node.boolean);
      case Node::Kind::kThis:
        return context;
      case Node::Kind::kUnion: {
        Collection out = Eval(*node.lhs, context);
        Collection rhs = Eval(*node.rhs, context);
        for (Item& item : rhs) {
          const bool seen = std::any_of(out.begin(), out.end(),
                                        [&](const Item& o) { return o.value == item.value; });
          if (!seen) {
            out.push_back(std::move(item));
          }
        }
        return out;
      }
      case Node::Kind::kEqual:
      case Node::Kind::kNotEqual: {
        const Collection lhs = Eval(*node.lhs, context);
        const Collection rhs = Eval(*node.rhs, context);
        if (lhs.empty() || rhs.empty()) {
          return {};
        }
        bool equal = lhs.size() == rhs.size();
        for (size_t i = 0; equal && i < lhs.size(); ++i) {
          equal = ValuesEqual(*lhs[i].value, *rhs[i].value);
        }
        return Boolean(node.kind == Node::Kind::kEqual ? equal : !equal);
      }
      case Node::Kind::kAnd: {
        const std::optional<bool> lhs = Truth(Eval(*node.lhs, context));
        if (lhs == false) {
          return Boolean(false);
        }
        const std::optional<bool> rhs = Truth(Eval(*node.rhs, context));
        if (rhs == false) {
          return Boolean(false);
        }
        if (lhs && rhs) {
          return Boolean(true);
        }
        return {};
      }
      case Node::Kind::kOr: {
        const std::optional<bool> lhs = Truth(Eval(*node.lhs, context));
        if (lhs == true) {
          return Boolean(true);
        }
        const std::optional<bool> rhs = Truth(Eval(*node.rhs, context));
        if (rhs == true) {
          return Boolean(true);
        }
        if (lhs && rhs) {
          return Boolean(false);
        }
        return {};
      }
      case Node::Kind::kIs:
        return Is(Eval(*node.lhs, context), node.text);
      case Node::Kind::kAs:
        return As(Eval(*node.lhs, context), node.text);
    }
    return {};
  }

 private:
  static Collection Identifier(const Node& node, const Collection& context) {
    Collection out;
    if (node.source == nullptr && absl::ascii_isupper(static_cast<unsigned char>(node.text[0]))) {
      // A type name starting a path: the context if it is a resource of that type. This is how
      // `Patient.name | Practitioner.name` yields only the branch of the resource at hand.
      for (const Item& item : context) {
        if (IsOfType(item, node.text)) {
          out.push_back(item);
        }
      }
      return out;
    }
    return Members(node, context);
  }

  static Collection Members(const Node& node, const Collection& context) {
    Collection out;
    for (const Item& item : context) {
      Member(item, node.text, out);
    }
    return out;
  }

  Collection Function(const Node& node, const Collection& input) {
    switch (node.function) {
      case Node::Function::kWhere: {
        Collection out;
        for (const Item& item : input) {
          if (Truth(Eval(*node.rhs, Collection{item})) == true) {
            out.push_back(item);
          }
        }
        return out;
      }
      case Node::Function::kExists: {
        if (node.rhs == nullptr) {
          return Boolean(!input.empty());
        }
        for (const Item& item : input) {
          if (Truth(Eval(*node.rhs, Collection{item})) == true) {
            return Boolean(true);
          }
        }
        return Boolean(false);
      }
      case Node::Function::kFirst:
        if (input.empty()) {
          return {};
        }
        return Collection{input.front()};
      case Node::Function::kAs:
      case Node::Function::kOfType:
        return As(input, node.text);
      case Node::Function::kIs:
        return Is(input, node.text);
      case Node::Function::kResolve: {
        // No lookup: an item per reference whose type the reference text names, so that
        // `resolve() is Patient` can be answered. The value stays the Reference.
        Collection out;
        for (const Item& item : input) {
          std::string type = ReferencedType(*item.value);
          if (!type.empty()) {
            out.push_back(Item{item.value, std::move(type)});
          }
        }
        return out;
      }
      case Node::Function::kExtension: {
        Collection extensions;
        for (const Item& item : input) {
          Member(item, "extension", extensions);
        }
        Collection out;
        for (const Item& ext : extensions) {
          if (!ext.value->IsObject()) {
            continue;
          }
          auto url = ext.value->FindMember("url");
          if (url != ext.value->MemberEnd() && url->value.IsString() &&
              StringOf(url->value) == node.text) {
            out.push_back(Item{ext.value, "Extension"});
          }
        }
        return out;
      }
      case Node::Function::kNone:
        break;
    }
    return {};
  }

  static Collection Is(const Collection& input, absl::string_view type) {
    if (input.empty()) {
      return {};
    }
    if (input.size() > 1) {
      return {};  // FHIRPath makes this an error; for search it matches nothing
    }
    return Boolean(IsOfType(input[0], type));
  }

  static Collection As(const Collection& input, absl::string_view type) {
    Collection out;
    for (const Item& item : input) {
      if (IsOfType(item, type)) {
        out.push_back(Item{item.value, item.type.empty() ? std::string(type) : item.type});
      }
    }
    return out;
  }
};

}  // namespace

absl::StatusOr<Expression> Expression::Parse(absl::string_view text) {
  absl::StatusOr<std::vector<Token>> tokens = Lex(text);
  if (!tokens.ok()) {
    return tokens.status();
  }
  Parser parser(text, *std::move(tokens));
  absl::StatusOr<NodePtr> root = parser.ParseAll();
  if (!root.ok()) {
    return root.status();
  }
  Expression expression;
  expression.text_ = std::string(text);
  expression.root_ = *std::move(root);
  return expression;
}

std::vector<Item> Expression::Evaluate(const rapidjson::Value& resource) const {
  if (root_ == nullptr) {
    return {};
  }
  std::string type;
  if (resource.IsObject()) {
    auto it = resource.FindMember("resourceType");
    if (it != resource.MemberEnd() && it->value.IsString()) {
      type = std::string(StringOf(it->value));
    }
  }
  // Literals and computed booleans in a result point into the expression, not the resource.
  Evaluator evaluator;
  return evaluator.Eval(*root_, Collection{Item{&resource, std::move(type)}});
}

}  // namespace planapi::fhirpath
