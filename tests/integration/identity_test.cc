// Service identity on internal calls (DESIGN.md: calls that change data require one): every
// method of every service refuses a caller without the deployment's key, before doing anything,
// and what the refused calls asked for is not stored.
#include <future>

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "libs/rpc/channel.h"
#include "libs/rpc/identity.h"
#include "planapi/auth/v1/auth_service.grpc.pb.h"
#include "planapi/common/v1/web.grpc.pb.h"
#include "planapi/fhir/v1/fhir_service.grpc.pb.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

namespace fhirpb = planapi::fhir::v1;

// Calls `method` with an empty request and the given metadata (none: no identity) on a channel
// that adds nothing of its own; the call's status code.
grpc::StatusCode CallRaw(const std::string& address, const std::string& method,
                         const std::vector<std::pair<std::string, std::string>>& metadata) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  for (const auto& [k, v] : metadata) {
    context.AddMetadata(k, v);
  }
  grpc::Slice empty_message("");  // an empty protobuf message: every field at its default
  grpc::ByteBuffer request(&empty_message, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get().error_code();
}

TEST_CASE("every internal method refuses a caller without a valid service identity",
          "[integration]") {
  auto suite = Suite::Start();
  // Naming one message of each proto file links its descriptors into this binary.
  REQUIRE(planapi::common::v1::WebRequest::descriptor() != nullptr);
  REQUIRE(planapi::auth::v1::GetJwksRequest::descriptor() != nullptr);
  REQUIRE(fhirpb::ReadRequest::descriptor() != nullptr);
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  struct Target {
    std::string service;  // the process
    std::string grpc_service;
  };
  const std::vector<Target> targets = {
      {"fhir", "planapi.fhir.v1.Fhir"},         {"directory", "planapi.fhir.v1.Fhir"},
      {"auth", "planapi.auth.v1.Auth"},         {"auth", "planapi.common.v1.Web"},
      {"directory", "planapi.common.v1.Web"},   {"registry", "planapi.common.v1.Web"},
      {"review", "planapi.common.v1.Web"}};
  // A header made with another key, and one that is not even shaped right.
  const std::string forged = "gateway.SGVsbG8sIHRoaXMgaXMgbm90IHRoZSBtYWMgb2YgdGhlIGtleQ";
  int methods = 0;
  for (const Target& t : targets) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(t.grpc_service);
    REQUIRE(service != nullptr);
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string method = absl::StrCat("/", t.grpc_service, "/", service->method(i)->name());
      INFO(t.service << " " << method);
      const std::string address = suite->service(t.service).address();
      CHECK(CallRaw(address, method, {}) == grpc::StatusCode::UNAUTHENTICATED);
      CHECK(CallRaw(address, method, {{rpc::kServiceIdentityKey, forged}}) ==
            grpc::StatusCode::UNAUTHENTICATED);
      CHECK(CallRaw(address, method, {{rpc::kServiceIdentityKey, "no dot"}}) ==
            grpc::StatusCode::UNAUTHENTICATED);
      ++methods;
    }
  }
  CHECK(methods >= 30);
  // The health service stays open: Kubernetes' probes carry no identity.
  CHECK(CallRaw(suite->service("fhir").address(), "/grpc.health.v1.Health/Check", {}) ==
        grpc::StatusCode::OK);
}

TEST_CASE("a write without a service identity stores nothing, and with one it is stored",
          "[integration]") {
  auto suite = Suite::Start();
  fhirpb::WriteRequest w;
  w.mutable_context()->set_realm(fhirpb::REALM_PRODUCTION);
  w.set_type("Patient");
  w.set_id("unidentified");
  w.set_resource_json(R"({"resourceType":"Patient","name":[{"family":"Nobody"}]})");
  fhirpb::ReadRequest r;
  r.mutable_context()->set_realm(fhirpb::REALM_PRODUCTION);
  r.set_type("Patient");
  r.set_id("unidentified");
  auto raw = fhirpb::Fhir::NewStub(
      grpc::CreateChannel(suite->service("fhir").address(), grpc::InsecureChannelCredentials()));
  auto ours = fhirpb::Fhir::NewStub(rpc::MakeChannel(suite->service("fhir").address()));
  {
    grpc::ClientContext context;
    fhirpb::ResourceResponse out;
    grpc::Status s = raw->Update(&context, w, &out);
    CHECK(s.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    CHECK(s.error_message().find("service identity") != std::string::npos);
  }
  {
    grpc::ClientContext context;
    fhirpb::ResourceResponse out;
    CHECK(ours->Read(&context, r, &out).error_code() == grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    fhirpb::ResourceResponse out;
    REQUIRE(ours->Update(&context, w, &out).ok());
    CHECK(out.created());
  }
}

}  // namespace
}  // namespace planapi::integration
