#include "libs/rpc/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <vector>

#include "libs/rpc/identity.h"
#include "libs/rpc/status.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace planapi::rpc {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  grpc::ChannelArguments args;
  // gRPC's default backoff grows to two minutes; a restarted service must be found again in
  // about a second.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Spread calls over every address the name resolves to (a headless Service in Kubernetes),
  // so that replicas added by the autoscaler get traffic from gateways already running.
  args.SetLoadBalancingPolicyName("round_robin");
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  args.SetMaxSendMessageSize(64 * 1024 * 1024);
  // Every call names this process (service identity): the services refuse calls without one.
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(IdentityInterceptorFactory());
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      address, grpc::InsecureChannelCredentials(), args, std::move(interceptors));
}

namespace {
struct HealthCall {
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  std::unique_ptr<grpc::health::v1::Health::Stub> stub;
  std::function<void(absl::Status)> done;
};
}  // namespace

void CheckHealthAsync(grpc::Channel& channel, const CallInfo& info,
                      std::function<void(absl::Status)> done) {
  auto* call = new HealthCall();
  call->done = std::move(done);
  // The stub only borrows the channel; wrap it without taking ownership.
  call->stub = grpc::health::v1::Health::NewStub(
      std::shared_ptr<grpc::Channel>(std::shared_ptr<grpc::Channel>(), &channel));
  PrepareClientContext(call->context, info);
  call->stub->async()->Check(&call->context, &call->request, &call->response,
                             [call](grpc::Status status) {
                               absl::Status result = FromGrpcStatus(status);
                               if (result.ok() && call->response.status() !=
                                                      grpc::health::v1::HealthCheckResponse::SERVING) {
                                 result = absl::FailedPreconditionError("not serving");
                               }
                               // The call is gone before `done` runs: the caller may then tear
                               // down the channel, or the process, without racing this thread.
                               std::function<void(absl::Status)> done = std::move(call->done);
                               delete call;
                               done(result);
                             });
}

}  // namespace planapi::rpc
