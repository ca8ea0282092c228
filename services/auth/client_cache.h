// Client rows for the token endpoint, held in memory so that a token request needs no client
// lookup in PostgreSQL. Correctness comes first: a suspended client, a rotated secret or new keys
// must count on the next request, on every auth replica.
//
// - An entry is dropped the moment its row changes: by this replica's own writes at once
//   (Invalidate, from AuthStore's change hook, before the admin call answers), and on every
//   replica by the notification that migration 0006's trigger sends when the change commits
//   (a pg::Listener calls Invalidate).
// - Nothing is cached while that listener is not listening (start-up, a lost connection): every
//   lookup then reads the table, as if there were no cache. When it listens again, everything
//   cached before is dropped, since notifications may have been missed meanwhile.
// - A generation counter keeps a row read before an invalidation from being cached after it.
// - `ttl` bounds an entry's life even so: a safety net, not the mechanism.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/auth/model.h"
#include "services/auth/store.h"

namespace planapi::auth_service {

class ClientCache {
 public:
  // `store` must outlive the cache. The cache starts bypassed, until SetListening(true).
  explicit ClientCache(AuthStore& store, absl::Duration ttl = absl::Seconds(30),
                       std::function<absl::Time()> now = [] { return absl::Now(); })
      : store_(store), ttl_(ttl), now_(std::move(now)) {}

  // The client row, from memory when cached and fresh, else from the store (and then cached).
  // Errors as AuthStore::GetClient (NOT_FOUND for an unknown client; unknown ids are not cached).
  absl::StatusOr<std::shared_ptr<const Client>> Get(absl::string_view client_id);

  // The row of `client_id` changed (or may have): the next Get reads the table.
  void Invalidate(absl::string_view client_id);
  // Whether change notifications arrive. Either way every cached entry is dropped; while false,
  // Get always reads the table.
  void SetListening(bool listening);

  // How many lookups were answered from memory, and invalidations seen (for tests and metrics).
  int64_t hits() const;
  int64_t invalidations() const;

 private:
  struct Entry {
    std::shared_ptr<const Client> client;
    absl::Time expires;
  };
  static constexpr size_t kMaxEntries = 10000;

  AuthStore& store_;
  const absl::Duration ttl_;
  const std::function<absl::Time()> now_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool listening_ ABSL_GUARDED_BY(mu_) = false;
  int64_t hits_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t invalidations_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace planapi::auth_service
