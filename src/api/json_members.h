// Reading members of a decoded request (or of any JSON object a handler builds) without
// exceptions: the decoder already checked the model's types, so a missing or mistyped member
// simply reads as absent. One copy for every service handler.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace kiroku::api {

// The member's string, or "" when it is absent or not a string.
std::string Str(const boost::json::object& o, std::string_view name);
// A timestamp member as the JSON protocols send it (epoch seconds), or nullopt.
std::optional<TimePoint> TimeMember(const boost::json::object& o, std::string_view name);

}  // namespace kiroku::api
