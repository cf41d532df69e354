// CloudWatch Logs data plane: PutLogEvents, GetLogEvents (tokens "f/<ts>/<eid>" and
// "b/<ts>/<eid>") and FilterLogEvents (token: base64 of "p/<ts>/<eid>").
#include <charconv>

#include "common/encoding.h"
#include "services/logs/logs_service.h"
#include "services/logs/logs_service_internal.h"

namespace kiroku::services {
using api::RequestContext;
using namespace logs_internal;  // NOLINT: the helpers of this service

namespace {

// Event ids: 20 digits of the eid, zero-padded (AWS's are long decimal strings).
std::string EventId(uint64_t eid) {
  std::string digits = std::to_string(eid);
  return std::string(20 - std::min<size_t>(20, digits.size()), '0') + digits;
}

// "<ts>/<eid>": a position in (timestamp, eid) order.
std::string PositionText(const logs::Position& p) {
  return std::to_string(p.timestamp) + "/" + std::to_string(p.eid);
}

std::optional<logs::Position> ParsePosition(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  logs::Position p;
  auto a = std::from_chars(text.data(), text.data() + slash, p.timestamp);
  auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), p.eid);
  if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() ||
      b.ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return p;
}

Result<int> EventLimit(const json::object& in) {
  std::optional<int64_t> limit = Int(in, "limit");
  if (!limit) return logs::kMaxEventsPerPage;
  if (*limit < 1 || *limit > logs::kMaxEventsPerPage) {
    return InvalidParameter("1 validation error detected: Value '" + std::to_string(*limit) +
                            "' at 'limit' failed to satisfy constraint: Member must have value "
                            "between 1 and 10000");
  }
  return static_cast<int>(*limit);
}

}  // namespace

Result<json::value> LogsService::PutLogEvents(RequestContext& ctx) const {
  std::string group = Str(ctx.input, "logGroupName");
  std::string stream = Str(ctx.input, "logStreamName");
  const json::value* list = ctx.input.if_contains("logEvents");
  if (list == nullptr || !list->is_array()) {
    return InvalidParameter(
        "1 validation error detected: Value null at 'logEvents' failed to "
        "satisfy constraint: Member must not be null");
  }
  std::vector<logs::InputEvent> events;
  events.reserve(list->as_array().size());
  for (const json::value& v : list->as_array()) {
    const json::object* o = v.if_object();
    const json::value* ts = o ? o->if_contains("timestamp") : nullptr;
    const json::value* msg = o ? o->if_contains("message") : nullptr;
    if (ts == nullptr || !ts->is_number() || msg == nullptr || !msg->is_string()) {
      return InvalidParameter(
          "1 validation error detected: each log event needs a timestamp "
          "and a message");
    }
    const json::string& s = msg->as_string();
    events.push_back(
        logs::InputEvent{ts->to_number<int64_t>(), std::string_view(s.data(), s.size())});
  }
  ASSIGN_OR_RETURN(logs::PutResult r, store_.PutLogEvents(ScopeOf(ctx), group, stream, events));
  json::object out;
  if (r.too_new_start || r.too_old_end || r.expired_end) {
    json::object info;
    if (r.too_new_start) info["tooNewLogEventStartIndex"] = *r.too_new_start;
    if (r.too_old_end) info["tooOldLogEventEndIndex"] = *r.too_old_end;
    if (r.expired_end) info["expiredLogEventEndIndex"] = *r.expired_end;
    out["rejectedLogEventsInfo"] = std::move(info);
  }
  return json::value(std::move(out));
}

Result<json::value> LogsService::GetLogEvents(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string group, GroupName(ctx));
  std::string stream = Str(ctx.input, "logStreamName");
  logs::GetQuery query;
  query.start_time = Int(ctx.input, "startTime");
  query.end_time = Int(ctx.input, "endTime");
  ASSIGN_OR_RETURN(query.limit, EventLimit(ctx.input));
  query.forward = Bool(ctx.input, "startFromHead").value_or(false);
  if (std::string token = Str(ctx.input, "nextToken"); !token.empty()) {
    if (token.size() < 3 || (token[0] != 'f' && token[0] != 'b') || token[1] != '/') {
      return InvalidToken();
    }
    query.forward = token[0] == 'f';
    query.from = ParsePosition(std::string_view(token).substr(2));
    if (!query.from) return InvalidToken();
  }
  ASSIGN_OR_RETURN(logs::GetResult r, store_.GetLogEvents(ScopeOf(ctx), group, stream, query));
  json::array events;
  for (const logs::OutputEvent& e : r.events) {
    events.push_back(json::object{
        {"timestamp", e.timestamp}, {"message", e.message}, {"ingestionTime", e.ingestion_time}});
  }
  return json::value{{"events", std::move(events)},
                     {"nextForwardToken", "f/" + PositionText(r.forward)},
                     {"nextBackwardToken", "b/" + PositionText(r.backward)}};
}

Result<json::value> LogsService::FilterLogEvents(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string group, GroupName(ctx));
  logs::FilterQuery query;
  query.pattern = Str(ctx.input, "filterPattern");
  query.stream_names = StrList(ctx.input, "logStreamNames");
  query.stream_prefix = Str(ctx.input, "logStreamNamePrefix");
  if (ctx.input.contains("logStreamNames") && ctx.input.contains("logStreamNamePrefix")) {
    return InvalidParameter(
        "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  }
  if (ctx.input.contains("logStreamNames") &&
      (query.stream_names.empty() || query.stream_names.size() > 100)) {
    return InvalidParameter(
        "1 validation error detected: Value at 'logStreamNames' failed to "
        "satisfy constraint: Member must have length between 1 and 100");
  }
  query.start_time = Int(ctx.input, "startTime");
  query.end_time = Int(ctx.input, "endTime");
  ASSIGN_OR_RETURN(query.limit, EventLimit(ctx.input));
  if (std::string token = Str(ctx.input, "nextToken"); !token.empty()) {
    auto decoded = Base64Decode(token);
    if (!decoded || !decoded->starts_with("p/")) return InvalidToken();
    query.after = ParsePosition(std::string_view(*decoded).substr(2));
    if (!query.after) return InvalidToken();
  }
  ASSIGN_OR_RETURN(logs::FilterResult r, store_.FilterLogEvents(ScopeOf(ctx), group, query));
  json::array events;
  for (const logs::OutputEvent& e : r.events) {
    events.push_back(json::object{{"logStreamName", e.stream},
                                  {"timestamp", e.timestamp},
                                  {"message", e.message},
                                  {"ingestionTime", e.ingestion_time},
                                  {"eventId", EventId(e.eid)}});
  }
  json::object out{{"events", std::move(events)}, {"searchedLogStreams", json::array()}};
  if (r.next) out["nextToken"] = Base64Encode("p/" + PositionText(*r.next));
  return json::value(std::move(out));
}

}  // namespace kiroku::services
