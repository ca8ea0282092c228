#include "libs/fhir/outcome.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/json/json.h"

namespace planapi::fhir {
namespace {

using status::IssueType;

struct Mapping {
  absl::StatusCode code;
  int http_status;
  IssueType default_issue;
};

// HTTP per google/rpc/code.proto, except FAILED_PRECONDITION (If-Match only) -> 412.
constexpr Mapping kMappings[] = {
    {absl::StatusCode::kInvalidArgument, 400, IssueType::kInvalid},
    {absl::StatusCode::kFailedPrecondition, 412, IssueType::kConflict},
    {absl::StatusCode::kOutOfRange, 400, IssueType::kValue},
    {absl::StatusCode::kUnauthenticated, 401, IssueType::kLogin},
    {absl::StatusCode::kPermissionDenied, 403, IssueType::kForbidden},
    {absl::StatusCode::kNotFound, 404, IssueType::kNotFound},
    {absl::StatusCode::kAlreadyExists, 409, IssueType::kDuplicate},
    {absl::StatusCode::kAborted, 409, IssueType::kConflict},
    {absl::StatusCode::kResourceExhausted, 429, IssueType::kThrottled},
    {absl::StatusCode::kCancelled, 499, IssueType::kTimeout},
    {absl::StatusCode::kUnimplemented, 501, IssueType::kNotSupported},
    {absl::StatusCode::kUnavailable, 503, IssueType::kTransient},
    {absl::StatusCode::kDeadlineExceeded, 504, IssueType::kTimeout},
};

Mapping FindMapping(absl::StatusCode code) {
  for (const Mapping& row : kMappings) {
    if (row.code == code) {
      return row;
    }
  }
  return Mapping{code, 500, IssueType::kException};  // INTERNAL, UNKNOWN, DATA_LOSS, ...
}

struct Resolved {
  int http_status;
  IssueType issue;
};

Resolved Resolve(const absl::Status& status) {
  const Mapping row = FindMapping(status.code());
  const IssueType issue = status::IssueTypeOf(status).value_or(row.default_issue);
  int http = row.http_status;
  if (status.code() == absl::StatusCode::kNotFound && issue == IssueType::kDeleted) {
    http = 410;
  } else if (status.code() == absl::StatusCode::kInvalidArgument &&
             (issue == IssueType::kBusinessRule || issue == IssueType::kInvariant)) {
    http = 422;
  } else if (status.code() == absl::StatusCode::kInvalidArgument &&
             issue == IssueType::kTooLong) {
    http = 413;
  }
  return {http, issue};
}

}  // namespace

int HttpStatusOf(const absl::Status& status) { return Resolve(status).http_status; }

HttpError ToHttpError(const absl::Status& status, absl::string_view request_id) {
  const Resolved r = Resolve(status);
  std::string diagnostics = r.http_status >= 500 && r.http_status != 501 &&
                                    r.http_status != 503 && r.http_status != 504
                                ? absl::StrCat("internal error; request id ", request_id)
                                : std::string(status.message());
  return {r.http_status, OperationOutcomeJson(r.issue, diagnostics)};
}

std::string OperationOutcomeJson(status::IssueType issue, absl::string_view diagnostics) {
  json::Writer w;
  w.StartObject().Field("resourceType", "OperationOutcome").Key("issue").StartArray();
  w.StartObject().Field("severity", "error").Field("code", status::IssueCode(issue));
  if (!diagnostics.empty()) {
    w.Field("diagnostics", diagnostics);
  }
  w.EndObject().EndArray().EndObject();
  return w.Take();
}

}  // namespace planapi::fhir
