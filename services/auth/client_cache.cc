#include "services/auth/client_cache.h"

#include <utility>

#include "libs/status/status_macros.h"

namespace planapi::auth_service {

absl::StatusOr<std::shared_ptr<const Client>> ClientCache::Get(absl::string_view client_id) {
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    if (listening_) {
      if (auto it = entries_.find(client_id); it != entries_.end()) {
        if (now_() < it->second.expires) {
          ++hits_;
          return it->second.client;
        }
        entries_.erase(it);
      }
    }
    generation = generation_;
  }
  PLANAPI_ASSIGN_OR_RETURN(Client row, store_.GetClient(client_id));
  auto client = std::make_shared<const Client>(std::move(row));
  absl::MutexLock lock(&mu_);
  // Anything invalidated while the row was read may be older than the change: not cached.
  if (listening_ && generation == generation_) {
    if (entries_.size() >= kMaxEntries) {
      entries_.clear();  // bounded; entries are cheap to read again
    }
    entries_.insert_or_assign(std::string(client_id), Entry{client, now_() + ttl_});
  }
  return client;
}

void ClientCache::Invalidate(absl::string_view client_id) {
  absl::MutexLock lock(&mu_);
  ++generation_;
  ++invalidations_;
  entries_.erase(client_id);
}

void ClientCache::SetListening(bool listening) {
  absl::MutexLock lock(&mu_);
  ++generation_;
  ++invalidations_;
  entries_.clear();
  listening_ = listening;
}

int64_t ClientCache::hits() const {
  absl::MutexLock lock(&mu_);
  return hits_;
}

int64_t ClientCache::invalidations() const {
  absl::MutexLock lock(&mu_);
  return invalidations_;
}

}  // namespace planapi::auth_service
