#include "net/server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstring>
#include <future>
#include <map>
#include <optional>
#include <thread>

#include "common/logging.h"
#include "common/mutex.h"
#include "net/request_head.h"

namespace kiroku::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kWriteTimeout = std::chrono::seconds(120);
constexpr auto kStopGrace = std::chrono::seconds(30);
constexpr auto kDrainTimeout = std::chrono::seconds(5);
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
constexpr size_t kMaxDrainBytes = 256 * 1024 * 1024;
constexpr size_t kFirstReadBytes = 16 * 1024;

class Session;

}  // namespace

struct Server::State {
  State(ServerOptions opts, Handler& h) : options(std::move(opts)), handler(h) {}

  ServerOptions options;
  Handler& handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_retry{ioc};
  std::unique_ptr<asio::thread_pool> workers;  // Handler::Handle: ordinary requests, health
  std::unique_ptr<asio::thread_pool> streams;  // Handler::HandleStream and streamed responses
  std::vector<std::thread> io_threads;
  uint16_t port = 0;
  bool running = false;

  std::atomic<bool> stopping{false};
  Mutex mu;
  CondVar sessions_done;  // `sessions` became empty
  std::map<Session*, std::weak_ptr<Session>> sessions GUARDED_BY(mu);
  std::map<std::string, size_t> per_client GUARDED_BY(mu);  // open connections
  size_t connections GUARDED_BY(mu) = 0;

  void DoAccept();
  // Counts a new connection from `address`, or refuses it when a cap is reached.
  bool Admit(const std::string& address) EXCLUDES(mu);
  // Uncounts a connection.
  void Release(const std::string& address) REQUIRES(mu);
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::string remote_address, Server::State& state)
      : stream_(std::move(socket)),
        state_(state),
        remote_address_(std::move(remote_address)),
        deadline_(stream_.get_executor()) {
    // Responses may take several writes (100 Continue, streamed bodies): never let Nagle's
    // algorithm wait for the client's delayed ACK between them.
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  ~Session() {
    MutexLock lock(state_.mu);
    state_.sessions.erase(this);
    state_.Release(remote_address_);
    if (state_.sessions.empty()) state_.sessions_done.NotifyAll();
  }

  void Start() {
    {
      MutexLock lock(state_.mu);
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
  // Deadlines of reads. Beast's own stream timeout closes the socket, which would leave no way
  // to answer (408, RequestTimeout): reads use this timer instead, which cancels the read and
  // sets timed_out_. Every read arms it before starting and disarms it on completion; all of
  // this runs on the session's strand.
  void ArmDeadline(SteadyClock::time_point when) {
    stream_.expires_never();
    timed_out_ = false;
    armed_at_ = SteadyClock::now();
    deadline_.expires_at(when);
    deadline_.async_wait(
        [weak = weak_from_this(), generation = ++deadline_generation_](beast::error_code ec) {
          std::shared_ptr<Session> self = weak.lock();
          if (ec || !self || generation != self->deadline_generation_) return;
          self->timed_out_ = true;
          beast::error_code ignored;
          self->stream_.socket().cancel(ignored);
        });
  }

  void Disarm() {
    ++deadline_generation_;
    deadline_.cancel();
  }

  // A body's reads: each may wait body_idle_timeout at most, and every window of
  // body_idle_timeout spent waiting for the body must bring at least
  // min_body_bytes_per_second × body_idle_timeout bytes (a burst earns no credit for a later
  // trickle). Only time spent waiting on the network counts, not a busy handler's.
  void StartBody() {
    window_waited_ = {};
    window_bytes_ = 0;
  }

  SteadyClock::duration BodyWindow() const {
    return std::chrono::duration_cast<SteadyClock::duration>(state_.options.body_idle_timeout);
  }

  uint64_t BodyWindowBytes() const {
    return static_cast<uint64_t>(
        static_cast<double>(state_.options.min_body_bytes_per_second) *
        std::chrono::duration<double>(state_.options.body_idle_timeout).count());
  }

  SteadyClock::time_point BodyDeadline() const {
    auto now = SteadyClock::now();
    auto deadline = now + BodyWindow();
    if (window_bytes_ < BodyWindowBytes()) {
      deadline = std::min(deadline, now + (BodyWindow() - window_waited_));
    }
    return deadline;
  }

  void BodyRead(size_t n) {
    window_waited_ += SteadyClock::now() - armed_at_;
    window_bytes_ += n;
    // A window that brought enough makes way for the next; one that did not leaves the next
    // read a deadline already passed.
    if (window_waited_ >= BodyWindow() && window_bytes_ >= BodyWindowBytes()) StartBody();
  }

  void ReadHeader() {
    if (state_.stopping) return Close();
    idle_ = true;
    has_buffered_head_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(state_.options.max_header_bytes));
    // No body limit while the header is read: a streamed request may be of any size. The
    // buffered path sets the limit before reading the body (OnHeader).
    parser_->body_limit(boost::none);
    if (buffer_.size() > 0) return ReadHeaderRest();  // pipelined: the next request is here
    // Keep-alive: wait for the first byte of the next request, up to idle_timeout.
    ArmDeadline(SteadyClock::now() + state_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->Disarm();
                              if (ec || self->timed_out_) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeaderRest();
                            });
  }

  // The header's deadline runs from its first byte and is not extended by later bytes.
  void ReadHeaderRest() {
    ArmDeadline(SteadyClock::now() + state_.options.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnHeader(ec, n); });
  }

  void OnHeader(beast::error_code ec, size_t header_bytes) {
    Disarm();
    idle_ = false;
    if (timed_out_) return RefuseHead(408, "The request header was not received in time.");
    // Beast's own check lets a header over the limit through when it arrives in some pieces:
    // the size it reports is checked exactly.
    if (ec == http::error::header_limit ||
        (!ec && header_bytes > state_.options.max_header_bytes)) {
      return RefuseHead(431, "The request header fields are too large.");
    }
    // Beast checks Content-Length against the body limit as soon as the header is complete.
    if (ec == http::error::body_limit) return RejectBody(RejectReason::kBodyTooLarge);
    if (ec) {
      // The client closed (before or within the header) or the socket failed: nobody to answer.
      static const auto& http_errors = http::make_error_code(http::error::bad_method).category();
      if (ec.category() != http_errors || ec == http::error::end_of_stream ||
          ec == http::error::partial_message) {
        return Close();
      }
      return RefuseHead(400, "The request is malformed: " + ec.message() + ".");
    }
    if (std::optional<std::string> problem = detail::HeadProblem(parser_->get().base())) {
      return RefuseHead(400, *problem);
    }
    Request head = detail::ToRequest(parser_->get().base(), remote_address_);
    head_request_ = head.method == "HEAD";
    if (StreamsBody(head)) return StartStream(std::move(head));
    buffered_head_ = std::move(head);
    has_buffered_head_ = true;
    if (auto length = parser_->content_length();
        length && *length > state_.options.max_body_bytes) {
      return RejectBody(RejectReason::kBodyTooLarge);
    }
    parser_->body_limit(state_.options.max_body_bytes);
    StartBody();
    ReadBody();
  }

  // A buffered body, read asynchronously (no thread waits for it) under the body deadlines.
  void ReadBody() {
    if (parser_->is_done()) return OnBody();
    ArmDeadline(BodyDeadline());
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->Disarm();
                            self->BodyRead(n);
                            if (self->timed_out_)
                              return self->RejectBody(RejectReason::kBodyTimeout);
                            if (ec == http::error::body_limit) {
                              return self->RejectBody(RejectReason::kBodyTooLarge);
                            }
                            if (ec) return self->Close();
                            self->ReadBody();
                          });
  }

  void OnBody() {
    auto message = parser_->release();
    parser_.reset();
    keep_alive_ = message.keep_alive();
    // The head as it was checked: trailer fields Beast merged into `message` are dropped.
    Request request = std::move(buffered_head_);
    has_buffered_head_ = false;
    request.body = std::move(message.body());
    asio::post(*state_.workers, [self = shared_from_this(), request = std::move(request)] {
      Response response = self->Invoke(request);
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
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

  // Runs one asynchronous socket operation on the session's strand and blocks the calling
  // (stream pool) thread until it completes. Reads set their deadline (ArmDeadline), writes
  // Beast's stream timeout.
  template <class Start>
  beast::error_code OnStrand(Start start) {
    std::promise<beast::error_code> done;
    auto result = done.get_future();
    asio::post(stream_.get_executor(),
               [&start, &done] { start([&done](beast::error_code ec) { done.set_value(ec); }); });
    return result.get();
  }

  // Delivers the body of a streamed request to the handler's thread: first what was read
  // before the handler ran (prebuffer_), then the rest from the socket, in pieces.
  class SocketBodyReader final : public BodyReader {
   public:
    explicit SocketBodyReader(Session& session)
        : session_(session), parser_(*session.body_parser_) {}

    Result<size_t> Read(char* out, size_t capacity) override {
      if (capacity == 0 || failed_) return size_t{0};
      if (prebuffer_read_ < session_.prebuffer_fill_) {
        size_t n = std::min(capacity, session_.prebuffer_fill_ - prebuffer_read_);
        std::memcpy(out, session_.prebuffer_.data() + prebuffer_read_, n);
        prebuffer_read_ += n;
        return n;
      }
      if (parser_.is_done()) return size_t{0};
      auto& body = parser_.get().body();
      body.data = out;
      body.size = capacity;
      // Reads on the strand until `out` is full or the body ends: one hand-off between this
      // thread and the I/O thread per buffer, not per socket read (under load each hand-off
      // costs a scheduling delay).
      beast::error_code ec = session_.OnStrand([this](auto complete) { ReadMore(complete); });
      if (ec) {
        failed_ = true;
        timed_out_ = ec == beast::error::timeout;
        return Status::Unavailable(timed_out_ ? std::string("the request body timed out")
                                              : "reading the request body: " + ec.message());
      }
      return capacity - body.size;
    }

    bool complete() const { return !failed_ && parser_.is_done(); }
    bool timed_out() const { return timed_out_; }

   private:
    template <class Complete>
    void ReadMore(Complete complete) {
      session_.ArmDeadline(session_.BodyDeadline());
      http::async_read_some(session_.stream_, session_.buffer_, parser_,
                            [this, complete](beast::error_code ec, size_t n) {
                              session_.Disarm();
                              session_.BodyRead(n);
                              if (session_.timed_out_) {
                                return complete(beast::error_code(beast::error::timeout));
                              }
                              if (ec == http::error::need_buffer) ec = {};
                              if (ec || parser_.is_done() || parser_.get().body().size == 0) {
                                return complete(ec);
                              }
                              ReadMore(complete);
                            });
    }

    Session& session_;
    http::request_parser<http::buffer_body>& parser_;
    size_t prebuffer_read_ = 0;
    bool failed_ = false;
    bool timed_out_ = false;
  };

  void StartStream(Request head) {
    keep_alive_ = parser_->get().keep_alive();
    auto length = parser_->content_length();
    body_parser_ = std::make_shared<http::request_parser<http::buffer_body>>(std::move(*parser_));
    parser_.reset();
    body_parser_->body_limit(boost::none);
    size_t prebuffer = state_.options.stream_prebuffer_bytes;
    if (length) prebuffer = static_cast<size_t>(std::min<uint64_t>(prebuffer, *length));
    prebuffer_.resize(prebuffer);
    prebuffer_fill_ = 0;
    stream_head_ = std::move(head);
    StartBody();
    bool expect_continue = false;
    if (const std::string* expect = stream_head_.FindHeader("Expect")) {
      expect_continue = HeaderNameEquals(*expect, "100-continue");
    }
    if (expect_continue && !body_parser_->is_done()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(kWriteTimeout);
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->Prebuffer();
                        });
      return;
    }
    Prebuffer();
  }

  // Reads the start of a streamed body (all of a small one) asynchronously, so that a slow
  // client holds no thread; then hands the request to the stream pool.
  void Prebuffer() {
    if (body_parser_->is_done() || prebuffer_fill_ == prebuffer_.size()) return DispatchStream();
    auto& body = body_parser_->get().body();
    body.data = prebuffer_.data() + prebuffer_fill_;
    body.size = prebuffer_.size() - prebuffer_fill_;
    ArmDeadline(BodyDeadline());
    http::async_read_some(stream_, buffer_, *body_parser_,
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->Disarm();
                            self->BodyRead(n);
                            if (self->timed_out_)
                              return self->RejectBody(RejectReason::kBodyTimeout);
                            if (ec == http::error::need_buffer) ec = {};
                            if (ec) return self->Close();
                            self->prebuffer_fill_ =
                                self->prebuffer_.size() - self->body_parser_->get().body().size;
                            self->Prebuffer();
                          });
  }

  void DispatchStream() {
    asio::post(*state_.streams, [self = shared_from_this()] {
      SocketBodyReader reader(*self);
      Response response;
      try {
        response = self->state_.handler.HandleStream(self->stream_head_, reader);
      } catch (const std::exception& e) {
        spdlog::error("unhandled exception for {} {}: {}", self->stream_head_.method,
                      self->stream_head_.target, e.what());
        response = InternalError();
      }
      bool timed_out = reader.timed_out();
      bool complete = reader.complete();
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response), timed_out, complete]() mutable {
                   std::string().swap(self->prebuffer_);
                   self->prebuffer_fill_ = 0;
                   // The handler's answer to a body that stalled is replaced by the Handler's
                   // own refusal for it (S3: RequestTimeout).
                   if (timed_out) return self->RejectBody(RejectReason::kBodyTimeout);
                   if (!complete) self->keep_alive_ = false;
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

  // Writes a response whose body comes from a BodySource, synchronously on a stream pool
  // thread (the source may read from disk; the client may read slowly), then hands the
  // connection back to the strand.
  void WriteStreamed(Response response) {
    asio::post(*state_.streams, [self = shared_from_this(), response = std::move(response)] {
      http::response<http::empty_body> message;
      message.version(11);
      message.result(static_cast<unsigned>(response.status));
      for (const Header& h : response.headers) message.set(h.name, h.value);
      message.content_length(response.stream_length);
      bool keep_alive = self->keep_alive_ && !self->state_.stopping;
      message.keep_alive(keep_alive);
      http::response_serializer<http::empty_body> serializer(message);
      beast::error_code ec = self->OnStrand([&](auto complete) {
        self->stream_.expires_after(kWriteTimeout);
        http::async_write_header(self->stream_, serializer,
                                 [complete](beast::error_code ec, size_t) { complete(ec); });
      });
      uint64_t left = response.stream_length;
      std::vector<char> buffer(1 << 20);
      while (!ec && left > 0) {
        Result<size_t> n =
            response.stream->Read(buffer.data(), std::min<uint64_t>(left, buffer.size()));
        if (!n.ok() || *n == 0) {
          spdlog::warn("response body ended early: {}",
                       n.ok() ? "source exhausted" : n.status().ToString());
          ec = asio::error::connection_aborted;
          break;
        }
        ec = self->OnStrand([&](auto complete) {
          self->stream_.expires_after(kWriteTimeout);
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

  Response Invoke(const Request& request) {
    try {
      return state_.handler.Handle(request);
    } catch (const std::exception& e) {
      // Last resort: reaching this is a bug in a handler.
      spdlog::error("unhandled exception for {} {}: {}", request.method, request.target, e.what());
      return InternalError();
    }
  }

  // Refuses the body of the current request through the Handler, then closes the connection.
  void RejectBody(RejectReason reason) {
    Request head = !parser_             ? stream_head_
                   : has_buffered_head_ ? buffered_head_
                                        : detail::ToRequest(parser_->get().base(), remote_address_);
    spdlog::debug("{} {} {}: body refused ({})", remote_address_, head.method, head.target,
                  reason == RejectReason::kBodyTimeout ? "timed out" : "too large");
    Response response;
    try {
      response = state_.handler.Reject(head, reason);
    } catch (const std::exception& e) {
      spdlog::error("unhandled exception refusing {} {}: {}", head.method, head.target, e.what());
      response = InternalError();
    }
    response.stream.reset();
    head_request_ = false;
    keep_alive_ = false;
    draining_ = true;
    Write(std::move(response));
  }

  // Answers a request refused from its head alone (400, 408, 431), then closes the connection.
  void RefuseHead(int status, std::string message) {
    spdlog::debug("{}: request refused with {}: {}", remote_address_, status, message);
    Response response;
    response.status = status;
    response.SetHeader("Content-Type", "text/plain; charset=utf-8");
    response.body = std::move(message) + "\n";
    head_request_ = false;
    keep_alive_ = false;
    draining_ = true;
    Write(std::move(response));
  }

  // After refusing a request, reads and discards what the client still sends (bounded in bytes
  // and in total time): closing with unread data would reset the connection before the client
  // has read the error response.
  void Drain() {
    stream_.expires_after(kDrainTimeout);
    DrainMore();
  }

  void DrainMore() {
    if (drained_bytes_ > kMaxDrainBytes) return Close();
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->drained_bytes_ += n;
                              self->DrainMore();
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
    stream_.expires_after(kWriteTimeout);
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
    Disarm();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  Server::State& state_;
  std::string remote_address_;
  asio::steady_timer deadline_;
  uint64_t deadline_generation_ = 0;
  bool timed_out_ = false;
  SteadyClock::time_point armed_at_;
  SteadyClock::duration window_waited_{};  // of the body's current rate window
  uint64_t window_bytes_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  // A streamed request: its head, its parser, and the start of its body read before the
  // handler ran.
  Request stream_head_;
  std::shared_ptr<http::request_parser<http::buffer_body>> body_parser_;
  std::string prebuffer_;
  size_t prebuffer_fill_ = 0;
  Request buffered_head_;  // of a buffered request, taken when its head was complete
  bool has_buffered_head_ = false;
  bool keep_alive_ = true;
  bool idle_ = true;
  bool draining_ = false;
  bool head_request_ = false;
  size_t drained_bytes_ = 0;
  std::array<char, 64 * 1024> drain_buffer_;
};

}  // namespace

bool Server::State::Admit(const std::string& address) {
  MutexLock lock(mu);
  size_t& mine = per_client[address];
  if (connections >= options.max_connections || mine >= options.max_connections_per_client) {
    if (mine == 0) per_client.erase(address);
    spdlog::debug("{}: connection refused ({} open in all, {} from this address)", address,
                  connections, mine);
    return false;
  }
  ++mine;
  ++connections;
  return true;
}

void Server::State::Release(const std::string& address) {
  if (auto it = per_client.find(address); it != per_client.end() && --it->second == 0) {
    per_client.erase(it);
  }
  --connections;
}

void Server::State::DoAccept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) return;
      // Out of descriptors, typically: try again shortly rather than spin.
      spdlog::warn("accept failed: {}", ec.message());
      accept_retry.expires_after(kAcceptRetry);
      accept_retry.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !stopping) DoAccept();
      });
      return;
    }
    if (!stopping) {
      beast::error_code endpoint_ec;
      auto endpoint = socket.remote_endpoint(endpoint_ec);
      std::string address = endpoint_ec ? std::string() : endpoint.address().to_string();
      if (Admit(address)) {
        std::make_shared<Session>(std::move(socket), std::move(address), *this)->Start();
      } else {
        beast::error_code ignored;
        socket.close(ignored);
      }
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
  unsigned streams = s.options.stream_threads ? s.options.stream_threads : 4 * cores;
  s.workers = std::make_unique<asio::thread_pool>(workers);
  s.streams = std::make_unique<asio::thread_pool>(streams);
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
    s.accept_retry.cancel();
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    MutexLock lock(s.mu);
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
    MutexLock lock(s.mu);
    const auto deadline = SteadyClock::now() + kStopGrace;
    while (!s.sessions.empty() && s.sessions_done.WaitUntil(s.mu, deadline)) {
    }
  }
  s.workers->join();
  s.streams->join();
  s.work.reset();
  s.ioc.stop();
  for (std::thread& t : s.io_threads) t.join();
  s.io_threads.clear();
}

}  // namespace kiroku::net
