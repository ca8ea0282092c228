#include "services/planctl/import.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <deque>
#include <map>
#include <thread>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/json/json.h"
#include "libs/rpc/channel.h"
#include "planapi/fhir/v1/fhir_service.grpc.pb.h"

namespace planapi::planctl {
namespace {

namespace pb = planapi::fhir::v1;
namespace fs = std::filesystem;

}  // namespace

absl::Status ForEachDocument(const std::string& file,
                             absl::FunctionRef<bool(Document&& document)> visit) {
  const fs::path path(file);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", file));
  }
  if (path.extension() == ".ndjson") {
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (!absl::StripAsciiWhitespace(line).empty() &&
          !visit({absl::StrCat(file, ":", n), std::move(line)})) {
        return absl::OkStatus();
      }
    }
  } else {
    std::stringstream body;
    body << in.rdbuf();
    visit({file, body.str()});
  }
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", file));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> CollectFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> files;
      for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& f = it->path();
        if (it->is_regular_file() && (f.extension() == ".json" || f.extension() == ".ndjson")) {
          files.push_back(f);
        }
      }
      if (ec) {
        return absl::InvalidArgumentError(absl::StrCat("cannot read ", p, ": ", ec.message()));
      }
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) {
        out.push_back(f.string());
      }
    } else if (std::ifstream probe(p, std::ios::binary); !probe || fs::is_directory(p, ec)) {
      return absl::InvalidArgumentError(absl::StrCat("cannot read ", p));
    } else {
      out.push_back(p);
    }
  }
  return out;
}

int RunImport(const ImportOptions& options) {
  pb::Realm realm;
  if (options.realm == "production") {
    realm = pb::REALM_PRODUCTION;
  } else if (options.realm == "sandbox") {
    realm = pb::REALM_SANDBOX;
  } else if (options.realm == "directory") {
    realm = pb::REALM_DIRECTORY;
  } else {
    std::cerr << "planctl import: --realm must be production, sandbox or directory\n";
    return 2;
  }
  absl::StatusOr<std::vector<std::string>> files = CollectFiles(options.paths);
  if (!files.ok()) {
    std::cerr << "planctl import: " << files.status().message() << "\n";
    return 2;
  }
  if (options.jobs < 1 || options.jobs > 64) {
    std::cerr << "planctl import: --jobs must be between 1 and 64\n";
    return 2;
  }
  // `jobs` Import streams, each fed by its own thread from one bounded queue: the service
  // stores documents of different streams in parallel, and memory stays at a few documents
  // whatever the load, since they are read as they are sent.
  auto channel = rpc::MakeChannel(options.address);
  struct Stream {
    std::unique_ptr<pb::Fhir::Stub> stub;
    grpc::ClientContext context;
    pb::ImportResponse summary;
    std::unique_ptr<grpc::ClientWriter<pb::ImportRequest>> writer;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Stream>> streams;
  for (int i = 0; i < options.jobs; ++i) {
    auto s = std::make_unique<Stream>();
    s->stub = pb::Fhir::NewStub(channel);
    s->context.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(2));
    s->context.set_wait_for_ready(true);
    s->writer = s->stub->Import(&s->context, &s->summary);
    streams.push_back(std::move(s));
  }
  absl::Mutex mu;
  std::deque<pb::ImportRequest> queue;
  bool closed = false;
  bool failed = false;  // a stream ended early: stop reading
  const size_t capacity = 2 * streams.size();
  std::vector<std::thread> workers;
  for (auto& stream : streams) {
    workers.emplace_back([&, s = stream.get()] {
      while (true) {
        pb::ImportRequest request;
        {
          absl::MutexLock lock(&mu);
          const auto ready = [&] { return !queue.empty() || closed; };
          mu.Await(absl::Condition(&ready));
          if (queue.empty()) {
            break;
          }
          request = std::move(queue.front());
          queue.pop_front();
        }
        if (!s->writer->Write(request)) {  // the server ended the call; Finish says why
          absl::MutexLock lock(&mu);
          failed = true;
          closed = true;
          break;
        }
      }
      s->writer->WritesDone();
      s->status = s->writer->Finish();
    });
  }
  absl::Status read_error;
  for (const std::string& file : *files) {
    read_error = ForEachDocument(file, [&](Document&& d) {
      pb::ImportRequest request;
      request.mutable_context()->set_realm(realm);
      request.set_source(std::move(d.source));
      request.set_document(std::move(d.json));
      absl::MutexLock lock(&mu);
      const auto room = [&] { return queue.size() < capacity || closed; };
      mu.Await(absl::Condition(&room));
      if (closed) {
        return false;
      }
      queue.push_back(std::move(request));
      return true;
    });
    absl::MutexLock lock(&mu);
    if (failed || !read_error.ok()) {
      break;
    }
  }
  {
    absl::MutexLock lock(&mu);
    if (!read_error.ok()) {
      // A file vanished or failed mid-load: stop and say so; what was sent stays stored.
      queue.clear();
      for (auto& s : streams) {
        s->context.TryCancel();
      }
    }
    closed = true;
  }
  for (std::thread& t : workers) {
    t.join();
  }
  if (!read_error.ok()) {
    std::cerr << "planctl import: " << read_error.message() << "\n";
    return 2;
  }
  pb::ImportResponse summary;
  std::map<std::string, int64_t> by_type;
  for (auto& s : streams) {
    if (!s->status.ok()) {
      std::cerr << "planctl import: " << s->status.error_message() << "\n";
      return 3;
    }
    summary.set_documents(summary.documents() + s->summary.documents());
    summary.set_resources_written(summary.resources_written() + s->summary.resources_written());
    for (const auto& c : s->summary.written_by_type()) {
      by_type[c.type()] += c.count();
    }
    for (const auto& e : s->summary.errors()) {
      if (summary.errors_size() < 1000) {
        *summary.add_errors() = e;
      } else {
        summary.set_errors_not_listed(summary.errors_not_listed() + 1);
      }
    }
    summary.set_errors_not_listed(summary.errors_not_listed() + s->summary.errors_not_listed());
  }
  // Streams finish in any order: list the errors in file and line order, as they were read.
  auto key = [](const pb::ImportError& e) {
    absl::string_view source = e.source();
    int64_t line = 0;
    if (const size_t colon = source.rfind(':');
        colon != absl::string_view::npos && absl::SimpleAtoi(source.substr(colon + 1), &line)) {
      source = source.substr(0, colon);
    }
    return std::make_pair(std::string(source), line);
  };
  std::stable_sort(summary.mutable_errors()->begin(), summary.mutable_errors()->end(),
                   [&](const pb::ImportError& a, const pb::ImportError& b) { return key(a) < key(b); });
  for (const auto& [type, count] : by_type) {
    auto* c = summary.add_written_by_type();
    c->set_type(type);
    c->set_count(count);
  }
  json::Writer w;
  w.StartObject()
      .Field("documents", summary.documents())
      .Field("resources_written", summary.resources_written())
      .Key("written_by_type")
      .StartObject();
  for (const auto& c : summary.written_by_type()) {
    w.Field(c.type(), c.count());
  }
  w.EndObject().Key("errors").StartArray();
  for (const auto& e : summary.errors()) {
    w.StartObject().Field("source", e.source()).Field("message", e.message()).EndObject();
  }
  w.EndArray().Field("errors_not_listed", summary.errors_not_listed()).EndObject();
  std::cout << w.Take() << "\n";
  return summary.errors().empty() && summary.errors_not_listed() == 0 ? 0 : 1;
}

}  // namespace planapi::planctl
