// The metadata every internal call carries (request id, trace context, deadline) and helpers to
// set it on a client call and read it in a service.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace planapi::rpc {

inline constexpr char kRequestIdKey[] = "x-request-id";
inline constexpr char kTraceparentKey[] = "traceparent";

struct CallInfo {
  std::string request_id;
  std::string traceparent;  // W3C trace context, passed through when present
  std::chrono::milliseconds deadline{5000};
};

// Sets the deadline (from now) and the metadata on a client call. Call before starting it.
void PrepareClientContext(grpc::ClientContext& context, const CallInfo& info);

// The request id of an incoming call; empty when the caller sent none.
std::string RequestIdOf(const grpc::ServerContext& context);

// Logs how a call ended, with its request id: server faults (INTERNAL, UNKNOWN, DATA_LOSS,
// UNAVAILABLE, DEADLINE_EXCEEDED) as errors, everything else at debug level.
void LogCallOutcome(const grpc::ServerContext& context, absl::string_view method,
                    const absl::Status& status);

}  // namespace planapi::rpc
