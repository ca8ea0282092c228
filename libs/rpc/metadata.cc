#include "libs/rpc/metadata.h"

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
