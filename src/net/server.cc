#include "net/server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <future>
#include <optional>
#include <thread>

#include "common/logging.h"

namespace kiroku::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(120);
constexpr auto kStopGrace = std::chrono::seconds(30);
constexpr auto kDrainTimeout = std::chrono::seconds(5);
constexpr size_t kMaxDrainBytes = 256 * 1024 * 1024;

class Session;

}  // namespace

struct Server::State {
  State(ServerOptions opts, Handler& h) : options(std::move(opts)), handler(h) {}

  ServerOptions options;
  Handler& handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  std::unique_ptr<asio::thread_pool> workers;
  std::vector<std::thread> io_threads;
  uint16_t port = 0;
  bool running = false;

  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable sessions_done;
  std::map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu

  void DoAccept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::State& state) : stream_(std::move(socket)), state_(state) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = endpoint.address().to_string();
    // Responses may take several writes (100 Continue, streamed bodies): never let Nagle's
    // algorithm wait for the client's delayed ACK between them.
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  ~Session() {
    std::lock_guard lock(state_.mu);
    state_.sessions.erase(this);
    if (state_.sessions.empty()) state_.sessions_done.notify_all();
  }

  void Start() {
    {
      std::lock_guard lock(state_.mu);
      state_.sessions[this] = weak_from_this();
    }
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Runs on the session's strand: closes the connection if no request is in progress.
  void CloseIfIdle() {
    if (idle_) {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.socket().close(ec);
    }
  }

  asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void ReadHeader() {
    if (state_.stopping) return Close();
    idle_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(state_.options.max_header_bytes));
    // No body limit while the header is read: a streamed request may be of any size. The
    // buffered path sets the limit before reading the body (OnHeader).
    parser_->body_limit(boost::none);
    stream_.expires_after(kIdleTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    idle_ = false;
    // Beast checks Content-Length against the body limit as soon as the header is complete.
    if (ec == http::error::body_limit) return RejectTooLarge();
    if (ec) return Close();
    Request head = ToRequest(parser_->get());
    head_request_ = head.method == "HEAD";
    if (StreamsBody(head)) return StartStream(std::move(head));
    if (auto length = parser_->content_length();
        length && *length > state_.options.max_body_bytes) {
      return RejectTooLarge();
    }
    parser_->body_limit(state_.options.max_body_bytes);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnBody(ec);
                     });
  }

  void OnBody(beast::error_code ec) {
    if (ec == http::error::body_limit) return RejectTooLarge();
    if (ec) return Close();
    stream_.expires_never();
    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    Request request = ToRequest(message);
    request.body = std::move(message.body());
    asio::post(*state_.workers, [self = shared_from_this(), request = std::move(request)] {
      Response response = self->Invoke(request);
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable {
                   self->Write(std::move(response));
                 });
    });
  }

  bool StreamsBody(const Request& head) {
    try {
      return state_.handler.StreamsBody(head);
    } catch (const std::exception& e) {
      spdlog::error("unhandled exception deciding on streaming: {}", e.what());
      return false;
    }
  }

  // Runs one asynchronous socket operation on the session's strand, with the idle timeout, and
  // blocks the calling worker thread until it completes. Streamed bodies are read and written
  // this way so that a client that stalls mid-body times out instead of holding the worker.
  template <class Start>
  beast::error_code OnStrand(Start start) {
    std::promise<beast::error_code> done;
    auto result = done.get_future();
    asio::post(stream_.get_executor(), [this, &start, &done] {
      stream_.expires_after(kIdleTimeout);
      start([&done](beast::error_code ec) { done.set_value(ec); });
    });
    beast::error_code ec = result.get();
    return ec;
  }

  // Delivers the body of a streamed request to the handler's worker thread in pieces.
  class SocketBodyReader final : public BodyReader {
   public:
    SocketBodyReader(Session& session, http::request_parser<http::buffer_body>& parser)
        : session_(session), parser_(parser) {}

    Result<size_t> Read(char* out, size_t capacity) override {
      if (capacity == 0 || failed_) return size_t{0};
      if (parser_.is_done()) return size_t{0};
      auto& body = parser_.get().body();
      body.data = out;
      body.size = capacity;
      // Reads on the strand until `out` is full or the body ends: one hand-off between the
      // worker and the I/O thread per buffer, not per socket read (under load each hand-off
      // costs a scheduling delay).
      beast::error_code ec = session_.OnStrand([this](auto complete) { ReadMore(complete); });
      if (ec) {
        failed_ = true;
        return Status::Unavailable("reading the request body: " + ec.message());
      }
      return capacity - body.size;
    }

    bool complete() const { return !failed_ && parser_.is_done(); }

   private:
    template <class Complete>
    void ReadMore(Complete complete) {
      http::async_read_some(session_.stream_, session_.buffer_, parser_,
                            [this, complete](beast::error_code ec, size_t) {
                              if (ec == http::error::need_buffer) ec = {};
                              if (ec || parser_.is_done() || parser_.get().body().size == 0) {
                                return complete(ec);
                              }
                              session_.stream_.expires_after(kIdleTimeout);
                              ReadMore(complete);
                            });
    }

    Session& session_;
    http::request_parser<http::buffer_body>& parser_;
    bool failed_ = false;
  };

  void StartStream(Request head) {
    stream_.expires_never();
    keep_alive_ = parser_->get().keep_alive();
    auto body_parser =
        std::make_shared<http::request_parser<http::buffer_body>>(std::move(*parser_));
    parser_.reset();
    body_parser->body_limit(boost::none);
    bool expect_continue = false;
    if (const std::string* expect = head.FindHeader("Expect")) {
      expect_continue = HeaderNameEquals(*expect, "100-continue");
    }
    asio::post(*state_.workers, [self = shared_from_this(), head = std::move(head), body_parser,
                                 expect_continue] {
      if (expect_continue) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        (void)self->OnStrand([&self](auto complete) {
          asio::async_write(self->stream_, asio::buffer(kContinue.data(), kContinue.size()),
                            [complete](beast::error_code ec, size_t) { complete(ec); });
        });
      }
      SocketBodyReader reader(*self, *body_parser);
      Response response;
      try {
        response = self->state_.handler.HandleStream(head, reader);
      } catch (const std::exception& e) {
        spdlog::error("unhandled exception for {} {}: {}", head.method, head.target, e.what());
        response = InternalError();
      }
      if (!reader.complete()) self->keep_alive_ = false;
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable {
                   self->Write(std::move(response));
                 });
    });
  }

  static Response InternalError() {
    Response response;
    response.status = 500;
    response.SetHeader("Content-Type", "application/json");
    response.body = R"({"__type":"InternalFailure","message":"internal error"})";
    return response;
  }

  // Writes a response whose body comes from a BodySource, synchronously on a worker thread,
  // then hands the connection back to the strand.
  void WriteStreamed(Response response) {
    asio::post(*state_.workers, [self = shared_from_this(), response = std::move(response)] {
      http::response<http::empty_body> message;
      message.version(11);
      message.result(static_cast<unsigned>(response.status));
      for (const Header& h : response.headers) message.set(h.name, h.value);
      message.content_length(response.stream_length);
      bool keep_alive = self->keep_alive_ && !self->state_.stopping;
      message.keep_alive(keep_alive);
      http::response_serializer<http::empty_body> serializer(message);
      beast::error_code ec = self->OnStrand([&](auto complete) {
        http::async_write_header(self->stream_, serializer,
                                 [complete](beast::error_code ec, size_t) { complete(ec); });
      });
      uint64_t left = response.stream_length;
      std::vector<char> buffer(1 << 20);
      while (!ec && left > 0) {
        Result<size_t> n = response.stream->Read(buffer.data(), std::min<uint64_t>(left, buffer.size()));
        if (!n.ok() || *n == 0) {
          spdlog::warn("response body ended early: {}",
                       n.ok() ? "source exhausted" : n.status().ToString());
          ec = asio::error::connection_aborted;
          break;
        }
        ec = self->OnStrand([&](auto complete) {
          asio::async_write(self->stream_, asio::buffer(buffer.data(), *n),
                            [complete](beast::error_code ec, size_t) { complete(ec); });
        });
        left -= *n;
      }
      asio::post(self->stream_.get_executor(), [self, ok = !ec, keep_alive] {
        if (!ok || !keep_alive) return self->Close();
        self->ReadHeader();
      });
    });
  }

  Request ToRequest(const http::request<http::string_body>& message) const {
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    request.remote_address = remote_address_;
    return request;
  }

  Response Invoke(const Request& request) {
    try {
      return state_.handler.Handle(request);
    } catch (const std::exception& e) {
      // Last resort: reaching this is a bug in a handler.
      spdlog::error("unhandled exception for {} {}: {}", request.method, request.target, e.what());
      return InternalError();
    }
  }

  void RejectTooLarge() {
    Request head = ToRequest(parser_->get());
    keep_alive_ = false;
    draining_ = true;
    Write(state_.handler.Reject(head, RejectReason::kBodyTooLarge));
  }

  // After refusing a body, reads and discards what the client still sends (bounded in bytes
  // and time): closing with unread data would reset the connection before the client has read
  // the error response.
  void Drain() {
    if (drained_bytes_ > kMaxDrainBytes) return Close();
    stream_.expires_after(kDrainTimeout);
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->drained_bytes_ += n;
                              self->Drain();
                            });
  }

  void Write(Response response) {
    if (response.stream && !head_request_ && !draining_) return WriteStreamed(std::move(response));
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response.status));
    for (Header& h : response.headers) message->set(h.name, h.value);
    if (head_request_ && (response.head || response.stream)) {
      // HEAD: the Content-Length of the body a GET would send, and no body.
      if (response.stream) message->content_length(response.stream_length);
      message->keep_alive(keep_alive_ && !state_.stopping);
    } else {
      message->body() = std::move(response.body);
      message->keep_alive(keep_alive_ && !state_.stopping);
      message->prepare_payload();
    }
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code ec, size_t) {
                        if (!ec && self->draining_) {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          return self->Drain();
                        }
                        if (ec || !message->keep_alive()) return self->Close();
                        self->ReadHeader();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  Server::State& state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_address_;
  bool keep_alive_ = true;
  bool idle_ = true;
  bool draining_ = false;
  bool head_request_ = false;
  size_t drained_bytes_ = 0;
  std::array<char, 64 * 1024> drain_buffer_;
};

}  // namespace

void Server::State::DoAccept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else if (!stopping) {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    }
    if (!stopping) DoAccept();
  });
}

Server::Server(ServerOptions options, Handler& handler)
    : state_(std::make_unique<State>(std::move(options), handler)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  State& s = *state_;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  unsigned io_threads = s.options.io_threads ? s.options.io_threads : cores;
  unsigned workers = s.options.worker_threads ? s.options.worker_threads : 4 * cores;

  beast::error_code ec;
  auto address = asio::ip::make_address(s.options.host, ec);
  if (ec) return Status::InvalidArgument("invalid listen address '" + s.options.host + "'");
  tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + s.options.host + ":" +
                               std::to_string(s.options.port) + ": " + ec.message());
  }
  s.port = s.acceptor.local_endpoint().port();
  s.workers = std::make_unique<asio::thread_pool>(workers);
  s.work.emplace(s.ioc.get_executor());
  s.DoAccept();
  for (unsigned i = 0; i < io_threads; ++i) s.io_threads.emplace_back([&s] { s.ioc.run(); });
  s.running = true;
  return Status::Ok();
}

uint16_t Server::port() const { return state_->port; }

void Server::Stop() {
  State& s = *state_;
  if (!s.running) return;
  s.running = false;
  s.stopping = true;
  asio::post(s.ioc, [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(s.mu);
    for (auto& [raw, weak] : s.sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  // Outside the lock: dropping what may be a session's last reference runs its destructor,
  // which takes the lock itself.
  for (std::shared_ptr<Session>& session : live) {
    asio::post(session->executor(), [session] { session->CloseIfIdle(); });
  }
  live.clear();
  {
    std::unique_lock lock(s.mu);
    s.sessions_done.wait_for(lock, kStopGrace, [&s] { return s.sessions.empty(); });
  }
  s.workers->join();
  s.work.reset();
  s.ioc.stop();
  for (std::thread& t : s.io_threads) t.join();
  s.io_threads.clear();
}

}  // namespace kiroku::net
