#include "libs/http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "libs/testing/https_client.h"
#include "libs/testing/process.h"
#include "libs/testing/service.h"

namespace planapi::http {
namespace {

// Echoes the request; answers from another thread to exercise the cross-thread completion path.
class EchoHandler : public Handler {
 public:
  void Handle(Request request, absl::AnyInvocable<void(Response)> done) override {
    ++calls;
    std::thread([request = std::move(request), done = std::move(done)]() mutable {
      Response r;
      r.SetHeader("Content-Type", "text/plain");
      r.body = absl::StrCat(request.method, " ", request.path, " q=", request.query,
                            " body=", request.body.size(), " host=",
                            request.Header("host").value_or(""));
      done(std::move(r));
    }).detach();
  }
  Response EdgeError(int status, absl::string_view message, absl::string_view) override {
    ++edge_errors;
    return Response{.status = status, .body = std::string(message)};
  }
  std::atomic<int> calls{0};
  std::atomic<int> edge_errors{0};
};

struct Fixture {
  Fixture(ServerOptions options = {}) {
    REQUIRE(*testing::RunCommand({"bash", testing::SourceDir() + "/deploy/local/tls.sh",
                                  tls.path()}) == 0);
    options.host = "127.0.0.1";
    options.port = 0;
    options.cert_file = tls.path() + "/server.pem";
    options.key_file = tls.path() + "/server.key";
    auto s = Server::Start(options, handler);
    REQUIRE(s.ok());
    server = *std::move(s);
  }
  std::string base() const { return absl::StrCat("https://localhost:", server->port()); }
  std::string ca() const { return tls.path() + "/ca.pem"; }

  testing::TempDir tls;
  EchoHandler handler;
  std::unique_ptr<Server> server;
};

TEST_CASE("requests are answered over TLS with keep-alive", "[http]") {
  Fixture f;
  testing::HttpsClient client(f.base(), f.ca());
  auto a = client.Get("/a/b?x=1");
  REQUIRE(a.status == 200);
  CHECK(a.body == absl::StrCat("GET /a/b q=x=1 body=0 host=localhost:", f.server->port()));
  auto b = client.Send("POST", "/p", std::string(1000, 'x'), {"Content-Type: text/plain"});
  CHECK(b.status == 200);
  CHECK(b.body.find("body=1000") != std::string::npos);
  CHECK(f.handler.calls == 2);
}

TEST_CASE("bodies over the limit get 413 and never reach the handler", "[http]") {
  Fixture f(ServerOptions{.max_body_bytes = 1024});
  testing::HttpsClient client(f.base(), f.ca());
  auto r = client.Send("POST", "/p", std::string(4096, 'x'));
  CHECK(r.status == 413);
  CHECK(r.body == "request body exceeds 1024 bytes");
  CHECK(f.handler.calls == 0);
  // The server is still fine afterwards.
  testing::HttpsClient again(f.base(), f.ca());
  CHECK(again.Get("/ok").status == 200);
}

TEST_CASE("oversized headers get 431", "[http]") {
  Fixture f(ServerOptions{.max_header_bytes = 2048});
  testing::HttpsClient client(f.base(), f.ca());
  auto r = client.Get("/", {"X-Big: " + std::string(4096, 'a')});
  CHECK(r.status == 431);
  CHECK(f.handler.calls == 0);
}

// A raw TLS connection, to send what no well-behaved client would.
class RawTls {
 public:
  explicit RawTls(int port) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    REQUIRE(SSL_connect(ssl_) == 1);
  }
  ~RawTls() {
    SSL_free(ssl_);
    close(fd_);
    SSL_CTX_free(ctx_);
  }
  void Write(absl::string_view data) {
    REQUIRE(SSL_write(ssl_, data.data(), static_cast<int>(data.size())) > 0);
  }
  // Everything until the server closes.
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    int n;
    while ((n = SSL_read(ssl_, buf, sizeof buf)) > 0) {
      out.append(buf, n);
    }
    return out;
  }

 private:
  SSL_CTX* ctx_;
  SSL* ssl_;
  int fd_;
};

TEST_CASE("a client that sends headers too slowly is cut off", "[http]") {
  Fixture f(ServerOptions{.header_timeout = std::chrono::milliseconds(300)});
  RawTls raw(f.server->port());
  raw.Write("GET / HTTP/1.1\r\nHost: x\r\n");  // and never the blank line
  const auto start = std::chrono::steady_clock::now();
  CHECK(raw.ReadAll().empty());  // returns when the server closes
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(f.handler.calls == 0);
}

TEST_CASE("garbage gets 400", "[http]") {
  Fixture f;
  RawTls raw(f.server->port());
  raw.Write("HELLO THERE\r\n\r\n");
  CHECK(raw.ReadAll().rfind("HTTP/1.1 400", 0) == 0);
  CHECK(f.handler.edge_errors == 1);
}

TEST_CASE("random bytes never crash the server or reach the handler", "[http]") {
  Fixture f;
  std::mt19937 rng(20261129);  // fixed seed: the same inputs every run
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(1, 3000);
  for (int i = 0; i < 40; ++i) {
    RawTls raw(f.server->port());
    std::string junk(static_cast<size_t>(length(rng)), '\0');
    for (char& c : junk) {
      c = static_cast<char>(byte(rng));
    }
    // Half start like a request, so the parser gets past the request line.
    if (i % 2 == 0) {
      junk = "GET /x HTTP/1.1\r\n" + junk;
    }
    raw.Write(junk + "\r\n\r\n");
    const std::string reply = raw.ReadAll();
    CHECK((reply.empty() || reply.rfind("HTTP/1.1 4", 0) == 0));
  }
  CHECK(f.handler.calls == 0);
  testing::HttpsClient client(f.base(), f.ca());
  CHECK(client.Get("/still-alive").status == 200);
}

TEST_CASE("request bodies share a memory budget and over it the answer is 503", "[http]") {
  Fixture f(ServerOptions{.max_body_bytes = 4096, .max_buffered_body_bytes = 6000});
  // One connection declares a large body and sends only part of it, holding its reservation.
  RawTls slow(f.server->port());
  slow.Write("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\nConnection: close\r\n\r\nxx");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  testing::HttpsClient client(f.base(), f.ca());
  auto refused = client.Send("POST", "/b", std::string(3000, 'y'));
  CHECK(refused.status == 503);
  CHECK(refused.headers["retry-after"] == "1");
  CHECK(client.Get("/small").status == 200);  // bodiless requests reserve nothing
  slow.Write(std::string(3998, 'x'));         // the first request completes and releases
  CHECK(slow.ReadAll().rfind("HTTP/1.1 200", 0) == 0);
  testing::HttpsClient later(f.base(), f.ca());
  CHECK(later.Send("POST", "/c", std::string(3000, 'y')).status == 200);
}

TEST_CASE("idle keep-alive connections are closed after the idle timeout", "[http]") {
  Fixture f(ServerOptions{.idle_timeout = std::chrono::milliseconds(200)});
  RawTls raw(f.server->port());
  raw.Write("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string reply = raw.ReadAll();  // returns once the server closes the idle connection
  CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(reply.find("GET /one") != std::string::npos);
}

TEST_CASE("shutdown closes idle connections and refuses new ones", "[http]") {
  Fixture f;
  testing::HttpsClient client(f.base(), f.ca());
  REQUIRE(client.Get("/").status == 200);
  f.server->Shutdown(std::chrono::seconds(5));
  testing::HttpsClient late(f.base(), f.ca());
  CHECK(late.Get("/").status == 0);
}

TEST_CASE("responses serialise with one length and no injected headers", "[http]") {
  Response r{.status = 200, .body = "hello"};
  r.SetHeader("Content-Type", "text/plain");
  r.SetHeader("X-Evil", "a\r\nSet-Cookie: pwned=1");
  r.SetHeader("Content-Length", "999");
  CHECK(SerializeResponse(r, true, false) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
  CHECK(SerializeResponse(r, false, true) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
        "Content-Length: 5\r\n\r\n");
  CHECK(SerializeResponse(Response{.status = 0}, true, false).rfind("HTTP/1.1 502 ", 0) == 0);
  CHECK(SerializeResponse(Response{.status = 101}, true, false).rfind("HTTP/1.1 502 ", 0) == 0);
  Response not_modified{.status = 304, .body = "ignored"};
  CHECK(SerializeResponse(not_modified, true, false) == "HTTP/1.1 304 Not Modified\r\n\r\n");
}

TEST_CASE("a missing certificate is a configuration error naming the setting", "[http]") {
  EchoHandler handler;
  auto s = Server::Start({.port = 0, .cert_file = "/nonexistent.pem", .key_file = "/x"}, handler);
  CHECK(s.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.status().message().find("PLANAPI_TLS_CERT_FILE") != absl::string_view::npos);
}

}  // namespace
}  // namespace planapi::http
