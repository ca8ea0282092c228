#include "libs/pg/pg.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include <deque>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/status/status_macros.h"

namespace planapi::pg {
namespace {

PGresult* AsResult(void* p) { return static_cast<PGresult*>(p); }
PGconn* AsConn(void* p) { return static_cast<PGconn*>(p); }

std::string QuoteIdentifier(absl::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') {
      out.push_back('"');
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// libpq messages end with a newline and may span lines; keep the first line for clients.
std::string FirstLine(const char* message) {
  absl::string_view m = message == nullptr ? "" : message;
  m = absl::StripPrefix(m, "ERROR:  ");
  return std::string(m.substr(0, m.find('\n')));
}

}  // namespace

absl::Status MapSqlState(absl::string_view sqlstate, absl::string_view message) {
  if (sqlstate == "23505") {
    return absl::AlreadyExistsError(message);
  }
  if (sqlstate == "23503" || sqlstate == "23514") {
    return absl::FailedPreconditionError(message);
  }
  if (sqlstate == "40001" || sqlstate == "40P01") {
    return absl::AbortedError(message);
  }
  if (absl::StartsWith(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03") {
    return absl::UnavailableError(message);
  }
  if (sqlstate == "57014") {
    return absl::DeadlineExceededError(message);
  }
  if (absl::StartsWith(sqlstate, "22")) {
    return absl::InvalidArgumentError(message);
  }
  return absl::InternalError(absl::StrCat("SQLSTATE ", sqlstate, ": ", message));
}

// ---- Result ----

Result::Result() = default;
Result::Result(void* pg_result) : result_(pg_result) {}
Result::~Result() { PQclear(AsResult(result_)); }
Result::Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    PQclear(AsResult(result_));
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}
int Result::rows() const { return result_ == nullptr ? 0 : PQntuples(AsResult(result_)); }
int Result::columns() const { return result_ == nullptr ? 0 : PQnfields(AsResult(result_)); }
bool Result::IsNull(int row, int column) const {
  return PQgetisnull(AsResult(result_), row, column) != 0;
}
absl::string_view Result::Get(int row, int column) const {
  return absl::string_view(PQgetvalue(AsResult(result_), row, column),
                          PQgetlength(AsResult(result_), row, column));
}
int64_t Result::AffectedRows() const {
  const char* n = PQcmdTuples(AsResult(result_));
  return n == nullptr || *n == '\0' ? 0 : std::atoll(n);
}

// ---- Connection ----

// The statements prepared on one connection, by text; the oldest go first past kMax.
struct Connection::Statements {
  static constexpr size_t kMax = 256;
  absl::flat_hash_map<std::string, std::string> names;
  std::deque<std::string> order;
  uint64_t next = 0;
};

Connection::Connection(void* conn) : conn_(conn), statements_(std::make_unique<Statements>()) {}
Connection::~Connection() { PQfinish(AsConn(conn_)); }

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(
    absl::string_view conninfo, absl::string_view schema,
    std::chrono::milliseconds statement_timeout) {
  const std::string info(conninfo);
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(info.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string why = parse_error != nullptr ? FirstLine(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return absl::InvalidArgumentError(absl::StrCat("malformed database URL: ", why));
  }
  PQconninfoFree(parsed);

  // dbname is expanded as the full conninfo; the later keywords fill in what it leaves out.
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {info.c_str(), "5", "planapi", nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  auto conn = std::unique_ptr<Connection>(new Connection(raw));
  if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to PostgreSQL: ",
                     raw == nullptr ? "out of memory" : FirstLine(PQerrorMessage(raw))));
  }
  std::string setup = absl::StrCat("SET client_min_messages = warning; SET statement_timeout = ",
                                   statement_timeout.count());
  if (!schema.empty()) {
    absl::StrAppend(&setup, "; SET search_path TO ", QuoteIdentifier(schema), ", public");
  }
  PLANAPI_RETURN_IF_ERROR(conn->ExecScript(setup));
  return conn;
}

bool Connection::healthy() const { return PQstatus(AsConn(conn_)) == CONNECTION_OK; }
bool Connection::reusable() const {
  return healthy() && PQtransactionStatus(AsConn(conn_)) == PQTRANS_IDLE;
}

namespace {
absl::Status StatusOf(PGconn* conn, PGresult* res) {
  const char* state = res == nullptr ? nullptr : PQresultErrorField(res, PG_DIAG_SQLSTATE);
  if (state == nullptr || PQstatus(conn) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("database connection lost: ", FirstLine(PQerrorMessage(conn))));
  }
  return MapSqlState(state, FirstLine(PQresultErrorMessage(res)));
}
}  // namespace

namespace {
std::vector<const char*> Values(std::span<const Param> params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) {
    values.push_back(p.has_value() ? p->c_str() : nullptr);
  }
  return values;
}
}  // namespace

absl::StatusOr<Result> Connection::Exec(absl::string_view sql, std::span<const Param> params) {
  const std::string query(sql);
  const std::vector<const char*> values = Values(params);
  return Finish(PQexecParams(AsConn(conn_), query.c_str(), static_cast<int>(values.size()),
                             nullptr, values.data(), nullptr, nullptr, 0));
}

absl::StatusOr<Result> Connection::Finish(void* pg_result) {
  PGresult* res = AsResult(pg_result);
  const ExecStatusType st = res == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(res);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    return Result(res);
  }
  absl::Status status = StatusOf(AsConn(conn_), res);
  PQclear(res);
  return status;
}

absl::StatusOr<Result> Connection::ExecPrepared(absl::string_view sql,
                                                std::span<const Param> params) {
  Statements& st = *statements_;
  auto it = st.names.find(sql);
  if (it == st.names.end()) {
    if (st.order.size() >= Statements::kMax) {
      const std::string& oldest = st.order.front();
      PLANAPI_RETURN_IF_ERROR(Exec(absl::StrCat("DEALLOCATE ", st.names.at(oldest))).status());
      st.names.erase(oldest);
      st.order.pop_front();
    }
    const std::string name = absl::StrCat("planapi_", st.next++);
    const std::string text(sql);
    PLANAPI_RETURN_IF_ERROR(
        Finish(PQprepare(AsConn(conn_), name.c_str(), text.c_str(), 0, nullptr)).status());
    it = st.names.emplace(text, name).first;
    st.order.push_back(text);
  }
  const std::vector<const char*> values = Values(params);
  return Finish(PQexecPrepared(AsConn(conn_), it->second.c_str(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0));
}

absl::Status Connection::ExecScript(absl::string_view sql) {
  const std::string script(sql);
  PGresult* res = PQexec(AsConn(conn_), script.c_str());
  const ExecStatusType st = res == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(res);
  absl::Status status = absl::OkStatus();
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    status = StatusOf(AsConn(conn_), res);
  }
  PQclear(res);  // PQexec has consumed every result; this is the last one
  return status;
}

// ---- Pool ----

Pool::Pool(PoolOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(PoolOptions options) {
  if (options.size < 1) {
    return absl::InvalidArgumentError("database pool size must be at least 1");
  }
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.conninfo.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string why = parse_error != nullptr ? FirstLine(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return absl::InvalidArgumentError(absl::StrCat("malformed database URL: ", why));
  }
  PQconninfoFree(parsed);
  return std::unique_ptr<Pool>(new Pool(std::move(options)));
}

absl::StatusOr<Pool::Lease> Pool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || leased_or_opening_ + static_cast<int>(idle_.size()) < options_.size;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&available),
                              absl::FromChrono(options_.acquire_timeout))) {
      return absl::ResourceExhaustedError("all database connections are busy");
    }
    ++leased_or_opening_;
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  // Open outside the lock: connecting can take seconds while the server is down.
  absl::StatusOr<std::unique_ptr<Connection>> conn =
      Connection::Open(options_.conninfo, options_.schema, options_.statement_timeout);
  if (!conn.ok()) {
    absl::MutexLock lock(&mu_);
    --leased_or_opening_;
    return conn.status();
  }
  return Lease(this, *std::move(conn));
}

void Pool::Release(std::unique_ptr<Connection> conn) {
  absl::MutexLock lock(&mu_);
  --leased_or_opening_;
  // A broken connection (or one left inside a transaction) is dropped; the next lease opens a
  // fresh one.
  if (conn != nullptr && conn->reusable()) {
    idle_.push_back(std::move(conn));
  }
}

Pool::Lease::Lease(Pool* pool, std::unique_ptr<Connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}
Pool::Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
Pool::Lease::~Lease() {
  if (pool_ != nullptr) {
    pool_->Release(std::move(conn_));
  }
}

}  // namespace planapi::pg

// ---- Listener ----

namespace planapi::pg {

Listener::Listener(Options options, std::function<void(absl::string_view)> on_notify,
                   std::function<void(bool)> on_state)
    : options_(std::move(options)),
      on_notify_(std::move(on_notify)),
      on_state_(std::move(on_state)) {
  PLANAPI_CHECK(pipe2(wake_fd_, O_CLOEXEC | O_NONBLOCK) == 0);
  thread_ = std::thread([this] { Loop(); });
}

Listener::~Listener() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  const char byte = 1;
  (void)!write(wake_fd_[1], &byte, 1);
  thread_.join();
  close(wake_fd_[0]);
  close(wake_fd_[1]);
}

bool Listener::listening() const {
  absl::MutexLock lock(&mu_);
  return listening_;
}

void Listener::Loop() {
  // Waits for `fd` to become readable, for a stop, or for `timeout_ms` (-1: no limit). False on
  // a stop.
  auto wait = [this](int fd, int timeout_ms) {
    pollfd fds[2] = {{.fd = wake_fd_[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    while (true) {
      const int n = poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      return n <= 0 || (fds[0].revents & POLLIN) == 0;
    }
  };
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) {
        return;
      }
    }
    absl::StatusOr<std::unique_ptr<Connection>> conn =
        Connection::Open(options_.conninfo, "", std::chrono::milliseconds(30000));
    if (conn.ok() &&
        (*conn)->ExecScript(absl::StrCat("LISTEN ", QuoteIdentifier(options_.channel))).ok()) {
      PGconn* pc = AsConn((*conn)->conn_);
      {
        absl::MutexLock lock(&mu_);
        listening_ = true;
      }
      on_state_(true);
      bool stopped = false;
      while (PQstatus(pc) == CONNECTION_OK) {
        if (!wait(PQsocket(pc), -1)) {
          stopped = true;
          break;
        }
        if (PQconsumeInput(pc) == 0) {
          break;  // the connection broke
        }
        while (PGnotify* n = PQnotifies(pc)) {
          on_notify_(n->extra == nullptr ? "" : n->extra);
          PQfreemem(n);
        }
      }
      {
        absl::MutexLock lock(&mu_);
        listening_ = false;
      }
      on_state_(false);
      if (stopped) {
        return;
      }
    }
    if (!wait(-1, static_cast<int>(options_.reconnect_delay.count()))) {
      return;
    }
  }
}

}  // namespace planapi::pg
