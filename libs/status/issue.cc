#include "libs/status/issue.h"

#include <string>

#include "absl/strings/cord.h"

namespace planapi::status {
namespace {

// The payload's type URL; kept short because it travels with every error.
constexpr absl::string_view kIssuePayload = "planapi/fhir-issue";

struct IssueName {
  IssueType type;
  absl::string_view code;
};

constexpr IssueName kIssueNames[] = {
    {IssueType::kInvalid, "invalid"},
    {IssueType::kStructure, "structure"},
    {IssueType::kRequired, "required"},
    {IssueType::kValue, "value"},
    {IssueType::kInvariant, "invariant"},
    {IssueType::kBusinessRule, "business-rule"},
    {IssueType::kLogin, "login"},
    {IssueType::kUnknown, "unknown"},
    {IssueType::kExpired, "expired"},
    {IssueType::kForbidden, "forbidden"},
    {IssueType::kSuppressed, "suppressed"},
    {IssueType::kProcessing, "processing"},
    {IssueType::kNotSupported, "not-supported"},
    {IssueType::kDuplicate, "duplicate"},
    {IssueType::kNotFound, "not-found"},
    {IssueType::kDeleted, "deleted"},
    {IssueType::kTooLong, "too-long"},
    {IssueType::kCodeInvalid, "code-invalid"},
    {IssueType::kConflict, "conflict"},
    {IssueType::kTransient, "transient"},
    {IssueType::kLockError, "lock-error"},
    {IssueType::kNoStore, "no-store"},
    {IssueType::kException, "exception"},
    {IssueType::kTimeout, "timeout"},
    {IssueType::kThrottled, "throttled"},
    {IssueType::kTooCostly, "too-costly"},
};

}  // namespace

absl::string_view IssueCode(IssueType type) {
  for (const IssueName& row : kIssueNames) {
    if (row.type == type) {
      return row.code;
    }
  }
  return "exception";
}

std::optional<IssueType> ParseIssueCode(absl::string_view code) {
  for (const IssueName& row : kIssueNames) {
    if (row.code == code) {
      return row.type;
    }
  }
  return std::nullopt;
}

absl::Status WithIssue(absl::Status status, IssueType type) {
  if (!status.ok()) {
    status.SetPayload(kIssuePayload, absl::Cord(IssueCode(type)));
  }
  return status;
}

std::optional<IssueType> IssueTypeOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kIssuePayload);
  if (!payload.has_value()) {
    return std::nullopt;
  }
  return ParseIssueCode(std::string(*payload));
}

absl::Status DeletedError(absl::string_view message) {
  return WithIssue(absl::NotFoundError(message), IssueType::kDeleted);
}

absl::Status BusinessRuleError(absl::string_view message) {
  return WithIssue(absl::InvalidArgumentError(message), IssueType::kBusinessRule);
}

absl::Status NotSupportedError(absl::string_view message) {
  return WithIssue(absl::UnimplementedError(message), IssueType::kNotSupported);
}

}  // namespace planapi::status
