// Typed values used by condition operators: numbers, dates, IP networks, booleans.
// Internal to policy/. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kiroku::policy {

// A decimal number as IAM's Numeric* operators accept it ("10", "-1.5", "3e2").
std::optional<double> ParseNumber(std::string_view text);

// A point in time in milliseconds since the epoch. Accepts W3C ISO 8601 forms
// ("2020-04-01", "2020-04-01T00:00:00Z", fractional seconds, "+09:00" offsets) and epoch
// seconds ("1600000000"), as the Date* operators do.
std::optional<int64_t> ParseDateMillis(std::string_view text);

// "true"/"false", ASCII case-insensitive.
std::optional<bool> ParseBool(std::string_view text);

// An IPv4 or IPv6 network; an address without a prefix length is a /32 or /128.
struct IpNet {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};  // IPv4 uses the first 4 bytes
  int prefix = 0;

  // True if `ip` (a network too; its prefix is ignored) lies inside this network. IPv4 and
  // IPv6 never match each other.
  bool Contains(const IpNet& ip) const;
};
std::optional<IpNet> ParseIpNet(std::string_view text);

}  // namespace kiroku::policy
