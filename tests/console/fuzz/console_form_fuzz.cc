// libFuzzer target for the console's parsers of untrusted text (console/form.h): form bodies and
// query strings, Cookie header values, Host authorities and Origin/Referer URLs. Any input must
// parse or be refused without a crash, and what parses must survive a round trip:
//   - a parsed form, encoded again, parses to the same fields;
//   - a cookie value is a piece of the header without ';';
//   - a parsed authority or origin, written back, parses to the same value, and an origin is
//     the same origin as a request for its own authority.
// The input is also split at its first '\n' into a cookie name and a Cookie header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/encoding.h"
#include "console/form.h"

namespace {

using kiroku::console::Authority;
using kiroku::console::WebOrigin;

void Check(bool ok) {
  if (!ok) std::abort();
}

std::string Write(const Authority& a) { return a.port.empty() ? a.host : a.host + ":" + a.port; }

void Form(std::string_view input) {
  auto form = kiroku::console::ParseForm(input);
  if (!form) return;
  std::string encoded;
  for (const auto& [name, value] : *form) {
    if (!encoded.empty()) encoded += '&';
    encoded += kiroku::UriEncode(name, false) + "=" + kiroku::UriEncode(value, false);
  }
  auto again = kiroku::console::ParseForm(encoded);
  Check(again.has_value() && *again == *form);
}

void Cookie(std::string_view input) {
  size_t nl = input.find('\n');
  std::string_view name =
      nl == std::string_view::npos ? "kiroku-console-session" : input.substr(0, nl);
  std::string_view header = nl == std::string_view::npos ? input : input.substr(nl + 1);
  auto value = kiroku::console::CookieValue(header, name);
  if (!value) return;
  Check(value->find(';') == std::string::npos);
  Check(header.find(*value) != std::string_view::npos);
}

void Host(std::string_view input) {
  auto authority = kiroku::console::ParseAuthority(input);
  if (!authority) return;
  Check(!authority->host.empty());
  for (char c : authority->host) Check(!(c >= 'A' && c <= 'Z'));
  Check(authority->port.size() <= 5);
  auto again = kiroku::console::ParseAuthority(Write(*authority));
  Check(again.has_value() && *again == *authority);
}

void Origin(std::string_view input) {
  auto origin = kiroku::console::ParseWebOrigin(input);
  if (!origin) return;
  Check(origin->scheme == "http" || origin->scheme == "https");
  auto again = kiroku::console::ParseWebOrigin(origin->scheme + "://" + Write(origin->authority));
  Check(again.has_value() && again->scheme == origin->scheme &&
        again->authority == origin->authority);
  bool secure = origin->scheme == "https";
  Check(kiroku::console::IsSameOrigin(*origin, origin->authority, secure));
  Check(!kiroku::console::IsSameOrigin(*origin, origin->authority, !secure));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Form(input);
  Cookie(input);
  Host(input);
  Origin(input);
  return 0;
}
