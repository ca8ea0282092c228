// SMART App Launch end to end with real clients nobody on the team wrote: tests/e2e/launch.mjs
// (openid-client, headless Chromium through the real login, consent and connected-apps pages)
// against the whole suite over TLS: standalone and EHR launches, member self-service revocation.
// This test registers the apps and the members, then runs the script (which makes EHR launches
// with planctl, as an operator would).
#include <grpcpp/grpcpp.h>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "libs/jose/key.h"
#include "libs/json/json.h"
#include "libs/rpc/channel.h"
#include "libs/testing/process.h"
#include "planapi/auth/v1/auth_service.grpc.pb.h"
#include "planapi/fhir/v1/fhir_service.grpc.pb.h"
#include "tests/integration/suite.h"

namespace planapi::integration {
namespace {

namespace pb = planapi::auth::v1;
namespace fhirpb = planapi::fhir::v1;

constexpr char kRedirect[] = "https://app.example/cb";
constexpr char kLaunchUrl[] = "https://app.example/launch";

pb::CreateClientResponse CreateClient(pb::Auth::Stub& stub, pb::CreateClientRequest req) {
  grpc::ClientContext ctx;
  pb::CreateClientResponse out;
  grpc::Status s = stub.CreateClient(&ctx, req, &out);
  INFO(s.error_message());
  REQUIRE(s.ok());
  return out;
}

TEST_CASE("openid-client and Chromium complete SMART launches and every bad case is refused",
          "[integration]") {
  auto suite = Suite::Start();
  auto stub = pb::Auth::NewStub(rpc::MakeChannel(suite->service("auth").address()));

  pb::CreateClientRequest conf;
  conf.set_name("E2E confidential");
  conf.set_type(pb::CLIENT_TYPE_CONFIDENTIAL);
  conf.add_redirect_uris(kRedirect);
  conf.set_launch_url(kLaunchUrl);
  const pb::CreateClientResponse confidential = CreateClient(*stub, conf);
  pb::CreateClientRequest pub = conf;
  pub.set_name("E2E public");
  pub.set_type(pb::CLIENT_TYPE_PUBLIC);
  const pb::CreateClientResponse public_app = CreateClient(*stub, pub);
  auto key = jose::Key::Generate(jose::KeyType::kEcP384);
  REQUIRE(key.ok());
  const jose::Key pinned = key->WithAlg(jose::Algorithm::kEs384);
  pb::CreateClientRequest backend;
  backend.set_name("E2E backend");
  backend.set_type(pb::CLIENT_TYPE_BACKEND);
  backend.set_scopes("system/*.cruds");  // reads, and the payer's writes
  backend.set_jwks_json(absl::StrCat(R"({"keys":[)", pinned.PublicJwk(), "]}"));
  const pb::CreateClientResponse backend_app = CreateClient(*stub, backend);

  pb::CreateAccountRequest member;
  member.set_kind(pb::ACCOUNT_KIND_MEMBER);
  member.set_realm(pb::REALM_SANDBOX);
  member.set_username("e2e-member");
  member.set_password("e2e-member-password");
  member.set_patient_id("e2e-patient");
  pb::CreateAccountRequest other_member = member;
  other_member.set_username("e2e-other");
  other_member.set_password("e2e-other-password");
  other_member.set_patient_id("other-patient");
  for (const pb::CreateAccountRequest& account : {member, other_member}) {
    grpc::ClientContext ctx;
    pb::Account out;
    REQUIRE(stub->CreateAccount(&ctx, account, &out).ok());
  }

  // The member's record and another patient's, in the sandbox where the member signs in.
  auto fhir = fhirpb::Fhir::NewStub(rpc::MakeChannel(suite->service("fhir").address()));
  auto category = [](absl::string_view code) {
    return absl::StrCat(
        R"("category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":")",
        code, R"("}]}])");
  };
  for (const auto& [type, id, json] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"Patient", "e2e-patient", R"({"resourceType":"Patient","name":[{"family":"Member"}]})"},
           {"Patient", "other-patient", R"({"resourceType":"Patient","name":[{"family":"Other"}]})"},
           {"Observation", "e2e-obs-vitals",
            absl::StrCat(R"({"resourceType":"Observation","status":"final",)",
                         category("vital-signs"),
                         R"(,"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/e2e-patient"}})")},
           {"Observation", "e2e-obs-lab",
            absl::StrCat(R"({"resourceType":"Observation","status":"final",)",
                         category("laboratory"),
                         R"(,"code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]},"subject":{"reference":"Patient/e2e-patient"}})")},
           {"Observation", "e2e-obs-other",
            absl::StrCat(R"({"resourceType":"Observation","status":"final",)",
                         category("vital-signs"),
                         R"(,"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/other-patient"}})")}}) {
    grpc::ClientContext ctx;
    fhirpb::WriteRequest write;
    write.mutable_context()->set_realm(fhirpb::REALM_SANDBOX);
    write.set_type(type);
    write.set_id(id);
    write.set_resource_json(json);
    fhirpb::ResourceResponse out;
    REQUIRE(fhir->Update(&ctx, write, &out).ok());
  }

  json::Writer w;
  w.StartObject()
      .Field("base", suite->base_url())
      .Field("other_patient", "other-patient")
      .Field("realm", "sandbox")
      .Field("redirect_uri", kRedirect)
      .Field("launch_url", kLaunchUrl)
      .Field("planctl", testing::BinDir() + "/planctl")
      .Field("auth_addr", suite->service("auth").address());
  w.Key("member").StartObject().Field("username", "e2e-member")
      .Field("password", "e2e-member-password").Field("patient", "e2e-patient").EndObject();
  w.Key("other_member").StartObject().Field("username", "e2e-other")
      .Field("password", "e2e-other-password").Field("patient", "other-patient").EndObject();
  w.Key("confidential").StartObject().Field("client_id", confidential.client().client_id())
      .Field("client_secret", confidential.client_secret()).EndObject();
  w.Key("public").StartObject().Field("client_id", public_app.client().client_id()).EndObject();
  w.Key("backend").StartObject().Field("client_id", backend_app.client().client_id())
      .Key("private_jwk").Raw(pinned.PrivateJwk()).EndObject();
  w.EndObject();

  testing::TempDir dir;
  const std::string log = dir.path() + "/e2e.log";
  auto rc = testing::RunCommand({"bash", testing::SourceDir() + "/tests/e2e/run.sh"},
                                {{"PLANAPI_E2E", w.Take()}, {"NODE_EXTRA_CA_CERTS", suite->ca_file()}},
                                log);
  REQUIRE(rc.ok());
  const std::string output = testing::ReadFile(log);
  INFO(output);
  CHECK(*rc == 0);
  CHECK(output.find("all passed") != std::string::npos);
}

}  // namespace
}  // namespace planapi::integration
