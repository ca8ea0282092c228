#include "libs/server/web_service.h"

#include <catch2/catch.hpp>

namespace planapi::server {
namespace {

TEST_CASE("web routes dispatch by path and method", "[server]") {
  std::vector<WebRoute> routes = {
      {"GET", "/things", [](const WebRequest& r) -> absl::StatusOr<WebResponse> {
         return WebResponse{.status = 200, .body = "list " + r.query};
       }},
      {"POST", "/things", [](const WebRequest&) -> absl::StatusOr<WebResponse> {
         return absl::InvalidArgumentError("name is required");
       }},
  };
  auto ok = DispatchWeb(routes, {.method = "GET", .path = "/things", .query = "a=1"});
  REQUIRE(ok.ok());
  CHECK(ok->body == "list a=1");
  CHECK(DispatchWeb(routes, {.method = "POST", .path = "/things"}).status().message() ==
        "name is required");
  CHECK(DispatchWeb(routes, {.method = "GET", .path = "/nope"}).status().code() ==
        absl::StatusCode::kNotFound);
  auto wrong = DispatchWeb(routes, {.method = "DELETE", .path = "/things"});
  REQUIRE(wrong.ok());
  CHECK(wrong->status == 405);
  CHECK(wrong->headers[0] == std::pair<std::string, std::string>("Allow", "GET, POST"));
}

}  // namespace
}  // namespace planapi::server
