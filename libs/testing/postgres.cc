#include "libs/testing/postgres.h"

#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "libs/pg/pg.h"
#include "libs/status/status_macros.h"
#include "libs/testing/process.h"

namespace planapi::testing {
namespace {

constexpr char kPort[] = "5432";  // names the socket file only; there is no TCP listener

// initdb refuses to run as root: as root, run the server binaries as the postgres user.
std::vector<std::string> AsServerUser(std::vector<std::string> argv) {
  if (geteuid() == 0) {
    argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  }
  return argv;
}

void GiveToServerUser(const std::string& path) {
  if (geteuid() != 0) {
    return;
  }
  if (passwd* pw = getpwnam("postgres"); pw != nullptr) {
    if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      FAIL("cannot chown " << path << " to postgres");
    }
  }
}

}  // namespace

std::string PostgresBinDir() {
  if (const char* dir = std::getenv("PLANAPI_PG_BIN")) {
    return dir;
  }
  return "/usr/lib/postgresql/15/bin";
}

Database::Database(std::string admin_conninfo, std::string name, std::string conninfo)
    : admin_conninfo_(std::move(admin_conninfo)),
      name_(std::move(name)),
      conninfo_(std::move(conninfo)) {}

Database::Database(Database&& other) noexcept
    : admin_conninfo_(std::move(other.admin_conninfo_)),
      name_(std::exchange(other.name_, "")),
      conninfo_(std::move(other.conninfo_)) {}

Database::~Database() {
  if (name_.empty()) {
    return;
  }
  auto conn = pg::Connection::Open(admin_conninfo_, "", std::chrono::seconds(30));
  if (conn.ok()) {
    (void)(*conn)->Exec(absl::StrCat("DROP DATABASE IF EXISTS \"", name_, "\" WITH (FORCE)"));
  }
}

std::string Postgres::ConnInfo(const std::string& dbname) const {
  return absl::StrCat("host=", socket_dir_, " port=", kPort, " user=postgres dbname=", dbname);
}

Postgres& Postgres::Shared() {
  // Destroyed at exit, which stops a cluster this process started.
  static std::unique_ptr<Postgres> shared = []() -> std::unique_ptr<Postgres> {
    const char* env = std::getenv("PLANAPI_TEST_PG_SOCKET");
    const std::string socket = env != nullptr ? env : PLANAPI_DEFAULT_TEST_PG_SOCKET;
    if (std::filesystem::exists(absl::StrCat(socket, "/.s.PGSQL.", kPort))) {
      auto p = std::unique_ptr<Postgres>(new Postgres());
      p->socket_dir_ = socket;
      return p;
    }
    auto owned = StartOwned();
    if (!owned.ok()) {
      FAIL("cannot start PostgreSQL: " << owned.status());
    }
    return *std::move(owned);
  }();
  return *shared;
}

absl::StatusOr<std::unique_ptr<Postgres>> Postgres::StartOwned() {
  auto pg = std::unique_ptr<Postgres>(new Postgres());
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = absl::StrCat(base != nullptr ? base : "/tmp", "/planapi-pg-XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError("mkdtemp failed");
  }
  pg->base_dir_ = tmpl;
  pg->data_dir_ = tmpl + "/data";
  pg->socket_dir_ = tmpl + "/run";
  std::filesystem::create_directories(pg->socket_dir_);
  GiveToServerUser(pg->base_dir_);
  GiveToServerUser(pg->socket_dir_);
  PLANAPI_ASSIGN_OR_RETURN(
      int rc, RunCommand(AsServerUser({PostgresBinDir() + "/initdb", "-D", pg->data_dir_, "-U",
                                       "postgres", "--auth=trust", "-E", "UTF8",
                                       "--locale=C.UTF-8", "--no-sync"}),
                         {}, pg->base_dir_ + "/initdb.log"));
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("initdb failed: ", ReadFile(pg->base_dir_ + "/initdb.log")));
  }
  PLANAPI_RETURN_IF_ERROR(pg->Start());
  return pg;
}

absl::Status Postgres::Start() {
  if (data_dir_.empty()) {
    return absl::FailedPreconditionError("not an owned cluster");
  }
  // Tests trade durability for speed; the local run (./planapi up) keeps fsync on.
  const std::string options =
      absl::StrCat("-p ", kPort, " -k ", socket_dir_,
                   " -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
                   " -c full_page_writes=off -c max_connections=200");
  PLANAPI_ASSIGN_OR_RETURN(
      int rc, RunCommand(AsServerUser({PostgresBinDir() + "/pg_ctl", "-D", data_dir_, "-o",
                                       options, "-l", base_dir_ + "/server.log", "-w", "start"}),
                         {}, base_dir_ + "/pg_ctl.log"));
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("pg_ctl start failed: ", ReadFile(base_dir_ + "/server.log")));
  }
  return absl::OkStatus();
}

absl::Status Postgres::Stop() {
  if (data_dir_.empty()) {
    return absl::FailedPreconditionError("not an owned cluster");
  }
  PLANAPI_ASSIGN_OR_RETURN(
      int rc, RunCommand(AsServerUser({PostgresBinDir() + "/pg_ctl", "-D", data_dir_, "-m",
                                       "fast", "-w", "stop"}),
                         {}, base_dir_ + "/pg_ctl.log"));
  return rc == 0 ? absl::OkStatus() : absl::InternalError("pg_ctl stop failed");
}

Postgres::~Postgres() {
  if (!data_dir_.empty()) {
    (void)Stop();
    std::error_code ignored;
    std::filesystem::remove_all(base_dir_, ignored);
  }
}

Database Postgres::CreateDatabase() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  const std::string name = absl::StrCat("t_", getpid(), "_", counter++, "_", rd() % 100000);
  const std::string admin = ConnInfo("postgres");
  auto conn = pg::Connection::Open(admin, "", std::chrono::seconds(30));
  if (!conn.ok()) {
    FAIL("cannot connect to test PostgreSQL: " << conn.status());
  }
  auto created = (*conn)->Exec(absl::StrCat("CREATE DATABASE \"", name, "\" TEMPLATE template0"));
  if (!created.ok()) {
    FAIL("CREATE DATABASE failed: " << created.status());
  }
  return Database(admin, name, ConnInfo(name));
}

}  // namespace planapi::testing
