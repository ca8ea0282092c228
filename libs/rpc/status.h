// absl::Status <-> grpc::Status, one-to-one on codes, with the status payloads (e.g. the FHIR
// issue type) carried in error_details() as a planapi.common.v1.ErrorDetail.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace planapi::rpc {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace planapi::rpc
