// Keeps a TokenVerifier current from the auth service: the JWKS (fetched at start, every five
// minutes, and soon after a token names an unknown key) and the revocation stream (one long-lived
// WatchRevocations call, resumed from the last sequence number after any break). Runs on its own
// two threads with blocking gRPC calls, never on an io thread. Stops in the destructor.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "services/gateway/authenticator.h"

namespace planapi::gateway {

class AuthFeed {
 public:
  // `verifier` must outlive the feed.
  AuthFeed(std::shared_ptr<grpc::Channel> channel, TokenVerifier& verifier);
  ~AuthFeed();
  AuthFeed(const AuthFeed&) = delete;
  AuthFeed& operator=(const AuthFeed&) = delete;

  // Asks for a JWKS refresh now (at most one every few seconds, however often asked).
  void RefreshKeysSoon();

 private:
  void KeysLoop();
  void RevocationsLoop();

  std::shared_ptr<grpc::Channel> channel_;
  TokenVerifier& verifier_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool refresh_ = false;
  grpc::ClientContext* stream_ = nullptr;  // the open WatchRevocations call, for TryCancel
  std::thread keys_thread_;
  std::thread revocations_thread_;
};

}  // namespace planapi::gateway
