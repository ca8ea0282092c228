// Client channels to the suite's services: one long-lived channel per upstream, reconnecting fast
// (sub-second backoff) when a service restarts, with keepalive so that a dead peer is noticed.
// Calls are fail-fast: while a service is down they fail at once with UNAVAILABLE.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "libs/rpc/metadata.h"

namespace planapi::rpc {

// A plaintext channel (in-cluster, NetworkPolicy-guarded) to host:port whose calls carry this
// process's service identity (identity.h).
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);

// Asks the standard health service (grpc.health.v1) of `channel` whether it serves, without
// blocking: `done` runs on a gRPC thread with OK when SERVING, FAILED_PRECONDITION when the
// service answers that it is not serving, and the call's error (UNAVAILABLE, DEADLINE_EXCEEDED)
// when it cannot be reached. `channel` must outlive the call.
void CheckHealthAsync(grpc::Channel& channel, const CallInfo& info,
                      std::function<void(absl::Status)> done);

}  // namespace planapi::rpc
