// The streaming path of net::Server: request bodies over the buffered limit read in pieces by
// the handler (chunked transfer-encoding too), Expect: 100-continue, streamed responses with
// their Content-Length, HEAD answers without a body, and keep-alive across all of them.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "net/server.h"

namespace kiroku::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// Produces `length` bytes of a repeating pattern, in pieces.
class PatternSource final : public BodySource {
 public:
  explicit PatternSource(uint64_t length) : left_(length) {}
  Result<size_t> Read(char* out, size_t capacity) override {
    size_t n = static_cast<size_t>(std::min<uint64_t>({capacity, left_, 1000}));
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (pos_ + i) % 26);
    pos_ += n;
    left_ -= n;
    return n;
  }

 private:
  uint64_t left_;
  uint64_t pos_ = 0;
};

// "/stream/*" is streamed: the handler counts the body's bytes and pieces. GET "/download/<n>"
// answers n pattern bytes from a BodySource.
class StreamingHandler : public Handler {
 public:
  Response Handle(const Request& request) override {
    Response r;
    if (request.target.starts_with("/download/")) {
      uint64_t n = std::stoull(request.target.substr(10));
      r.stream = std::make_shared<PatternSource>(n);
      r.stream_length = n;
      return r;
    }
    r.body = "buffered " + std::to_string(request.body.size());
    return r;
  }
  Response Reject(const Request&, RejectReason) override {
    Response r;
    r.status = 413;
    return r;
  }
  bool StreamsBody(const Request& head) override { return head.target.starts_with("/stream/"); }
  Response HandleStream(const Request& head, BodyReader& body) override {
    uint64_t total = 0, pieces = 0, checksum = 0;
    std::vector<char> buf(64 * 1024);
    while (true) {
      auto n = body.Read(buf.data(), buf.size());
      if (!n.ok() || *n == 0) break;
      for (size_t i = 0; i < *n; ++i) checksum = checksum * 31 + static_cast<unsigned char>(buf[i]);
      total += *n;
      ++pieces;
    }
    Response r;
    r.body = head.target + " " + std::to_string(total) + " " + std::to_string(checksum) + " " +
             (pieces > 1 ? "pieces" : "one");
    return r;
  }
};

uint64_t Checksum(std::string_view s) {
  uint64_t c = 0;
  for (char ch : s) c = c * 31 + static_cast<unsigned char>(ch);
  return c;
}

class Connection {
 public:
  explicit Connection(uint16_t port) : stream_(ioc_) {
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  beast::tcp_stream& stream() { return stream_; }
  beast::flat_buffer& buffer() { return buffer_; }

  template <class Body>
  http::response<http::string_body> Send(http::request<Body>& req) {
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    http::write(stream_, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    if (req.method() == http::verb::head) parser.skip(true);
    http::read(stream_, buffer_, parser);
    return parser.release();
  }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

TEST(StreamingTest, LargeBodiesStreamPastTheBufferedLimit) {
  StreamingHandler handler;
  Server server(ServerOptions{.max_body_bytes = 1024}, handler);
  ASSERT_TRUE(server.Start().ok());
  Connection c(server.port());
  std::string big(3 * 1024 * 1024 + 17, 'x');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('A' + i % 7);

  http::request<http::string_body> put{http::verb::put, "/stream/big", 11};
  put.body() = big;
  put.prepare_payload();
  auto res = c.Send(put);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "/stream/big " + std::to_string(big.size()) + " " +
                            std::to_string(Checksum(big)) + " pieces");
  EXPECT_TRUE(res.keep_alive());

  // Chunked transfer-encoding, on the same connection.
  http::request<http::string_body> chunked{http::verb::put, "/stream/chunked", 11};
  chunked.body() = big.substr(0, 200000);
  chunked.chunked(true);
  res = c.Send(chunked);
  EXPECT_EQ(res.body(), "/stream/chunked 200000 " +
                            std::to_string(Checksum(big.substr(0, 200000))) + " pieces");

  // The buffered path still refuses what is over its limit.
  http::request<http::string_body> buffered{http::verb::post, "/other", 11};
  buffered.body() = std::string(2048, 'y');
  buffered.prepare_payload();
  Connection c2(server.port());
  EXPECT_EQ(c2.Send(buffered).result_int(), 413);
}

TEST(StreamingTest, AnswersExpectContinueBeforeTheBody) {
  StreamingHandler handler;
  Server server(ServerOptions{}, handler);
  ASSERT_TRUE(server.Start().ok());
  Connection c(server.port());
  std::string head =
      "PUT /stream/continue HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: "
      "100-continue\r\n\r\n";
  asio::write(c.stream(), asio::buffer(head));
  // The interim response arrives although no body byte was sent.
  http::response_parser<http::empty_body> interim;
  http::read_header(c.stream(), c.buffer(), interim);
  EXPECT_EQ(interim.get().result_int(), 100);
  asio::write(c.stream(), asio::buffer(std::string("hello")));
  http::response<http::string_body> res;
  http::read(c.stream(), c.buffer(), res);
  EXPECT_EQ(res.body(), "/stream/continue 5 " + std::to_string(Checksum("hello")) + " one");
}

TEST(StreamingTest, StreamedResponsesAndHead) {
  StreamingHandler handler;
  Server server(ServerOptions{}, handler);
  ASSERT_TRUE(server.Start().ok());
  Connection c(server.port());
  for (uint64_t n : {0ull, 1ull, 2500000ull}) {
    http::request<http::empty_body> get{http::verb::get, "/download/" + std::to_string(n), 11};
    auto res = c.Send(get);
    ASSERT_EQ(res.body().size(), n);
    EXPECT_EQ(res[http::field::content_length], std::to_string(n));
    for (size_t i = 0; i < n; i += 99991) EXPECT_EQ(res.body()[i], static_cast<char>('a' + i % 26));
    EXPECT_TRUE(res.keep_alive());
  }
  http::request<http::empty_body> head{http::verb::head, "/download/12345", 11};
  auto res = c.Send(head);
  EXPECT_EQ(res[http::field::content_length], "12345");
  EXPECT_TRUE(res.body().empty());
  // The connection is still in step after the HEAD.
  http::request<http::empty_body> again{http::verb::get, "/download/10", 11};
  EXPECT_EQ(c.Send(again).body(), "abcdefghij");
}

}  // namespace
}  // namespace kiroku::net
