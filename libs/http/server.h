// The suite's HTTPS edge (Boost.Beast behind this plain interface): TLS 1.2+ with modern ciphers,
// HTTP/1.1 keep-alive, limits and timeouts at the socket (header size, body size, slow clients,
// idle connections), and a graceful drain. What a request means is the Handler's business; this
// library never decides a response except for limit violations, which it asks the Handler to
// render. Beast and Asio are confined to server.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "libs/http/message.h"
#include "absl/strings/string_view.h"

namespace planapi::http {

// Answers requests. Implementations must be thread-safe: Handle runs on any io thread, and `done`
// may be called from any thread (e.g. a gRPC callback) exactly once.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void Handle(Request request, absl::AnyInvocable<void(Response)> done) = 0;
  // A response for a request refused at the edge: 400 malformed, 413 body too large, 431 headers
  // too large, 503 too many request bodies in memory at once. (Clients too slow to send a request are disconnected without an answer.) `target` may be empty when the request line was unreadable.
  virtual Response EdgeError(int status, absl::string_view message, absl::string_view target) = 0;
};

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 8443;
  std::string cert_file;  // PEM certificate chain
  std::string key_file;   // PEM private key
  int io_threads = 2;
  uint64_t max_body_bytes = 16 * 1024 * 1024;
  // Request bodies all connections together may hold in memory at once; a request that would
  // exceed it is answered 503 (Retry-After) before its body is read.
  uint64_t max_buffered_body_bytes = 256 * 1024 * 1024;
  uint32_t max_header_bytes = 16 * 1024;
  // The TLS handshake and each request's headers must arrive within this.
  std::chrono::milliseconds header_timeout{10000};
  // A request body must arrive within this once its headers have.
  std::chrono::milliseconds body_timeout{30000};
  // An idle keep-alive connection is closed after this.
  std::chrono::milliseconds idle_timeout{60000};
  // A response must be taken by the client within this.
  std::chrono::milliseconds write_timeout{30000};
};

// The bytes of an HTTP/1.1 response: status line, headers (any with a line break, and framing
// headers the server owns, are dropped), Content-Length, Connection: close when not keeping the
// connection, and the body unless `head` or the status has none. Exposed for tests.
std::string SerializeResponse(const Response& response, bool keep_alive, bool head);

class Server {
 public:
  // Loads the certificate and key (INVALID_ARGUMENT naming the file on failure), binds
  // (UNAVAILABLE if the address is taken) and starts the io threads. `handler` must outlive the
  // Server.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                       Handler& handler);
  ~Server();

  int port() const;
  // Stops accepting, lets requests in flight finish (their connections then close), closes idle
  // connections at once, and waits up to `grace` before cutting what is left.
  void Shutdown(std::chrono::milliseconds grace);

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace planapi::http
