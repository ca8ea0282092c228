#include <future>

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "libs/rpc/channel.h"
#include "libs/rpc/identity.h"
#include "libs/rpc/server.h"
#include "libs/rpc/status.h"
#include "absl/strings/escaping.h"
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

// Answers with the verified name of its caller, or refuses as every service handler does.
class WhoAmI final : public planapi::common::v1::Web::Service {
  grpc::Status Handle(grpc::ServerContext* context, const planapi::common::v1::WebRequest*,
                      planapi::common::v1::WebResponse* out) override {
    if (grpc::Status who = RequireServiceIdentity(*context, "Handle"); !who.ok()) {
      return who;
    }
    out->set_body(*CallerOf(*context));
    return grpc::Status::OK;
  }
};

TEST_CASE("service identity: a name and key prove the caller, and anything else is refused", "[rpc]") {
  CHECK(SetServiceIdentity("unit", "too short").code() == absl::StatusCode::kInvalidArgument);
  CHECK(SetServiceIdentity("Unit Test", std::string(40, 'k')).code() ==
        absl::StatusCode::kInvalidArgument);
  REQUIRE(SetServiceIdentity("unit-test", std::string(40, 'k')).ok());
  WhoAmI who;
  auto server = Server::Start({.host = "127.0.0.1", .port = 0, .services = {&who}});
  REQUIRE(server.ok());
  const std::string address = "127.0.0.1:" + std::to_string((*server)->port());
  auto call = [](const std::shared_ptr<grpc::Channel>& channel,
                 std::vector<std::pair<std::string, std::string>> metadata, std::string* body) {
    auto stub = planapi::common::v1::Web::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    for (const auto& [k, v] : metadata) {
      context.AddMetadata(k, v);
    }
    planapi::common::v1::WebResponse out;
    grpc::Status s = stub->Handle(&context, {}, &out);
    *body = out.body();
    return s.error_code();
  };
  std::string body;
  CHECK(call(MakeChannel(address), {}, &body) == grpc::StatusCode::OK);
  CHECK(body == "unit-test");
  auto raw = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  CHECK(call(raw, {}, &body) == grpc::StatusCode::UNAUTHENTICATED);
  // What a holder of the key sends (the scheme: name, '.', base64url HMAC-SHA256(key, name)),
  // and the same made with another key.
  auto header = [](const std::string& key, const std::string& name) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(name.data()), name.size(), mac, &len);
    return name + "." + absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<char*>(mac), len));
  };
  CHECK(call(raw, {{kServiceIdentityKey, header(std::string(40, 'k'), "gateway")}}, &body) ==
        grpc::StatusCode::OK);
  CHECK(body == "gateway");
  CHECK(call(raw, {{kServiceIdentityKey, header(std::string(40, 'x'), "gateway")}}, &body) ==
        grpc::StatusCode::UNAUTHENTICATED);
  // Another name on a MAC made for "gateway" does not verify either.
  const std::string good = header(std::string(40, 'k'), "gateway");
  CHECK(call(raw, {{kServiceIdentityKey, "planctl" + good.substr(good.find('.'))}}, &body) ==
        grpc::StatusCode::UNAUTHENTICATED);
  CHECK(call(raw, {{kServiceIdentityKey, "gateway.AAAA"}}, &body) == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(call(raw, {{kServiceIdentityKey, "no-dot"}}, &body) == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(call(MakeChannel(address), {}, &body) == grpc::StatusCode::OK);
  (*server)->Shutdown(std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace planapi::rpc
