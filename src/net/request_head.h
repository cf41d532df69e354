// Internal to net/ (the server, its tests and the http_request fuzz target): what the server
// does with a request head once Beast has parsed it — the checks that refuse it with 400 and
// the conversion to the plain net::Request — and ParseRequest, which runs Beast's parser over
// bytes with the server's limits. Higher layers never include this header (Beast types).
#pragma once

#include <boost/beast/http.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "net/http.h"

namespace kiroku::net::detail {

// The head as the Handler sees it: method, target, headers in arrival order, empty body. Take
// it when the head is complete: Beast merges a chunked body's trailer fields into the message
// later (a second Host, an Authorization, after the head was checked), and they are dropped.
Request ToRequest(const boost::beast::http::request_header<>& head, std::string remote_address);

// Why a parsed head must be answered 400 Bad Request, or nullopt when it is acceptable. An
// HTTP/1.1 request needs exactly one Host field (RFC 9112 §3.2); HTTP/1.0 at most one. A Host
// value may hold only the characters of a host name, an IP literal and a port (RFC 3986
// reg-name / IP-literal, ':' port): anything else (spaces, controls, '/', '@') is refused
// before a handler routes on it.
std::optional<std::string> HeadProblem(const boost::beast::http::request_header<>& head);

// The outcome of parsing one request from `bytes` the way the server does.
struct ParsedRequest {
  enum class Outcome {
    kRequest,         // a complete request, in `request` (with its body)
    kIncomplete,      // the bytes end before the request does
    kHeaderTooLarge,  // the head is over max_header_bytes: the server answers 431
    kBodyTooLarge,    // the body is over max_body_bytes: Handler::Reject(kBodyTooLarge)
    kBadRequest,      // malformed, or refused by HeadProblem: the server answers 400
  };
  Outcome outcome = Outcome::kIncomplete;
  Request request;
  std::string problem;  // for kBadRequest
  size_t consumed = 0;  // bytes of `bytes` that belong to the request
};

// Parses one request from `bytes`, fed to Beast's parser in two pieces split at `split`
// (clamped to the size; the server receives bytes in arbitrary pieces), with the server's
// header and body limits.
ParsedRequest ParseRequest(std::string_view bytes, size_t max_header_bytes, size_t max_body_bytes,
                           size_t split);

}  // namespace kiroku::net::detail
