// Propagation helpers for absl::Status (Abseil 20220623 ships none).
// Coroutines must use the PLANAPI_CO_* forms, which expand to co_return.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PLANAPI_RETURN_IF_ERROR(expr)                                     \
  do {                                                                    \
    if (absl::Status planapi_status_ = (expr); !planapi_status_.ok()) {   \
      return planapi_status_;                                             \
    }                                                                     \
  } while (false)

#define PLANAPI_CO_RETURN_IF_ERROR(expr)                                  \
  do {                                                                    \
    if (absl::Status planapi_status_ = (expr); !planapi_status_.ok()) {   \
      co_return planapi_status_;                                          \
    }                                                                     \
  } while (false)

#define PLANAPI_ASSIGN_OR_RETURN(lhs, rexpr) \
  PLANAPI_ASSIGN_OR_RETURN_IMPL_(PLANAPI_CONCAT_(planapi_so_, __LINE__), lhs, rexpr, return)
#define PLANAPI_CO_ASSIGN_OR_RETURN(lhs, rexpr) \
  PLANAPI_ASSIGN_OR_RETURN_IMPL_(PLANAPI_CONCAT_(planapi_so_, __LINE__), lhs, rexpr, co_return)
#define PLANAPI_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr, ret) \
  auto tmp = (rexpr);                                        \
  if (!tmp.ok()) {                                           \
    ret std::move(tmp).status();                             \
  }                                                          \
  lhs = *std::move(tmp)
#define PLANAPI_CONCAT_(a, b) PLANAPI_CONCAT_INNER_(a, b)
#define PLANAPI_CONCAT_INNER_(a, b) a##b

// Crashes on a broken invariant (never on input: input errors are Status values).
#define PLANAPI_CHECK(cond)                                                  \
  do {                                                                       \
    if (!(cond)) {                                                           \
      ::planapi::status_internal::CheckFailed(#cond, __FILE__, __LINE__);    \
    }                                                                        \
  } while (false)

namespace planapi::status_internal {
[[noreturn]] void CheckFailed(const char* condition, const char* file, int line);
}  // namespace planapi::status_internal
