// Internal to src/services/sts/: the input checks and output shapes the STS handlers share.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "iam/session_store.h"

namespace kiroku::services::sts_internal {

namespace json = boost::json;

// The shortest session STS issues: 15 minutes.
inline constexpr int64_t kMinDuration = 900;

// STS reports input constraint failures as "1 validation error detected: Value '…' at
// '<member in camelCase>' failed to satisfy constraint: …".
Status ValidationError(std::string_view member, std::string_view value,
                       std::string_view constraint);

// The integer member `member` (nullopt when absent or null); ValidationError when it is not an
// integer or outside min..max.
Result<std::optional<int64_t>> OptionalInt(const json::object& input, std::string_view member,
                                           int64_t min, int64_t max);

// Credentials as STS answers them (Expiration in epoch seconds).
json::object CredentialsJson(const iam::IssuedCredentials& c);

}  // namespace kiroku::services::sts_internal
