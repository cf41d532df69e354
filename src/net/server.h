// Server: the HTTP/1.1 front door (Boost.Beast on Asio). Accepts connections on one address,
// reads requests with keep-alive, hands each to a Handler on a worker pool (handlers may block
// on disk), and writes the response back. Bodies over `max_body_bytes` are refused from their
// headers alone, through Handler::Reject, before the body is read.
//
// Thread-safety: Start/Stop from one controlling thread; the Handler is called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "net/http.h"

namespace kiroku::net {

enum class RejectReason { kBodyTooLarge };

class Handler {
 public:
  virtual ~Handler() = default;
  // Produces the response for a complete request. Called on a worker thread; may block.
  virtual Response Handle(const Request& request) = 0;
  // Produces the error response for a request refused before its body was read (`head` has
  // method, target and headers, and an empty body). The connection is closed afterwards.
  virtual Response Reject(const Request& head, RejectReason reason) = 0;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;          // 0: any free port (see Server::port())
  unsigned io_threads = 0;    // 0: one per core
  unsigned worker_threads = 0;  // 0: four per core (handlers block on fsync)
  size_t max_body_bytes = 8 * 1024 * 1024;
  size_t max_header_bytes = 64 * 1024;
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
