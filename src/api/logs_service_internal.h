// Shared by the CloudWatch Logs handler files (logs_service.cc, logs_events_service.cc):
// reading the awsJson input, naming the resources each operation is authorized against, and
// the condition keys. Internal to api/.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/json_members.h"
#include "api/operation.h"
#include "logs/log_store.h"

namespace kiroku::api::logs_internal {

namespace json = boost::json;

Status InvalidParameter(std::string message);
// The decode stage checked the model's required members; Required() is for members the model
// leaves optional but kiroku's operation needs (PutResourcePolicy's policyName).
Result<std::string> Required(const json::object& in, std::string_view name);
std::optional<int64_t> Int(const json::object& in, std::string_view name);
std::optional<bool> Bool(const json::object& in, std::string_view name);
std::vector<std::string> StrList(const json::object& in, std::string_view name);
logs::Tags TagMap(const json::object& in, std::string_view name);
Scope ScopeOf(const RequestContext& ctx);

// The log group a request names: logGroupName, or logGroupIdentifier (a name or a log-group
// ARN, with or without ":*"); exactly one of them when `identifier_member` is non-empty.
Result<std::string> GroupName(const RequestContext& ctx,
                              std::string_view identifier_member = "logGroupIdentifier");
// The group name inside a log-group ARN of the caller's account and region.
Result<std::string> GroupFromArn(const RequestContext& ctx, std::string_view arn);

// Authorization against the named group's ARN (no ":*"), with aws:ResourceTag/* from its tags
// and aws:RequestTag/* + aws:TagKeys from `tags_member` when set.
Operation GroupOperation(logs::LogStore& store, std::string action, OperationFn handler,
                         std::string tags_member = "");
// Authorization against the stream's ARN (…:log-group:<g>:log-stream:<s>).
Operation StreamOperation(logs::LogStore& store, std::string action, OperationFn handler);
// Authorization against a fixed resource ("*" or the account's log-group:* ARN).
Operation AccountOperation(std::string action, OperationFn handler, bool log_groups = false);

void AddLogsEventOperations(OperationTable& table, logs::LogStore& store);

}  // namespace kiroku::api::logs_internal
