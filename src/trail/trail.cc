#include "trail/trail.h"

#include <algorithm>
#include <array>

#include "common/arn.h"

namespace kiroku::trail {
namespace json = boost::json;
namespace {

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint FromMillis(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}
bool Flag(const json::object& o, std::string_view key, bool fallback) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() ? v->as_bool() : fallback;
}
std::vector<std::string> Strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::value* v = o.if_contains(key); v != nullptr && v->is_array()) {
    for (const json::value& s : v->as_array()) {
      if (s.is_string()) out.emplace_back(s.as_string());
    }
  }
  return out;
}
json::array StringArray(const std::vector<std::string>& values) {
  json::array out;
  for (const std::string& v : values) out.emplace_back(v);
  return out;
}
void PutTime(json::object& o, std::string_view key, const std::optional<TimePoint>& t) {
  if (t) o[key] = Millis(*t);
}
std::optional<TimePoint> GetTime(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  return FromMillis(v->as_int64());
}

constexpr std::array<std::pair<std::string_view, std::vector<std::string> FieldSelector::*>, 6>
    kOperators = {{{"Equals", &FieldSelector::equals},
                   {"StartsWith", &FieldSelector::starts_with},
                   {"EndsWith", &FieldSelector::ends_with},
                   {"NotEquals", &FieldSelector::not_equals},
                   {"NotStartsWith", &FieldSelector::not_starts_with},
                   {"NotEndsWith", &FieldSelector::not_ends_with}}};

bool IsReadWriteMatch(std::string_view type, bool read_only) {
  if (type == "ReadOnly") return read_only;
  if (type == "WriteOnly") return !read_only;
  return true;
}

bool Contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

bool BasicSelects(const EventSelector& s, const ApiCallRecord& r) {
  if (!IsReadWriteMatch(s.read_write_type, r.read_only)) return false;
  if (r.management_event) {
    return s.include_management_events &&
           !Contains(s.exclude_management_event_sources, r.event_source);
  }
  for (const DataResource& d : s.data_resources) {
    for (const Resource& res : r.resources) {
      if (res.type != d.type) continue;
      for (const std::string& prefix : d.values) {
        // "arn:aws:s3" (or "arn:aws:s3:::") selects every bucket.
        if (res.arn.starts_with(prefix)) return true;
      }
    }
  }
  return false;
}

// The values a record has for an advanced selector field (several for resources.*).
std::vector<std::string> FieldValues(const ApiCallRecord& r, std::string_view field) {
  if (field == "eventCategory") return {r.event_category};
  if (field == "eventSource") return {r.event_source};
  if (field == "eventName") return {r.event_name};
  if (field == "eventType") return {r.event_type};
  if (field == "readOnly") return {r.read_only ? "true" : "false"};
  if (field == "userIdentity.arn") return {r.identity.arn};
  if (field == "errorCode") {
    return r.error_code ? std::vector<std::string>{*r.error_code} : std::vector<std::string>{};
  }
  if (field == "sessionCredentialFromConsole") {
    return r.session_credential_from_console ? std::vector<std::string>{"true"}
                                             : std::vector<std::string>{};
  }
  std::vector<std::string> out;
  for (const Resource& res : r.resources) {
    if (field == "resources.type") out.push_back(res.type);
    if (field == "resources.ARN") out.push_back(res.arn);
  }
  return out;
}

bool FieldMatches(const FieldSelector& f, const ApiCallRecord& r) {
  std::vector<std::string> values = FieldValues(r, f.field);
  if (values.empty()) values.emplace_back();  // an absent field compares as ""
  for (const std::string& v : values) {
    auto any = [&](const std::vector<std::string>& list, auto pred) {
      return std::any_of(list.begin(), list.end(), pred);
    };
    bool positive_given = !f.equals.empty() || !f.starts_with.empty() || !f.ends_with.empty();
    bool positive = any(f.equals, [&](const std::string& x) { return v == x; }) ||
                    any(f.starts_with, [&](const std::string& x) { return v.starts_with(x); }) ||
                    any(f.ends_with, [&](const std::string& x) { return v.ends_with(x); });
    bool negative =
        any(f.not_equals, [&](const std::string& x) { return v == x; }) ||
        any(f.not_starts_with, [&](const std::string& x) { return v.starts_with(x); }) ||
        any(f.not_ends_with, [&](const std::string& x) { return v.ends_with(x); });
    if ((!positive_given || positive) && !negative) return true;
  }
  return false;
}

bool AdvancedSelects(const AdvancedEventSelector& s, const ApiCallRecord& r) {
  return std::all_of(s.field_selectors.begin(), s.field_selectors.end(),
                     [&](const FieldSelector& f) { return FieldMatches(f, r); });
}

}  // namespace

json::object EventSelectorToJson(const EventSelector& s) {
  json::array resources;
  for (const DataResource& r : s.data_resources) {
    resources.push_back({{"Type", r.type}, {"Values", StringArray(r.values)}});
  }
  return {{"ReadWriteType", s.read_write_type},
          {"IncludeManagementEvents", s.include_management_events},
          {"DataResources", std::move(resources)},
          {"ExcludeManagementEventSources", StringArray(s.exclude_management_event_sources)}};
}

EventSelector EventSelectorFromJson(const json::object& o) {
  EventSelector s;
  s.read_write_type = Text(o, "ReadWriteType");
  if (s.read_write_type.empty()) s.read_write_type = "All";
  s.include_management_events = Flag(o, "IncludeManagementEvents", true);
  if (const json::value* rs = o.if_contains("DataResources"); rs != nullptr && rs->is_array()) {
    for (const json::value& r : rs->as_array()) {
      if (!r.is_object()) continue;
      s.data_resources.push_back({Text(r.as_object(), "Type"), Strings(r.as_object(), "Values")});
    }
  }
  s.exclude_management_event_sources = Strings(o, "ExcludeManagementEventSources");
  return s;
}

json::object AdvancedEventSelectorToJson(const AdvancedEventSelector& s) {
  json::array fields;
  for (const FieldSelector& f : s.field_selectors) {
    json::object fo{{"Field", f.field}};
    for (const auto& [name, member] : kOperators) {
      if (!(f.*member).empty()) fo[name] = StringArray(f.*member);
    }
    fields.push_back(std::move(fo));
  }
  json::object o{{"FieldSelectors", std::move(fields)}};
  if (!s.name.empty()) o["Name"] = s.name;
  return o;
}

AdvancedEventSelector AdvancedEventSelectorFromJson(const json::object& o) {
  AdvancedEventSelector s;
  s.name = Text(o, "Name");
  if (const json::value* fs = o.if_contains("FieldSelectors"); fs != nullptr && fs->is_array()) {
    for (const json::value& f : fs->as_array()) {
      if (!f.is_object()) continue;
      FieldSelector field;
      field.field = Text(f.as_object(), "Field");
      for (const auto& [name, member] : kOperators) field.*member = Strings(f.as_object(), name);
      s.field_selectors.push_back(std::move(field));
    }
  }
  return s;
}

std::string TrailConfig::Arn() const {
  return kiroku::Arn::CloudTrail(home_region, account_id, "trail/" + name).ToString();
}

std::string TrailConfig::LogGroupArn() const {
  std::string arn = cloudwatch_logs_log_group_arn;
  if (arn.ends_with(":*")) arn.resize(arn.size() - 2);
  return arn;
}

std::string TrailConfig::LogStreamName() const { return account_id + "_CloudTrail_" + home_region; }

std::string TrailConfig::DeliveryKeyPattern() const {
  std::string prefix = s3_key_prefix.empty() ? "" : s3_key_prefix + "/";
  return prefix + "AWSLogs/" + account_id + "/*";
}

json::object TrailConfig::ToJson() const {
  json::array selectors, advanced, tag_list;
  for (const EventSelector& s : event_selectors) selectors.push_back(EventSelectorToJson(s));
  for (const AdvancedEventSelector& s : advanced_event_selectors)
    advanced.push_back(AdvancedEventSelectorToJson(s));
  for (const auto& [k, v] : tags) tag_list.push_back({{"Key", k}, {"Value", v}});
  return {{"account", account_id},
          {"name", name},
          {"homeRegion", home_region},
          {"s3Bucket", s3_bucket},
          {"s3KeyPrefix", s3_key_prefix},
          {"snsTopicName", sns_topic_name},
          {"includeGlobalServiceEvents", include_global_service_events},
          {"multiRegion", multi_region},
          {"logFileValidation", log_file_validation},
          {"cwlLogGroupArn", cloudwatch_logs_log_group_arn},
          {"cwlRoleArn", cloudwatch_logs_role_arn},
          {"kmsKeyId", kms_key_id},
          {"eventSelectors", std::move(selectors)},
          {"advancedEventSelectors", std::move(advanced)},
          {"customEventSelectors", custom_event_selectors},
          {"tags", std::move(tag_list)},
          {"created", Millis(created)}};
}

Result<TrailConfig> TrailConfig::FromJson(const json::object& o) {
  TrailConfig t;
  t.account_id = Text(o, "account");
  t.name = Text(o, "name");
  t.home_region = Text(o, "homeRegion");
  if (t.account_id.empty() || t.name.empty() || t.home_region.empty()) {
    return Status::Internal("trail record without account, name or region");
  }
  t.s3_bucket = Text(o, "s3Bucket");
  t.s3_key_prefix = Text(o, "s3KeyPrefix");
  t.sns_topic_name = Text(o, "snsTopicName");
  t.include_global_service_events = Flag(o, "includeGlobalServiceEvents", true);
  t.multi_region = Flag(o, "multiRegion", false);
  t.log_file_validation = Flag(o, "logFileValidation", false);
  t.cloudwatch_logs_log_group_arn = Text(o, "cwlLogGroupArn");
  t.cloudwatch_logs_role_arn = Text(o, "cwlRoleArn");
  t.kms_key_id = Text(o, "kmsKeyId");
  if (const json::value* v = o.if_contains("eventSelectors"); v != nullptr && v->is_array()) {
    for (const json::value& s : v->as_array()) {
      if (s.is_object()) t.event_selectors.push_back(EventSelectorFromJson(s.as_object()));
    }
  }
  if (const json::value* v = o.if_contains("advancedEventSelectors");
      v != nullptr && v->is_array()) {
    for (const json::value& s : v->as_array()) {
      if (s.is_object())
        t.advanced_event_selectors.push_back(AdvancedEventSelectorFromJson(s.as_object()));
    }
  }
  t.custom_event_selectors = Flag(o, "customEventSelectors", false);
  if (const json::value* v = o.if_contains("tags"); v != nullptr && v->is_array()) {
    for (const json::value& tag : v->as_array()) {
      if (tag.is_object())
        t.tags.emplace_back(Text(tag.as_object(), "Key"), Text(tag.as_object(), "Value"));
    }
  }
  if (auto created = GetTime(o, "created")) t.created = *created;
  return t;
}

json::object TrailStatus::ToJson() const {
  json::object o{{"isLogging", is_logging},
                 {"deliveryError", latest_delivery_error},
                 {"digestError", latest_digest_delivery_error},
                 {"cwlError", latest_cloudwatch_logs_delivery_error}};
  PutTime(o, "started", start_logging_time);
  PutTime(o, "stopped", stop_logging_time);
  PutTime(o, "delivered", latest_delivery_time);
  PutTime(o, "deliveryAttempt", latest_delivery_attempt_time);
  PutTime(o, "digestDelivered", latest_digest_delivery_time);
  PutTime(o, "cwlDelivered", latest_cloudwatch_logs_delivery_time);
  return o;
}

TrailStatus TrailStatus::FromJson(const json::object& o) {
  TrailStatus s;
  s.is_logging = Flag(o, "isLogging", false);
  s.latest_delivery_error = Text(o, "deliveryError");
  s.latest_digest_delivery_error = Text(o, "digestError");
  s.latest_cloudwatch_logs_delivery_error = Text(o, "cwlError");
  s.start_logging_time = GetTime(o, "started");
  s.stop_logging_time = GetTime(o, "stopped");
  s.latest_delivery_time = GetTime(o, "delivered");
  s.latest_delivery_attempt_time = GetTime(o, "deliveryAttempt");
  s.latest_digest_delivery_time = GetTime(o, "digestDelivered");
  s.latest_cloudwatch_logs_delivery_time = GetTime(o, "cwlDelivered");
  return s;
}

bool Selects(const TrailConfig& trail, const ApiCallRecord& record) {
  if (record.recipient_account_id != trail.account_id) return false;
  if (!trail.multi_region && record.aws_region != trail.home_region) return false;
  // IAM and STS events are recorded in us-east-1; sign-in events in the region signed in to.
  bool global = record.event_source == "iam.amazonaws.com" ||
                record.event_source == "sts.amazonaws.com" ||
                (record.event_source == "signin.amazonaws.com" && record.aws_region == "us-east-1");
  if (global && !trail.include_global_service_events) return false;
  if (!trail.advanced_event_selectors.empty()) {
    return std::any_of(trail.advanced_event_selectors.begin(), trail.advanced_event_selectors.end(),
                       [&](const AdvancedEventSelector& s) { return AdvancedSelects(s, record); });
  }
  if (trail.event_selectors.empty()) return record.management_event;
  return std::any_of(trail.event_selectors.begin(), trail.event_selectors.end(),
                     [&](const EventSelector& s) { return BasicSelects(s, record); });
}

}  // namespace kiroku::trail
