// Log groups: create, delete, describe (by prefix, pattern or identifiers), retention, and the
// association of a KMS key.
#include "common/encoding.h"
#include "services/logs/logs_service.h"
#include "services/logs/logs_service_internal.h"

namespace kiroku::services {
using api::RequestContext;
using namespace logs_internal;  // NOLINT: the helpers of this service

namespace {

json::object GroupJson(const Scope& scope, const logs::LogGroup& g, bool pattern_only) {
  std::string arn = logs::GroupArn(scope, g.name);
  json::object o{{"logGroupName", g.name}, {"creationTime", g.creation_time}, {"arn", arn + ":*"}};
  if (pattern_only) return o;
  if (g.retention_days) o["retentionInDays"] = *g.retention_days;
  o["metricFilterCount"] = g.metric_filter_count;
  o["storedBytes"] = g.stored_bytes;
  if (!g.kms_key_id.empty()) o["kmsKeyId"] = g.kms_key_id;
  o["logGroupClass"] = g.log_group_class;
  o["logGroupArn"] = arn;
  return o;
}

// The group AssociateKmsKey / DisassociateKmsKey act on: logGroupName or resourceIdentifier.
Result<std::string> KmsTarget(const RequestContext& ctx) {
  std::string name = Str(ctx.input, "logGroupName");
  std::string resource = Str(ctx.input, "resourceIdentifier");
  if (name.empty() == resource.empty()) {
    return InvalidParameter("Specify exactly one of logGroupName and resourceIdentifier.");
  }
  if (!name.empty()) return name;
  if (resource.find(":query-result:") != std::string::npos) {
    return InvalidParameter("kiroku does not serve CloudWatch Logs Insights query results.");
  }
  return GroupFromArn(ctx, resource);
}

}  // namespace

Result<json::value> LogsService::CreateLogGroup(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "logGroupName");
  logs::Tags tags = TagMap(ctx.input, "tags");
  RETURN_IF_ERROR(ValidateTags(tags));
  RETURN_IF_ERROR(store_.CreateLogGroup(ScopeOf(ctx), name, Str(ctx.input, "kmsKeyId"), tags,
                                        Str(ctx.input, "logGroupClass")));
  return json::value(json::object());
}

Result<json::value> LogsService::DeleteLogGroup(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "logGroupName");
  RETURN_IF_ERROR(store_.DeleteLogGroup(ScopeOf(ctx), name));
  return json::value(json::object());
}

Result<json::value> LogsService::DescribeLogGroups(RequestContext& ctx) const {
  logs::GroupQuery query;
  query.prefix = Str(ctx.input, "logGroupNamePrefix");
  query.pattern = Str(ctx.input, "logGroupNamePattern");
  if (!query.prefix.empty() && !query.pattern.empty()) {
    return InvalidParameter(
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  }
  for (const std::string& id : StrList(ctx.input, "logGroupIdentifiers")) {
    if (id.starts_with("arn:")) {
      ASSIGN_OR_RETURN(std::string name, GroupFromArn(ctx, id));
      query.names.push_back(name);
    } else {
      query.names.push_back(id);
    }
  }
  if (ctx.input.contains("logGroupIdentifiers") &&
      (!query.prefix.empty() || !query.pattern.empty())) {
    return InvalidParameter(
        "logGroupIdentifiers cannot be combined with a name prefix or pattern.");
  }
  ASSIGN_OR_RETURN(query.limit, Limit(ctx.input, 50, 50));
  if (std::string token = Str(ctx.input, "nextToken"); !token.empty()) {
    auto after = Base64Decode(token);
    if (!after || after->empty()) return InvalidToken();
    query.after = *after;
  }
  ASSIGN_OR_RETURN(logs::GroupPage page, store_.DescribeLogGroups(ScopeOf(ctx), query));
  json::array groups;
  for (const logs::LogGroup& g : page.groups) {
    groups.push_back(GroupJson(ScopeOf(ctx), g, !query.pattern.empty()));
  }
  json::object out{{"logGroups", std::move(groups)}};
  if (page.next) out["nextToken"] = Base64Encode(*page.next);
  return json::value(std::move(out));
}

Result<json::value> LogsService::PutRetentionPolicy(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "logGroupName");
  std::optional<int64_t> days = Int(ctx.input, "retentionInDays");
  if (!days) {
    return InvalidParameter(
        "1 validation error detected: Value null at 'retentionInDays' "
        "failed to satisfy constraint: Member must not be null");
  }
  RETURN_IF_ERROR(store_.PutRetentionPolicy(ScopeOf(ctx), name, static_cast<int>(*days)));
  return json::value(json::object());
}

Result<json::value> LogsService::DeleteRetentionPolicy(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "logGroupName");
  RETURN_IF_ERROR(store_.PutRetentionPolicy(ScopeOf(ctx), name, std::nullopt));
  return json::value(json::object());
}

Result<json::value> LogsService::AssociateKmsKey(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, KmsTarget(ctx));
  std::string key = Str(ctx.input, "kmsKeyId");
  RETURN_IF_ERROR(store_.AssociateKmsKey(ScopeOf(ctx), name, key));
  return json::value(json::object());
}

Result<json::value> LogsService::DisassociateKmsKey(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, KmsTarget(ctx));
  RETURN_IF_ERROR(store_.DisassociateKmsKey(ScopeOf(ctx), name));
  return json::value(json::object());
}

}  // namespace kiroku::services
