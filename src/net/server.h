// Server: the HTTP/1.1 front door (Boost.Beast on Asio). Accepts connections on one address,
// reads requests with keep-alive, hands each to a Handler on a worker pool (handlers may block
// on disk), and writes the response back. Bodies over `max_body_bytes` are refused from their
// headers alone, through Handler::Reject, before the body is read — unless the Handler asks for
// the body to be streamed (Handler::StreamsBody), as S3 does: the body's first
// `stream_prebuffer_bytes` (all of a small body) are then read asynchronously, holding no
// thread, and the handler runs on a separate pool for streams (never the workers that serve
// ordinary requests and health), reading the rest in pieces while it consumes it; responses may
// stream their body too (Response::stream). "Expect: 100-continue" is answered before a
// streamed body is read.
//
// Limits (ServerOptions): a header block must arrive whole within `header_timeout` of its
// first byte (else 408) and fit in `max_header_bytes` (else 431); an HTTP/1.1 request without
// exactly one valid Host is refused (400); a body that sends nothing for `body_idle_timeout`,
// or brings fewer than `min_body_bytes_per_second` × `body_idle_timeout` bytes in any
// `body_idle_timeout` the server spends waiting for it, is refused through
// Handler::Reject(kBodyTimeout). A
// connection over `max_connections`, or over `max_connections_per_client` from one address, is
// closed at accept. These responses close the connection.
//
// Thread-safety: Start/Stop from one controlling thread; the Handler is called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/http.h"

namespace kiroku::net {

enum class RejectReason {
  kBodyTooLarge,  // Content-Length (or the body read so far) is over max_body_bytes
  kBodyTimeout,   // the body stalled: idle past body_idle_timeout, or under the minimum rate
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Produces the response for a complete request. Called on a worker thread; may block.
  virtual Response Handle(const Request& request) = 0;
  // Produces the error response for a request whose body was refused (`head` has method,
  // target and headers, and an empty body). Called on an I/O thread: must not block. The
  // connection is closed afterwards.
  virtual Response Reject(const Request& head, RejectReason reason) = 0;
  // Whether the request, of which only the head has been read, wants its body streamed: then
  // HandleStream is called instead of Handle, with no size limit, and reads the body itself.
  // Called on an I/O thread: must not block.
  virtual bool StreamsBody(const Request& head) {
    (void)head;
    return false;
  }
  // Produces the response for a streamed request (`head` has an empty body; `body` delivers
  // it). Called on a worker thread; may block. A body left unread closes the connection after
  // the response.
  virtual Response HandleStream(const Request& head, BodyReader& body) {
    (void)head;
    (void)body;
    Response response;
    response.status = 500;
    return response;
  }
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;            // 0: any free port (see Server::port())
  unsigned io_threads = 0;      // 0: one per core
  unsigned worker_threads = 0;  // 0: four per core (handlers block on fsync)
  unsigned stream_threads = 0;  // 0: four per core; the pool that runs streamed requests
  size_t max_body_bytes = 8 * 1024 * 1024;
  size_t max_header_bytes = 64 * 1024;
  // How much of a streamed body is read, without holding a thread, before its handler runs.
  size_t stream_prebuffer_bytes = 1024 * 1024;
  std::chrono::milliseconds idle_timeout{120'000};      // keep-alive wait for the next request
  std::chrono::milliseconds header_timeout{10'000};     // whole header, from its first byte
  std::chrono::milliseconds body_idle_timeout{20'000};  // longest wait for a body's next bytes
  size_t min_body_bytes_per_second = 1024;              // 0: no minimum rate
  size_t max_connections = 4096;                        // open connections in all
  size_t max_connections_per_client = 512;              // open connections from one address
};

class Server {
 public:
  // `handler` must outlive the server.
  Server(ServerOptions options, Handler& handler);
  ~Server();  // Stops if still running.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Unavailable if the address cannot be bound.
  Status Start();
  // The bound port (useful with port 0). Valid after a successful Start.
  uint16_t port() const;
  // Graceful stop: no new connections; requests being handled finish and their responses are
  // written (with Connection: close); idle connections are closed. Blocks until done.
  void Stop();

  struct State;  // defined in server.cc

 private:
  std::unique_ptr<State> state_;
};

}  // namespace kiroku::net
