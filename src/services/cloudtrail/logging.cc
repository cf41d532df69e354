// Logging status: StartLogging, StopLogging and GetTrailStatus.
#include "api/json_members.h"
#include "common/encoding.h"
#include "services/cloudtrail/cloudtrail_service.h"
#include "services/cloudtrail/cloudtrail_wire.h"

namespace kiroku::services {
namespace json = boost::json;
using api::Str;
using cloudtrail::Error;
using cloudtrail::OptBool;
using cloudtrail::OptStr;
using trail::TrailConfig;
using trail::TrailStatus;
namespace {

json::object StatusJson(const TrailStatus& s) {
  auto iso = [](const std::optional<TimePoint>& t) {
    return t ? FormatIso8601(*t) : std::string();
  };
  json::object o{{"IsLogging", s.is_logging}};
  if (!s.latest_delivery_error.empty()) o["LatestDeliveryError"] = s.latest_delivery_error;
  if (s.latest_delivery_time) o["LatestDeliveryTime"] = EpochSeconds(*s.latest_delivery_time);
  if (s.start_logging_time) o["StartLoggingTime"] = EpochSeconds(*s.start_logging_time);
  if (s.stop_logging_time) o["StopLoggingTime"] = EpochSeconds(*s.stop_logging_time);
  if (!s.latest_cloudwatch_logs_delivery_error.empty()) {
    o["LatestCloudWatchLogsDeliveryError"] = s.latest_cloudwatch_logs_delivery_error;
  }
  if (s.latest_cloudwatch_logs_delivery_time) {
    o["LatestCloudWatchLogsDeliveryTime"] = EpochSeconds(*s.latest_cloudwatch_logs_delivery_time);
  }
  if (s.latest_digest_delivery_time) {
    o["LatestDigestDeliveryTime"] = EpochSeconds(*s.latest_digest_delivery_time);
  }
  if (!s.latest_digest_delivery_error.empty()) {
    o["LatestDigestDeliveryError"] = s.latest_digest_delivery_error;
  }
  // The legacy strings CloudTrail still returns: ISO-8601 times, "" when there is none. There
  // is no SNS, so the notification ones are always "".
  o["LatestDeliveryAttemptTime"] = iso(s.latest_delivery_attempt_time);
  o["LatestNotificationAttemptTime"] = "";
  o["LatestNotificationAttemptSucceeded"] = "";
  o["LatestDeliveryAttemptSucceeded"] = iso(s.latest_delivery_time);
  o["TimeLoggingStarted"] = iso(s.start_logging_time);
  o["TimeLoggingStopped"] = iso(s.stop_logging_time);
  return o;
}

}  // namespace

Result<json::value> CloudTrailService::SetLogging(RequestContext& ctx, bool on) const {
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(ctx.input, "Name"), /*shadow_by_name=*/true));
  RETURN_IF_ERROR(RequireHome(ctx, t));
  // Calls answered before this one were logging: they reach the trail's queue first.
  if (!on) d_.recorder.Flush();
  TimePoint now = d_.clock.Now();
  RETURN_IF_ERROR(d_.trails.UpdateStatus(t, [&](TrailStatus& s) {
    if (s.is_logging == on) return;  // already so: the recorded time stays
    s.is_logging = on;
    (on ? s.start_logging_time : s.stop_logging_time) = now;
  }));
  return json::value(json::object());
}

Result<json::value> CloudTrailService::StartLogging(RequestContext& ctx) const {
  return SetLogging(ctx, true);
}
Result<json::value> CloudTrailService::StopLogging(RequestContext& ctx) const {
  return SetLogging(ctx, false);
}

Result<json::value> CloudTrailService::GetTrailStatus(RequestContext& ctx) const {
  // A shadow trail's status is asked for by ARN (the model's GetTrailStatus doc).
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(ctx.input, "Name"), /*shadow_by_name=*/false));
  ASSIGN_OR_RETURN(TrailStatus status, d_.trails.GetStatus(t));
  return json::value(StatusJson(status));
}

}  // namespace kiroku::services
