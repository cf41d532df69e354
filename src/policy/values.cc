#include "policy/values.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <string>

namespace kiroku::policy {
namespace {

bool Digits(std::string_view s, size_t pos, size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string copy(text);
  if (copy[0] == '+') copy.erase(0, 1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(copy.data(), copy.data() + copy.size(), value);
  if (ec != std::errc() || ptr != copy.data() + copy.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> ParseDateMillis(std::string_view s) {
  if (s.empty()) return std::nullopt;
  // Epoch seconds: digits only (optionally negative).
  bool all_digits = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!(s[i] >= '0' && s[i] <= '9') && !(i == 0 && s[i] == '-')) all_digits = false;
  }
  if (all_digits) {
    int64_t secs = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    if (secs > INT64_MAX / 1000 || secs < INT64_MIN / 1000) return std::nullopt;
    return secs * 1000;
  }
  int year, month, day;
  if (!Digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  int64_t millis = DaysFromCivil(year, month, day) * 86400000LL;
  if (s.size() == 10) return millis;
  if (s[10] != 'T' && s[10] != 't') return std::nullopt;
  int hour, minute, second = 0;
  if (!Digits(s, 11, 2, hour) || s.size() < 16 || s[13] != ':' || !Digits(s, 14, 2, minute)) {
    return std::nullopt;
  }
  size_t pos = 16;
  int64_t frac_ms = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, second)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      size_t start = pos;
      int64_t scale = 100;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        frac_ms += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  millis += (hour * 3600LL + minute * 60LL + second) * 1000LL + frac_ms;
  if (pos == s.size()) return millis;  // no zone: UTC
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return millis;
  if (s[pos] == '+' || s[pos] == '-') {
    int oh, om = 0;
    if (!Digits(s, pos + 1, 2, oh)) return std::nullopt;
    size_t p = pos + 3;
    if (p < s.size() && s[p] == ':') ++p;
    if (p < s.size()) {
      if (!Digits(s, p, 2, om)) return std::nullopt;
      p += 2;
    }
    if (p != s.size() || oh > 23 || om > 59) return std::nullopt;
    int64_t offset = (oh * 3600LL + om * 60LL) * 1000LL;
    return s[pos] == '+' ? millis - offset : millis + offset;
  }
  return std::nullopt;
}

std::optional<bool> ParseBool(std::string_view text) {
  auto eq = [&](std::string_view want) {
    if (text.size() != want.size()) return false;
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != want[i]) return false;
    }
    return true;
  };
  if (eq("true")) return true;
  if (eq("false")) return false;
  return std::nullopt;
}

bool IpNet::Contains(const IpNet& ip) const {
  if (v6 != ip.v6) return false;
  int bits = prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((addr[i] & mask) != (ip.addr[i] & mask)) return false;
  }
  return true;
}

std::optional<IpNet> ParseIpNet(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string address(text);
  int prefix = -1;
  if (size_t slash = address.find('/'); slash != std::string::npos) {
    std::string_view p = std::string_view(address).substr(slash + 1);
    if (p.empty() || p.size() > 3) return std::nullopt;
    int v = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || ptr != p.data() + p.size()) return std::nullopt;
    prefix = v;
    address.resize(slash);
  }
  IpNet net;
  if (address.find(':') != std::string::npos) {
    net.v6 = true;
    if (inet_pton(AF_INET6, address.c_str(), net.addr.data()) != 1) return std::nullopt;
    if (prefix > 128) return std::nullopt;
    net.prefix = prefix < 0 ? 128 : prefix;
  } else {
    if (inet_pton(AF_INET, address.c_str(), net.addr.data()) != 1) return std::nullopt;
    if (prefix > 32) return std::nullopt;
    net.prefix = prefix < 0 ? 32 : prefix;
  }
  return net;
}

}  // namespace kiroku::policy
