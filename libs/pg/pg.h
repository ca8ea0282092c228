// PostgreSQL access over libpq for the services: a connection pool that survives server restarts,
// text-parameter queries, transactions, and the SQLSTATE -> absl::Status mapping of the error
// model. Only this library sees PGconn/PGresult. Blocking by design: services run on gRPC's sync
// server, never on an io thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/string_view.h"

namespace planapi::pg {

// A query parameter in text form; nullopt is SQL NULL.
using Param = std::optional<std::string>;

// A completed query's rows. Movable, owns its memory.
class Result {
 public:
  Result();
  ~Result();
  Result(Result&&) noexcept;
  Result& operator=(Result&&) noexcept;

  int rows() const;
  int columns() const;
  bool IsNull(int row, int column) const;
  // The value's text; valid while this Result lives.
  absl::string_view Get(int row, int column) const;
  // Rows changed by INSERT/UPDATE/DELETE.
  int64_t AffectedRows() const;

 private:
  friend class Connection;
  struct Impl;
  explicit Result(void* pg_result);
  void* result_ = nullptr;
};

class Listener;

// One libpq connection. Not thread-safe: a connection serves one caller at a time (Pool leases).
class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects with a libpq conninfo string or URI, then sets search_path to `schema` (when not
  // empty) and the statement timeout. UNAVAILABLE when the server cannot be reached,
  // INVALID_ARGUMENT for a malformed conninfo.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      absl::string_view conninfo, absl::string_view schema,
      std::chrono::milliseconds statement_timeout);

  // One statement with $1..$n text parameters. Errors per MapSqlState; UNAVAILABLE when the
  // connection broke (it is then !healthy()).
  absl::StatusOr<Result> Exec(absl::string_view sql, std::span<const Param> params = {});
  // Exec for statements whose text recurs (point reads, audit inserts, token issuance):
  // prepared on this connection the first time (keyed by its text), then executed by name, so
  // PostgreSQL parses, analyses and plans it once per connection instead of once per call. Never
  // for text built from request values: each distinct text holds a server-side statement (a
  // bounded number per connection; the oldest are dropped past it).
  absl::StatusOr<Result> ExecPrepared(absl::string_view sql, std::span<const Param> params = {});
  // Several statements without parameters (migrations).
  absl::Status ExecScript(absl::string_view sql);

  bool healthy() const;
  // Healthy and outside any transaction: safe to hand to the next caller.
  bool reusable() const;

 private:
  friend class Listener;
  struct Statements;
  explicit Connection(void* conn);
  absl::StatusOr<Result> Finish(void* pg_result);
  void* conn_;
  std::unique_ptr<Statements> statements_;
};

// Maps a SQLSTATE and message to the error model (STYLE.md): 23505 ALREADY_EXISTS; 23503/23514
// FAILED_PRECONDITION; 40001/40P01 ABORTED; class 08 and 57P01..03 UNAVAILABLE; 57014
// DEADLINE_EXCEEDED; class 22 INVALID_ARGUMENT; anything else INTERNAL.
absl::Status MapSqlState(absl::string_view sqlstate, absl::string_view message);

struct PoolOptions {
  std::string conninfo;
  std::string schema;
  int size = 8;
  std::chrono::milliseconds acquire_timeout{5000};
  std::chrono::milliseconds statement_timeout{30000};
};

// A fixed-size pool of lazily opened connections. A connection found broken is discarded on
// release and reopened on a later lease, so the pool recovers by itself when PostgreSQL restarts.
// Thread-safe.
class Pool {
 public:
  class Lease {
   public:
    Lease(Lease&&) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    friend class Pool;
    Lease(Pool* pool, std::unique_ptr<Connection> conn);
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Validates the options (INVALID_ARGUMENT for a malformed conninfo or size); connects lazily.
  static absl::StatusOr<std::unique_ptr<Pool>> Create(PoolOptions options);

  // A connection for exclusive use until the Lease dies. RESOURCE_EXHAUSTED when none frees up
  // within acquire_timeout; UNAVAILABLE when a new connection cannot be opened.
  absl::StatusOr<Lease> Acquire();

  const PoolOptions& options() const { return options_; }

 private:
  explicit Pool(PoolOptions options);
  void Release(std::unique_ptr<Connection> conn);

  const PoolOptions options_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int leased_or_opening_ ABSL_GUARDED_BY(mu_) = 0;
};

// Runs `fn` inside BEGIN ... COMMIT on one connection; rolls back when `fn` returns an error or
// the commit fails. Returns fn's status or the commit's.
template <typename Fn>
absl::Status InTransaction(Connection& conn, Fn&& fn) {
  if (auto begin = conn.Exec("BEGIN"); !begin.ok()) {
    return begin.status();
  }
  absl::Status status = fn(conn);
  if (!status.ok()) {
    (void)conn.Exec("ROLLBACK");
    return status;
  }
  if (auto commit = conn.Exec("COMMIT"); !commit.ok()) {
    return commit.status();
  }
  return absl::OkStatus();
}

}  // namespace planapi::pg

namespace planapi::pg {

// Follows PostgreSQL notifications (LISTEN/NOTIFY) on one channel over a dedicated connection,
// on a thread of its own, reconnecting after any break. `on_notify` gets each payload;
// `on_state` gets false when the connection is lost (notifications may be missed from then on)
// and true once it listens again (nothing was missed after that point). Callbacks run on the
// listener's thread and must not block for long. Stops (and joins) in the destructor. The
// references must outlive the listener.
class Listener {
 public:
  struct Options {
    std::string conninfo;
    std::string channel;  // an SQL identifier: quoted by the listener
    std::chrono::milliseconds reconnect_delay{1000};
  };
  Listener(Options options, std::function<void(absl::string_view)> on_notify,
           std::function<void(bool)> on_state);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Whether the listener currently listens (for tests and health).
  bool listening() const;

 private:
  void Loop();

  const Options options_;
  std::function<void(absl::string_view)> on_notify_;
  std::function<void(bool)> on_state_;
  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool listening_ ABSL_GUARDED_BY(mu_) = false;
  int wake_fd_[2] = {-1, -1};  // a pipe: the destructor writes to end a poll at once
  std::thread thread_;
};

}  // namespace planapi::pg
