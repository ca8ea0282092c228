#include "services/planctl/generate.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/json/json.h"
#include "libs/synth/directory.h"
#include "libs/synth/members.h"
#include "libs/synth/resource.h"

namespace planapi::planctl {
namespace {

namespace fs = std::filesystem;

// Bundles of the directory: big enough to load efficiently, small enough to stay one modest
// transaction each.
constexpr size_t kDirectoryBundleSize = 1000;

// Writes files under one folder and counts what went into them.
class Output {
 public:
  explicit Output(fs::path dir) : dir_(std::move(dir)) {}

  absl::Status WriteFile(const std::string& name, absl::string_view text) {
    const fs::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.put('\n');
    out.close();
    if (!out) {
      return absl::InternalError(absl::StrCat("cannot write ", path.string()));
    }
    ++files_;
    return absl::OkStatus();
  }

  // Appends one line to <type>.ndjson, opening it on first use.
  absl::Status AppendLine(const synth::Resource& r) {
    auto it = ndjson_.find(r.type);
    if (it == ndjson_.end()) {
      const fs::path path = dir_ / absl::StrCat(r.type, ".ndjson");
      auto file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
      if (!*file) {
        return absl::InternalError(absl::StrCat("cannot write ", path.string()));
      }
      it = ndjson_.emplace(r.type, std::move(file)).first;
      ++files_;
    }
    *it->second << r.json << '\n';
    if (!*it->second) {
      return absl::InternalError(absl::StrCat("cannot write ", r.type, ".ndjson"));
    }
    return absl::OkStatus();
  }

  void Count(std::span<const synth::Resource> resources) {
    for (const synth::Resource& r : resources) {
      ++by_type_[r.type];
    }
    resources_ += static_cast<int64_t>(resources.size());
  }

  absl::Status Close() {
    for (auto& [type, file] : ndjson_) {
      file->close();
      if (!*file) {
        return absl::InternalError(absl::StrCat("cannot write ", type, ".ndjson"));
      }
    }
    return absl::OkStatus();
  }

  int64_t files() const { return files_; }
  int64_t resources() const { return resources_; }
  const std::map<std::string, int64_t>& by_type() const { return by_type_; }

 private:
  fs::path dir_;
  std::map<std::string, std::unique_ptr<std::ofstream>> ndjson_;
  std::map<std::string, int64_t> by_type_;
  int64_t files_ = 0;
  int64_t resources_ = 0;
};

class MemberFiles : public synth::MemberSink {
 public:
  MemberFiles(Output& out, bool ndjson) : out_(out), ndjson_(ndjson) {}

  absl::Status Shared(std::span<const synth::Resource> resources) override {
    out_.Count(resources);
    if (!ndjson_) {
      return out_.WriteFile("shared.json", synth::TransactionBundle("shared", resources));
    }
    return Lines(resources);
  }
  absl::Status AddMember(const synth::Member& member) override {
    out_.Count(member.resources);
    if (!ndjson_) {
      char name[40];
      std::snprintf(name, sizeof(name), "member-%07lld.json", static_cast<long long>(member.index));
      return out_.WriteFile(name, synth::TransactionBundle(member.patient_id, member.resources));
    }
    return Lines(member.resources);
  }

 private:
  absl::Status Lines(std::span<const synth::Resource> resources) {
    for (const synth::Resource& r : resources) {
      if (absl::Status s = out_.AppendLine(r); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  Output& out_;
  const bool ndjson_;
};

absl::Status GenerateDirectory(const GenerateOptions& options, Output& out, bool ndjson) {
  synth::DirectoryOptions d;
  d.practitioners = options.practitioners;
  d.seed = options.seed;
  std::vector<synth::Resource> pending;  // the next Bundle, when writing bundles
  int bundles = 0;
  auto flush = [&]() -> absl::Status {
    if (pending.empty()) {
      return absl::OkStatus();
    }
    ++bundles;
    char name[40];
    std::snprintf(name, sizeof(name), "directory-%06d.json", bundles);
    absl::Status s =
        out.WriteFile(name, synth::TransactionBundle(absl::StrCat("directory-", bundles), pending));
    pending.clear();
    return s;
  };
  absl::Status status = synth::GenerateDirectory(d, [&](const synth::Resource& r) {
    out.Count(std::span<const synth::Resource>(&r, 1));
    if (ndjson) {
      return out.AppendLine(r);
    }
    pending.push_back(r);
    return pending.size() >= kDirectoryBundleSize ? flush() : absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return flush();
}

}  // namespace

int RunGenerate(const GenerateOptions& options) {
  std::string format = options.format;
  if (format.empty()) {
    format = options.directory ? "ndjson" : "bundle";
  }
  if (format != "bundle" && format != "ndjson") {
    std::cerr << "planctl generate: --format must be bundle or ndjson\n";
    return 2;
  }
  if (options.out.empty()) {
    std::cerr << "planctl generate: --out DIR is required\n";
    return 2;
  }
  if (options.directory ? options.practitioners <= 0 : options.members <= 0) {
    std::cerr << "planctl generate: " << (options.directory ? "--practitioners" : "--members")
              << " must be a positive number\n";
    return 2;
  }
  if (options.first < 0) {
    std::cerr << "planctl generate: --first must not be negative\n";
    return 2;
  }
  std::error_code ec;
  fs::create_directories(options.out, ec);
  if (ec || !fs::is_directory(options.out)) {
    std::cerr << "planctl generate: cannot create " << options.out << ": " << ec.message() << "\n";
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  Output out(options.out);
  absl::Status status;
  if (options.directory) {
    status = GenerateDirectory(options, out, format == "ndjson");
  } else {
    synth::MemberOptions m;
    m.count = options.members;
    m.seed = options.seed;
    m.first_index = options.first;
    MemberFiles files(out, format == "ndjson");
    status = synth::GenerateMembers(m, files);
  }
  if (status.ok()) {
    status = out.Close();
  }
  if (!status.ok()) {
    std::cerr << "planctl generate: " << status.message() << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  json::Writer w;
  w.StartObject()
      .Field("out", options.out)
      .Field("format", format)
      .Field("seed", static_cast<int64_t>(options.seed));
  if (options.directory) {
    w.Field("practitioners", options.practitioners);
  } else {
    w.Field("members", options.members).Field("first", options.first);
  }
  w.Field("files", out.files()).Field("resources_written", out.resources());
  w.Key("written_by_type").StartObject();
  for (const auto& [type, n] : out.by_type()) {
    w.Field(type, n);
  }
  w.EndObject();
  w.Key("seconds").Double(static_cast<double>(static_cast<int64_t>(seconds * 1000)) / 1000);
  w.Field("resources_per_second",
          static_cast<int64_t>(static_cast<double>(out.resources()) / std::max(seconds, 1e-6)));
  w.EndObject();
  std::cout << w.Take() << "\n";
  return 0;
}

}  // namespace planapi::planctl
