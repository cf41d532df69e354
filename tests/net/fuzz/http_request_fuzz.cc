// libFuzzer target for the HTTP request parsing path of net::Server (net/request_head.h):
// Beast's request parser fed untrusted bytes with the server's header and body limits, the
// Host check (HeadProblem) and the conversion to net::Request. Any input must parse or be
// refused without a crash, and:
//   - whether a request is accepted, and what it is, does not depend on how the bytes are
//     split between two reads (which refusal — 400, 431, 413 — or whether Beast already sees
//     that unfinished bytes are malformed may: both are refusals or a bounded wait);
//   - an accepted request has at most one Host, a valid one, and a body within the limit;
//   - an accepted request, written again (Content-Length framing), parses to the same request.
// The first input byte picks the split point, the second the limits; the rest is the request.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/http.h"
#include "net/request_head.h"

namespace {

using kiroku::net::HeaderNameEquals;
using kiroku::net::Request;
using kiroku::net::detail::ParsedRequest;
using kiroku::net::detail::ParseRequest;

void Check(bool ok) {
  if (!ok) std::abort();
}

bool SameRequest(const Request& a, const Request& b) {
  if (a.method != b.method || a.target != b.target || a.body != b.body ||
      a.headers.size() != b.headers.size()) {
    return false;
  }
  for (size_t i = 0; i < a.headers.size(); ++i) {
    if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value) {
      return false;
    }
  }
  return true;
}

// The request as a client would send it, with its body framed by Content-Length.
std::string Write(const Request& r) {
  bool has_host = r.FindHeader("Host") != nullptr;
  std::string out = r.method + " " + r.target + (has_host ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
  for (const auto& h : r.headers) {
    if (HeaderNameEquals(h.name, "Content-Length") ||
        HeaderNameEquals(h.name, "Transfer-Encoding")) {
      continue;
    }
    out += h.name + ": " + h.value + "\r\n";
  }
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
  return out;
}

Request WithoutFraming(Request r) {
  std::erase_if(r.headers, [](const auto& h) {
    return HeaderNameEquals(h.name, "Content-Length") ||
           HeaderNameEquals(h.name, "Transfer-Encoding");
  });
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t split = data[0];
  size_t max_header = 64 + (data[1] & 0x0f) * 256;  // 64 .. 3904
  size_t max_body = (data[1] >> 4) * 64;            // 0 .. 960
  std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);

  ParsedRequest whole = ParseRequest(bytes, max_header, max_body, bytes.size());
  ParsedRequest pieces = ParseRequest(bytes, max_header, max_body, split);
  using Outcome = ParsedRequest::Outcome;
  Check((whole.outcome == Outcome::kRequest) == (pieces.outcome == Outcome::kRequest));
  Check(whole.consumed <= bytes.size());
  if (whole.outcome != Outcome::kRequest) return 0;
  Check(pieces.outcome == Outcome::kRequest);
  Check(SameRequest(whole.request, pieces.request));
  Check(whole.consumed == pieces.consumed);

  const Request& r = whole.request;
  Check(!r.method.empty());
  Check(r.body.size() <= max_body);
  int hosts = 0;
  for (const auto& h : r.headers) hosts += HeaderNameEquals(h.name, "Host") ? 1 : 0;
  Check(hosts <= 1);

  std::string again = Write(r);
  ParsedRequest reparsed = ParseRequest(again, again.size() + 1, max_body, again.size());
  Check(reparsed.outcome == Outcome::kRequest);
  Check(reparsed.consumed == again.size());
  Check(SameRequest(WithoutFraming(reparsed.request), WithoutFraming(r)));
  return 0;
}
