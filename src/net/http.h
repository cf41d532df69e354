// Plain HTTP request/response values exchanged between the server and its Handler.
// No Beast types leak out of net/: higher layers see only these structs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kiroku::net {

struct Header {
  std::string name;  // as received (case preserved)
  std::string value;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target as sent: path, then '?' and the query if any
  std::vector<Header> headers;  // in arrival order, duplicates kept
  std::string body;
  std::string remote_address;  // peer IP, without port
  bool secure = false;         // arrived over TLS

  // First header whose name equals `name` case-insensitively, or nullptr.
  const std::string* FindHeader(std::string_view name) const;
  std::string_view path() const;   // target up to '?'
  std::string_view query() const;  // target after '?', or empty
};

struct Response {
  int status = 200;
  std::vector<Header> headers;
  std::string body;

  void SetHeader(std::string name, std::string value);
  const std::string* FindHeader(std::string_view name) const;
};

// Case-insensitive ASCII comparison for header names.
bool HeaderNameEquals(std::string_view a, std::string_view b);

}  // namespace kiroku::net
