// Metric filters: put (pattern, transformation and per-group limits checked), delete, describe.
#include <boost/json.hpp>
#include <cstdlib>

#include "filter/filter_pattern.h"
#include "logs/log_store.h"
#include "logs/log_store_internal.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::logs {
namespace json = boost::json;
using namespace internal;  // NOLINT: logs' own record helpers

// --- metric filters -------------------------------------------------------------------------

namespace {

json::object FilterJson(const MetricFilter& f) {
  json::array ts;
  for (const MetricTransformation& t : f.transformations) {
    json::object o{{"metricName", t.metric_name},
                   {"metricNamespace", t.metric_namespace},
                   {"metricValue", t.metric_value}};
    if (t.default_value) o["defaultValue"] = *t.default_value;
    if (!t.dimensions.empty()) o["dimensions"] = TagsJson(t.dimensions);
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

MetricFilter FilterFromJson(const json::object& o) {
  MetricFilter f;
  f.filter_name = S(o, "filterName");
  f.filter_pattern = S(o, "filterPattern");
  f.creation_time = I(o, "creationTime");
  f.log_group_name = S(o, "logGroupName");
  if (const json::value* v = o.if_contains("applyOnTransformedLogs"); v && v->is_bool()) {
    f.apply_on_transformed_logs = v->as_bool();
  }
  if (const json::value* v = o.if_contains("metricTransformations"); v && v->is_array()) {
    for (const json::value& tv : v->as_array()) {
      if (!tv.is_object()) continue;
      const json::object& t = tv.as_object();
      MetricTransformation m;
      m.metric_name = S(t, "metricName");
      m.metric_namespace = S(t, "metricNamespace");
      m.metric_value = S(t, "metricValue");
      if (const json::value* d = t.if_contains("defaultValue"); d && d->is_number()) {
        m.default_value = d->to_number<double>();
      }
      m.dimensions = TagsOf(t.if_contains("dimensions"));
      m.unit = S(t, "unit");
      f.transformations.push_back(std::move(m));
    }
  }
  return f;
}

}  // namespace

Status LogStore::PutMetricFilter(const Scope& scope, const MetricFilter& input) {
  ASSIGN_OR_RETURN(filter::FilterPattern compiled,
                   filter::FilterPattern::Compile(input.filter_pattern));
  if (input.transformations.size() != 1) {
    return InvalidParameter(
        "1 validation error detected: Value at 'metricTransformations' failed "
        "to satisfy constraint: Member must have length less than or equal to 1");
  }
  for (const MetricTransformation& t : input.transformations) {
    if (!t.dimensions.empty() && !compiled.supports_dimensions()) {
      return InvalidParameter(
          "Dimensions are supported only for JSON and space-delimited filter patterns.");
    }
    if (t.dimensions.size() > 3)
      return InvalidParameter("A metric filter can have at most 3 dimensions.");
    if (t.default_value && !t.dimensions.empty()) {
      return InvalidParameter("A metric filter with dimensions cannot have a default value.");
    }
    const std::string& v = t.metric_value;
    if (v.starts_with("$")) {
      if (Result<std::optional<std::string>> probe = compiled.ExtractValue("", v); !probe.ok()) {
        return InvalidParameter("Invalid metric value: " + v);
      }
    } else {
      char* endp = nullptr;
      std::strtod(v.c_str(), &endp);
      if (v.empty() || endp == nullptr || *endp != '\0') {
        return InvalidParameter("Invalid metric value: " + v);
      }
    }
  }
  ASSIGN_OR_RETURN(GroupRecord r, ReadGroup(scope, input.log_group_name));
  std::string key = FilterKey(scope, input.log_group_name, input.filter_name);
  ASSIGN_OR_RETURN(std::optional<std::string> existing, db_.Get(kMeta, key));
  int count = 0;
  int regexes = compiled.has_regex() ? 1 : 0;
  RETURN_IF_ERROR(db_.Scan(kMeta, store::Range::Prefix(FiltersPrefix(scope, input.log_group_name)),
                           [&](std::string_view k, std::string_view v) {
                             if (k == key) return true;
                             ++count;
                             if (auto o = store::ReadJsonRecord(v, "metric filter"); o.ok()) {
                               auto p = filter::FilterPattern::Compile(S(*o, "filterPattern"));
                               if (p.ok() && p->has_regex()) ++regexes;
                             }
                             return true;
                           }));
  if (count >= kMaxMetricFiltersPerGroup) {
    return Status::LimitExceeded("Resource limit exceeded.").WithAwsCode("LimitExceededException");
  }
  if (regexes > filter::kMaxRegexPatternsPerLogGroup) {
    return Status::LimitExceeded(
               "A log group can have at most 5 filter patterns with regular expressions.")
        .WithAwsCode("LimitExceededException");
  }
  MetricFilter f = input;
  f.creation_time = clock_.NowMillis();
  if (existing) {
    if (auto o = store::ReadJsonRecord(*existing, "metric filter"); o.ok()) {
      f.creation_time = I(*o, "creationTime");
    }
  }
  (void)r;
  return db_.Put(kMeta, key, json::serialize(FilterJson(f)));
}

Status LogStore::DeleteMetricFilter(const Scope& scope, std::string_view group,
                                    std::string_view name) {
  RETURN_IF_ERROR(ReadGroup(scope, group).status());
  std::string key = FilterKey(scope, group, name);
  ASSIGN_OR_RETURN(std::optional<std::string> existing, db_.Get(kMeta, key));
  if (!existing) {
    return Status::NotFound("The specified metric filter does not exist.")
        .WithAwsCode("ResourceNotFoundException");
  }
  return db_.Delete(kMeta, key);
}

Result<std::pair<std::vector<MetricFilter>, std::optional<std::string>>>
LogStore::DescribeMetricFilters(const Scope& scope, const MetricFilterQuery& query) const {
  if (!query.group.empty()) RETURN_IF_ERROR(ReadGroup(scope, query.group).status());
  std::string prefix = query.group.empty() ? FiltersPrefix(scope)
                                           : store::KeyBuilder(FiltersPrefix(scope, query.group))
                                                 .StringPrefix(query.name_prefix)
                                                 .Build();
  std::vector<MetricFilter> out;
  std::optional<std::string> next;
  RETURN_IF_ERROR(
      db_.Scan(kMeta, store::Range::Prefix(prefix), [&](std::string_view, std::string_view v) {
        auto o = store::ReadJsonRecord(v, "metric filter");
        if (!o.ok()) return true;
        MetricFilter f = FilterFromJson(*o);
        if (!f.filter_name.starts_with(query.name_prefix)) return true;
        std::string position = f.log_group_name + "\n" + f.filter_name;
        if (!query.after.empty() && position <= query.after) return true;
        bool metric_ok = query.metric_name.empty() && query.metric_namespace.empty();
        for (const MetricTransformation& t : f.transformations) {
          if ((query.metric_name.empty() || t.metric_name == query.metric_name) &&
              (query.metric_namespace.empty() || t.metric_namespace == query.metric_namespace)) {
            metric_ok = true;
          }
        }
        if (!metric_ok) return true;
        if (static_cast<int>(out.size()) == query.limit) {
          next = out.back().log_group_name + "\n" + out.back().filter_name;
          return false;
        }
        out.push_back(std::move(f));
        return true;
      }));
  return std::make_pair(std::move(out), next);
}

}  // namespace kiroku::logs
