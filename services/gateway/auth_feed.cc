#include "services/gateway/auth_feed.h"

#include "absl/strings/str_cat.h"
#include "libs/rpc/status.h"
#include "libs/runtime/log.h"
#include "planapi/auth/v1/auth_service.grpc.pb.h"

namespace planapi::gateway {
namespace {

namespace authpb = planapi::auth::v1;

constexpr auto kRefreshEvery = std::chrono::minutes(5);
constexpr auto kRetryAfter = std::chrono::seconds(1);
constexpr auto kMinGapBetweenRefreshes = std::chrono::seconds(5);

}  // namespace

AuthFeed::AuthFeed(std::shared_ptr<grpc::Channel> channel, TokenVerifier& verifier)
    : channel_(std::move(channel)), verifier_(verifier) {
  verifier_.SetOnUnknownKey([this] { RefreshKeysSoon(); });
  keys_thread_ = std::thread([this] { KeysLoop(); });
  revocations_thread_ = std::thread([this] { RevocationsLoop(); });
}

AuthFeed::~AuthFeed() {
  verifier_.SetOnUnknownKey(nullptr);
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (stream_ != nullptr) {
      stream_->TryCancel();
    }
  }
  cv_.notify_all();
  keys_thread_.join();
  revocations_thread_.join();
}

void AuthFeed::RefreshKeysSoon() {
  {
    std::lock_guard lock(mu_);
    refresh_ = true;
  }
  cv_.notify_all();
}

void AuthFeed::KeysLoop() {
  auto stub = authpb::Auth::NewStub(channel_);
  std::unique_lock lock(mu_);
  while (!stop_) {
    refresh_ = false;
    lock.unlock();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    authpb::GetJwksResponse out;
    grpc::Status status = stub->GetJwks(&ctx, authpb::GetJwksRequest(), &out);
    bool ok = false;
    if (status.ok()) {
      absl::StatusOr<jose::KeySet> keys = jose::KeySet::FromJson(out.jwks_json());
      if (keys.ok()) {
        verifier_.SetKeys(*std::move(keys));
        ok = true;
      } else {
        runtime::LogError("auth sent an unusable JWKS", {{"error", keys.status().ToString()}});
      }
    } else if (verifier_.has_keys()) {
      runtime::LogWarn("cannot refresh keys from auth", {{"error", status.error_message()}});
    }
    lock.lock();
    if (ok) {
      // At most one fetch per gap, however many unknown kids arrive meanwhile.
      cv_.wait_for(lock, kMinGapBetweenRefreshes, [this] { return stop_; });
      cv_.wait_for(lock, kRefreshEvery, [this] { return stop_ || refresh_; });
    } else {
      cv_.wait_for(lock, kRetryAfter, [this] { return stop_; });
    }
  }
}

void AuthFeed::RevocationsLoop() {
  auto stub = authpb::Auth::NewStub(channel_);
  int64_t after = 0;
  while (true) {
    grpc::ClientContext ctx;
    {
      std::lock_guard lock(mu_);
      if (stop_) {
        return;
      }
      stream_ = &ctx;
    }
    authpb::WatchRevocationsRequest request;
    request.set_after_seq(after);
    std::unique_ptr<grpc::ClientReader<authpb::Revocation>> reader =
        stub->WatchRevocations(&ctx, request);
    authpb::Revocation r;
    while (reader->Read(&r)) {
      verifier_.Revoke(r.kind(), r.subject(), absl::FromUnixSeconds(r.created_at()));
      after = r.seq();
    }
    grpc::Status status = reader->Finish();
    std::unique_lock lock(mu_);
    stream_ = nullptr;
    if (stop_) {
      return;
    }
    if (!status.ok() && status.error_code() != grpc::StatusCode::UNAVAILABLE) {
      runtime::LogWarn("revocation stream ended", {{"error", status.error_message()}});
    }
    // Short tokens are the backstop while the stream is down; reconnect soon.
    cv_.wait_for(lock, kRetryAfter, [this] { return stop_; });
  }
}

}  // namespace planapi::gateway
