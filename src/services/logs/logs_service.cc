// The CloudWatch Logs operation table: one row per served operation, with how each is
// authorized (the log group's or the stream's ARN, the account's log-group:* or "*", and the
// tag condition keys), and the input helpers the handler files share.
#include "services/logs/logs_service.h"

#include "common/arn.h"
#include "services/logs/logs_service_internal.h"

namespace kiroku::services {
namespace logs_internal {

Status InvalidParameter(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidParameterException");
}

Status InvalidToken() { return InvalidParameter("The specified nextToken is invalid."); }

Result<std::string> Required(const json::object& in, std::string_view name) {
  const json::value* v = in.if_contains(name);
  if (v == nullptr || !v->is_string()) {
    return InvalidParameter("1 validation error detected: Value null at '" + std::string(name) +
                            "' failed to satisfy constraint: Member must not be null");
  }
  return std::string(v->as_string());
}

std::optional<int64_t> Int(const json::object& in, std::string_view name) {
  const json::value* v = in.if_contains(name);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<int64_t>();
}

std::optional<bool> Bool(const json::object& in, std::string_view name) {
  const json::value* v = in.if_contains(name);
  if (v == nullptr || !v->is_bool()) return std::nullopt;
  return v->as_bool();
}

std::vector<std::string> StrList(const json::object& in, std::string_view name) {
  std::vector<std::string> out;
  if (const json::value* v = in.if_contains(name); v != nullptr && v->is_array()) {
    for (const json::value& s : v->as_array()) {
      if (s.is_string()) out.emplace_back(s.as_string());
    }
  }
  return out;
}

logs::Tags TagMap(const json::object& in, std::string_view name) {
  logs::Tags tags;
  if (const json::value* v = in.if_contains(name); v != nullptr && v->is_object()) {
    for (const auto& [k, val] : v->as_object()) {
      if (val.is_string()) tags[std::string(k)] = std::string(val.as_string());
    }
  }
  return tags;
}

Result<int> Limit(const json::object& in, int max, int fallback) {
  std::optional<int64_t> limit = Int(in, "limit");
  if (!limit) return fallback;
  if (*limit < 1 || *limit > max) {
    return InvalidParameter("1 validation error detected: Value '" + std::to_string(*limit) +
                            "' at 'limit' failed to satisfy constraint: Member must have value "
                            "between 1 and " +
                            std::to_string(max));
  }
  return static_cast<int>(*limit);
}

Status ValidateTags(const logs::Tags& tags) {
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > 128 || k.starts_with("aws:")) {
      return InvalidParameter("Invalid tag key: '" + k + "'");
    }
    if (v.size() > 256) return InvalidParameter("Invalid tag value for key '" + k + "'");
  }
  return Status::Ok();
}

Scope ScopeOf(const api::RequestContext& ctx) { return Scope{ctx.account, ctx.region}; }

Result<std::string> GroupFromArn(const api::RequestContext& ctx, std::string_view arn) {
  std::string prefix = Arn::Logs(ctx.region, ctx.account, "log-group:").ToString();
  if (!arn.starts_with(prefix)) {
    if (arn.starts_with("arn:")) {
      return Status::NotFound("The specified log group does not exist.")
          .WithAwsCode("ResourceNotFoundException");
    }
    return InvalidParameter("Invalid ARN: " + std::string(arn));
  }
  std::string name(arn.substr(prefix.size()));
  if (name.ends_with(":*")) name.resize(name.size() - 2);
  return name;
}

Result<std::string> GroupName(const api::RequestContext& ctx, std::string_view identifier_member) {
  std::string name = Str(ctx.input, "logGroupName");
  std::string id = identifier_member.empty() ? "" : Str(ctx.input, identifier_member);
  if (!name.empty() && !id.empty()) {
    return InvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (!id.empty()) {
    if (id.starts_with("arn:")) return GroupFromArn(ctx, id);
    return id;
  }
  if (name.empty()) {
    return InvalidParameter(
        "1 validation error detected: Value null at 'logGroupName' failed to "
        "satisfy constraint: Member must not be null");
  }
  return name;
}

}  // namespace logs_internal

namespace {

using api::Access;
using api::Authorization;
using api::EventCategory;
using api::Handler;
using api::RequestContext;
using namespace logs_internal;  // NOLINT: the helpers of this service

void RequestTagKeys(const RequestContext& ctx, const std::string& member,
                    policy::ContextKeys& keys) {
  if (member.empty()) return;
  std::vector<std::string> names;
  if (const json::value* v = ctx.input.if_contains(member); v != nullptr && v->is_array()) {
    names = StrList(ctx.input, member);  // UntagResource / UntagLogGroup: keys only
  } else {
    for (const auto& [k, v] : TagMap(ctx.input, member)) {
      keys.SetString("aws:RequestTag/" + k, v);
      names.push_back(k);
    }
  }
  if (!names.empty()) keys.SetStrings("aws:TagKeys", names);
}

void ResourceTagKeys(const logs::LogStore& store, const RequestContext& ctx,
                     policy::ContextKeys& keys) {
  Result<std::string> name = GroupName(ctx);
  if (!name.ok()) {
    if (std::string arn = Str(ctx.input, "resourceArn"); !arn.empty())
      name = GroupFromArn(ctx, arn);
    if (!name.ok()) return;
  }
  Result<logs::LogGroup> group = store.GetLogGroup(ScopeOf(ctx), *name);
  if (!group.ok()) return;  // the handler reports it
  for (const auto& [k, v] : group->tags) keys.SetString("aws:ResourceTag/" + k, v);
}

// The account's log groups, arn:aws:logs:<region>:<account>:log-group:*.
std::vector<std::string> AllGroups(const RequestContext& ctx) {
  return {Arn::Logs(ctx.region, ctx.account, "log-group:*").ToString()};
}

// Against the named group's ARN (no ":*"; a tagging call's resourceArn or resourceIdentifier
// when no group is named), with aws:ResourceTag/* from its tags and aws:RequestTag/* +
// aws:TagKeys from `tags_member` when set.
Authorization OnGroup(const logs::LogStore& store, std::string tags_member = "") {
  Authorization auth;
  auth.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    Result<std::string> name = GroupName(ctx);
    if (!name.ok()) {
      std::string arn = Str(ctx.input, "resourceArn");
      if (arn.empty()) arn = Str(ctx.input, "resourceIdentifier");
      if (arn.empty()) return name.status();
      ASSIGN_OR_RETURN(name, GroupFromArn(ctx, arn));
    }
    return std::vector<std::string>{logs::GroupArn(ScopeOf(ctx), *name)};
  };
  auth.context = [&store, tags_member](const RequestContext& ctx, policy::ContextKeys& keys) {
    RequestTagKeys(ctx, tags_member, keys);
    ResourceTagKeys(store, ctx, keys);
  };
  return auth;
}

// Against the stream's ARN (…:log-group:<g>:log-stream:<s>), with the group's aws:ResourceTag/*.
Authorization OnStream(const logs::LogStore& store) {
  Authorization auth;
  auth.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(std::string group, GroupName(ctx));
    std::string stream = Str(ctx.input, "logStreamName");
    return std::vector<std::string>{logs::StreamArn(ScopeOf(ctx), group, stream)};
  };
  auth.context = [&store](const RequestContext& ctx, policy::ContextKeys& keys) {
    ResourceTagKeys(store, ctx, keys);
  };
  return auth;
}

// Against the account's log-group:* ARN.
Authorization OnAllGroups() {
  Authorization auth;
  auth.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    return AllGroups(ctx);
  };
  return auth;
}

// Against "*" (account-level resource policies, TestMetricFilter).
Authorization OnAccount() { return Authorization{}; }

// DescribeMetricFilters names a group only optionally; without one it is account-wide.
Authorization OnGroupOrAllGroups(const logs::LogStore& store) {
  Authorization auth = OnGroup(store);
  auth.resources =
      [on_group = auth.resources](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    if (Str(ctx.input, "logGroupName").empty()) return AllGroups(ctx);
    return on_group(ctx);
  };
  return auth;
}

}  // namespace

// readOnly (Access) and the event category are what CloudTrail records: Get/List/Describe/Test
// and FilterLogEvents only read; PutLogEvents, GetLogEvents and FilterLogEvents are data events.
std::vector<api::Operation> LogsService::Operations() const {
  return {
      // --- log groups, retention, KMS association (groups.cc) ---
      {"logs", "CreateLogGroup", "logs:CreateLogGroup", Access::kWrite, EventCategory::kManagement,
       Handler(this, &LogsService::CreateLogGroup), OnGroup(store_, "tags")},
      {"logs", "DeleteLogGroup", "logs:DeleteLogGroup", Access::kWrite, EventCategory::kManagement,
       Handler(this, &LogsService::DeleteLogGroup), OnGroup(store_)},
      {"logs", "DescribeLogGroups", "logs:DescribeLogGroups", Access::kRead,
       EventCategory::kManagement, Handler(this, &LogsService::DescribeLogGroups), OnAllGroups()},
      {"logs", "PutRetentionPolicy", "logs:PutRetentionPolicy", Access::kWrite,
       EventCategory::kManagement, Handler(this, &LogsService::PutRetentionPolicy),
       OnGroup(store_)},
      {"logs", "DeleteRetentionPolicy", "logs:DeleteRetentionPolicy", Access::kWrite,
       EventCategory::kManagement, Handler(this, &LogsService::DeleteRetentionPolicy),
       OnGroup(store_)},
      {"logs", "AssociateKmsKey", "logs:AssociateKmsKey", Access::kWrite,
       EventCategory::kManagement, Handler(this, &LogsService::AssociateKmsKey), OnGroup(store_)},
      {"logs", "DisassociateKmsKey", "logs:DisassociateKmsKey", Access::kWrite,
       EventCategory::kManagement, Handler(this, &LogsService::DisassociateKmsKey),
       OnGroup(store_)},
      // --- tags (tags.cc) ---
      {"logs", "TagResource", "logs:TagResource", Access::kWrite, EventCategory::kManagement,
       Handler(this, &LogsService::TagResource), OnGroup(store_, "tags")},
      {"logs", "UntagResource", "logs:UntagResource", Access::kWrite, EventCategory::kManagement,
       Handler(this, &LogsService::UntagResource), OnGroup(store_, "tagKeys")},
      {"logs", "ListTagsForResource", "logs:ListTagsForResource", Access::kRead,
       EventCategory::kManagement, Handler(this, &LogsService::ListTagsForResource),
       OnGroup(store_)},
      {"logs", "TagLogGroup", "logs:TagLogGroup", Access::kWrite, EventCategory::kManagement,
       Handler(this, &LogsService::TagLogGroup), OnGroup(store_, "tags")},
      {"logs", "UntagLogGroup", "logs:UntagLogGroup", Access::kWrite, EventCategory::kManagement,
       Handler(this, &LogsService::UntagLogGroup), OnGroup(store_, "tags")},
      {"logs", "ListTagsLogGroup", "logs:ListTagsLogGroup", Access::kRead,
       EventCategory::kManagement, Handler(this, &LogsService::ListTagsLogGroup), OnGroup(store_)},
      // --- log streams (streams.cc) ---
      {"logs", "CreateLogStream", "logs:CreateLogStream", Access::kWrite,
       EventCategory::kManagement, Handler(this, &LogsService::CreateLogStream), OnStream(store_)},
      {"logs", "DeleteLogStream", "logs:DeleteLogStream", Access::kWrite,
       EventCategory::kManagement, Handler(this, &LogsService::DeleteLogStream), OnStream(store_)},
      {"logs", "DescribeLogStreams", "logs:DescribeLogStreams", Access::kRead,
       EventCategory::kManagement, Handler(this, &LogsService::DescribeLogStreams),
       OnGroup(store_)},
      // --- events, the data plane (events.cc) ---
      {"logs", "PutLogEvents", "logs:PutLogEvents", Access::kWrite, EventCategory::kData,
       Handler(this, &LogsService::PutLogEvents), OnStream(store_)},
      {"logs", "GetLogEvents", "logs:GetLogEvents", Access::kRead, EventCategory::kData,
       Handler(this, &LogsService::GetLogEvents), OnStream(store_)},
      {"logs", "FilterLogEvents", "logs:FilterLogEvents", Access::kRead, EventCategory::kData,
       Handler(this, &LogsService::FilterLogEvents), OnGroup(store_)},
      // --- metric filters (metric_filters.cc) ---
      {"logs", "PutMetricFilter", "logs:PutMetricFilter", Access::kWrite,
       EventCategory::kManagement, Handler(this, &LogsService::PutMetricFilter), OnGroup(store_)},
      {"logs", "DeleteMetricFilter", "logs:DeleteMetricFilter", Access::kWrite,
       EventCategory::kManagement, Handler(this, &LogsService::DeleteMetricFilter),
       OnGroup(store_)},
      {"logs", "DescribeMetricFilters", "logs:DescribeMetricFilters", Access::kRead,
       EventCategory::kManagement, Handler(this, &LogsService::DescribeMetricFilters),
       OnGroupOrAllGroups(store_)},
      {"logs", "TestMetricFilter", "logs:TestMetricFilter", Access::kRead,
       EventCategory::kManagement, Handler(this, &LogsService::TestMetricFilter), OnAccount()},
      // --- account resource policies (resource_policies.cc) ---
      {"logs", "PutResourcePolicy", "logs:PutResourcePolicy", Access::kWrite,
       EventCategory::kManagement, Handler(this, &LogsService::PutResourcePolicy), OnAccount()},
      {"logs", "DescribeResourcePolicies", "logs:DescribeResourcePolicies", Access::kRead,
       EventCategory::kManagement, Handler(this, &LogsService::DescribeResourcePolicies),
       OnAccount()},
      {"logs", "DeleteResourcePolicy", "logs:DeleteResourcePolicy", Access::kWrite,
       EventCategory::kManagement, Handler(this, &LogsService::DeleteResourcePolicy), OnAccount()},
  };
}

}  // namespace kiroku::services
