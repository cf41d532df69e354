// Wire-JSON helpers shared by the cloudtrail handler files (private to this module).
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace kiroku::services::cloudtrail {

// A CloudTrail client error: InvalidArgument with the AWS error code `code`.
Status Error(std::string_view code, std::string message);

// A member that was sent, even as "".
std::optional<std::string> OptStr(const boost::json::object& o, std::string_view key);
std::optional<bool> OptBool(const boost::json::object& o, std::string_view key);

// A TagsList member ([{Key, Value}]) as (key, value) pairs, in order.
std::vector<std::pair<std::string, std::string>> TagList(const boost::json::object& in,
                                                         std::string_view member);
boost::json::array TagsJson(const std::vector<std::pair<std::string, std::string>>& tags);

}  // namespace kiroku::services::cloudtrail
