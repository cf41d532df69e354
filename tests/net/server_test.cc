#include "net/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <thread>

namespace kiroku::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// Echoes the method, target and body; "/slow" waits before answering.
class EchoHandler : public Handler {
 public:
  std::atomic<int> handled{0};
  std::atomic<int> rejected{0};
  std::atomic<bool> slow_started{false};

  Response Handle(const Request& request) override {
    if (request.target == "/slow") {
      slow_started = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    ++handled;
    Response r;
    r.SetHeader("Content-Type", "text/plain");
    r.body = request.method + " " + request.target + " " + request.body;
    return r;
  }
  Response Reject(const Request& head, RejectReason) override {
    ++rejected;
    Response r;
    r.status = 413;
    r.body = "too large: " + head.target;
    return r;
  }
};

class Client {
 public:
  explicit Client(uint16_t port) : stream_(ioc_) {
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  http::response<http::string_body> Send(std::string target, std::string body = "") {
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.body() = std::move(body);
    req.keep_alive(true);
    req.prepare_payload();
    http::write(stream_, req);
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    return res;
  }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

TEST(ServerTest, ServesManyRequestsOnOneKeepAliveConnection) {
  EchoHandler handler;
  Server server(ServerOptions{.max_body_bytes = 1024}, handler);
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  for (int i = 0; i < 20; ++i) {
    auto res = client.Send("/n" + std::to_string(i), "body");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body(), "POST /n" + std::to_string(i) + " body");
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(handler.handled, 20);
  server.Stop();
}

TEST(ServerTest, RefusesOversizedBodiesThroughTheHandler) {
  EchoHandler handler;
  Server server(ServerOptions{.max_body_bytes = 1024}, handler);
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  auto res = client.Send("/big", std::string(4096, 'x'));
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res.body(), "too large: /big");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(handler.handled, 0);
  EXPECT_EQ(handler.rejected, 1);
}

TEST(ServerTest, StopFinishesTheRequestInFlight) {
  EchoHandler handler;
  Server server(ServerOptions{}, handler);
  ASSERT_TRUE(server.Start().ok());
  auto response = std::async(std::launch::async, [&] {
    Client client(server.port());
    return client.Send("/slow");
  });
  while (!handler.slow_started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server.Stop();
  auto res = response.get();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "POST /slow ");
  EXPECT_FALSE(res.keep_alive());
}

TEST(ServerTest, ReportsAnAddressInUse) {
  EchoHandler handler;
  Server first(ServerOptions{}, handler);
  ASSERT_TRUE(first.Start().ok());
  Server second(ServerOptions{.port = first.port()}, handler);
  Status s = second.Start();
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.ToString();
}

TEST(HttpTest, HeadersAreCaseInsensitive) {
  Request r;
  r.target = "/a/b?x=1&y=2";
  r.headers = {{"X-Amz-Date", "d"}};
  EXPECT_EQ(*r.FindHeader("x-amz-date"), "d");
  EXPECT_EQ(r.FindHeader("host"), nullptr);
  EXPECT_EQ(r.path(), "/a/b");
  EXPECT_EQ(r.query(), "x=1&y=2");
}

}  // namespace
}  // namespace kiroku::net
