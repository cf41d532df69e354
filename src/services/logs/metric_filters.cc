// Metric filters: put, delete, describe (per group or account-wide), and TestMetricFilter,
// which runs a filter pattern over given messages without storing anything.
#include "common/encoding.h"
#include "filter/filter_pattern.h"
#include "services/logs/logs_service.h"
#include "services/logs/logs_service_internal.h"

namespace kiroku::services {
using api::RequestContext;
using namespace logs_internal;  // NOLINT: the helpers of this service

namespace {

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

Result<json::value> LogsService::PutMetricFilter(RequestContext& ctx) const {
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
  RETURN_IF_ERROR(store_.PutMetricFilter(ScopeOf(ctx), f));
  return json::value(json::object());
}

Result<json::value> LogsService::DeleteMetricFilter(RequestContext& ctx) const {
  std::string group = Str(ctx.input, "logGroupName");
  std::string name = Str(ctx.input, "filterName");
  RETURN_IF_ERROR(store_.DeleteMetricFilter(ScopeOf(ctx), group, name));
  return json::value(json::object());
}

Result<json::value> LogsService::DescribeMetricFilters(RequestContext& ctx) const {
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
  ASSIGN_OR_RETURN(query.limit, Limit(ctx.input, 50, 50));
  if (std::string token = Str(ctx.input, "nextToken"); !token.empty()) {
    auto after = Base64Decode(token);
    if (!after) return InvalidToken();
    query.after = *after;
  }
  ASSIGN_OR_RETURN(auto page, store_.DescribeMetricFilters(ScopeOf(ctx), query));
  json::array out;
  for (const logs::MetricFilter& f : page.first) out.push_back(FilterJson(f));
  json::object result{{"metricFilters", std::move(out)}};
  if (page.second) result["nextToken"] = Base64Encode(*page.second);
  return json::value(std::move(result));
}

Result<json::value> LogsService::TestMetricFilter(RequestContext& ctx) const {
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
}

}  // namespace kiroku::services
