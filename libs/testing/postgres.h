// A real PostgreSQL 15 for tests: a cluster in a temporary folder on a private Unix socket (no TCP
// port, so nothing clashes with other servers), and a fresh database per test case. When ctest's
// fixture has started the shared cluster (its socket folder is compiled in; PLANAPI_TEST_PG_SOCKET
// overrides it), tests use it; otherwise a test process starts its own.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace planapi::testing {

// A database created for one test and dropped afterwards.
class Database {
 public:
  Database(std::string admin_conninfo, std::string name, std::string conninfo);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  Database(Database&&) noexcept;

  const std::string& conninfo() const { return conninfo_; }
  const std::string& name() const { return name_; }

 private:
  std::string admin_conninfo_;
  std::string name_;
  std::string conninfo_;
};

class Postgres {
 public:
  // The cluster of ctest's fixture, or one started for this process on first use.
  static Postgres& Shared();
  // A cluster owned by the caller (for tests that stop and restart the server).
  static absl::StatusOr<std::unique_ptr<Postgres>> StartOwned();
  ~Postgres();

  Database CreateDatabase();
  // Owned clusters only: stop the server (fast mode, connections are cut) and start it again.
  absl::Status Stop();
  absl::Status Start();

  const std::string& socket_dir() const { return socket_dir_; }
  std::string ConnInfo(const std::string& dbname) const;

 private:
  Postgres() = default;
  std::string data_dir_;    // empty when not owned
  std::string socket_dir_;
  std::string base_dir_;
};

// Where PostgreSQL's server binaries are (initdb, pg_ctl).
std::string PostgresBinDir();

}  // namespace planapi::testing
