// Log streams: create, delete, describe (by name or by last event time, paged by offset).
#include <stdexcept>

#include "common/encoding.h"
#include "services/logs/logs_service.h"
#include "services/logs/logs_service_internal.h"

namespace kiroku::services {
using api::RequestContext;
using namespace logs_internal;  // NOLINT: the helpers of this service

Result<json::value> LogsService::CreateLogStream(RequestContext& ctx) const {
  std::string group = Str(ctx.input, "logGroupName");
  std::string stream = Str(ctx.input, "logStreamName");
  RETURN_IF_ERROR(store_.CreateLogStream(ScopeOf(ctx), group, stream));
  return json::value(json::object());
}

Result<json::value> LogsService::DeleteLogStream(RequestContext& ctx) const {
  std::string group = Str(ctx.input, "logGroupName");
  std::string stream = Str(ctx.input, "logStreamName");
  RETURN_IF_ERROR(store_.DeleteLogStream(ScopeOf(ctx), group, stream));
  return json::value(json::object());
}

Result<json::value> LogsService::DescribeLogStreams(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string group, GroupName(ctx));
  logs::StreamQuery query;
  query.prefix = Str(ctx.input, "logStreamNamePrefix");
  std::string order = Str(ctx.input, "orderBy");
  if (order == "LastEventTime") {
    query.order = logs::StreamOrder::kLastEventTime;
    if (!query.prefix.empty()) {
      return InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
  } else if (!order.empty() && order != "LogStreamName") {
    return InvalidParameter("1 validation error detected: Value '" + order +
                            "' at 'orderBy' "
                            "failed to satisfy constraint: Member must satisfy enum value set: "
                            "[LastEventTime, LogStreamName]");
  }
  query.descending = Bool(ctx.input, "descending").value_or(false);
  ASSIGN_OR_RETURN(query.limit, Limit(ctx.input, 50, 50));
  if (std::string token = Str(ctx.input, "nextToken"); !token.empty()) {
    auto decoded = Base64Decode(token);
    try {
      if (!decoded || !decoded->starts_with("o/")) throw std::invalid_argument("token");
      query.offset = std::stoull(decoded->substr(2));
    } catch (const std::exception&) {
      return InvalidToken();
    }
  }
  ASSIGN_OR_RETURN(logs::StreamPage page, store_.DescribeLogStreams(ScopeOf(ctx), group, query));
  json::array streams;
  for (const logs::LogStream& s : page.streams) {
    json::object o{{"logStreamName", s.name},
                   {"creationTime", s.creation_time},
                   {"arn", logs::StreamArn(ScopeOf(ctx), group, s.name)},
                   {"storedBytes", 0}};
    if (s.first_event_timestamp) o["firstEventTimestamp"] = *s.first_event_timestamp;
    if (s.last_event_timestamp) o["lastEventTimestamp"] = *s.last_event_timestamp;
    if (s.last_ingestion_time) o["lastIngestionTime"] = *s.last_ingestion_time;
    streams.push_back(std::move(o));
  }
  json::object out{{"logStreams", std::move(streams)}};
  if (page.next_offset) out["nextToken"] = Base64Encode("o/" + std::to_string(*page.next_offset));
  return json::value(std::move(out));
}

}  // namespace kiroku::services
