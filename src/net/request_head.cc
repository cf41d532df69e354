#include "net/request_head.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <cstdint>
#include <limits>

namespace kiroku::net::detail {

namespace http = boost::beast::http;

namespace {

// RFC 3986: unreserved, sub-delims, pct-encoded (reg-name), "[" "]" (IP-literal), ":" (port).
bool IsHostChar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '%':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
    case '[':
    case ']':
      return true;
    default:
      return false;
  }
}

uint32_t HeaderLimit(size_t max_header_bytes) {
  return static_cast<uint32_t>(
      std::min<size_t>(max_header_bytes, std::numeric_limits<uint32_t>::max()));
}

}  // namespace

Request ToRequest(const http::request_header<>& head, std::string remote_address) {
  Request request;
  request.method = std::string(head.method_string());
  request.target = std::string(head.target());
  for (const auto& field : head) {
    request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  request.remote_address = std::move(remote_address);
  return request;
}

std::optional<std::string> HeadProblem(const http::request_header<>& head) {
  size_t hosts = head.count(http::field::host);
  if (hosts > 1) return "A request may carry only one Host header.";
  if (hosts == 0) {
    if (head.version() >= 11) return "An HTTP/1.1 request must carry a Host header.";
    return std::nullopt;
  }
  for (char c : head[http::field::host]) {
    if (!IsHostChar(static_cast<unsigned char>(c))) return "The Host header is not a valid host.";
  }
  return std::nullopt;
}

ParsedRequest ParseRequest(std::string_view bytes, size_t max_header_bytes, size_t max_body_bytes,
                           size_t split) {
  ParsedRequest out;
  http::request_parser<http::string_body> parser;
  parser.header_limit(HeaderLimit(max_header_bytes));
  // As the server: no body limit while the head is read, then the head is judged and the
  // limit set before the body is parsed.
  parser.body_limit(boost::none);
  split = std::min(split, bytes.size());
  size_t offset = 0;
  bool head_checked = false;
  Request head;  // taken when the head is complete
  boost::beast::error_code ec;
  // Feeds bytes[offset, end) as the server's reads do: what the parser leaves unconsumed is
  // presented again together with the next piece.
  for (size_t end : {split, bytes.size()}) {
    while (offset < end && !parser.is_done()) {
      size_t n = parser.put(boost::asio::buffer(bytes.data() + offset, end - offset), ec);
      offset += n;
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec) break;
      if (parser.is_header_done() && !head_checked) {
        head_checked = true;
        // Beast's own header limit depends on how the bytes were split: enforce it exactly.
        if (offset > max_header_bytes) {
          out.outcome = ParsedRequest::Outcome::kHeaderTooLarge;
          out.consumed = offset;
          return out;
        }
        if (std::optional<std::string> problem = HeadProblem(parser.get().base())) {
          out.outcome = ParsedRequest::Outcome::kBadRequest;
          out.problem = *problem;
          out.consumed = offset;
          return out;
        }
        if (auto length = parser.content_length(); length && *length > max_body_bytes) {
          out.outcome = ParsedRequest::Outcome::kBodyTooLarge;
          out.consumed = offset;
          return out;
        }
        head = ToRequest(parser.get().base(), "");
        parser.body_limit(static_cast<std::uint64_t>(max_body_bytes));
        parser.eager(true);
        continue;
      }
      if (n == 0) break;
    }
    if (ec) break;
  }
  out.consumed = offset;
  if (ec == http::error::header_limit) {
    out.outcome = ParsedRequest::Outcome::kHeaderTooLarge;
  } else if (ec == http::error::body_limit) {
    out.outcome = ParsedRequest::Outcome::kBodyTooLarge;
  } else if (ec) {
    out.outcome = ParsedRequest::Outcome::kBadRequest;
    out.problem = ec.message();
  } else if (parser.is_done()) {
    if (!head_checked) {
      if (std::optional<std::string> problem = HeadProblem(parser.get().base())) {
        out.outcome = ParsedRequest::Outcome::kBadRequest;
        out.problem = *problem;
        return out;
      }
    }
    out.outcome = ParsedRequest::Outcome::kRequest;
    out.request = std::move(head);
    out.request.body = parser.get().body();
  }
  return out;
}

}  // namespace kiroku::net::detail
