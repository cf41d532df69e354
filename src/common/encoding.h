// Byte/text encodings used across modules: hex, base64, percent-encoding, ISO-8601 times.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace kiroku {

// ASCII case (other bytes unchanged): "ApNorthEast" -> "apnortheast"; "UserName" -> "userName",
// the lower-camel member names AWS uses in validation messages and CloudTrail records.
std::string AsciiLower(std::string_view text);
std::string LowerFirst(std::string_view name);
// Equal but for ASCII case (header names, "us-east-1" vs "US-EAST-1").
bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b);

std::string HexEncode(std::string_view bytes);  // lower-case
std::optional<std::string> HexDecode(std::string_view hex);

std::string Base64Encode(std::string_view bytes);
// Accepts standard base64 with padding; returns nullopt on any invalid character or length.
std::optional<std::string> Base64Decode(std::string_view text);

// RFC 4648 base32 (A-Z 2-7), as TOTP seeds are shown to authenticator apps. Encode writes no
// '=' padding (AWS's 40-byte MFA seeds need none); Decode accepts upper or lower case, with or
// without padding, and returns nullopt on any other character or an impossible length.
std::string Base32Encode(std::string_view bytes);
std::optional<std::string> Base32Decode(std::string_view text);

// RFC 3986 percent-encoding as SigV4 uses it: unreserved characters (A-Z a-z 0-9 - _ . ~) stay,
// everything else becomes %XY (upper-case). `keep_slash` leaves '/' as is (for paths).
std::string UriEncode(std::string_view text, bool keep_slash);
// Decodes %XY sequences; `plus_is_space` for application/x-www-form-urlencoded.
std::optional<std::string> UriDecode(std::string_view text, bool plus_is_space);

// "20261126T213114Z" <-> time point (UTC). Parsing is strict.
std::string FormatAmzDate(TimePoint t);
std::optional<TimePoint> ParseAmzDate(std::string_view text);
// "2026-11-26T21:31:14Z" (ISO-8601, seconds), and with milliseconds "2026-11-26T21:31:14.123Z".
std::string FormatIso8601(TimePoint t);
std::string FormatIso8601Millis(TimePoint t);
// Parses the seconds form ("2026-11-26T21:31:14Z") only.
std::optional<TimePoint> ParseIso8601(std::string_view text);
// `t` in UTC through strftime's `format` ("%Y/%m/%d/"), at most 63 characters.
std::string FormatUtc(TimePoint t, const char* format);
// Timestamps as the JSON protocols carry them: epoch seconds with millisecond precision.
double EpochSeconds(TimePoint t);
TimePoint FromEpochSeconds(double seconds);

}  // namespace kiroku
