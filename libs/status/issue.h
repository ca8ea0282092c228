// FHIR issue types as a refinement of a canonical status code. A service sets the issue type on an
// absl::Status as a payload; it crosses gRPC unchanged (libs/rpc) and the edge turns it into an
// HTTP status and an OperationOutcome (libs/fhir). This header is free of FHIR JSON so that every
// layer, down to the database, may refine its errors.
#pragma once

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace planapi::status {

// The subset of the FHIR IssueType value set (http://hl7.org/fhir/issue-type) that we emit.
enum class IssueType {
  kInvalid,
  kStructure,
  kRequired,
  kValue,
  kInvariant,
  kBusinessRule,
  kLogin,
  kUnknown,
  kExpired,
  kForbidden,
  kSuppressed,
  kProcessing,
  kNotSupported,
  kDuplicate,
  kNotFound,
  kDeleted,
  kTooLong,
  kCodeInvalid,
  kConflict,
  kTransient,
  kLockError,
  kNoStore,
  kException,
  kTimeout,
  kThrottled,
  kTooCostly,
};

// The FHIR code, e.g. "not-found".
absl::string_view IssueCode(IssueType type);

// Parses a FHIR code; nullopt for codes outside the set above.
std::optional<IssueType> ParseIssueCode(absl::string_view code);

// Returns `status` with the issue type attached (no-op on OK).
absl::Status WithIssue(absl::Status status, IssueType type);

// The issue type attached by WithIssue, if any.
std::optional<IssueType> IssueTypeOf(const absl::Status& status);

// Shorthands for the common refinements.
absl::Status DeletedError(absl::string_view message);    // NOT_FOUND + deleted -> 410
absl::Status BusinessRuleError(absl::string_view message);  // INVALID_ARGUMENT + business-rule -> 422
absl::Status NotSupportedError(absl::string_view message);  // UNIMPLEMENTED + not-supported -> 501

}  // namespace planapi::status
