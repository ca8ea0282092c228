// Upstreams over gRPC: one long-lived channel per service (reconnecting by itself), the callback
// API so that no io thread ever blocks, and every upstream failure counted for /metrics.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "services/gateway/metrics.h"
#include "services/gateway/upstreams.h"

namespace planapi::gateway {

// Creates the channels (lazily connected: a service that is down now is found when it comes up).
// `addresses` maps each upstream to host:port. `metrics` must outlive the result.
std::unique_ptr<Upstreams> MakeGrpcUpstreams(const std::map<Upstream, std::string>& addresses,
                                             Metrics& metrics);

}  // namespace planapi::gateway
