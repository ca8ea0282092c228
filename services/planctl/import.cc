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

absl::Status AddFile(const fs::path& path, std::vector<Document>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path.string()));
  }
  if (path.extension() == ".ndjson") {
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (!absl::StripAsciiWhitespace(line).empty()) {
        out.push_back({absl::StrCat(path.string(), ":", n), line});
      }
    }
    return absl::OkStatus();
  }
  std::stringstream body;
  body << in.rdbuf();
  out.push_back({path.string(), body.str()});
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Document>> CollectDocuments(const std::vector<std::string>& paths) {
  std::vector<Document> out;
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
        if (absl::Status s = AddFile(f, out); !s.ok()) {
          return s;
        }
      }
    } else if (absl::Status s = AddFile(p, out); !s.ok()) {
      return s;
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
  absl::StatusOr<std::vector<Document>> documents = CollectDocuments(options.paths);
  if (!documents.ok()) {
    std::cerr << "planctl import: " << documents.status().message() << "\n";
    return 2;
  }
  auto stub = pb::Fhir::NewStub(rpc::MakeChannel(options.address));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(2));
  context.set_wait_for_ready(true);
  pb::ImportResponse summary;
  auto writer = stub->Import(&context, &summary);
  for (Document& d : *documents) {
    pb::ImportRequest request;
    request.mutable_context()->set_realm(realm);
    request.set_source(std::move(d.source));
    request.set_document(std::move(d.json));
    if (!writer->Write(request)) {
      break;  // the server ended the call; Finish says why
    }
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
