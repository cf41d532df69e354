#include "crypto/totp.h"

#include <algorithm>

#include "common/check.h"
#include "crypto/hash.h"

namespace kiroku::crypto {

std::string Hotp(std::string_view key, uint64_t counter, int digits) {
  KIROKU_CHECK(digits >= 1 && digits <= 9);
  std::string message(8, '\0');
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<char>(counter & 0xFF);
    counter >>= 8;
  }
  std::string mac = HmacSha1(key, message);
  // Dynamic truncation (RFC 4226 section 5.3): the low nibble of the last byte picks 4 bytes.
  size_t offset = static_cast<unsigned char>(mac[19]) & 0x0F;
  uint32_t binary = (static_cast<uint32_t>(static_cast<unsigned char>(mac[offset]) & 0x7F) << 24) |
                    (static_cast<uint32_t>(static_cast<unsigned char>(mac[offset + 1])) << 16) |
                    (static_cast<uint32_t>(static_cast<unsigned char>(mac[offset + 2])) << 8) |
                    static_cast<uint32_t>(static_cast<unsigned char>(mac[offset + 3]));
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

uint64_t TotpStep(TimePoint t) {
  int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return seconds <= 0 ? 0 : static_cast<uint64_t>(seconds / kTotpStepSeconds);
}

std::string Totp(std::string_view key, TimePoint t, int digits) {
  return Hotp(key, TotpStep(t), digits);
}

std::optional<uint64_t> MatchTotp(const SecretBytes& key, std::string_view code, TimePoint t,
                                  int window) {
  if (code.size() != 6 ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t now = TotpStep(t);
  uint64_t first = now >= static_cast<uint64_t>(window) ? now - window : 0;
  std::optional<uint64_t> match;
  // Every candidate is computed and compared, so the time taken does not tell which one matched.
  for (uint64_t step = first; step <= now + window; ++step) {
    bool equal = ConstantTimeEquals(Hotp(key.view(), step), code);
    if (equal && !match) match = step;
  }
  return match;
}

}  // namespace kiroku::crypto
