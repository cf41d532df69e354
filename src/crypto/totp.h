// One-time passwords for virtual MFA devices: HOTP (RFC 4226) and TOTP (RFC 6238) with
// HMAC-SHA1, T0 = 0 and 30-second steps, as AWS virtual MFA devices and authenticator apps use
// them. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "crypto/secret.h"

namespace kiroku::crypto {

inline constexpr int64_t kTotpStepSeconds = 30;

// The HOTP value of `counter` under `key`: `digits` (1..9) decimal digits, zero-padded.
std::string Hotp(std::string_view key, uint64_t counter, int digits = 6);

// The TOTP time step that contains `t` (seconds since the epoch / 30; 0 before the epoch).
uint64_t TotpStep(TimePoint t);

// The TOTP code of time `t` (the HOTP value of its step).
std::string Totp(std::string_view key, TimePoint t, int digits = 6);

// The step in [step(t) - window, step(t) + window] whose 6-digit code equals `code`, oldest first
// (so a code is matched to the earliest step it is valid for); nullopt when none does or `code`
// is not 6 digits. Codes are compared in constant time.
std::optional<uint64_t> MatchTotp(const SecretBytes& key, std::string_view code, TimePoint t,
                                  int window = 1);

}  // namespace kiroku::crypto
