// CloudWatch Logs data plane (PutLogEvents, GetLogEvents, FilterLogEvents) and metric filters
// (PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter, TestMetricFilter).
#include <charconv>

#include "api/logs_service_internal.h"
#include "common/encoding.h"
#include "filter/filter_pattern.h"

namespace kiroku::api::logs_internal {
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

Status InvalidToken() { return InvalidParameter("The specified nextToken is invalid."); }

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

Result<logs::MetricTransformation> Transformation(const json::value& v) {
  if (!v.is_object()) return InvalidParameter("metricTransformations must hold objects");
  const json::object& o = v.as_object();
  logs::MetricTransformation t;
  t.metric_name = Str(o, "metricName");
  t.metric_namespace = Str(o, "metricNamespace");
  t.metric_value = Str(o, "metricValue");
  if (const json::value* d = o.if_contains("defaultValue"); d != nullptr && d->is_number()) {
    t.default_value = d->to_number<double>();
  }
  t.dimensions = TagMap(o, "dimensions");
  t.unit = Str(o, "unit");
  return t;
}

json::object FilterJson(const logs::MetricFilter& f) {
  json::array ts;
  for (const logs::MetricTransformation& t : f.transformations) {
    json::object o{{"metricName", t.metric_name},
                   {"metricNamespace", t.metric_namespace},
                   {"metricValue", t.metric_value}};
    if (t.default_value) o["defaultValue"] = *t.default_value;
    if (!t.dimensions.empty()) {
      json::object d;
      for (const auto& [k, v] : t.dimensions) d[k] = v;
      o["dimensions"] = std::move(d);
    }
    if (!t.unit.empty()) o["unit"] = t.unit;
    ts.push_back(std::move(o));
  }
  return json::object{{"filterName", f.filter_name},
                      {"filterPattern", f.filter_pattern},
                      {"metricTransformations", std::move(ts)},
                      {"creationTime", f.creation_time},
                      {"logGroupName", f.log_group_name},
                      {"applyOnTransformedLogs", f.apply_on_transformed_logs}};
}

}  // namespace

void AddLogsEventOperations(OperationTable& table, logs::LogStore& store) {
  table.Add(
      "logs", "PutLogEvents",
      StreamOperation(store, "PutLogEvents", [&store](RequestContext& ctx) -> Result<json::value> {
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
        ASSIGN_OR_RETURN(logs::PutResult r,
                         store.PutLogEvents(ScopeOf(ctx), group, stream, events));
        json::object out;
        if (r.too_new_start || r.too_old_end || r.expired_end) {
          json::object info;
          if (r.too_new_start) info["tooNewLogEventStartIndex"] = *r.too_new_start;
          if (r.too_old_end) info["tooOldLogEventEndIndex"] = *r.too_old_end;
          if (r.expired_end) info["expiredLogEventEndIndex"] = *r.expired_end;
          out["rejectedLogEventsInfo"] = std::move(info);
        }
        return json::value(std::move(out));
      }));

  table.Add(
      "logs", "GetLogEvents",
      StreamOperation(store, "GetLogEvents", [&store](RequestContext& ctx) -> Result<json::value> {
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
        ASSIGN_OR_RETURN(logs::GetResult r, store.GetLogEvents(ScopeOf(ctx), group, stream, query));
        json::array events;
        for (const logs::OutputEvent& e : r.events) {
          events.push_back(json::object{{"timestamp", e.timestamp},
                                        {"message", e.message},
                                        {"ingestionTime", e.ingestion_time}});
        }
        return json::value{{"events", std::move(events)},
                           {"nextForwardToken", "f/" + PositionText(r.forward)},
                           {"nextBackwardToken", "b/" + PositionText(r.backward)}};
      }));

  table.Add(
      "logs", "FilterLogEvents",
      GroupOperation(
          store, "FilterLogEvents", [&store](RequestContext& ctx) -> Result<json::value> {
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
            ASSIGN_OR_RETURN(logs::FilterResult r,
                             store.FilterLogEvents(ScopeOf(ctx), group, query));
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
          }));

  // --- metric filters ---
  table.Add(
      "logs", "PutMetricFilter",
      GroupOperation(
          store, "PutMetricFilter", [&store](RequestContext& ctx) -> Result<json::value> {
            logs::MetricFilter f;
            f.log_group_name = Str(ctx.input, "logGroupName");
            f.filter_name = Str(ctx.input, "filterName");
            f.filter_pattern = Str(ctx.input, "filterPattern");
            if (f.filter_name.empty() || f.filter_name.size() > 512 ||
                f.filter_name.find_first_of(":*") != std::string::npos) {
              return InvalidParameter("1 validation error detected: Value '" + f.filter_name +
                                      "' at 'filterName' failed to satisfy constraint: Member must "
                                      "satisfy regular expression pattern: [^:*]*");
            }
            const json::value* list = ctx.input.if_contains("metricTransformations");
            if (list == nullptr || !list->is_array()) {
              return InvalidParameter(
                  "1 validation error detected: Value null at 'metricTransformations' "
                  "failed to satisfy constraint: Member must not be null");
            }
            for (const json::value& v : list->as_array()) {
              ASSIGN_OR_RETURN(logs::MetricTransformation t, Transformation(v));
              f.transformations.push_back(std::move(t));
            }
            f.apply_on_transformed_logs = Bool(ctx.input, "applyOnTransformedLogs").value_or(false);
            RETURN_IF_ERROR(store.PutMetricFilter(ScopeOf(ctx), f));
            return json::value(json::object());
          }));

  table.Add("logs", "DeleteMetricFilter",
            GroupOperation(
                store, "DeleteMetricFilter", [&store](RequestContext& ctx) -> Result<json::value> {
                  std::string group = Str(ctx.input, "logGroupName");
                  std::string name = Str(ctx.input, "filterName");
                  RETURN_IF_ERROR(store.DeleteMetricFilter(ScopeOf(ctx), group, name));
                  return json::value(json::object());
                }));

  {
    // DescribeMetricFilters names a group only optionally; without one it is account-wide.
    Operation op = GroupOperation(
        store, "DescribeMetricFilters", [&store](RequestContext& ctx) -> Result<json::value> {
          logs::MetricFilterQuery query;
          query.group = Str(ctx.input, "logGroupName");
          query.name_prefix = Str(ctx.input, "filterNamePrefix");
          query.metric_name = Str(ctx.input, "metricName");
          query.metric_namespace = Str(ctx.input, "metricNamespace");
          if (!query.name_prefix.empty() && query.group.empty()) {
            return InvalidParameter("filterNamePrefix requires logGroupName.");
          }
          if (query.metric_name.empty() != query.metric_namespace.empty()) {
            return InvalidParameter("metricName and metricNamespace must be given together.");
          }
          std::optional<int64_t> limit = Int(ctx.input, "limit");
          if (limit && (*limit < 1 || *limit > 50)) {
            return InvalidParameter("1 validation error detected: Value '" +
                                    std::to_string(*limit) +
                                    "' at 'limit' failed to satisfy constraint: Member must have "
                                    "value between 1 and 50");
          }
          query.limit = limit ? static_cast<int>(*limit) : 50;
          if (std::string token = Str(ctx.input, "nextToken"); !token.empty()) {
            auto after = Base64Decode(token);
            if (!after) return InvalidToken();
            query.after = *after;
          }
          ASSIGN_OR_RETURN(auto page, store.DescribeMetricFilters(ScopeOf(ctx), query));
          json::array out;
          for (const logs::MetricFilter& f : page.first) out.push_back(FilterJson(f));
          json::object result{{"metricFilters", std::move(out)}};
          if (page.second) result["nextToken"] = Base64Encode(*page.second);
          return json::value(std::move(result));
        });
    auto group_resources = op.authorization.resources;
    op.authorization.resources =
        [group_resources](const RequestContext& ctx) -> Result<std::vector<std::string>> {
      if (Str(ctx.input, "logGroupName").empty()) {
        return std::vector<std::string>{"arn:aws:logs:" + ctx.region + ":" + ctx.account +
                                        ":log-group:*"};
      }
      return group_resources(ctx);
    };
    table.Add("logs", "DescribeMetricFilters", std::move(op));
  }

  table.Add("logs", "TestMetricFilter",
            AccountOperation("TestMetricFilter", [](RequestContext& ctx) -> Result<json::value> {
              std::string text = Str(ctx.input, "filterPattern");
              std::vector<std::string> messages = StrList(ctx.input, "logEventMessages");
              if (messages.empty() || messages.size() > 50) {
                return InvalidParameter(
                    "1 validation error detected: Value at 'logEventMessages' failed to "
                    "satisfy constraint: Member must have length between 1 and 50");
              }
              ASSIGN_OR_RETURN(filter::FilterPattern pattern, filter::FilterPattern::Compile(text));
              json::array matches;
              for (size_t i = 0; i < messages.size(); ++i) {
                filter::ExtractedValues values;
                if (!pattern.Matches(messages[i], &values)) continue;
                json::object extracted;
                for (const auto& [k, v] : values) extracted[k] = v;
                matches.push_back(json::object{{"eventNumber", static_cast<int64_t>(i + 1)},
                                               {"eventMessage", messages[i]},
                                               {"extractedValues", std::move(extracted)}});
              }
              return json::value{{"matches", std::move(matches)}};
            }));
}

}  // namespace kiroku::api::logs_internal
