#include "libs/rpc/identity.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/rpc/metadata.h"
#include "libs/rpc/status.h"

namespace planapi::rpc {
namespace {

std::string Mac(absl::string_view key, absl::string_view name);

class Identity {
 public:
  Identity(absl::string_view name, absl::string_view key)
      : key_(key), header_(absl::StrCat(name, ".", Mac(key, name))) {}

  const std::string& header() const { return header_; }  // "name.mac", what this process sends

  // The MAC a caller named `name` must send. Worked out once per name rather than once per
  // call; the callers are a handful of services, and since a caller chooses its name the
  // memo is bounded.
  std::string ExpectedMac(absl::string_view name) const {
    absl::MutexLock lock(&mu_);
    if (auto it = expected_.find(name); it != expected_.end()) {
      return it->second;
    }
    if (expected_.size() >= 64) {
      expected_.clear();
    }
    return expected_.emplace(std::string(name), Mac(key_, name)).first->second;
  }

 private:
  const std::string key_;
  const std::string header_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, std::string> expected_ ABSL_GUARDED_BY(mu_);
};

absl::Mutex mu(absl::kConstInit);
// Replaced whole, never changed in place: readers keep the one they loaded.
std::shared_ptr<const Identity>* current ABSL_GUARDED_BY(mu) = nullptr;

std::shared_ptr<const Identity> Current() {
  absl::MutexLock lock(&mu);
  return current == nullptr ? nullptr : *current;
}

std::string Mac(absl::string_view key, absl::string_view name) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(name.data()), name.size(), out.data(), &len);
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(out.data()), len));
}

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

class IdentityInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit IdentityInterceptor(std::shared_ptr<const Identity> identity)
      : identity_(std::move(identity)) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kServiceIdentityKey, identity_->header());
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<const Identity> identity_;
};

class IdentityInterceptorFactoryImpl final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    std::shared_ptr<const Identity> identity = Current();
    return identity == nullptr ? nullptr : new IdentityInterceptor(std::move(identity));
  }
};

}  // namespace

absl::Status SetServiceIdentity(absl::string_view name, absl::string_view key) {
  if (!ValidName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a service name is 1 to 64 of [a-z0-9-], not '", name, "'"));
  }
  if (key.size() < kMinServiceKeyLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the service key must be at least ", kMinServiceKeyLength,
        " characters (e.g. `openssl rand -base64 32`)"));
  }
  auto identity = std::make_shared<const Identity>(name, key);
  absl::MutexLock lock(&mu);
  if (current == nullptr) {
    current = new std::shared_ptr<const Identity>();  // lives for the process
  }
  *current = std::move(identity);
  return absl::OkStatus();
}

absl::StatusOr<std::string> CallerOf(const grpc::ServerContext& context) {
  std::shared_ptr<const Identity> identity = Current();
  if (identity == nullptr) {
    return absl::UnauthenticatedError("this service has no service key to verify callers with");
  }
  const auto& md = context.client_metadata();
  auto it = md.find(kServiceIdentityKey);
  if (it == md.end()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "internal calls need a service identity (", kServiceIdentityKey,
        " metadata from a process holding the deployment's service key)"));
  }
  const absl::string_view given(it->second.data(), it->second.size());
  const size_t dot = given.find('.');
  const absl::string_view name = given.substr(0, dot);
  if (dot == absl::string_view::npos || !ValidName(name)) {
    return absl::UnauthenticatedError("the service identity is malformed");
  }
  const std::string expected = identity->ExpectedMac(name);
  const absl::string_view mac = given.substr(dot + 1);
  if (mac.size() != expected.size() ||
      CRYPTO_memcmp(mac.data(), expected.data(), expected.size()) != 0) {
    return absl::UnauthenticatedError(
        "the service identity does not verify (a different service key?)");
  }
  return std::string(name);
}

grpc::Status RequireServiceIdentity(const grpc::ServerContext& context, absl::string_view method) {
  absl::StatusOr<std::string> caller = CallerOf(context);
  if (caller.ok()) {
    return grpc::Status::OK;
  }
  LogCallOutcome(context, method, caller.status());
  return ToGrpcStatus(caller.status());
}

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> IdentityInterceptorFactory() {
  return std::make_unique<IdentityInterceptorFactoryImpl>();
}

}  // namespace planapi::rpc
