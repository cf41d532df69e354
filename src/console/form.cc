#include "console/form.h"

#include <cctype>

#include "common/encoding.h"

namespace kiroku::console {
namespace {

bool IsHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool IsIpv6LiteralChar(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

bool ValidPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

std::string_view EffectivePort(std::string_view port, std::string_view scheme) {
  if (!port.empty()) return port;
  return scheme == "https" ? "443" : "80";
}

}  // namespace

std::optional<Form> ParseForm(std::string_view text) {
  Form out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t amp = text.find('&', pos);
    std::string_view part = text.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    pos = amp == std::string_view::npos ? text.size() : amp + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    auto name = UriDecode(part.substr(0, eq), true);
    auto value = UriDecode(eq == std::string_view::npos ? "" : part.substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    out.emplace(std::move(*name), std::move(*value));  // the first one wins
  }
  return out;
}

std::string FormValue(const Form& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
  std::string_view rest = header;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

std::optional<Authority> ParseAuthority(std::string_view text) {
  Authority out;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close < 2) return std::nullopt;
    std::string_view literal = text.substr(1, close - 1);
    for (char c : literal) {
      if (!IsIpv6LiteralChar(c)) return std::nullopt;
    }
    out.host = AsciiLower(text.substr(0, close + 1));
    rest = text.substr(close + 1);
  } else {
    size_t colon = text.find(':');
    std::string_view host = text.substr(0, colon);
    if (host.empty()) return std::nullopt;
    for (char c : host) {
      if (!IsHostNameChar(c)) return std::nullopt;
    }
    out.host = AsciiLower(host);
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
  }
  if (!rest.empty()) {
    if (rest.front() != ':' || !ValidPort(rest.substr(1))) return std::nullopt;
    out.port = std::string(rest.substr(1));
  }
  return out;
}

std::optional<WebOrigin> ParseWebOrigin(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;  // "null" and other opaque origins
  WebOrigin out;
  out.scheme = AsciiLower(url.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::optional<Authority> parsed = ParseAuthority(authority);  // refuses "user@host" too
  if (!parsed) return std::nullopt;
  out.authority = std::move(*parsed);
  return out;
}

bool IsSameOrigin(const WebOrigin& origin, const Authority& host, bool secure) {
  std::string_view scheme = secure ? "https" : "http";
  return origin.scheme == scheme && origin.authority.host == host.host &&
         EffectivePort(origin.authority.port, scheme) == EffectivePort(host.port, scheme);
}

}  // namespace kiroku::console
