// The OAuth pgtests' shared scaffolding: a fresh auth schema on the shared PostgreSQL cluster,
// an OAuthServer and the member's grants pages on it as one Web route table, a member and a
// confidential client, and a Browser that keeps the cookies auth sets, as a browser and an app
// would drive the endpoints.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/jose/base64url.h"
#include "libs/jose/jws.h"
#include "libs/jose/jwt.h"
#include "libs/jose/secret.h"
#include "libs/json/json.h"
#include "libs/testing/postgres.h"
#include "services/auth/admin.h"
#include "services/auth/auth_pgtest_db.h"
#include "services/auth/auth_service.h"
#include "services/auth/client_cache.h"
#include "services/auth/http_forms.h"
#include "services/auth/member_grants.h"
#include "services/auth/oauth.h"

namespace planapi::auth_service {

inline constexpr char kBase[] = "https://gw.test";
inline constexpr char kRedirect[] = "https://app.example/cb";
inline constexpr char kVerifier[] = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
inline constexpr char kChallenge[] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";  // S256(kVerifier)

inline jose::Key Generate(jose::KeyType type) {
  auto key = jose::Key::Generate(type);
  REQUIRE(key.ok());
  return *key;
}

struct Fixture {
  Fixture() : db(testing::Postgres::Shared().CreateDatabase()) {
    pool = MigratedAuthPool(db);
    store = std::make_unique<AuthStore>(*pool);
    oauth_store = std::make_unique<OAuthStore>(*pool, *store);
    box = std::make_unique<jose::SecretBox>(*jose::SecretBox::FromKey(jose::RandomBytes(32)));
    auto k = SigningKeys::Parse(absl::StrCat(Generate(jose::KeyType::kEcP256).PrivatePem(),
                                             Generate(jose::KeyType::kRsa).PrivatePem()));
    REQUIRE(k.ok());
    keys = std::make_unique<SigningKeys>(*std::move(k));
    admin = std::make_unique<Admin>(*store, *box,
                                    jose::PasswordParams{.memory_kib = 256, .iterations = 1});
    // The token endpoint's client cache, kept current by the store's change hook as in
    // auth_service.cc (the notification path is tested on its own in oauth_pgtest.cc).
    clients = std::make_unique<ClientCache>(*store);
    store->SetClientChangeHook([this](absl::string_view id) { clients->Invalidate(id); });
    clients->SetListening(true);
    server = std::make_unique<OAuthServer>(*store, *oauth_store, *clients, *keys, *box);
    grants = std::make_unique<MemberGrantsPages>(*store, *oauth_store, *admin);
    routes = server->Routes();
    for (server::WebRoute& route : grants->Routes()) {
      routes.push_back(std::move(route));
    }

    auto member = admin->CreateAccount({.kind = AccountKind::kMember,
                                        .realm = Realm::kSandbox,
                                        .username = "alice",
                                        .password = "alice-password",
                                        .patient_id = "pat-1"});
    REQUIRE(member.ok());
    member_id = member->account_id;
    auto created = admin->CreateClient(
        {.name = "Demo App",
         .type = ClientType::kConfidential,
         .redirect_uris = {kRedirect},
         .scopes = "openid fhirUser launch/patient offline_access patient/*.rs"});
    REQUIRE(created.ok());
    client_id = created->client.client_id;
    client_secret = created->secret;
  }

  std::string Query(const std::string& sql) {
    auto conn = pool->Acquire();
    REQUIRE(conn.ok());
    auto r = (*conn)->Exec(sql);
    INFO(sql);
    REQUIRE(r.ok());
    return r->rows() == 0 || r->IsNull(0, 0) ? "" : std::string(r->Get(0, 0));
  }

  server::WebResponse Call(const std::string& method, const std::string& path,
                           const std::string& query_or_body,
                           std::multimap<std::string, std::string> headers = {},
                           const std::string& realm = "sandbox") {
    server::WebRequest r{.method = method, .path = path, .realm = realm, .base_url = kBase};
    if (method == "GET") {
      r.query = query_or_body;
    } else {
      r.body = query_or_body;
      headers.emplace("content-type", "application/x-www-form-urlencoded");
    }
    headers.emplace("x-forwarded-for", "192.0.2.1");
    r.headers = std::move(headers);
    auto out = server::DispatchWeb(routes, r);
    INFO(out.status());
    REQUIRE(out.ok());
    return *std::move(out);
  }

  testing::Database db;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<AuthStore> store;
  std::unique_ptr<OAuthStore> oauth_store;
  std::unique_ptr<jose::SecretBox> box;
  std::unique_ptr<SigningKeys> keys;
  std::unique_ptr<Admin> admin;
  std::unique_ptr<ClientCache> clients;
  std::unique_ptr<OAuthServer> server;
  std::unique_ptr<MemberGrantsPages> grants;
  std::vector<server::WebRoute> routes;
  std::string member_id;
  std::string client_id;
  std::string client_secret;
};

inline std::string Header(const server::WebResponse& r, absl::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (absl::EqualsIgnoreCase(k, name)) {
      return v;
    }
  }
  return "";
}

inline std::string Form(const Params& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    absl::StrAppend(&out, out.empty() ? "" : "&", UrlEncode(k), "=", UrlEncode(v));
  }
  return out;
}

// The query parameters of a redirect Location.
inline Params RedirectParams(const server::WebResponse& r) {
  const std::string location = Header(r, "Location");
  const size_t q = location.find('?');
  REQUIRE(q != std::string::npos);
  return *ParseForm(location.substr(q + 1));
}

// The value of the first <input ... name="NAME" value="..."> in a page.
inline std::string InputIn(const std::string& page, const std::string& name) {
  const std::string marker = "name=\"" + name + "\" value=\"";
  const size_t at = page.find(marker);
  INFO(page);
  REQUIRE(at != std::string::npos);
  return page.substr(at + marker.size(), page.find('"', at + marker.size()) - at - marker.size());
}

inline std::string RequestIdIn(const std::string& page) { return InputIn(page, "request"); }

// One browser: keeps the cookies auth sets (by name; Max-Age=0 removes one) and sends them back.
struct Browser {
  Fixture& f;
  std::string cookie;  // the Cookie header it sends

  void Keep(const server::WebResponse& r) {
    std::map<std::string, std::string> jar;
    for (absl::string_view pair : absl::StrSplit(cookie, "; ", absl::SkipEmpty())) {
      const size_t eq = pair.find('=');
      jar[std::string(pair.substr(0, eq))] = std::string(pair.substr(eq + 1));
    }
    for (const auto& [k, v] : r.headers) {
      if (!absl::EqualsIgnoreCase(k, "Set-Cookie")) {
        continue;
      }
      const std::string pair = v.substr(0, v.find(';'));
      const size_t eq = pair.find('=');
      if (absl::StrContains(v, "Max-Age=0;")) {
        jar.erase(pair.substr(0, eq));
      } else {
        jar[pair.substr(0, eq)] = pair.substr(eq + 1);
      }
    }
    cookie.clear();
    for (const auto& [k, v] : jar) {
      absl::StrAppend(&cookie, cookie.empty() ? "" : "; ", k, "=", v);
    }
  }
  server::WebResponse Authorize(Params params) {
    auto r = f.Call("GET", "/authorize", Form(params), Headers());
    Keep(r);
    return r;
  }
  server::WebResponse Get(const std::string& path, const std::string& realm = "sandbox") {
    auto r = f.Call("GET", path, "", Headers(), realm);
    Keep(r);
    return r;
  }
  server::WebResponse Post(const std::string& path, const Params& form,
                           const std::string& realm = "sandbox") {
    auto r = f.Call("POST", path, Form(form), Headers(), realm);
    Keep(r);
    return r;
  }
  std::multimap<std::string, std::string> Headers() const {
    std::multimap<std::string, std::string> h;
    if (!cookie.empty()) {
      h.emplace("cookie", cookie);
    }
    return h;
  }
};

inline Params AuthorizeParams(const Fixture& f, std::string scope = "openid fhirUser launch/patient "
                                                             "offline_access patient/*.rs") {
  return {{"response_type", "code"},
          {"client_id", f.client_id},
          {"redirect_uri", kRedirect},
          {"scope", std::move(scope)},
          {"state", "st-1"},
          {"aud", "https://gw.test/sandbox/fhir/r4"},
          {"code_challenge", kChallenge},
          {"code_challenge_method", "S256"},
          {"nonce", "n-1"}};
}

// authorize -> login -> consent (keeping the given scopes ticked, or all) -> the redirect.
inline server::WebResponse RunFlow(Browser& b, Params authorize,
                                   std::optional<std::vector<std::string>> keep = std::nullopt,
                                   const std::string& username = "alice",
                                   const std::string& password = "alice-password") {
  const std::string scope = Single(authorize, "scope")->value_or("");
  auto page = b.Authorize(std::move(authorize));
  REQUIRE(page.status == 200);
  const std::string id = RequestIdIn(page.body);
  auto consent = b.Post("/login", {{"request", id}, {"username", username}, {"password", password}});
  REQUIRE(consent.status == 200);
  Params form = {{"request", id}, {"action", "approve"}};
  if (keep.has_value()) {
    for (const std::string& s : *keep) {
      form.emplace_back("scope", s);
    }
  } else {
    for (absl::string_view s : absl::StrSplit(scope, ' ')) {
      form.emplace_back("scope", std::string(s));
    }
  }
  return b.Post("/consent", form);
}

inline std::string CodeFrom(const server::WebResponse& redirect) {
  REQUIRE(redirect.status == 302);
  Params p = RedirectParams(redirect);
  CHECK(Single(p, "state")->value_or("") == "st-1");
  INFO(Header(redirect, "Location"));
  REQUIRE(Single(p, "code")->has_value());
  return **Single(p, "code");
}

inline std::multimap<std::string, std::string> Basic(const Fixture& f, const std::string& secret) {
  return {{"authorization",
           "Basic " + absl::Base64Escape(absl::StrCat(f.client_id, ":", secret))}};
}

inline server::WebResponse Exchange(Fixture& f, const std::string& code,
                             const std::string& verifier = kVerifier,
                             const std::string& redirect = kRedirect) {
  return f.Call("POST", "/token",
                Form({{"grant_type", "authorization_code"},
                      {"code", code},
                      {"redirect_uri", redirect},
                      {"code_verifier", verifier}}),
                Basic(f, f.client_secret));
}

inline rapidjson::Document JsonOf(const server::WebResponse& r) {
  auto doc = json::Parse(r.body);
  INFO(r.body);
  REQUIRE(doc.ok());
  return *std::move(doc);
}

inline std::string ErrorOf(const server::WebResponse& r) {
  return std::string(json::GetString(JsonOf(r), "error").value_or(""));
}

inline server::WebResponse Introspect(Fixture& f, const std::string& token, const std::string& realm = "sandbox") {
  return f.Call("POST", "/introspect", Form({{"token", token}}), Basic(f, f.client_secret), realm);
}

inline bool Active(Fixture& f, const std::string& token) {
  auto r = Introspect(f, token);
  REQUIRE(r.status == 200);
  return json::GetBool(JsonOf(r), "active").value_or(false);
}


}  // namespace planapi::auth_service
