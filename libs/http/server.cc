#include "libs/http/server.h"

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <tuple>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace planapi::http {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// Mozilla's "intermediate" TLS 1.2 suites (forward secrecy, AEAD only); TLS 1.3 suites are
// OpenSSL's defaults, all strong.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

absl::Status ConfigureTls(ssl::context& ctx, const ServerOptions& options) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::no_compression | ssl::context::single_dh_use);
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return absl::InternalError("cannot set TLS ciphers");
  }
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(options.cert_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat("PLANAPI_TLS_CERT_FILE: cannot load '",
                                                   options.cert_file, "': ", ec.message()));
  }
  ctx.use_private_key_file(options.key_file, ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat("PLANAPI_TLS_KEY_FILE: cannot load '",
                                                   options.key_file, "': ", ec.message()));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return absl::InvalidArgumentError("PLANAPI_TLS_KEY_FILE does not match the certificate");
  }
  return absl::OkStatus();
}

using Stream = beast::ssl_stream<beast::tcp_stream>;

bool HasLineBreak(absl::string_view s) { return s.find_first_of("\r\n") != absl::string_view::npos; }

}  // namespace

std::string SerializeResponse(const Response& given, bool keep_alive, bool head) {
  // A final answer must be 200..599; anything else from a handler becomes 502.
  Response bad_gateway;
  const bool valid = given.status >= 200 && given.status <= 599;
  if (!valid) {
    bad_gateway.status = 502;
  }
  const Response& response = valid ? given : bad_gateway;
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(response.status));
  std::string out;
  out.reserve(256 + response.body.size());
  absl::StrAppend(&out, "HTTP/1.1 ", response.status, " ",
                  absl::string_view(reason.data(), reason.size()), "\r\n");
  for (const auto& [name, value] : response.headers) {
    // A header that could split the response is dropped, never sent.
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value) ||
        absl::EqualsIgnoreCase(name, "content-length") || absl::EqualsIgnoreCase(name, "connection") ||
        absl::EqualsIgnoreCase(name, "transfer-encoding")) {
      continue;
    }
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  if (!keep_alive) {
    out += "Connection: close\r\n";
  }
  // 1xx, 204 and 304 carry no body and no length.
  const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
  if (!bodiless) {
    absl::StrAppend(&out, "Content-Length: ", response.body.size(), "\r\n");
  }
  out += "\r\n";
  if (!head && !bodiless) {
    out += response.body;
  }
  return out;
}

struct Server::Impl {
  Impl(const ServerOptions& o, Handler& h)
      : options(o),
        handler(h),
        contexts(MakeContexts(std::max(1, o.io_threads))),
        ssl_ctx(ssl::context::tls_server),
        acceptor(*contexts[0]) {}

  // One io_context per thread, each connection owned by one of them: a connection's work never
  // hops threads, so there are no strands and no cross-thread wake-ups on the request path.
  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(std::make_unique<net::io_context>(1));
    }
    return out;
  }

  const ServerOptions options;
  Handler& handler;

  // Connections by id, so that a drain can close the idle ones. A connection is idle while it
  // waits for the next request's headers. Declared before the io_context: destroying it destroys
  // suspended sessions, which unregister themselves here.
  struct Conn {
    beast::tcp_stream* socket;
    net::any_io_executor executor;
    bool idle;
  };
  std::mutex mu;
  std::condition_variable drained;
  std::unordered_map<uint64_t, Conn> conns;
  uint64_t next_id = 0;
  std::atomic<bool> stopping{false};
  bool stopped = false;
  // Handler calls not yet answered; their answers post to an io_context, which must outlive them.
  std::atomic<int> pending_answers{0};
  // Bytes reserved by requests whose bodies are being read or handled.
  std::atomic<uint64_t> buffered_body_bytes{0};

  std::vector<std::unique_ptr<net::io_context>> contexts;
  size_t next_context = 0;  // used by the accept loop only
  ssl::context ssl_ctx;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  int port = 0;

  net::awaitable<void> Accept();
  net::awaitable<void> Session(tcp::socket socket, uint64_t id);
  net::awaitable<Response> CallHandler(Request request);
  net::awaitable<bool> Write(Stream& stream, Response response, bool keep_alive, bool head);
  net::awaitable<void> Linger(Stream& stream);

  void SetIdle(uint64_t id, bool idle) {
    std::lock_guard lock(mu);
    if (auto it = conns.find(id); it != conns.end()) {
      it->second.idle = idle;
    }
  }
  void Forget(uint64_t id) {
    std::lock_guard lock(mu);
    conns.erase(id);
    if (conns.empty()) {
      drained.notify_all();
    }
  }
};

net::awaitable<void> Server::Impl::Accept() {
  net::steady_timer backoff(acceptor.get_executor());
  for (;;) {
    net::io_context& target = *contexts[next_context++ % contexts.size()];
    auto [ec, socket] = co_await acceptor.async_accept(target, kTuple);
    if (ec) {
      if (stopping || ec == net::error::operation_aborted) {
        co_return;
      }
      // Out of descriptors and the like: keep serving the connections we have, and retry after
      // a pause instead of spinning on an error that repeats at once.
      if (ec != net::error::connection_aborted) {
        backoff.expires_after(std::chrono::milliseconds(50));
        co_await backoff.async_wait(kTuple);
      }
      continue;
    }
    uint64_t id;
    {
      std::lock_guard lock(mu);
      id = next_id++;
    }
    // A response is written whole; without TCP_NODELAY its last partial segment waits for the
    // client's delayed ACK (40 ms on Linux) whenever it spans more than one segment.
    boost::system::error_code nodelay_ec;
    socket.set_option(tcp::no_delay(true), nodelay_ec);
    auto executor = socket.get_executor();
    net::co_spawn(executor, Session(std::move(socket), id), net::detached);
  }
}

net::awaitable<Response> Server::Impl::CallHandler(Request request) {
  // The handler answers either before Handle returns (local routes) or later from another thread
  // (a gRPC callback). The first case continues at once; the second suspends the session until
  // the answer is posted back to its io_context. `state` arbitrates between the two.
  struct State {
    std::mutex mu;
    std::optional<Response> answer;                  // arrived with no one waiting yet
    absl::AnyInvocable<void(Response)> resume;       // set once the session waits
  };
  auto state = std::make_shared<State>();
  ++pending_answers;
  handler.Handle(std::move(request), [this, state](Response r) mutable {
    std::unique_lock lock(state->mu);
    if (!state->resume) {
      state->answer = std::move(r);
      lock.unlock();
      --pending_answers;
      return;
    }
    auto resume = std::move(state->resume);
    lock.unlock();
    resume(std::move(r));
    --pending_answers;
  });
  {
    std::lock_guard lock(state->mu);
    if (state->answer.has_value()) {
      co_return *std::move(state->answer);
    }
  }
  // The initiation borrows `state` (the frame keeps it alive), and the result goes through a
  // named local: g++ 12 mis-destroys captures of temporaries in `co_return co_await f(lambda)`.
  State* const shared = state.get();
  auto initiation = [shared](auto completion) {
        auto executor = net::get_associated_executor(completion);
        auto work = net::make_work_guard(executor);
        auto resume = [completion = std::move(completion),
                       work = std::move(work)](Response r) mutable {
          auto ex = work.get_executor();
          net::post(ex, [completion = std::move(completion), r = std::move(r)]() mutable {
            std::move(completion)(std::move(r));
          });
          work.reset();
        };
        std::unique_lock lock(shared->mu);
        if (shared->answer.has_value()) {  // answered between the check above and now
          Response r = *std::move(shared->answer);
          lock.unlock();
          resume(std::move(r));
          return;
        }
        shared->resume = std::move(resume);
  };
  Response response = co_await net::async_initiate<decltype(net::use_awaitable), void(Response)>(
      std::move(initiation), net::use_awaitable);
  co_return response;
}

net::awaitable<bool> Server::Impl::Write(Stream& stream, Response response, bool keep_alive,
                                         bool head) {
  // One contiguous buffer: the TLS layer then sends the whole answer as one record in one
  // write, where Beast's serializer would hand it header and body separately.
  std::string out = SerializeResponse(response, keep_alive, head);
  stream.next_layer().expires_after(options.write_timeout);
  auto [ec, n] = co_await net::async_write(stream, net::buffer(out), kTuple);
  co_return !ec;
}

// After refusing a request whose body is still arriving, reads and drops input for a moment
// before closing: closing with unread data makes the kernel reset the connection, and the client
// would lose the error response it has not read yet.
net::awaitable<void> Server::Impl::Linger(Stream& stream) {
  stream.next_layer().expires_after(std::chrono::seconds(2));
  std::array<char, 16384> sink;
  size_t drained = 0;
  while (drained < 64 * options.max_header_bytes + options.max_body_bytes) {
    auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), kTuple);
    if (ec) {
      break;
    }
    drained += n;
  }
}

net::awaitable<void> Server::Impl::Session(tcp::socket socket, uint64_t id) {
  std::string remote;
  {
    boost::system::error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (!ec) {
      remote = endpoint.address().to_string();
    }
  }
  Stream stream(std::move(socket), ssl_ctx);
  {
    std::lock_guard lock(mu);
    if (stopping) {
      co_return;
    }
    conns.emplace(id, Conn{&stream.next_layer(), stream.get_executor(), false});
  }
  // Whatever happens below, the registry forgets this connection when the coroutine ends.
  struct Unregister {
    Impl* impl;
    uint64_t id;
    ~Unregister() { impl->Forget(id); }
  } unregister{this, id};

  stream.next_layer().expires_after(options.header_timeout);
  if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple); ec) {
    co_return;
  }
  beast::flat_buffer buffer;
  bool first = true;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(options.max_header_bytes);
    parser.body_limit(options.max_body_bytes);
    SetIdle(id, true);
    if (stopping) {
      break;
    }
    // The first request's headers are due soon after the handshake; later ones may wait for
    // the idle timeout but must then arrive whole within the header timeout.
    stream.next_layer().expires_after(first ? options.header_timeout : options.idle_timeout);
    first = false;
    if (buffer.size() == 0) {
      // Wait for the first bytes under the idle timer; what arrives goes to the parser.
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
      if (ec) {
        break;  // closed, idle timeout, or drained
      }
      buffer.commit(n);
    }
    SetIdle(id, false);
    stream.next_layer().expires_after(options.header_timeout);
    auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    if (hec) {
      int status = 400;
      std::string message = absl::StrCat("malformed request: ", hec.message());
      if (hec == beast::error::timeout) {
        break;  // Beast closed the socket on the timeout: a slow client gets nothing more
      } else if (hec == bhttp::error::header_limit) {
        status = 431;
        message = absl::StrCat("request headers exceed ", options.max_header_bytes, " bytes");
      } else if (hec == bhttp::error::body_limit) {
        status = 413;
        message = absl::StrCat("request body exceeds ", options.max_body_bytes, " bytes");
      } else if (hec == bhttp::error::end_of_stream || hec == net::error::eof ||
                 hec == net::ssl::error::stream_truncated) {
        break;
      }
      // The request line may be known even when the headers failed (e.g. a too-large length).
      std::string target(parser.get().target());
      Response refusal = handler.EdgeError(status, message, target);
      if (co_await Write(stream, std::move(refusal), false, false)) {
        co_await Linger(stream);
      }
      break;
    }
    const auto& header = parser.get();
    const bool head = header.method() == bhttp::verb::head;
    // Reserve what the body may take (its declared length, or the limit when chunked) against
    // the server-wide budget, released once the request is answered.
    const uint64_t reserve = parser.content_length().value_or(
        parser.chunked() ? options.max_body_bytes : 0);
    if (buffered_body_bytes.fetch_add(reserve) + reserve > options.max_buffered_body_bytes &&
        reserve > 0) {
      buffered_body_bytes.fetch_sub(reserve);
      Response busy = handler.EdgeError(503, "too many large requests at once; try again shortly",
                                        std::string(header.target()));
      busy.SetHeader("Retry-After", "1");
      if (co_await Write(stream, std::move(busy), false, false)) {
        co_await Linger(stream);
      }
      break;
    }
    struct Release {
      std::atomic<uint64_t>& counter;
      uint64_t bytes;
      ~Release() { counter.fetch_sub(bytes); }
    } release{buffered_body_bytes, reserve};
    if (auto expect = header.find(bhttp::field::expect);
        expect != header.end() &&
        absl::EqualsIgnoreCase(absl::string_view(expect->value().data(), expect->value().size()),
                               "100-continue")) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
      auto [cec, cn] = co_await bhttp::async_write(stream, cont, kTuple);
      if (cec) {
        break;
      }
    }
    stream.next_layer().expires_after(options.body_timeout);
    boost::system::error_code bec;
    if (!parser.is_done()) {
      auto [read_ec, read_n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      bec = read_ec;
    }
    if (bec) {
      int status = 400;
      std::string message = absl::StrCat("malformed request body: ", bec.message());
      if (bec == bhttp::error::body_limit) {
        status = 413;
        message = absl::StrCat("request body exceeds ", options.max_body_bytes, " bytes");
      } else if (bec == beast::error::timeout) {
        break;  // closed, as above
      }
      Response refusal = handler.EdgeError(status, message, std::string(header.target()));
      if (co_await Write(stream, std::move(refusal), false, false)) {
        co_await Linger(stream);
      }
      break;
    }
    bhttp::request<bhttp::string_body> req = parser.release();
    const bool keep_alive = req.keep_alive();
    Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    std::tie(request.path, request.query) = SplitTarget(request.target);
    for (const auto& field : req) {
      request.headers.emplace_back(
          absl::AsciiStrToLower(absl::string_view(field.name_string().data(),
                                                  field.name_string().size())),
          std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.remote_address = remote;
    // Requests run without a socket timer: the handler's own deadlines bound them.
    stream.next_layer().expires_never();
    Response response = co_await CallHandler(std::move(request));
    const bool again = keep_alive && !stopping;
    if (!co_await Write(stream, std::move(response), again, head) || !again) {
      break;
    }
  }
  stream.next_layer().expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(kTuple);
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                      Handler& handler) {
  auto impl = std::make_unique<Impl>(options, handler);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(options.host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("PLANAPI_HTTPS_HOST: '", options.host, "' is not an IP address"));
  }
  if (absl::Status tls = ConfigureTls(impl->ssl_ctx, options); !tls.ok()) {
    return tls;
  }
  tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    impl->acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.host, ":", options.port, ": ", ec.message()));
  }
  impl->port = impl->acceptor.local_endpoint().port();
  net::co_spawn(impl->acceptor.get_executor(), impl->Accept(), net::detached);
  for (auto& context : impl->contexts) {
    impl->threads.emplace_back([io = context.get()] {
      // Idle contexts must not return from run() before the first connection arrives.
      auto work = net::make_work_guard(*io);
      io->run();
    });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Shutdown(std::chrono::milliseconds(0)); }

int Server::port() const { return impl_->port; }

void Server::Shutdown(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  if (s.stopped) {
    return;
  }
  s.stopped = true;
  s.stopping = true;
  net::post(s.acceptor.get_executor(), [&s] {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
  });
  {
    std::unique_lock lock(s.mu);
    // Idle connections close now; busy ones finish their response with "Connection: close".
    for (auto& [id, conn] : s.conns) {
      if (conn.idle) {
        net::post(conn.executor, [socket = conn.socket, &s, id = id] {
          std::lock_guard inner(s.mu);
          // Still idle: a request that started meanwhile is finished, not cut off.
          if (auto it = s.conns.find(id); it != s.conns.end() && it->second.idle) {
            socket->cancel();
          }
        });
      }
    }
    s.drained.wait_for(lock, grace, [&s] { return s.conns.empty(); });
  }
  for (auto& context : s.contexts) {
    context->stop();
  }
  for (std::thread& t : s.threads) {
    t.join();
  }
  s.threads.clear();
  // Answers still on their way (bounded by the handler's own deadlines) post into the stopped
  // io_context; it must not be destroyed under them.
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (s.pending_answers.load() > 0 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace planapi::http
