#include <future>

#include <catch2/catch.hpp>

#include "libs/rpc/channel.h"
#include "libs/rpc/server.h"
#include "libs/rpc/status.h"
#include "libs/status/issue.h"
#include "planapi/common/v1/web.grpc.pb.h"

namespace planapi::rpc {
namespace {

TEST_CASE("status crosses gRPC with its code, message and issue payload", "[rpc]") {
  absl::Status original = status::DeletedError("Observation/1 was deleted");
  absl::Status back = FromGrpcStatus(ToGrpcStatus(original));
  CHECK(back.code() == absl::StatusCode::kNotFound);
  CHECK(back.message() == "Observation/1 was deleted");
  CHECK(status::IssueTypeOf(back) == status::IssueType::kDeleted);
  CHECK(ToGrpcStatus(absl::OkStatus()).ok());
  CHECK(FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "x")).code() ==
        absl::StatusCode::kUnavailable);
}

absl::Status Check(grpc::Channel& channel) {
  // Shared with the callback: if it ever came after the bounded wait below, it must not touch a
  // dead frame.
  auto promise = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> answer = promise->get_future();
  CheckHealthAsync(channel, {.deadline = std::chrono::seconds(2)},
                   [promise](absl::Status s) { promise->set_value(s); });
  // The deadline is 2 s; an answer that never comes is a failure, not a hung test.
  if (answer.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
    FAIL("the health check callback never ran");
  }
  return answer.get();
}

TEST_CASE("the server answers the standard health check and follows SetServing", "[rpc]") {
  // gRPC wants at least one synchronous service; the generated base answers UNIMPLEMENTED.
  planapi::common::v1::Web::Service web;
  auto server = Server::Start({.host = "127.0.0.1", .port = 0, .services = {&web}});
  INFO(server.status());
  REQUIRE(server.ok());
  REQUIRE((*server)->port() > 0);
  auto channel = MakeChannel("127.0.0.1:" + std::to_string((*server)->port()));
  CHECK(Check(*channel).ok());
  (*server)->SetServing(false);
  CHECK(Check(*channel).code() == absl::StatusCode::kFailedPrecondition);
  (*server)->SetServing(true);
  CHECK(Check(*channel).ok());
  (*server)->Shutdown(std::chrono::milliseconds(100));
  CHECK(Check(*channel).code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace planapi::rpc
