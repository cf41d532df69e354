// Plain HTTP request/response values exchanged between the server and its Handler.
// No Beast types leak out of net/: higher layers see only these structs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kiroku::net {

struct Header {
  std::string name;  // as received (case preserved)
  std::string value;
};

struct Request {
  std::string method;           // "GET", "POST", ...
  std::string target;           // raw request-target as sent: path, then '?' and the query if any
  std::vector<Header> headers;  // in arrival order, duplicates kept
  std::string body;
  std::string remote_address;  // peer IP, without port
  bool secure = false;         // arrived over TLS

  // First header whose name equals `name` case-insensitively, or nullptr.
  const std::string* FindHeader(std::string_view name) const;
  std::string_view path() const;   // target up to '?'
  std::string_view query() const;  // target after '?', or empty
};

// A request body delivered in pieces (Handler::HandleStream). Read blocks until some bytes
// arrived; it returns 0 only at the end of the body. Errors: Unavailable when the connection
// failed or the body was malformed. Single-threaded; valid during HandleStream only.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  virtual Result<size_t> Read(char* out, size_t capacity) = 0;
};

// A response body produced in pieces while it is written (large S3 objects). Read fills `out`
// with up to `capacity` bytes and returns how many, 0 at the end. An error after the header
// was sent can only close the connection (the client sees a short body).
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual Result<size_t> Read(char* out, size_t capacity) = 0;
};

struct Response {
  int status = 200;
  std::vector<Header> headers;
  std::string body;
  // When set, the body is read from `stream` (exactly `stream_length` bytes) instead of `body`.
  std::shared_ptr<BodySource> stream;
  uint64_t stream_length = 0;
  // A response to HEAD: its Content-Length header is kept as the handler set it and no body is
  // sent (the server sets this from the request method).
  bool head = false;

  void SetHeader(std::string name, std::string value);
  const std::string* FindHeader(std::string_view name) const;
};

// Case-insensitive ASCII comparison for header names.
bool HeaderNameEquals(std::string_view a, std::string_view b);

}  // namespace kiroku::net
