// FHIR Bulk Data system-level export ($export) of one realm as NDJSON, for the public Provider
// Directory: the kick-off answers 202 with a status URL; a background thread writes the files
// into PostgreSQL (export_job, export_file); the status URL answers 202 with X-Progress until
// it answers the manifest; files stream from the database. Served as Web routes below the
// gateway prefix `{fhir_path}/$export`.
#pragma once

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "libs/fhirengine/store.h"
#include "libs/pg/pg.h"
#include "libs/server/web_service.h"

namespace planapi::fhirengine {

// Limits, documented in docs/api.md.
inline constexpr int kMaxRunningExports = 2;
inline constexpr size_t kMaxExportFileBytes = 3 << 20;  // under gRPC's 4 MiB message limit

class BulkExporter {
 public:
  // `fhir_path` is the FHIR base's path at the gateway ("/directory/r4"); the exporter serves
  // `types` of `realm`. Jobs left running by an earlier process are marked failed.
  BulkExporter(pg::Pool& pool, std::span<const absl::string_view> types, Realm realm,
               std::string fhir_path);
  // Stops running jobs (they end failed) and waits for their threads.
  ~BulkExporter();

  // The Web routes: GET "/" (kick-off), GET and DELETE "/status", GET "/file". Each holds
  // `self`, which must be the owner of this exporter.
  static std::vector<server::WebRoute> Routes(std::shared_ptr<BulkExporter> self);

  absl::StatusOr<server::WebResponse> KickOff(const server::WebRequest& request);
  absl::StatusOr<server::WebResponse> Status(const server::WebRequest& request);
  absl::StatusOr<server::WebResponse> Cancel(const server::WebRequest& request);
  absl::StatusOr<server::WebResponse> File(const server::WebRequest& request);

 private:
  void Run(std::string job, std::vector<std::string> types, std::string since,
           std::string transaction_time);
  absl::Status Export(const std::string& job, const std::vector<std::string>& types,
                      const std::string& since, const std::string& transaction_time);
  std::string BaseOf(const server::WebRequest& request) const;

  pg::Pool& pool_;
  std::span<const absl::string_view> types_;
  const Realm realm_;
  const std::string fhir_path_;
  std::atomic<bool> stopping_{false};
  absl::Mutex mu_;
  // Running and finished export threads; finished ones are joined at the next kick-off, so a
  // stream of small exports does not pile up threads.
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> threads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace planapi::fhirengine
