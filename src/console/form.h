// The console's parsers for untrusted text: query strings and form bodies, Cookie header
// values, and the Host / Origin / Referer values the request checks compare (docs/console.md,
// "Requests the console refuses"). Pure functions with no state; thread-safe. Fuzzed by
// tests/console/fuzz/console_form_fuzz.cc.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kiroku::console {

using Form = std::map<std::string, std::string>;

// a=1&b=2 (query strings and application/x-www-form-urlencoded bodies, '+' is a space) -> the
// first value of each name; empty parts are skipped. nullopt when a part is not valid
// percent-encoding.
std::optional<Form> ParseForm(std::string_view text);
// The value of `form[name]`, or "" when absent.
std::string FormValue(const Form& form, const std::string& name);

// The value of cookie `name` in one Cookie header value ("a=1; b=2"); nullopt when absent.
std::optional<std::string> CookieValue(std::string_view header, std::string_view name);

// An HTTP authority (a Host header, or the host[:port] of an origin): the host lower-cased
// (an IPv6 literal keeps its brackets), and the port as written ("" when absent).
struct Authority {
  std::string host;
  std::string port;
  bool operator==(const Authority&) const = default;
};
// nullopt when malformed: an empty host, a character no host name or IP literal has, user
// information ("user@host"), or a port that is not 1-5 digits up to 65535.
std::optional<Authority> ParseAuthority(std::string_view text);

// The origin of a serialized Origin header ("http://host:port") or of an absolute URL such as
// a Referer ("http://host:port/path?query"). nullopt for "null" and every other opaque or
// malformed value, and for schemes other than http and https.
struct WebOrigin {
  std::string scheme;  // "http" or "https"
  Authority authority;
};
std::optional<WebOrigin> ParseWebOrigin(std::string_view url);

// Whether `origin` is the origin of a request for `host` received over TLS (`secure`) or not:
// same scheme, host and port, a missing port being the scheme's default (80 or 443).
bool IsSameOrigin(const WebOrigin& origin, const Authority& host, bool secure);

}  // namespace kiroku::console
