// Shared by the CloudWatch Logs handler files (groups.cc, tags.cc, streams.cc, events.cc,
// metric_filters.cc, resource_policies.cc) and the operation table (logs_service.cc): reading
// the awsJson input, and naming the log group a request acts on. Internal to services/logs/.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json_members.h"
#include "api/request_context.h"
#include "common/scope.h"
#include "common/status.h"
#include "logs/log_store.h"

namespace kiroku::services::logs_internal {

namespace json = boost::json;
using api::Str;

Status InvalidParameter(std::string message);
Status InvalidToken();  // "The specified nextToken is invalid."
// The decode stage checked the model's required members; Required() is for members the model
// leaves optional but kiroku's operation needs (PutResourcePolicy's policyName).
Result<std::string> Required(const json::object& in, std::string_view name);
std::optional<int64_t> Int(const json::object& in, std::string_view name);
std::optional<bool> Bool(const json::object& in, std::string_view name);
std::vector<std::string> StrList(const json::object& in, std::string_view name);
logs::Tags TagMap(const json::object& in, std::string_view name);
// The member `limit`: `fallback` when absent, InvalidParameterException outside [1, max].
Result<int> Limit(const json::object& in, int max, int fallback);
// InvalidParameterException for a tag key that is empty, too long or starts with "aws:", or a
// value over 256 characters.
Status ValidateTags(const logs::Tags& tags);
Scope ScopeOf(const api::RequestContext& ctx);

// The log group a request names: logGroupName, or logGroupIdentifier (a name or a log-group
// ARN, with or without ":*"); exactly one of them when `identifier_member` is non-empty.
Result<std::string> GroupName(const api::RequestContext& ctx,
                              std::string_view identifier_member = "logGroupIdentifier");
// The group name inside a log-group ARN of the caller's account and region.
Result<std::string> GroupFromArn(const api::RequestContext& ctx, std::string_view arn);

}  // namespace kiroku::services::logs_internal
