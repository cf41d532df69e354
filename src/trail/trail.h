// Trail: a CloudTrail trail's configuration (what CreateTrail/UpdateTrail/PutEventSelectors
// set), its delivery status (what GetTrailStatus reports), and the rule deciding which records
// the trail receives (aws-behavior.md §3). Plain values: no storage, no wire format.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "trail/record.h"

namespace kiroku::trail {

// Basic event selector (PutEventSelectors EventSelectors[]).
struct DataResource {
  std::string type;                 // "AWS::S3::Object", "AWS::Lambda::Function", ...
  std::vector<std::string> values;  // ARN prefixes ("arn:aws:s3:::bucket/", "arn:aws:s3")
};
struct EventSelector {
  std::string read_write_type = "All";  // ReadOnly | WriteOnly | All
  bool include_management_events = true;
  std::vector<DataResource> data_resources;
  std::vector<std::string> exclude_management_event_sources;
};

// Advanced event selector: every field selector must match (AND); the selectors of a trail are
// alternatives (OR). Fields: eventCategory, eventSource, eventName, readOnly, resources.type,
// resources.ARN, eventType, userIdentity.arn.
struct FieldSelector {
  std::string field;
  std::vector<std::string> equals, starts_with, ends_with, not_equals, not_starts_with,
      not_ends_with;
};
struct AdvancedEventSelector {
  std::string name;
  std::vector<FieldSelector> field_selectors;
};

// Selectors in the cloudtrail model's shapes (the wire and the stored form). Parsing fills the
// model's defaults (ReadWriteType All, IncludeManagementEvents true) and ignores members of the
// wrong type; ValidateEventSelectors() (trail_rules.h) judges the result.
boost::json::object EventSelectorToJson(const EventSelector& s);
EventSelector EventSelectorFromJson(const boost::json::object& o);
boost::json::object AdvancedEventSelectorToJson(const AdvancedEventSelector& s);
AdvancedEventSelector AdvancedEventSelectorFromJson(const boost::json::object& o);

struct TrailConfig {
  std::string account_id;
  std::string name;
  std::string home_region;
  std::string s3_bucket;
  std::string s3_key_prefix;
  std::string sns_topic_name;
  bool include_global_service_events = true;
  bool multi_region = false;
  bool log_file_validation = false;
  std::string cloudwatch_logs_log_group_arn;  // as given (with or without ":*")
  std::string cloudwatch_logs_role_arn;
  std::string kms_key_id;  // the key ARN CloudTrail encrypts log files with, or empty
  // At most one of the two is non-empty; both empty means "all management events".
  std::vector<EventSelector> event_selectors;
  std::vector<AdvancedEventSelector> advanced_event_selectors;
  bool custom_event_selectors = false;  // PutEventSelectors was called
  std::vector<std::pair<std::string, std::string>> tags;
  TimePoint created{};

  // arn:aws:cloudtrail:<home region>:<account>:trail/<name>
  std::string Arn() const;
  // The log group ARN without a trailing ":*" (empty when not configured).
  std::string LogGroupArn() const;
  // The stream CloudTrail writes to: <account>_CloudTrail_<home region>.
  std::string LogStreamName() const;
  // "[<prefix>/]AWSLogs/<account>/*": every object CloudTrail writes to the bucket for the
  // trail (log and digest files), which the documented CloudTrail bucket policy grants.
  std::string DeliveryKeyPattern() const;

  boost::json::object ToJson() const;
  static Result<TrailConfig> FromJson(const boost::json::object& o);
};

// What GetTrailStatus reports. Times are absent until the event happened; errors are empty
// after a success.
struct TrailStatus {
  bool is_logging = false;
  std::optional<TimePoint> start_logging_time, stop_logging_time;
  std::optional<TimePoint> latest_delivery_time, latest_delivery_attempt_time;
  std::string latest_delivery_error;
  std::optional<TimePoint> latest_digest_delivery_time;
  std::string latest_digest_delivery_error;
  std::optional<TimePoint> latest_cloudwatch_logs_delivery_time;
  std::string latest_cloudwatch_logs_delivery_error;

  boost::json::object ToJson() const;
  static TrailStatus FromJson(const boost::json::object& o);
};

// Whether `trail` receives `record`: the record's region is covered (a multi-region trail covers
// every region, a single-region trail its home region), global service events (IAM, STS, AWS
// sign-in, recorded in us-east-1) only when IncludeGlobalServiceEvents is on, and the selectors
// pick it (default: every management event, no data event).
bool Selects(const TrailConfig& trail, const ApiCallRecord& record);

}  // namespace kiroku::trail
