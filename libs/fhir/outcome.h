// The edge of the error model for FHIR routes: absl::Status -> HTTP status + OperationOutcome
// JSON, driven by one table (STYLE.md). Pure functions, no I/O.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "libs/status/issue.h"
#include "absl/strings/string_view.h"

namespace planapi::fhir {

struct HttpError {
  int http_status;
  // An OperationOutcome resource as JSON text.
  std::string body;
};

// Maps `status` (not OK) to its HTTP status and an OperationOutcome. For 5xx the diagnostics are
// reduced to the request id: internals never reach clients, the id links the reply to our logs.
HttpError ToHttpError(const absl::Status& status, absl::string_view request_id);

// The HTTP status alone, for callers that answer in another format (OAuth, portal problems).
int HttpStatusOf(const absl::Status& status);

// An OperationOutcome with one error issue.
std::string OperationOutcomeJson(status::IssueType issue, absl::string_view diagnostics);

}  // namespace planapi::fhir
