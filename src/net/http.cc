#include "net/http.h"

#include "common/encoding.h"

namespace kiroku::net {

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  return AsciiEqualsIgnoreCase(a, b);
}

const std::string* Request::FindHeader(std::string_view name) const {
  for (const Header& h : headers) {
    if (HeaderNameEquals(h.name, name)) return &h.value;
  }
  return nullptr;
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  std::string_view t = target;
  size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

const std::string* Response::FindHeader(std::string_view name) const {
  for (const Header& h : headers) {
    if (HeaderNameEquals(h.name, name)) return &h.value;
  }
  return nullptr;
}

void Response::SetHeader(std::string name, std::string value) {
  for (Header& h : headers) {
    if (HeaderNameEquals(h.name, name)) {
      h.value = std::move(value);
      return;
    }
  }
  headers.push_back({std::move(name), std::move(value)});
}

}  // namespace kiroku::net
