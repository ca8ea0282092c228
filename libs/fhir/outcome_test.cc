#include "libs/fhir/outcome.h"

#include <catch2/catch.hpp>

#include "libs/fhir/capability.h"
#include "libs/fhir/resource_types.h"
#include "libs/json/json.h"

namespace planapi::fhir {
namespace {

using status::IssueType;

std::string IssueCodeOf(const std::string& outcome) {
  auto doc = json::Parse(outcome);
  REQUIRE(doc.ok());
  REQUIRE(json::GetString(*doc, "resourceType") == "OperationOutcome");
  return std::string(*json::GetString((*doc)["issue"][0], "code"));
}

TEST_CASE("every canonical code maps to its HTTP status and issue type", "[fhir]") {
  struct Row {
    absl::Status status;
    int http;
    std::string issue;
  };
  const Row rows[] = {
      {absl::InvalidArgumentError("bad _count"), 400, "invalid"},
      {absl::FailedPreconditionError("version"), 412, "conflict"},
      {absl::UnauthenticatedError("token"), 401, "login"},
      {absl::PermissionDeniedError("scope"), 403, "forbidden"},
      {absl::NotFoundError("no such"), 404, "not-found"},
      {status::DeletedError("gone"), 410, "deleted"},
      {status::BusinessRuleError("rule"), 422, "business-rule"},
      {absl::AlreadyExistsError("dup"), 409, "duplicate"},
      {absl::AbortedError("retry"), 409, "conflict"},
      {absl::ResourceExhaustedError("slow down"), 429, "throttled"},
      {absl::UnimplementedError("later"), 501, "not-supported"},
      {absl::UnavailableError("down"), 503, "transient"},
      {absl::DeadlineExceededError("slow"), 504, "timeout"},
      {absl::InternalError("secret detail"), 500, "exception"},
      {absl::DataLossError("x"), 500, "exception"},
      {absl::UnknownError("x"), 500, "exception"},
  };
  for (const Row& row : rows) {
    HttpError e = ToHttpError(row.status, "req-1");
    CHECK(e.http_status == row.http);
    CHECK(IssueCodeOf(e.body) == row.issue);
    CHECK(HttpStatusOf(row.status) == row.http);
  }
}

TEST_CASE("internal errors never show their message, only the request id", "[fhir]") {
  HttpError e = ToHttpError(absl::InternalError("password=hunter2"), "req-42");
  CHECK(e.body.find("hunter2") == std::string::npos);
  CHECK(e.body.find("req-42") != std::string::npos);
  HttpError client = ToHttpError(absl::InvalidArgumentError("unknown parameter 'foo'"), "r");
  CHECK(client.body.find("unknown parameter 'foo'") != std::string::npos);
}

TEST_CASE("capability statement lists the configured types and base", "[fhir]") {
  const absl::string_view interactions[] = {"read"};
  std::string cs = CapabilityStatementJson({.name = "test",
                                            .software_version = "1",
                                            .base_url = "https://h/fhir/r4",
                                            .types = DirectoryTypes(),
                                            .type_interactions = interactions},
                                           "2026-01-01");
  auto doc = json::Parse(cs);
  REQUIRE(doc.ok());
  CHECK(json::GetString(*doc, "fhirVersion") == "4.0.1");
  CHECK(json::GetString((*doc)["implementation"], "url") == "https://h/fhir/r4");
  const auto& resources = (*doc)["rest"][0]["resource"];
  REQUIRE(resources.Size() == DirectoryTypes().size());
  CHECK(json::GetString(resources[0], "type") == "Endpoint");
  CHECK(json::GetString(resources[0]["interaction"][0], "code") == "read");
}

TEST_CASE("type names are checked by shape and membership", "[fhir]") {
  CHECK(LooksLikeTypeName("Observation"));
  CHECK_FALSE(LooksLikeTypeName("observation"));
  CHECK_FALSE(LooksLikeTypeName("Obs3rvation"));
  CHECK_FALSE(LooksLikeTypeName(""));
  CHECK(Contains(PatientAccessTypes(), "ExplanationOfBenefit"));
  CHECK_FALSE(Contains(DirectoryTypes(), "Patient"));
}

}  // namespace
}  // namespace planapi::fhir
