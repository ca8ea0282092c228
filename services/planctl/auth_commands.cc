#include "services/planctl/auth_commands.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/json/json.h"
#include "libs/rpc/channel.h"
#include "planapi/auth/v1/auth_service.grpc.pb.h"

namespace planapi::planctl {
namespace {

namespace pb = planapi::auth::v1;

constexpr char kDefaultAddress[] = "127.0.0.1:50051";
// The local run's gateway (./planapi up), as kDefaultAddress is its auth service.
constexpr char kDefaultBaseUrl[] = "https://localhost:8443";

constexpr char kUsage[] =
    "usage: planctl client create --realm sandbox|production --name N\n"
    "                             --type confidential|public|backend [--redirect-uri U]...\n"
    "                             [--scope S]... [--launch-url U] [--jwks FILE] [--addr H:P]\n"
    "       planctl member create --realm R --username U --password P --patient ID [--addr H:P]\n"
    "       planctl vendor|reviewer create --username U --password P [--addr H:P]\n"
    "       planctl grants list --member U [--realm R] | --client C [--all] [--addr H:P]\n"
    "       planctl grants revoke --id G [--reason R] [--addr H:P]\n"
    "       planctl launch create --realm R --client C --patient ID [--member U]\n"
    "                             [--base-url https://HOST[:PORT]] [--addr H:P]\n"
    "  Talks to the auth service (default 127.0.0.1:50051); prints JSON. --base-url is the\n"
    "  gateway's public URL for the launch's iss (default https://localhost:8443).\n";

int Usage(const std::string& problem) {
  std::cerr << "planctl: " << problem << "\n" << kUsage;
  return 2;
}

using Flags = std::multimap<std::string, std::string>;

std::string One(const Flags& flags, const std::string& name, const std::string& fallback = "") {
  auto it = flags.find(name);
  return it == flags.end() ? fallback : it->second;
}

std::vector<std::string> All(const Flags& flags, const std::string& name) {
  std::vector<std::string> out;
  for (auto [it, end] = flags.equal_range(name); it != end; ++it) {
    out.push_back(it->second);
  }
  return out;
}

// Flags not in `known` are typos the operator must hear about.
std::string Unknown(const Flags& flags, std::initializer_list<const char*> known) {
  for (const auto& [name, value] : flags) {
    bool found = name == "addr";
    for (const char* k : known) {
      found = found || name == k;
    }
    if (!found) {
      return name;
    }
  }
  return "";
}

// A service refusal (the caller's data) is 1; anything else - unreachable, deadline, internal -
// is 3, as for import.
int Failed(const char* what, const grpc::Status& status) {
  std::cerr << "planctl " << what << ": " << status.error_message() << "\n";
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::PERMISSION_DENIED:
      return 1;
    default:
      return 3;
  }
}

void Prepare(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  ctx.set_wait_for_ready(true);  // a service that is just starting is waited for, not refused
}

// One unary call with the usual deadline: on success `write` turns the answer into the JSON line
// printed (exit 0); a refusal is reported as Failed says.
template <typename Response, typename Request, typename Rpc, typename Write>
int CallAndPrint(const char* what, Rpc rpc, const Request& req, Write write) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  Response out;
  if (grpc::Status s = rpc(&ctx, req, &out); !s.ok()) {
    return Failed(what, s);
  }
  json::Writer w;
  write(w, out);
  std::cout << w.Take() << "\n";
  return 0;
}

absl::string_view RealmName(int realm) {
  return realm == pb::REALM_PRODUCTION ? "production" : realm == pb::REALM_SANDBOX ? "sandbox" : "";
}

void WriteClient(json::Writer& w, const pb::Client& c) {
  w.Field("client_id", c.client_id()).Field("name", c.name());
  w.Field("type", c.type() == pb::CLIENT_TYPE_CONFIDENTIAL ? "confidential"
                  : c.type() == pb::CLIENT_TYPE_PUBLIC     ? "public"
                                                           : "backend");
  w.Key("redirect_uris").StartArray();
  for (const std::string& uri : c.redirect_uris()) {
    w.String(uri);
  }
  w.EndArray().Key("realms").StartArray();
  for (int realm : c.realms()) {
    w.String(RealmName(realm));
  }
  w.EndArray();
  w.Field("scopes", c.scopes()).Field("launch_url", c.launch_url());
  w.Field("status", c.status() == pb::CLIENT_STATUS_SUSPENDED ? "suspended" : "active");
}

void WriteGrant(json::Writer& w, const pb::Grant& g) {
  w.StartObject()
      .Field("grant_id", g.grant_id())
      .Field("realm", RealmName(g.realm()))
      .Field("username", g.username())
      .Field("patient", g.patient_id())
      .Field("client_id", g.client_id())
      .Field("client_name", g.client_name())
      .Field("scopes", g.scopes())
      .Field("created_at", g.created_at())
      .Field("updated_at", g.updated_at());
  if (g.revoked_at().empty()) {
    w.Key("revoked_at").Null();
  } else {
    w.Field("revoked_at", g.revoked_at());
  }
  w.EndObject();
}

std::optional<pb::Realm> ParseRealm(const std::string& realm) {
  if (realm == "production") return pb::REALM_PRODUCTION;
  if (realm == "sandbox") return pb::REALM_SANDBOX;
  return std::nullopt;
}

int ClientCreate(pb::Auth::Stub& stub, const Flags& flags) {
  if (std::string bad = Unknown(flags, {"realm", "name", "type", "redirect-uri", "scope",
                                        "launch-url", "jwks"});
      !bad.empty()) {
    return Usage("unknown flag --" + bad);
  }
  pb::CreateClientRequest req;
  const std::string realm = One(flags, "realm", "sandbox");
  if (!ParseRealm(realm)) {
    return Usage("--realm must be sandbox or production");
  }
  req.set_production(realm == "production");
  req.set_name(One(flags, "name"));
  const std::string type = One(flags, "type");
  if (type == "confidential") {
    req.set_type(pb::CLIENT_TYPE_CONFIDENTIAL);
  } else if (type == "public") {
    req.set_type(pb::CLIENT_TYPE_PUBLIC);
  } else if (type == "backend") {
    req.set_type(pb::CLIENT_TYPE_BACKEND);
  } else {
    return Usage("--type must be confidential, public or backend");
  }
  for (const std::string& uri : All(flags, "redirect-uri")) {
    req.add_redirect_uris(uri);
  }
  req.set_scopes(absl::StrJoin(All(flags, "scope"), " "));
  req.set_launch_url(One(flags, "launch-url"));
  if (const std::string path = One(flags, "jwks"); !path.empty()) {
    std::ifstream in(path);
    if (!in) {
      return Usage("--jwks: cannot read '" + path + "'");
    }
    std::stringstream text;
    text << in.rdbuf();
    req.set_jwks_json(text.str());
  }
  return CallAndPrint<pb::CreateClientResponse>(
      "client create",
      [&](auto* ctx, const auto& r, auto* out) { return stub.CreateClient(ctx, r, out); }, req,
      [](json::Writer& w, const pb::CreateClientResponse& out) {
        w.StartObject();
        WriteClient(w, out.client());
        if (!out.client_secret().empty()) {
          w.Field("client_secret", out.client_secret());
        }
        w.EndObject();
      });
}

int AccountCreate(pb::Auth::Stub& stub, pb::AccountKind kind, const Flags& flags) {
  const bool member = kind == pb::ACCOUNT_KIND_MEMBER;
  const std::string bad = member ? Unknown(flags, {"realm", "username", "password", "patient"})
                                 : Unknown(flags, {"username", "password"});
  if (!bad.empty()) {
    return Usage("unknown flag --" + bad);
  }
  pb::CreateAccountRequest req;
  req.set_kind(kind);
  if (member) {
    std::optional<pb::Realm> realm = ParseRealm(One(flags, "realm"));
    if (!realm) {
      return Usage("--realm must be sandbox or production");
    }
    req.set_realm(*realm);
    req.set_patient_id(One(flags, "patient"));
  }
  req.set_username(One(flags, "username"));
  req.set_password(One(flags, "password"));
  return CallAndPrint<pb::Account>(
      "account create",
      [&](auto* ctx, const auto& r, auto* out) { return stub.CreateAccount(ctx, r, out); }, req,
      [&](json::Writer& w, const pb::Account& out) {
        w.StartObject()
            .Field("account_id", out.account_id())
            .Field("kind",
                   member ? "member" : kind == pb::ACCOUNT_KIND_VENDOR ? "vendor" : "reviewer")
            .Field("username", out.username());
        if (member) {
          w.Field("realm", RealmName(out.realm())).Field("patient", out.patient_id());
        }
        w.EndObject();
      });
}

int GrantsList(pb::Auth::Stub& stub, const Flags& flags) {
  if (std::string bad = Unknown(flags, {"member", "realm", "client", "all"}); !bad.empty()) {
    return Usage("unknown flag --" + bad);
  }
  const std::string member = One(flags, "member");
  const std::string client = One(flags, "client");
  if (member.empty() && client.empty()) {
    return Usage("grants list needs --member (optionally --realm) or --client");
  }
  // A member name without --realm means that name in both realms (members are per realm).
  std::vector<pb::Realm> realms = {pb::REALM_UNSPECIFIED};
  if (!member.empty()) {
    const std::string realm = One(flags, "realm");
    if (realm.empty()) {
      realms = {pb::REALM_PRODUCTION, pb::REALM_SANDBOX};
    } else if (std::optional<pb::Realm> r = ParseRealm(realm); r.has_value()) {
      realms = {*r};
    } else {
      return Usage("--realm must be sandbox or production");
    }
  }
  json::Writer w;
  w.StartObject().Key("grants").StartArray();
  int found = 0;
  grpc::Status last;
  for (pb::Realm realm : realms) {
    pb::ListGrantsRequest req;
    req.set_username(member);
    req.set_client_id(client);
    req.set_realm(realm);
    req.set_include_revoked(flags.count("all") > 0 && One(flags, "all") != "false");
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::ListGrantsResponse out;
    last = stub.ListGrants(&ctx, req, &out);
    if (last.error_code() == grpc::StatusCode::NOT_FOUND && realms.size() > 1) {
      continue;  // no such member in this realm
    }
    if (!last.ok()) {
      return Failed("grants list", last);
    }
    ++found;
    for (const pb::Grant& g : out.grants()) {
      WriteGrant(w, g);
    }
  }
  if (found == 0) {
    return Failed("grants list", last);
  }
  w.EndArray().EndObject();
  std::cout << w.Take() << "\n";
  return 0;
}

int GrantsRevoke(pb::Auth::Stub& stub, const Flags& flags) {
  if (std::string bad = Unknown(flags, {"id", "reason"}); !bad.empty()) {
    return Usage("unknown flag --" + bad);
  }
  pb::RevokeGrantRequest req;
  req.set_grant_id(One(flags, "id"));
  req.set_reason(One(flags, "reason", "revoked by an operator"));
  if (req.grant_id().empty()) {
    return Usage("grants revoke needs --id");
  }
  return CallAndPrint<pb::Grant>(
      "grants revoke",
      [&](auto* ctx, const auto& r, auto* out) { return stub.RevokeGrant(ctx, r, out); }, req,
      WriteGrant);
}

// An EHR launch, as the Member Portal makes one: prints the launch URL to open in the browser.
int LaunchCreate(pb::Auth::Stub& stub, const Flags& flags) {
  if (std::string bad = Unknown(flags, {"realm", "client", "patient", "member", "base-url"});
      !bad.empty()) {
    return Usage("unknown flag --" + bad);
  }
  const std::string realm = One(flags, "realm");
  std::optional<pb::Realm> parsed = ParseRealm(realm);
  if (!parsed) {
    return Usage("--realm must be sandbox or production");
  }
  pb::CreateLaunchRequest req;
  req.set_realm(*parsed);
  req.set_client_id(One(flags, "client"));
  req.set_patient_id(One(flags, "patient"));
  req.set_member_username(One(flags, "member"));
  req.set_base_url(One(flags, "base-url", kDefaultBaseUrl));
  if (req.client_id().empty() || req.patient_id().empty()) {
    return Usage("launch create needs --client and --patient");
  }
  return CallAndPrint<pb::CreateLaunchResponse>(
      "launch create",
      [&](auto* ctx, const auto& r, auto* out) { return stub.CreateLaunch(ctx, r, out); }, req,
      [&](json::Writer& w, const pb::CreateLaunchResponse& out) {
        w.StartObject()
            .Field("launch", out.launch())
            .Field("launch_url", out.launch_url())
            .Field("iss", out.iss())
            .Field("expires_at", out.expires_at())
            .Field("realm", realm)
            .Field("client_id", req.client_id())
            .Field("patient", req.patient_id());
        if (!req.member_username().empty()) {
          w.Field("member", req.member_username());
        }
        w.EndObject();
      });
}

}  // namespace

bool IsAuthCommand(const std::string& noun) {
  return noun == "client" || noun == "member" || noun == "vendor" || noun == "reviewer" ||
         noun == "grants" || noun == "launch";
}

absl::StatusOr<Flags> ParseFlags(const std::vector<std::string>& args) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!absl::StartsWith(a, "--") || a.size() == 2) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", a, "'"));
    }
    const size_t eq = a.find('=');
    if (eq != std::string::npos) {
      flags.emplace(a.substr(2, eq - 2), a.substr(eq + 1));
    } else if (a == "--all") {
      flags.emplace("all", "true");  // the one bare switch
    } else if (i + 1 < args.size()) {
      flags.emplace(a.substr(2), args[++i]);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(a, " needs a value"));
    }
  }
  return flags;
}

int RunAuthCommand(const std::vector<std::string>& args) {
  if (args.size() < 2) {
    return Usage(absl::StrCat("'", args.empty() ? "" : args[0], "' needs a verb"));
  }
  const std::string& noun = args[0];
  const std::string& verb = args[1];
  absl::StatusOr<Flags> flags = ParseFlags({args.begin() + 2, args.end()});
  if (!flags.ok()) {
    return Usage(std::string(flags.status().message()));
  }
  auto stub = pb::Auth::NewStub(rpc::MakeChannel(One(*flags, "addr", kDefaultAddress)));
  if (noun == "client" && verb == "create") {
    return ClientCreate(*stub, *flags);
  }
  if (noun == "member" && verb == "create") {
    return AccountCreate(*stub, pb::ACCOUNT_KIND_MEMBER, *flags);
  }
  if (noun == "vendor" && verb == "create") {
    return AccountCreate(*stub, pb::ACCOUNT_KIND_VENDOR, *flags);
  }
  if (noun == "reviewer" && verb == "create") {
    return AccountCreate(*stub, pb::ACCOUNT_KIND_REVIEWER, *flags);
  }
  if (noun == "grants" && verb == "list") {
    return GrantsList(*stub, *flags);
  }
  if (noun == "grants" && verb == "revoke") {
    return GrantsRevoke(*stub, *flags);
  }
  if (noun == "launch" && verb == "create") {
    return LaunchCreate(*stub, *flags);
  }
  return Usage(absl::StrCat("unknown command '", noun, " ", verb, "'"));
}

}  // namespace planapi::planctl
