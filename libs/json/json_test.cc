#include "libs/json/json.h"

#include <catch2/catch.hpp>

namespace planapi::json {
namespace {

TEST_CASE("parse accepts a document and reads typed members", "[json]") {
  auto doc = Parse(R"({"a":"x","n":42,"b":true,"d":1.50})");
  REQUIRE(doc.ok());
  CHECK(GetString(*doc, "a") == "x");
  CHECK(GetInt(*doc, "n") == 42);
  CHECK(GetBool(*doc, "b") == true);
  CHECK_FALSE(GetString(*doc, "n").has_value());
  CHECK_FALSE(GetInt(*doc, "missing").has_value());
}

TEST_CASE("parse refuses malformed JSON with the offset", "[json]") {
  for (absl::string_view bad : {"", "{", R"({"a":})", "[1,2] x", "{\"a\":\"\xff\"}"}) {
    auto doc = Parse(bad);
    CHECK(doc.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(doc.status().message().find("offset") != absl::string_view::npos);
  }
}

TEST_CASE("writer escapes strings and embeds raw JSON", "[json]") {
  Writer w;
  w.StartObject().Field("q", "a\"b\n").Field("n", 3).Key("raw").Raw(R"({"x":1})").Key("l");
  w.StartArray().Bool(false).Null().EndArray().EndObject();
  CHECK(w.Take() == R"({"q":"a\"b\n","n":3,"raw":{"x":1},"l":[false,null]})");
  // Raw values among others in an array get their separators, large ones whole.
  const std::string big = R"({"s":")" + std::string(100000, 'z') + R"("})";
  w.StartArray().Raw(R"({"a":1})").Int(2).Raw(big).Raw("[]").EndArray();
  CHECK(w.Take() == R"([{"a":1},2,)" + big + ",[]]");
  w.Raw(R"({"root":true})");
  CHECK(w.Take() == R"({"root":true})");
}

}  // namespace
}  // namespace planapi::json
