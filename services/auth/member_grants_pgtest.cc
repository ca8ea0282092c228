// The member's connected-apps pages ({prefix}/grants) driven as a browser would, onto a real
// PostgreSQL: sign-in, the list, revoking one's own grant (which ends every token of it at once),
// and the refusals - no or wrong CSRF token, another member's grant, a foreign sign-in form.
#include <catch2/catch.hpp>

#include "services/auth/oauth_pgtest_fixture.h"

namespace planapi::auth_service {
namespace {

// Opens the page, signs in and follows the redirect back to the list.
server::WebResponse SignIn(Browser& b, const std::string& user = "alice") {
  auto form = b.Get("/grants");
  REQUIRE(form.status == 200);
  auto signed_in = b.Post("/grants/login", {{"request", RequestIdIn(form.body)},
                                            {"username", user},
                                            {"password", user + "-password"}});
  REQUIRE(signed_in.status == 303);
  CHECK(Header(signed_in, "Location") == "/sandbox/auth/grants");
  return b.Get("/grants");
}

struct Tokens {
  std::string access;
  std::string refresh;
};

Tokens Launch(Fixture& f, Browser& b, const std::string& user = "alice") {
  auto t = JsonOf(Exchange(f, CodeFrom(RunFlow(b, AuthorizeParams(f), std::nullopt, user,
                                               user + "-password"))));
  return {std::string(*json::GetString(t, "access_token")),
          std::string(*json::GetString(t, "refresh_token"))};
}

server::WebResponse Refresh(Fixture& f, const std::string& refresh) {
  return f.Call("POST", "/token",
                Form({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}),
                Basic(f, f.client_secret));
}

TEST_CASE("a member signs in, sees the app, and revoking it ends its tokens at once",
          "[auth][pg]") {
  Fixture f;
  Browser app_browser{f};
  const Tokens tokens = Launch(f, app_browser);
  REQUIRE(Active(f, tokens.access));
  REQUIRE(Active(f, tokens.refresh));

  Browser b{f};
  auto form = b.Get("/grants");
  REQUIRE(form.status == 200);
  CHECK(absl::StrContains(form.body, R"(action="/sandbox/auth/grants/login")"));
  CHECK(absl::StrContains(form.body, R"(name="password")"));
  auto page = SignIn(b);
  REQUIRE(page.status == 200);
  CHECK(absl::StrContains(b.cookie, "planapi_member="));
  CHECK(absl::StrContains(page.body, "<h1>Connected apps</h1>"));
  CHECK(absl::StrContains(page.body, "Demo App"));
  CHECK(absl::StrContains(page.body, "<code>patient/*.rs</code>"));
  CHECK(absl::StrContains(page.body, R"(action="/sandbox/auth/grants/revoke")"));
  const std::string grant = InputIn(page.body, "grant");
  const std::string csrf = InputIn(page.body, "csrf");
  CHECK(grant == f.Query("SELECT id::text FROM auth.grants"));

  auto revoked = b.Post("/grants/revoke", {{"grant", grant}, {"csrf", csrf}});
  CHECK(revoked.status == 303);
  CHECK(Header(revoked, "Location") == "/sandbox/auth/grants");
  CHECK_FALSE(Active(f, tokens.access));
  CHECK_FALSE(Active(f, tokens.refresh));
  CHECK(ErrorOf(Refresh(f, tokens.refresh)) == "invalid_grant");
  // The same revocation as an operator's: the gateways' feed names the grant.
  CHECK(f.Query(absl::StrCat("SELECT count(*) FROM auth.revocations WHERE kind = 'grant' AND "
                             "subject = '", grant, "'")) == "1");
  CHECK(f.Query("SELECT revoked_reason FROM auth.grants") == "revoked by the member");
  CHECK(absl::StrContains(b.Get("/grants").body, "No apps are connected."));
}

TEST_CASE("the grants pages refuse missing or wrong CSRF tokens and other members' grants",
          "[auth][pg]") {
  Fixture f;
  REQUIRE(f.admin->CreateAccount({.kind = AccountKind::kMember, .realm = Realm::kSandbox,
                                  .username = "bob", .password = "bob-password",
                                  .patient_id = "pat-2"})
              .ok());
  Browser app_browser{f};
  const Tokens alice_tokens = Launch(f, app_browser);
  const Tokens bob_tokens = Launch(f, app_browser, "bob");
  const std::string bob_grant = f.Query(
      "SELECT g.id::text FROM auth.grants g JOIN auth.accounts a ON a.id = g.account_id WHERE "
      "a.username = 'bob'");

  Browser b{f};
  auto page = SignIn(b);
  const std::string grant = InputIn(page.body, "grant");
  const std::string csrf = InputIn(page.body, "csrf");
  CHECK_FALSE(absl::StrContains(page.body, bob_grant));  // only alice's own grants are listed

  CHECK(b.Post("/grants/revoke", {{"grant", grant}}).status == 403);
  CHECK(b.Post("/grants/revoke", {{"grant", grant}, {"csrf", jose::RandomToken()}}).status == 403);
  CHECK(b.Post("/grants/revoke", {{"grant", grant}, {"csrf", csrf}, {"csrf", csrf}}).status == 403);
  // Another member's grant is as unknown as a made-up id.
  CHECK(b.Post("/grants/revoke", {{"grant", bob_grant}, {"csrf", csrf}}).status == 404);
  CHECK(b.Post("/grants/revoke", {{"grant", "nope"}, {"csrf", csrf}}).status == 404);
  // Without the session cookie (another site's post, or after sign-out) nothing happens either.
  Browser stranger{f};
  CHECK(stranger.Post("/grants/revoke", {{"grant", grant}, {"csrf", csrf}}).status == 403);
  CHECK(Active(f, alice_tokens.access));
  CHECK(Active(f, bob_tokens.access));
  CHECK(f.Query("SELECT count(*) FROM auth.grants WHERE revoked_at IS NOT NULL") == "0");
  CHECK(f.Query("SELECT count(*) FROM auth.revocations") == "0");

  // The session is the realm's: the production page does not know it.
  auto production = b.Get("/grants", "production");
  CHECK(absl::StrContains(production.body, R"(action="/auth/grants/login")"));

  // Sign-out needs the token too, then ends the session.
  const std::string session_cookie = b.cookie;
  CHECK(b.Post("/grants/signout", {{"csrf", "wrong"}}).status == 403);
  auto out = b.Post("/grants/signout", {{"csrf", csrf}});
  CHECK(out.status == 303);
  CHECK(absl::StrContains(Header(out, "Set-Cookie"), "planapi_member=; Path=/sandbox/auth; Max-Age=0"));
  CHECK(absl::StrContains(b.Get("/grants").body, R"(name="password")"));
  Browser replay{f, session_cookie};
  CHECK(replay.Post("/grants/revoke", {{"grant", grant}, {"csrf", csrf}}).status == 403);
  CHECK(f.Query("SELECT count(*) FROM auth.member_sessions") == "0");
}

TEST_CASE("grants sign-in: cookie flags, the form's browser binding, wrong passwords, throttling",
          "[auth][pg]") {
  Fixture f;
  Browser b{f};
  auto form = b.Get("/grants");
  REQUIRE(form.status == 200);
  const std::string nonce = RequestIdIn(form.body);
  // A form from another browser (another site's post) is refused before any password check.
  Browser other{f};
  CHECK(other.Post("/grants/login", {{"request", nonce}, {"username", "alice"},
                                     {"password", "alice-password"}})
            .status == 403);
  CHECK(b.Post("/grants/login", {{"username", "alice"}, {"password", "alice-password"}}).status == 403);
  auto wrong = b.Post("/grants/login", {{"request", nonce}, {"username", "alice"}, {"password", "x"}});
  CHECK(wrong.status == 401);
  CHECK(absl::StrContains(wrong.body, "The username or password is not right."));
  auto unknown = b.Post("/grants/login", {{"request", nonce}, {"username", "zed"}, {"password", "x"}});
  CHECK(unknown.status == 401);
  CHECK(unknown.body == wrong.body);
  // The same throttle as authorize: failures there count here, and the reverse.
  for (int i = 0; i < 4; ++i) {  // five failures for alice with the one above
    b.Post("/grants/login", {{"request", nonce}, {"username", "alice"}, {"password", "x"}});
  }
  auto throttled = b.Post("/grants/login", {{"request", nonce}, {"username", "alice"},
                                            {"password", "alice-password"}});
  CHECK(throttled.status == 429);
  CHECK_FALSE(Header(throttled, "Retry-After").empty());
  CHECK(f.Query("SELECT count(*) FROM auth.member_sessions") == "0");
  f.Query("DELETE FROM auth.login_attempts RETURNING 1");

  auto ok = b.Post("/grants/login", {{"request", nonce}, {"username", "alice"},
                                     {"password", "alice-password"}});
  REQUIRE(ok.status == 303);
  const std::string set = Header(ok, "Set-Cookie");
  CHECK(absl::StartsWith(set, "planapi_member="));
  CHECK(absl::StrContains(set, "; Path=/sandbox/auth;"));
  CHECK(absl::StrContains(set, "; HttpOnly; Secure; SameSite=Strict"));
  // Stored hashed, with an expiry.
  const std::string id = set.substr(15, set.find(';') - 15);
  CHECK(f.Query("SELECT encode(id_hash, 'hex') FROM auth.member_sessions") ==
        absl::BytesToHexString(jose::Sha256(id)));
  CHECK(f.Query("SELECT count(*) FROM auth.member_sessions WHERE expires_at > now() + interval "
                "'29 minutes'") == "1");
  CHECK(absl::StrContains(b.Get("/grants").body, "Connected apps"));
  // An expired session is no session.
  f.Query("UPDATE auth.member_sessions SET expires_at = now() RETURNING 1");
  CHECK(absl::StrContains(b.Get("/grants").body, R"(name="password")"));
}

}  // namespace
}  // namespace planapi::auth_service
