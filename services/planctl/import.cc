#include "services/planctl/import.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
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
  auto stub = pb::Fhir::NewStub(rpc::MakeChannel(options.address));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(2));
  context.set_wait_for_ready(true);
  pb::ImportResponse summary;
  auto writer = stub->Import(&context, &summary);
  // Documents are read as they are sent: memory stays at one document whatever the load.
  bool open = true;
  absl::Status read_error;
  for (const std::string& file : *files) {
    read_error = ForEachDocument(file, [&](Document&& d) {
      pb::ImportRequest request;
      request.mutable_context()->set_realm(realm);
      request.set_source(std::move(d.source));
      request.set_document(std::move(d.json));
      open = writer->Write(request);  // false: the server ended the call; Finish says why
      return open;
    });
    if (!open || !read_error.ok()) {
      break;
    }
  }
  if (!read_error.ok()) {
    // A file vanished or failed mid-load: stop and say so; what was sent stays stored.
    context.TryCancel();
    writer->Finish();
    std::cerr << "planctl import: " << read_error.message() << "\n";
    return 2;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) {
    std::cerr << "planctl import: " << status.error_message() << "\n";
    return 3;
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
  return summary.errors().empty() ? 0 : 1;
}

}  // namespace planapi::planctl
