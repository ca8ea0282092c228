#include "libs/fhirengine/bulk_export.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/fhir/form.h"
#include "libs/fhir/outcome.h"
#include "libs/fhir/resource_types.h"
#include "libs/fhirengine/index_writer.h"
#include "libs/fhirsearch/search_params.h"
#include "libs/json/json.h"
#include "libs/runtime/log.h"
#include "libs/status/status_macros.h"

namespace planapi::fhirengine {
namespace {

constexpr char kTimestamp[] = "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
constexpr int kChunk = 2000;  // resources fetched per query while exporting

std::string RealmParam(Realm realm) { return absl::StrCat(static_cast<int>(realm)); }

// An OperationOutcome answer, as FHIR clients of $export expect for errors.
server::WebResponse Outcome(const absl::Status& status, absl::string_view request_id) {
  fhir::HttpError e = fhir::ToHttpError(status, request_id);
  return {.status = e.http_status,
          .headers = {{"Content-Type", "application/fhir+json"}, {"Cache-Control", "no-store"}},
          .body = std::move(e.body)};
}

// The query's pairs; a malformed query has none (every lookup then fails as unknown).
std::vector<std::pair<std::string, std::string>> Query(absl::string_view query) {
  return fhir::ParseForm(query).value_or(std::vector<std::pair<std::string, std::string>>{});
}

std::string Param(const server::WebRequest& request, absl::string_view name) {
  for (auto& [n, v] : Query(request.query)) {
    if (n == name) {
      return v;
    }
  }
  return "";
}

bool ValidJobId(absl::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

BulkExporter::BulkExporter(pg::Pool& pool, std::span<const absl::string_view> types, Realm realm,
                           std::string fhir_path)
    : pool_(pool), types_(types), realm_(realm), fhir_path_(std::move(fhir_path)) {
  // A job whose process died cannot finish: say so rather than leave clients polling forever.
  // Best effort: the database may be down at start; the jobs then stay "running" until expiry.
  if (absl::StatusOr<pg::Pool::Lease> c = pool_.Acquire(); c.ok()) {
    const pg::Param p[] = {RealmParam(realm_)};
    (void)(*c)->Exec("UPDATE export_job SET status = 'failed', finished = now(), error = "
                     "'interrupted by a restart of the service; start a new export' WHERE "
                     "realm = $1::smallint AND status = 'running'",
                     p);
  }
}

BulkExporter::~BulkExporter() {
  stopping_ = true;
  std::vector<Worker> threads;
  {
    absl::MutexLock lock(&mu_);
    threads.swap(threads_);
  }
  for (Worker& w : threads) {
    w.thread.join();
  }
}

std::vector<server::WebRoute> BulkExporter::Routes(std::shared_ptr<BulkExporter> self) {
  return {
      {"GET", "/", [self](const server::WebRequest& r) { return self->KickOff(r); }},
      {"GET", "/status", [self](const server::WebRequest& r) { return self->Status(r); }},
      {"DELETE", "/status", [self](const server::WebRequest& r) { return self->Cancel(r); }},
      {"GET", "/file", [self](const server::WebRequest& r) { return self->File(r); }},
  };
}

std::string BulkExporter::BaseOf(const server::WebRequest& request) const {
  return absl::StrCat(request.base_url, fhir_path_);
}

absl::StatusOr<server::WebResponse> BulkExporter::KickOff(const server::WebRequest& request) {
  const auto prefer = request.headers.find("prefer");
  if (prefer == request.headers.end() ||
      !absl::StrContains(absl::AsciiStrToLower(prefer->second), "respond-async")) {
    return Outcome(absl::InvalidArgumentError("$export needs the header Prefer: respond-async"),
                   request.request_id);
  }
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> params =
      fhir::ParseForm(request.query);
  if (!params.ok()) {
    return Outcome(params.status(), request.request_id);
  }
  std::vector<std::string> types;
  std::string since;
  for (const auto& [name, value] : *params) {
    if (name == "_outputFormat") {
      if (value != "application/fhir+ndjson" && value != "application/ndjson" &&
          value != "ndjson") {
        return Outcome(absl::InvalidArgumentError(absl::StrCat(
                           "_outputFormat '", value, "' is not supported; use application/fhir+ndjson")),
                       request.request_id);
      }
    } else if (name == "_type") {
      for (absl::string_view t : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        if (!fhir::Contains(types_, t)) {
          return Outcome(absl::InvalidArgumentError(
                             absl::StrCat("_type: '", t, "' is not a type served here")),
                         request.request_id);
        }
        if (std::find(types.begin(), types.end(), t) == types.end()) {
          types.emplace_back(t);
        }
      }
    } else if (name == "_since") {
      absl::StatusOr<fhirsearch::DateRange> range = fhirsearch::ParseDateRange(value);
      if (!range.ok()) {
        return Outcome(absl::InvalidArgumentError(absl::StrCat("_since: ", range.status().message())),
                       request.request_id);
      }
      since = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(range->lo),
                               absl::UTCTimeZone());
    } else {
      return Outcome(absl::InvalidArgumentError(absl::StrCat(
                         "$export does not support the parameter '", name,
                         "' (supported: _outputFormat, _type, _since)")),
                     request.request_id);
    }
  }
  if (types.empty()) {
    for (absl::string_view t : types_) {
      types.emplace_back(t);
    }
  }
  thread_local absl::BitGen gen;
  const std::string job = absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(gen),
                                          absl::Uniform<uint64_t>(gen));
  const std::string request_url =
      absl::StrCat(BaseOf(request), "/$export", request.query.empty() ? "" : "?", request.query);
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  std::string transaction_time;
  PLANAPI_RETURN_IF_ERROR(pg::InTransaction(*conn, [&](pg::Connection& c) -> absl::Status {
    // One kick-off at a time decides on the running count.
    PLANAPI_RETURN_IF_ERROR(
        c.Exec("SELECT pg_advisory_xact_lock(hashtextextended('planapi export', 0))").status());
    PLANAPI_RETURN_IF_ERROR(
        c.Exec("DELETE FROM export_job WHERE created < now() - interval '1 day'").status());
    const pg::Param realm[] = {RealmParam(realm_)};
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result running,
        c.Exec("SELECT count(*) FROM export_job WHERE realm = $1::smallint AND status = 'running'",
               realm));
    int n = 0;
    (void)absl::SimpleAtoi(running.Get(0, 0), &n);
    if (n >= kMaxRunningExports) {
      return absl::ResourceExhaustedError(absl::StrCat(
          n, " exports are running; try again when one has finished (at most ",
          kMaxRunningExports, " at a time)"));
    }
    const pg::Param p[] = {job, RealmParam(realm_), request_url, TextArray(types),
                           since.empty() ? pg::Param() : pg::Param(since)};
    PLANAPI_ASSIGN_OR_RETURN(
        pg::Result r,
        c.Exec(absl::StrCat("INSERT INTO export_job (id, realm, request, types, since, status, "
                            "transaction_time) VALUES ($1, $2::smallint, $3, $4::text[], "
                            "$5::timestamptz, 'running', now()) RETURNING ",
                            absl::StrFormat(kTimestamp, "transaction_time")),
               p));
    transaction_time = std::string(r.Get(0, 0));
    return absl::OkStatus();
  }));
  {
    absl::MutexLock lock(&mu_);
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    threads_.push_back({std::thread([this, job, types, since, transaction_time, done] {
                          Run(job, types, since, transaction_time);
                          *done = true;
                        }),
                        done});
  }
  return server::WebResponse{
      .status = 202,
      .headers = {{"Content-Location", absl::StrCat(BaseOf(request), "/$export/status?job=", job)},
                  {"Cache-Control", "no-store"}},
  };
}

void BulkExporter::Run(std::string job, std::vector<std::string> types, std::string since,
                       std::string transaction_time) {
  absl::Status s = Export(job, types, since, transaction_time);
  absl::StatusOr<pg::Pool::Lease> conn = pool_.Acquire();
  if (!conn.ok()) {
    runtime::Log(runtime::LogLevel::kError, "export could not record its end",
                 {{"job", job}, {"status", conn.status().ToString()}});
    return;
  }
  const pg::Param p[] = {job, s.ok() ? "complete" : "failed",
                         s.ok() ? std::string() : std::string(s.message())};
  // A cancelled job stays cancelled.
  (void)(*conn)->Exec("UPDATE export_job SET status = $2, finished = now(), error = $3, "
                      "progress = '' WHERE id = $1 AND status = 'running'",
                      p);
  if (!s.ok()) {
    runtime::Log(runtime::LogLevel::kWarn, "export failed", {{"job", job}, {"status", s.ToString()}});
  }
}

absl::Status BulkExporter::Export(const std::string& job, const std::vector<std::string>& types,
                                  const std::string& since, const std::string& /*transaction_time*/) {
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  int file = 0;
  for (size_t t = 0; t < types.size(); ++t) {
    const std::string& type = types[t];
    std::string after;  // keyset: the last id exported
    std::string content;
    int count = 0;
    auto flush = [&]() -> absl::Status {
      if (count == 0) {
        return absl::OkStatus();
      }
      const pg::Param p[] = {job, absl::StrCat(file++), type, absl::StrCat(count), content};
      PLANAPI_RETURN_IF_ERROR(conn->Exec("INSERT INTO export_file (job, n, type, count, content) "
                                         "VALUES ($1, $2::integer, $3, $4::integer, $5)",
                                         p)
                                  .status());
      content.clear();
      count = 0;
      return absl::OkStatus();
    };
    while (true) {
      if (stopping_) {
        return absl::UnavailableError("the service stopped during the export; start a new one");
      }
      // Resources changed after the kick-off come as they are now (Bulk Data allows it): leaving
      // them out would lose them, since a later _since=transactionTime export starts after.
      const pg::Param p[] = {RealmParam(realm_), type, after,
                             since.empty() ? pg::Param() : pg::Param(since), job};
      PLANAPI_ASSIGN_OR_RETURN(
          pg::Result r,
          conn->Exec(absl::StrCat(
                         "SELECT r.id, r.content, (SELECT status FROM export_job WHERE "
                         "id = $5) FROM resource r WHERE r.realm = $1::smallint AND r.type = $2 "
                         "AND r.id > $3 AND NOT r.deleted "
                         "AND ($4::timestamptz IS NULL OR r.last_updated > $4::timestamptz) "
                         "ORDER BY r.id LIMIT ",
                         kChunk),
                     p));
      if (r.rows() > 0 && r.Get(0, 2) == "cancelled") {
        return absl::CancelledError("cancelled by the client");
      }
      for (int i = 0; i < r.rows(); ++i) {
        const absl::string_view line = r.Get(i, 1);
        if (count > 0 && content.size() + line.size() + 1 > kMaxExportFileBytes) {
          PLANAPI_RETURN_IF_ERROR(flush());
        }
        absl::StrAppend(&content, line, "\n");
        ++count;
      }
      if (r.rows() < kChunk) {
        break;
      }
      after = std::string(r.Get(r.rows() - 1, 0));
    }
    PLANAPI_RETURN_IF_ERROR(flush());
    const pg::Param p[] = {job, absl::StrCat(type, " (", t + 1, " of ", types.size(), ")")};
    PLANAPI_RETURN_IF_ERROR(
        conn->Exec("UPDATE export_job SET progress = $2 WHERE id = $1", p).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<server::WebResponse> BulkExporter::Status(const server::WebRequest& request) {
  const std::string job = Param(request, "job");
  const absl::Status unknown = absl::NotFoundError("no such export (they are kept for a day)");
  if (!ValidJobId(job)) {
    return Outcome(unknown, request.request_id);
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param p[] = {job, RealmParam(realm_)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec(absl::StrCat("SELECT status, progress, error, request, ",
                              absl::StrFormat(kTimestamp, "transaction_time"),
                              " FROM export_job WHERE id = $1 AND realm = $2::smallint"),
                 p));
  if (r.rows() == 0 || r.Get(0, 0) == "cancelled") {
    return Outcome(unknown, request.request_id);
  }
  const absl::string_view status = r.Get(0, 0);
  if (status == "running") {
    return server::WebResponse{
        .status = 202,
        .headers = {{"X-Progress", std::string(r.Get(0, 1).empty() ? "started" : r.Get(0, 1))},
                    {"Retry-After", "2"},
                    {"Cache-Control", "no-store"}}};
  }
  if (status == "failed") {
    return Outcome(absl::InternalError(absl::StrCat("the export failed: ", r.Get(0, 2))),
                   request.request_id);
  }
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result files,
      conn->Exec("SELECT n, type, count FROM export_file WHERE job = $1 ORDER BY n",
                 std::span<const pg::Param>(p, 1)));
  json::Writer w;
  w.StartObject()
      .Field("transactionTime", r.Get(0, 4))
      .Field("request", r.Get(0, 3))
      .Field("requiresAccessToken", false)
      .Key("output")
      .StartArray();
  for (int i = 0; i < files.rows(); ++i) {
    int64_t count = 0;
    (void)absl::SimpleAtoi(files.Get(i, 2), &count);
    w.StartObject()
        .Field("type", files.Get(i, 1))
        .Field("url", absl::StrCat(BaseOf(request), "/$export/file?job=", job, "&n=", files.Get(i, 0)))
        .Key("count")
        .Int(count)
        .EndObject();
  }
  w.EndArray().Key("error").StartArray().EndArray().EndObject();
  return server::WebResponse{
      .status = 200,
      .headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}},
      .body = w.Take()};
}

absl::StatusOr<server::WebResponse> BulkExporter::Cancel(const server::WebRequest& request) {
  const std::string job = Param(request, "job");
  const absl::Status unknown = absl::NotFoundError("no such export (they are kept for a day)");
  if (!ValidJobId(job)) {
    return Outcome(unknown, request.request_id);
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param p[] = {job, RealmParam(realm_)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec("UPDATE export_job SET status = 'cancelled', finished = now() WHERE id = $1 AND "
                 "realm = $2::smallint AND status <> 'cancelled' RETURNING id",
                 p));
  if (r.rows() == 0) {
    return Outcome(unknown, request.request_id);
  }
  PLANAPI_RETURN_IF_ERROR(
      conn->Exec("DELETE FROM export_file WHERE job = $1", std::span<const pg::Param>(p, 1))
          .status());
  return server::WebResponse{.status = 202, .headers = {{"Cache-Control", "no-store"}}};
}

absl::StatusOr<server::WebResponse> BulkExporter::File(const server::WebRequest& request) {
  const std::string job = Param(request, "job");
  int n = -1;
  const absl::Status unknown = absl::NotFoundError("no such export file (they are kept for a day)");
  if (!ValidJobId(job) || !absl::SimpleAtoi(Param(request, "n"), &n) || n < 0) {
    return Outcome(unknown, request.request_id);
  }
  PLANAPI_ASSIGN_OR_RETURN(pg::Pool::Lease conn, pool_.Acquire());
  const pg::Param p[] = {job, absl::StrCat(n), RealmParam(realm_)};
  PLANAPI_ASSIGN_OR_RETURN(
      pg::Result r,
      conn->Exec("SELECT f.content FROM export_file f JOIN export_job j ON j.id = f.job WHERE "
                 "f.job = $1 AND f.n = $2::integer AND j.realm = $3::smallint AND "
                 "j.status = 'complete'",
                 p));
  if (r.rows() == 0) {
    return Outcome(unknown, request.request_id);
  }
  return server::WebResponse{
      .status = 200,
      .headers = {{"Content-Type", "application/fhir+ndjson"}, {"Cache-Control", "no-store"}},
      .body = std::string(r.Get(0, 0))};
}

}  // namespace planapi::fhirengine
