#include "api/logs_service.h"
#include "api/json_members.h"

#include "api/logs_service_internal.h"
#include "common/encoding.h"

namespace kiroku::api {
namespace logs_internal {

Status InvalidParameter(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidParameterException");
}

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

Scope ScopeOf(const RequestContext& ctx) { return Scope{ctx.account, ctx.region}; }

Result<std::string> GroupFromArn(const RequestContext& ctx, std::string_view arn) {
  std::string prefix = "arn:aws:logs:" + ctx.region + ":" + ctx.account + ":log-group:";
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

Result<std::string> GroupName(const RequestContext& ctx, std::string_view identifier_member) {
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

namespace {

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

void ResourceTagKeys(logs::LogStore& store, const RequestContext& ctx, policy::ContextKeys& keys) {
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

}  // namespace

Operation GroupOperation(logs::LogStore& store, std::string action, OperationFn handler,
                         std::string tags_member) {
  Operation op;
  op.handler = std::move(handler);
  op.authorization.action = "logs:" + action;
  op.authorization.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    Result<std::string> name = GroupName(ctx);
    if (!name.ok()) {
      std::string arn = Str(ctx.input, "resourceArn");
      if (arn.empty()) arn = Str(ctx.input, "resourceIdentifier");
      if (arn.empty()) return name.status();
      ASSIGN_OR_RETURN(name, GroupFromArn(ctx, arn));
    }
    return std::vector<std::string>{logs::GroupArn(ScopeOf(ctx), *name)};
  };
  op.authorization.context = [&store, tags_member](const RequestContext& ctx,
                                                   policy::ContextKeys& keys) {
    RequestTagKeys(ctx, tags_member, keys);
    ResourceTagKeys(store, ctx, keys);
  };
  return op;
}

Operation StreamOperation(logs::LogStore& store, std::string action, OperationFn handler) {
  Operation op;
  op.handler = std::move(handler);
  op.authorization.action = "logs:" + action;
  op.authorization.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(std::string group, GroupName(ctx));
    std::string stream = Str(ctx.input, "logStreamName");
    return std::vector<std::string>{logs::StreamArn(ScopeOf(ctx), group, stream)};
  };
  op.authorization.context = [&store](const RequestContext& ctx, policy::ContextKeys& keys) {
    ResourceTagKeys(store, ctx, keys);
  };
  return op;
}

Operation AccountOperation(std::string action, OperationFn handler, bool log_groups) {
  Operation op;
  op.handler = std::move(handler);
  op.authorization.action = "logs:" + action;
  if (log_groups) {
    op.authorization.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
      return std::vector<std::string>{"arn:aws:logs:" + ctx.region + ":" + ctx.account +
                                      ":log-group:*"};
    };
  }
  return op;
}

}  // namespace logs_internal

using namespace logs_internal;  // NOLINT: this file defines the logs handlers

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

json::object TagsJson(const logs::Tags& tags) {
  json::object o;
  for (const auto& [k, v] : tags) o[k] = v;
  return o;
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

void AddLogsOperations(OperationTable& table, logs::LogStore& store) {
  // --- log groups ---
  table.Add(
      "logs", "CreateLogGroup",
      GroupOperation(
          store, "CreateLogGroup",
          [&store](RequestContext& ctx) -> Result<json::value> {
            std::string name = Str(ctx.input, "logGroupName");
            logs::Tags tags = TagMap(ctx.input, "tags");
            RETURN_IF_ERROR(ValidateTags(tags));
            RETURN_IF_ERROR(store.CreateLogGroup(ScopeOf(ctx), name, Str(ctx.input, "kmsKeyId"),
                                                 tags, Str(ctx.input, "logGroupClass")));
            return json::value(json::object());
          },
          "tags"));

  table.Add(
      "logs", "DeleteLogGroup",
      GroupOperation(store, "DeleteLogGroup", [&store](RequestContext& ctx) -> Result<json::value> {
        std::string name = Str(ctx.input, "logGroupName");
        RETURN_IF_ERROR(store.DeleteLogGroup(ScopeOf(ctx), name));
        return json::value(json::object());
      }));

  table.Add("logs", "DescribeLogGroups",
            AccountOperation(
                "DescribeLogGroups",
                [&store](RequestContext& ctx) -> Result<json::value> {
                  logs::GroupQuery query;
                  query.prefix = Str(ctx.input, "logGroupNamePrefix");
                  query.pattern = Str(ctx.input, "logGroupNamePattern");
                  if (!query.prefix.empty() && !query.pattern.empty()) {
                    return InvalidParameter(
                        "LogGroup name prefix and LogGroup name pattern are mutually exclusive "
                        "parameters.");
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
                    if (!after || after->empty())
                      return InvalidParameter("The specified nextToken is invalid.");
                    query.after = *after;
                  }
                  ASSIGN_OR_RETURN(logs::GroupPage page,
                                   store.DescribeLogGroups(ScopeOf(ctx), query));
                  json::array groups;
                  for (const logs::LogGroup& g : page.groups) {
                    groups.push_back(GroupJson(ScopeOf(ctx), g, !query.pattern.empty()));
                  }
                  json::object out{{"logGroups", std::move(groups)}};
                  if (page.next) out["nextToken"] = Base64Encode(*page.next);
                  return json::value(std::move(out));
                },
                /*log_groups=*/true));

  table.Add(
      "logs", "PutRetentionPolicy",
      GroupOperation(
          store, "PutRetentionPolicy", [&store](RequestContext& ctx) -> Result<json::value> {
            std::string name = Str(ctx.input, "logGroupName");
            std::optional<int64_t> days = Int(ctx.input, "retentionInDays");
            if (!days) {
              return InvalidParameter(
                  "1 validation error detected: Value null at 'retentionInDays' "
                  "failed to satisfy constraint: Member must not be null");
            }
            RETURN_IF_ERROR(store.PutRetentionPolicy(ScopeOf(ctx), name, static_cast<int>(*days)));
            return json::value(json::object());
          }));

  table.Add(
      "logs", "DeleteRetentionPolicy",
      GroupOperation(store, "DeleteRetentionPolicy",
                     [&store](RequestContext& ctx) -> Result<json::value> {
                       std::string name = Str(ctx.input, "logGroupName");
                       RETURN_IF_ERROR(store.PutRetentionPolicy(ScopeOf(ctx), name, std::nullopt));
                       return json::value(json::object());
                     }));

  // --- KMS association ---
  auto kms_target = [](const RequestContext& ctx) -> Result<std::string> {
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
  };
  table.Add("logs", "AssociateKmsKey",
            GroupOperation(store, "AssociateKmsKey",
                           [&store, kms_target](RequestContext& ctx) -> Result<json::value> {
                             ASSIGN_OR_RETURN(std::string name, kms_target(ctx));
                             std::string key = Str(ctx.input, "kmsKeyId");
                             RETURN_IF_ERROR(store.AssociateKmsKey(ScopeOf(ctx), name, key));
                             return json::value(json::object());
                           }));
  table.Add("logs", "DisassociateKmsKey",
            GroupOperation(store, "DisassociateKmsKey",
                           [&store, kms_target](RequestContext& ctx) -> Result<json::value> {
                             ASSIGN_OR_RETURN(std::string name, kms_target(ctx));
                             RETURN_IF_ERROR(store.DisassociateKmsKey(ScopeOf(ctx), name));
                             return json::value(json::object());
                           }));

  // --- tags ---
  table.Add("logs", "TagResource",
            GroupOperation(
                store, "TagResource",
                [&store](RequestContext& ctx) -> Result<json::value> {
                  ASSIGN_OR_RETURN(std::string name, TaggedGroup(ctx));
                  logs::Tags tags = TagMap(ctx.input, "tags");
                  RETURN_IF_ERROR(ValidateTags(tags));
                  RETURN_IF_ERROR(store.TagLogGroup(ScopeOf(ctx), name, tags));
                  return json::value(json::object());
                },
                "tags"));
  table.Add(
      "logs", "UntagResource",
      GroupOperation(
          store, "UntagResource",
          [&store](RequestContext& ctx) -> Result<json::value> {
            ASSIGN_OR_RETURN(std::string name, TaggedGroup(ctx));
            RETURN_IF_ERROR(store.UntagLogGroup(ScopeOf(ctx), name, StrList(ctx.input, "tagKeys")));
            return json::value(json::object());
          },
          "tagKeys"));
  table.Add("logs", "ListTagsForResource",
            GroupOperation(
                store, "ListTagsForResource", [&store](RequestContext& ctx) -> Result<json::value> {
                  ASSIGN_OR_RETURN(std::string name, TaggedGroup(ctx));
                  ASSIGN_OR_RETURN(logs::LogGroup g, store.GetLogGroup(ScopeOf(ctx), name));
                  return json::value{{"tags", TagsJson(g.tags)}};
                }));
  table.Add("logs", "TagLogGroup",
            GroupOperation(
                store, "TagLogGroup",
                [&store](RequestContext& ctx) -> Result<json::value> {
                  std::string name = Str(ctx.input, "logGroupName");
                  logs::Tags tags = TagMap(ctx.input, "tags");
                  RETURN_IF_ERROR(ValidateTags(tags));
                  RETURN_IF_ERROR(store.TagLogGroup(ScopeOf(ctx), name, tags));
                  return json::value(json::object());
                },
                "tags"));
  table.Add(
      "logs", "UntagLogGroup",
      GroupOperation(
          store, "UntagLogGroup",
          [&store](RequestContext& ctx) -> Result<json::value> {
            std::string name = Str(ctx.input, "logGroupName");
            RETURN_IF_ERROR(store.UntagLogGroup(ScopeOf(ctx), name, StrList(ctx.input, "tags")));
            return json::value(json::object());
          },
          "tags"));
  table.Add("logs", "ListTagsLogGroup",
            GroupOperation(
                store, "ListTagsLogGroup", [&store](RequestContext& ctx) -> Result<json::value> {
                  std::string name = Str(ctx.input, "logGroupName");
                  ASSIGN_OR_RETURN(logs::LogGroup g, store.GetLogGroup(ScopeOf(ctx), name));
                  return json::value{{"tags", TagsJson(g.tags)}};
                }));

  // --- streams ---
  table.Add("logs", "CreateLogStream",
            StreamOperation(
                store, "CreateLogStream", [&store](RequestContext& ctx) -> Result<json::value> {
                  std::string group = Str(ctx.input, "logGroupName");
                  std::string stream = Str(ctx.input, "logStreamName");
                  RETURN_IF_ERROR(store.CreateLogStream(ScopeOf(ctx), group, stream));
                  return json::value(json::object());
                }));
  table.Add("logs", "DeleteLogStream",
            StreamOperation(
                store, "DeleteLogStream", [&store](RequestContext& ctx) -> Result<json::value> {
                  std::string group = Str(ctx.input, "logGroupName");
                  std::string stream = Str(ctx.input, "logStreamName");
                  RETURN_IF_ERROR(store.DeleteLogStream(ScopeOf(ctx), group, stream));
                  return json::value(json::object());
                }));
  table.Add("logs", "DescribeLogStreams",
            GroupOperation(
                store, "DescribeLogStreams", [&store](RequestContext& ctx) -> Result<json::value> {
                  ASSIGN_OR_RETURN(std::string group, GroupName(ctx));
                  logs::StreamQuery query;
                  query.prefix = Str(ctx.input, "logStreamNamePrefix");
                  std::string order = Str(ctx.input, "orderBy");
                  if (order == "LastEventTime") {
                    query.order = logs::StreamOrder::kLastEventTime;
                    if (!query.prefix.empty()) {
                      return InvalidParameter(
                          "Cannot order by LastEventTime with a logStreamNamePrefix.");
                    }
                  } else if (!order.empty() && order != "LogStreamName") {
                    return InvalidParameter(
                        "1 validation error detected: Value '" + order +
                        "' at 'orderBy' "
                        "failed to satisfy constraint: Member must satisfy enum value set: "
                        "[LastEventTime, LogStreamName]");
                  }
                  query.descending = Bool(ctx.input, "descending").value_or(false);
                  ASSIGN_OR_RETURN(query.limit, Limit(ctx.input, 50, 50));
                  if (std::string token = Str(ctx.input, "nextToken"); !token.empty()) {
                    auto decoded = Base64Decode(token);
                    try {
                      if (!decoded || !decoded->starts_with("o/"))
                        throw std::invalid_argument("token");
                      query.offset = std::stoull(decoded->substr(2));
                    } catch (const std::exception&) {
                      return InvalidParameter("The specified nextToken is invalid.");
                    }
                  }
                  ASSIGN_OR_RETURN(logs::StreamPage page,
                                   store.DescribeLogStreams(ScopeOf(ctx), group, query));
                  json::array streams;
                  for (const logs::LogStream& s : page.streams) {
                    json::object o{{"logStreamName", s.name},
                                   {"creationTime", s.creation_time},
                                   {"arn", logs::StreamArn(ScopeOf(ctx), group, s.name)},
                                   {"storedBytes", 0}};
                    if (s.first_event_timestamp)
                      o["firstEventTimestamp"] = *s.first_event_timestamp;
                    if (s.last_event_timestamp) o["lastEventTimestamp"] = *s.last_event_timestamp;
                    if (s.last_ingestion_time) o["lastIngestionTime"] = *s.last_ingestion_time;
                    streams.push_back(std::move(o));
                  }
                  json::object out{{"logStreams", std::move(streams)}};
                  if (page.next_offset)
                    out["nextToken"] = Base64Encode("o/" + std::to_string(*page.next_offset));
                  return json::value(std::move(out));
                }));

  // --- resource policies (account level) ---
  table.Add(
      "logs", "PutResourcePolicy",
      AccountOperation("PutResourcePolicy", [&store](RequestContext& ctx) -> Result<json::value> {
        ASSIGN_OR_RETURN(std::string name, Required(ctx.input, "policyName"));
        ASSIGN_OR_RETURN(std::string document, Required(ctx.input, "policyDocument"));
        if (!Str(ctx.input, "resourceArn").empty()) {
          return InvalidParameter(
              "kiroku serves account-level resource policies only (no resourceArn).");
        }
        ASSIGN_OR_RETURN(logs::ResourcePolicy p,
                         store.PutResourcePolicy(ScopeOf(ctx), name, document));
        return json::value{{"resourcePolicy", json::object{{"policyName", p.name},
                                                           {"policyDocument", p.document},
                                                           {"lastUpdatedTime", p.last_updated_time},
                                                           {"policyScope", "ACCOUNT"}}}};
      }));
  table.Add("logs", "DescribeResourcePolicies",
            AccountOperation(
                "DescribeResourcePolicies", [&store](RequestContext& ctx) -> Result<json::value> {
                  ASSIGN_OR_RETURN(std::vector<logs::ResourcePolicy> all,
                                   store.DescribeResourcePolicies(ScopeOf(ctx)));
                  json::array out;
                  for (const logs::ResourcePolicy& p : all) {
                    out.push_back(json::object{{"policyName", p.name},
                                               {"policyDocument", p.document},
                                               {"lastUpdatedTime", p.last_updated_time},
                                               {"policyScope", "ACCOUNT"}});
                  }
                  return json::value{{"resourcePolicies", std::move(out)}};
                }));
  table.Add("logs", "DeleteResourcePolicy",
            AccountOperation(
                "DeleteResourcePolicy", [&store](RequestContext& ctx) -> Result<json::value> {
                  ASSIGN_OR_RETURN(std::string name, Required(ctx.input, "policyName"));
                  RETURN_IF_ERROR(store.DeleteResourcePolicy(ScopeOf(ctx), name));
                  return json::value(json::object());
                }));

  AddLogsEventOperations(table, store);
}

}  // namespace kiroku::api
