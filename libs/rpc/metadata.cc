#include "libs/rpc/metadata.h"

#include "libs/runtime/log.h"

namespace planapi::rpc {

void PrepareClientContext(grpc::ClientContext& context, const CallInfo& info) {
  context.set_deadline(std::chrono::system_clock::now() + info.deadline);
  if (!info.request_id.empty()) {
    context.AddMetadata(kRequestIdKey, info.request_id);
  }
  if (!info.traceparent.empty()) {
    context.AddMetadata(kTraceparentKey, info.traceparent);
  }
}

std::string RequestIdOf(const grpc::ServerContext& context) {
  const auto& md = context.client_metadata();
  auto it = md.find(kRequestIdKey);
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

}  // namespace planapi::rpc

namespace planapi::rpc {

void LogCallOutcome(const grpc::ServerContext& context, absl::string_view method,
                    const absl::Status& status) {
  const absl::StatusCode code = status.code();
  const bool fault = code == absl::StatusCode::kInternal || code == absl::StatusCode::kUnknown ||
                     code == absl::StatusCode::kDataLoss ||
                     code == absl::StatusCode::kUnavailable ||
                     code == absl::StatusCode::kDeadlineExceeded;
  const runtime::LogLevel level = fault ? runtime::LogLevel::kError : runtime::LogLevel::kDebug;
  if (!runtime::LogEnabled(level)) {
    return;  // the common case: a successful call at info level costs nothing here
  }
  const std::string request_id = RequestIdOf(context);
  const std::string outcome = status.ToString();
  runtime::Log(level, "call",
               {{"method", method}, {"request_id", request_id}, {"status", outcome}});
}

}  // namespace planapi::rpc
