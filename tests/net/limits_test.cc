// The server's limits against slow and malformed clients: the header deadline (not extended
// by each byte), 431 for an oversize header block, 400 without a Host, the per-client and total
// connection caps, bodies that stall or trickle refused through Handler::Reject(kBodyTimeout)
// on both the buffered and the streamed path, and slow streamed bodies never holding the
// workers that serve ordinary requests.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "net/request_head.h"
#include "net/server.h"

namespace kiroku::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// "/stream/*" bodies are streamed and read to the end; everything else is buffered. Reject
// answers 400 "timeout" or 413 and counts the reasons.
class LimitHandler : public Handler {
 public:
  std::atomic<int> handled{0};
  std::atomic<int> timeouts{0};
  std::atomic<int> too_large{0};
  std::atomic<int> streams_started{0};

  Response Handle(const Request& request) override {
    ++handled;
    Response r;
    r.body = "ok " + std::to_string(request.body.size());
    return r;
  }
  Response Reject(const Request& head, RejectReason reason) override {
    Response r;
    if (reason == RejectReason::kBodyTimeout) {
      ++timeouts;
      r.status = 400;
      r.body = "timeout " + head.target;
    } else {
      ++too_large;
      r.status = 413;
    }
    return r;
  }
  bool StreamsBody(const Request& head) override { return head.target.starts_with("/stream/"); }
  Response HandleStream(const Request&, BodyReader& body) override {
    ++streams_started;
    std::vector<char> buf(64 * 1024);
    uint64_t total = 0;
    while (true) {
      auto n = body.Read(buf.data(), buf.size());
      if (!n.ok()) {
        Response r;
        r.status = 500;  // replaced by the server with Reject(kBodyTimeout) when it timed out
        return r;
      }
      if (*n == 0) break;
      total += *n;
    }
    Response r;
    r.body = "streamed " + std::to_string(total);
    return r;
  }
};

// A raw TCP client with a receive timeout, for requests a well-behaved client never sends.
class Raw {
 public:
  explicit Raw(uint16_t port) : socket_(ioc_) {
    socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval tv{.tv_sec = 10, .tv_usec = 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  bool Send(std::string_view data) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(data.data(), data.size()), ec);
    return !ec;
  }
  // Everything the server sends until it closes (or 10 s pass).
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    while (true) {
      ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
};

int StatusOf(std::string_view response) {
  if (response.size() < 12 || !response.starts_with("HTTP/1.1 ")) return 0;
  return std::stoi(std::string(response.substr(9, 3)));
}

// One ordinary request on a fresh connection; its status and how long it took.
std::pair<int, SteadyClock::duration> Ordinary(uint16_t port) {
  auto start = SteadyClock::now();
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::verb::get, "/health", 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return {res.result_int(), SteadyClock::now() - start};
}

TEST(LimitsTest, HeaderDeadlineRunsFromTheFirstByteAndIsNotExtendedByMore) {
  LimitHandler handler;
  Server server(ServerOptions{.header_timeout = 400ms}, handler);
  ASSERT_TRUE(server.Start().ok());
  Raw raw(server.port());
  auto start = SteadyClock::now();
  std::atomic<bool> done{false};
  auto sender = std::async(std::launch::async, [&] {
    raw.Send("GET / HTTP/1.1\r\nHost: x\r\n");
    // One header byte every 50 ms: an idle timer would never fire.
    for (int i = 0; i < 40 && !done && raw.Send("X"); ++i) std::this_thread::sleep_for(50ms);
  });
  std::string response = raw.ReadAll();
  auto took = SteadyClock::now() - start;
  done = true;
  EXPECT_EQ(StatusOf(response), 408) << response;
  EXPECT_LT(took, 1500ms);
  EXPECT_GE(took, 350ms);
  sender.get();
  EXPECT_EQ(handler.handled, 0);
}

TEST(LimitsTest, AnIdleKeepAliveConnectionIsClosedSilently) {
  LimitHandler handler;
  Server server(ServerOptions{.idle_timeout = 200ms, .header_timeout = 50ms}, handler);
  ASSERT_TRUE(server.Start().ok());
  Raw raw(server.port());
  auto start = SteadyClock::now();
  EXPECT_EQ(raw.ReadAll(), "");  // waited for the idle timeout, not the header's
  EXPECT_GE(SteadyClock::now() - start, 150ms);
}

TEST(LimitsTest, OversizeHeaderBlockAnswers431) {
  LimitHandler handler;
  Server server(ServerOptions{.max_header_bytes = 1024}, handler);
  ASSERT_TRUE(server.Start().ok());
  Raw raw(server.port());
  raw.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  std::string response = raw.ReadAll();
  EXPECT_EQ(StatusOf(response), 431) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_EQ(handler.handled, 0);
}

TEST(LimitsTest, RequestWithoutExactlyOneValidHostAnswers400) {
  LimitHandler handler;
  Server server(ServerOptions{}, handler);
  ASSERT_TRUE(server.Start().ok());
  for (std::string request :
       {"GET / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a/b@c\r\n\r\n", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"}) {
    Raw raw(server.port());
    raw.Send(request);
    std::string response = raw.ReadAll();
    EXPECT_EQ(StatusOf(response), 400) << request << "\n" << response;
  }
  EXPECT_EQ(handler.handled, 0);
  // HTTP/1.0 needs no Host; a host with a port or an IPv6 literal is fine.
  for (std::string request :
       {"GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: b.s3.localhost:4566\r\nConnection: close\r\n\r\n"}) {
    Raw raw(server.port());
    raw.Send(request);
    EXPECT_EQ(StatusOf(raw.ReadAll()), 200) << request;
  }
  EXPECT_EQ(handler.handled, 3);
}

TEST(LimitsTest, ConnectionsOverThePerClientCapAreClosedAtAccept) {
  LimitHandler handler;
  Server server(ServerOptions{.max_connections_per_client = 3}, handler);
  ASSERT_TRUE(server.Start().ok());
  std::vector<std::unique_ptr<Raw>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(std::make_unique<Raw>(server.port()));
    open.back()->Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");  // keep-alive: stays open
  }
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(handler.handled, 3);
  {
    Raw extra(server.port());
    extra.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(extra.ReadAll(), "");  // closed without an answer
  }
  EXPECT_EQ(handler.handled, 3);
  open.pop_back();  // one closes: a new connection is accepted again
  std::string response;
  for (int attempt = 0; attempt < 50 && StatusOf(response) != 200; ++attempt) {
    std::this_thread::sleep_for(20ms);
    Raw again(server.port());
    again.Send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    response = again.ReadAll();
  }
  EXPECT_EQ(StatusOf(response), 200);
}

TEST(LimitsTest, ConnectionsOverTheTotalCapAreClosedAtAccept) {
  LimitHandler handler;
  Server server(ServerOptions{.max_connections = 2}, handler);
  ASSERT_TRUE(server.Start().ok());
  Raw a(server.port()), b(server.port());
  a.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  b.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(100ms);
  Raw extra(server.port());
  extra.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(extra.ReadAll(), "");
  EXPECT_EQ(handler.handled, 2);
}

ServerOptions SlowBodyOptions() {
  return ServerOptions{.stream_prebuffer_bytes = 64 * 1024,
                       .body_idle_timeout = 300ms,
                       .min_body_bytes_per_second = 1000};
}

// Sends `head`, then `first`, then one byte every `gap` until the server answers; returns the
// answer and how long it took from the first byte of the body.
std::pair<std::string, SteadyClock::duration> Trickle(uint16_t port, const std::string& head,
                                                      const std::string& first,
                                                      std::chrono::milliseconds gap) {
  Raw raw(port);
  raw.Send(head);
  auto start = SteadyClock::now();
  std::atomic<bool> done{false};
  auto sender = std::async(std::launch::async, [&] {
    raw.Send(first);
    auto next = SteadyClock::now() + gap;
    while (!done) {
      std::this_thread::sleep_for(5ms);
      if (done || SteadyClock::now() < next) continue;
      if (!raw.Send("x")) break;
      next += gap;
    }
  });
  std::string response = raw.ReadAll();
  auto took = SteadyClock::now() - start;
  done = true;
  sender.get();
  return {response, took};
}

TEST(LimitsTest, StalledBufferedBodyIsRefusedAsTimedOut) {
  LimitHandler handler;
  Server server(SlowBodyOptions(), handler);
  ASSERT_TRUE(server.Start().ok());
  auto [response, took] =
      Trickle(server.port(), "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
              "0123456789", 10s);
  EXPECT_EQ(StatusOf(response), 400) << response;
  EXPECT_NE(response.find("timeout /b"), std::string::npos);
  EXPECT_LT(took, 1500ms);
  EXPECT_EQ(handler.timeouts, 1);
  EXPECT_EQ(handler.handled, 0);
}

TEST(LimitsTest, TricklingBodyFallsUnderTheMinimumRate) {
  LimitHandler handler;
  Server server(SlowBodyOptions(), handler);
  ASSERT_TRUE(server.Start().ok());
  // A byte every 50 ms never trips the 300 ms idle limit; 20 B/s is far under 1000 B/s.
  for (std::string target : {"/b", "/stream/small"}) {
    auto [response, took] = Trickle(
        server.port(), "PUT " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
        "", 50ms);
    EXPECT_EQ(StatusOf(response), 400) << target << "\n" << response;
    EXPECT_NE(response.find("timeout " + target), std::string::npos);
    EXPECT_LT(took, 2000ms) << target;
  }
  EXPECT_EQ(handler.timeouts, 2);
  EXPECT_EQ(handler.handled, 0);
  EXPECT_EQ(handler.streams_started, 0);  // the small stream never reached a thread
}

TEST(LimitsTest, StreamStallingAfterThePrebufferTimesOutOnTheStreamPool) {
  LimitHandler handler;
  Server server(SlowBodyOptions(), handler);
  ASSERT_TRUE(server.Start().ok());
  auto [response, took] = Trickle(
      server.port(), "PUT /stream/big HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n",
      std::string(200 * 1024, 'a'), 10s);
  EXPECT_EQ(StatusOf(response), 400) << response;
  EXPECT_NE(response.find("timeout /stream/big"), std::string::npos);
  EXPECT_EQ(handler.streams_started, 1);  // it was past the prebuffer: the handler read it
  EXPECT_EQ(handler.timeouts, 1);
}

TEST(LimitsTest, ABurstEarnsNoCreditForALaterTrickle) {
  LimitHandler handler;
  Server server(SlowBodyOptions(), handler);
  ASSERT_TRUE(server.Start().ok());
  // 200 KiB at once, then a byte every 50 ms: the next 300 ms window brings 6 bytes, not 300.
  auto [response, took] = Trickle(
      server.port(), "PUT /stream/burst HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n",
      std::string(200 * 1024, 'a'), 50ms);
  EXPECT_EQ(StatusOf(response), 400) << response;
  EXPECT_NE(response.find("timeout /stream/burst"), std::string::npos);
  EXPECT_LT(took, 1500ms);
  EXPECT_EQ(handler.timeouts, 1);
}

TEST(LimitsTest, BodyAtAnAcceptableRateIsNotRefused) {
  LimitHandler handler;
  Server server(SlowBodyOptions(), handler);
  ASSERT_TRUE(server.Start().ok());
  // 200 bytes every 100 ms (2000 B/s) for a 2 KB body: slower than the idle limit overall,
  // faster than the minimum rate.
  for (std::string target : {"/b", "/stream/ok"}) {
    Raw raw(server.port());
    raw.Send("PUT " + target +
             " HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\nConnection: close\r\n\r\n");
    for (int i = 0; i < 10; ++i) {
      std::this_thread::sleep_for(100ms);
      raw.Send(std::string(200, 'z'));
    }
    std::string response = raw.ReadAll();
    EXPECT_EQ(StatusOf(response), 200) << target << "\n" << response;
  }
  EXPECT_EQ(handler.timeouts, 0);
}

TEST(LimitsTest, SlowStreamsDoNotHoldTheOrdinaryWorkers) {
  LimitHandler handler;
  ServerOptions options{.worker_threads = 2,
                        .stream_threads = 2,
                        .stream_prebuffer_bytes = 16 * 1024,
                        .body_idle_timeout = 3s,
                        .min_body_bytes_per_second = 1};
  Server server(options, handler);
  ASSERT_TRUE(server.Start().ok());
  // 30 slow uploads: 20 small ones (in the prebuffer) and 10 past it (on the stream pool, whose
  // 2 threads they exhaust), all stalled.
  std::vector<std::unique_ptr<Raw>> slow;
  for (int i = 0; i < 30; ++i) {
    slow.push_back(std::make_unique<Raw>(server.port()));
    bool big = i % 3 == 0;
    slow.back()->Send("PUT /stream/" + std::to_string(i) +
                      " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                      std::string(big ? 20 * 1024 : 10, 'a'));
  }
  for (int i = 0; i < 200 && handler.streams_started < 2; ++i) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(handler.streams_started, 2);  // the stream pool is full; the workers are not
  for (int i = 0; i < 20; ++i) {
    auto [status, took] = Ordinary(server.port());
    EXPECT_EQ(status, 200);
    EXPECT_LT(took, 1000ms) << i;  // stalled uploads would hold it for their 3 s timeout
  }
  slow.clear();
}

TEST(RequestHeadTest, ParsesAsTheServerDoes) {
  using Outcome = detail::ParsedRequest::Outcome;
  auto parse = [](std::string_view bytes, size_t split = 0) {
    return detail::ParseRequest(bytes, 1024, 100, split);
  };
  auto ok = parse(
      "POST /a?b=c HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 3\r\n\r\nabcNEXT", 7);
  ASSERT_EQ(ok.outcome, Outcome::kRequest) << ok.problem;
  EXPECT_EQ(ok.request.method, "POST");
  EXPECT_EQ(ok.request.target, "/a?b=c");
  ASSERT_EQ(ok.request.headers.size(), 4u);
  EXPECT_EQ(ok.request.headers[2].name, "x-a");
  EXPECT_EQ(ok.request.body, "abc");
  EXPECT_EQ(ok.consumed, 68u + 3u);  // the head and the body, not "NEXT"
  auto chunked =
      parse("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  ASSERT_EQ(chunked.outcome, Outcome::kRequest);
  EXPECT_EQ(chunked.request.body, "abc");
  // Trailer fields come after the head was checked: never a second Host or an Authorization.
  auto trailer = parse(
      "PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
      "Host: evil\r\nAuthorization: x\r\n\r\n",
      9);
  ASSERT_EQ(trailer.outcome, Outcome::kRequest) << trailer.problem;
  EXPECT_EQ(trailer.request.headers.size(), 2u);
  EXPECT_EQ(*trailer.request.FindHeader("Host"), "h");
  EXPECT_EQ(trailer.request.FindHeader("Authorization"), nullptr);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\n\r\n").outcome, Outcome::kBadRequest);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n").outcome, Outcome::kBadRequest);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n").outcome, Outcome::kBadRequest);
  EXPECT_EQ(parse("G(T / HTTP/1.1\r\nHost: a\r\n\r\n").outcome, Outcome::kBadRequest);
  EXPECT_EQ(parse("GET / HTTP/1.0\r\n\r\n").outcome, Outcome::kRequest);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\n").outcome, Outcome::kIncomplete);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(2000, 'x') + "\r\n\r\n").outcome,
            Outcome::kHeaderTooLarge);
  // Over the limit however the bytes are split (Beast alone lets some splits through).
  std::string long_head = "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(1000, 'a') + "\r\n\r\n";
  for (size_t split = 0; split <= long_head.size(); ++split) {
    EXPECT_EQ(parse(long_head, split).outcome, Outcome::kHeaderTooLarge) << split;
  }
  EXPECT_EQ(parse("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n").outcome,
            Outcome::kBodyTooLarge);
  EXPECT_EQ(parse("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n80\r\n" +
                  std::string(128, 'x') + "\r\n0\r\n\r\n")
                .outcome,
            Outcome::kBodyTooLarge);
}

}  // namespace
}  // namespace kiroku::net
