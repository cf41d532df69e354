// Tags of log groups: TagResource / UntagResource / ListTagsForResource (by ARN) and the older
// TagLogGroup / UntagLogGroup / ListTagsLogGroup (by name).
#include "services/logs/logs_service.h"
#include "services/logs/logs_service_internal.h"

namespace kiroku::services {
using api::RequestContext;
using namespace logs_internal;  // NOLINT: the helpers of this service

namespace {

json::object TagsJson(const logs::Tags& tags) {
  json::object o;
  for (const auto& [k, v] : tags) o[k] = v;
  return o;
}

// The group a tagging call's resourceArn names (log groups only).
Result<std::string> TaggedGroup(const RequestContext& ctx) {
  std::string arn = Str(ctx.input, "resourceArn");
  if (arn.find(":log-group:") == std::string::npos) {
    return Status::NotFound("The specified resource does not exist.")
        .WithAwsCode("ResourceNotFoundException");
  }
  return GroupFromArn(ctx, arn);
}

}  // namespace

Result<json::value> LogsService::TagResource(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, TaggedGroup(ctx));
  logs::Tags tags = TagMap(ctx.input, "tags");
  RETURN_IF_ERROR(ValidateTags(tags));
  RETURN_IF_ERROR(store_.TagLogGroup(ScopeOf(ctx), name, tags));
  return json::value(json::object());
}

Result<json::value> LogsService::UntagResource(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, TaggedGroup(ctx));
  RETURN_IF_ERROR(store_.UntagLogGroup(ScopeOf(ctx), name, StrList(ctx.input, "tagKeys")));
  return json::value(json::object());
}

Result<json::value> LogsService::ListTagsForResource(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, TaggedGroup(ctx));
  ASSIGN_OR_RETURN(logs::LogGroup g, store_.GetLogGroup(ScopeOf(ctx), name));
  return json::value{{"tags", TagsJson(g.tags)}};
}

Result<json::value> LogsService::TagLogGroup(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "logGroupName");
  logs::Tags tags = TagMap(ctx.input, "tags");
  RETURN_IF_ERROR(ValidateTags(tags));
  RETURN_IF_ERROR(store_.TagLogGroup(ScopeOf(ctx), name, tags));
  return json::value(json::object());
}

Result<json::value> LogsService::UntagLogGroup(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "logGroupName");
  RETURN_IF_ERROR(store_.UntagLogGroup(ScopeOf(ctx), name, StrList(ctx.input, "tags")));
  return json::value(json::object());
}

Result<json::value> LogsService::ListTagsLogGroup(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "logGroupName");
  ASSIGN_OR_RETURN(logs::LogGroup g, store_.GetLogGroup(ScopeOf(ctx), name));
  return json::value{{"tags", TagsJson(g.tags)}};
}

}  // namespace kiroku::services
