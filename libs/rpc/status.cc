#include "libs/rpc/status.h"

#include <string>

#include "absl/strings/cord.h"
#include "planapi/common/v1/error_detail.pb.h"

namespace planapi::rpc {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  planapi::common::v1::ErrorDetail detail;
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    (*detail.mutable_payloads())[std::string(type_url)] = std::string(payload);
  });
  std::string details;
  if (detail.payloads_size() > 0) {
    detail.SerializeToString(&details);
  }
  // absl and gRPC share code numbers (google.rpc.Code).
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      details);
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) {
    return absl::OkStatus();
  }
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  planapi::common::v1::ErrorDetail detail;
  if (!status.error_details().empty() && detail.ParseFromString(status.error_details())) {
    for (const auto& [type_url, payload] : detail.payloads()) {
      out.SetPayload(type_url, absl::Cord(payload));
    }
  }
  return out;
}

}  // namespace planapi::rpc
