// Trail CRUD: CreateTrail, UpdateTrail, DeleteTrail, GetTrail, DescribeTrails, ListTrails
// (aws-behavior.md §1.2-§1.5, §3; docs/cloudtrail.md), and how a request names a trail.
#include <tuple>

#include "api/json_members.h"
#include "common/arn.h"
#include "common/encoding.h"
#include "services/cloudtrail/cloudtrail_service.h"
#include "services/cloudtrail/cloudtrail_wire.h"
#include "trail/trail_rules.h"

namespace kiroku::services {
namespace json = boost::json;
using api::Str;
using cloudtrail::Error;
using cloudtrail::OptBool;
using cloudtrail::OptStr;
using cloudtrail::TagList;
using trail::TrailConfig;
namespace {

constexpr size_t kListTrailsPageSize = 20;

std::string SnsTopicArn(const TrailConfig& t) {
  if (t.sns_topic_name.starts_with("arn:")) return t.sns_topic_name;
  return Arn::Sns(t.home_region, t.account_id, t.sns_topic_name).ToString();
}

// The Trail shape (`describe`: DescribeTrails/GetTrail) or CreateTrail/UpdateTrail's output.
// Optional strings without a value are left out, as CloudTrail does.
json::object TrailJson(const TrailConfig& t, bool describe) {
  json::object o{{"Name", t.name}, {"S3BucketName", t.s3_bucket}};
  if (!t.s3_key_prefix.empty()) o["S3KeyPrefix"] = t.s3_key_prefix;
  if (!t.sns_topic_name.empty()) {
    o["SnsTopicName"] = t.sns_topic_name;
    o["SnsTopicARN"] = SnsTopicArn(t);
  }
  o["IncludeGlobalServiceEvents"] = t.include_global_service_events;
  o["IsMultiRegionTrail"] = t.multi_region;
  if (describe) o["HomeRegion"] = t.home_region;
  o["TrailARN"] = t.Arn();
  o["LogFileValidationEnabled"] = t.log_file_validation;
  if (!t.cloudwatch_logs_log_group_arn.empty()) {
    o["CloudWatchLogsLogGroupArn"] = t.cloudwatch_logs_log_group_arn;
    o["CloudWatchLogsRoleArn"] = t.cloudwatch_logs_role_arn;
  }
  if (!t.kms_key_id.empty()) o["KmsKeyId"] = t.kms_key_id;
  if (describe) {
    o["HasCustomEventSelectors"] = t.custom_event_selectors;
    o["HasInsightSelectors"] = false;
  }
  o["IsOrganizationTrail"] = false;
  return o;
}

Status NoOrganizationTrail(const json::object& in) {
  if (OptBool(in, "IsOrganizationTrail").value_or(false)) {
    return Error("OrganizationsNotInUseException",
                 "This account is not a member of an organization: kiroku serves one account, "
                 "so organization trails are not available.");
  }
  return Status::Ok();
}

}  // namespace

// --- naming a trail ------------------------------------------------------------------------

Result<TrailConfig> CloudTrailService::Lookup(const RequestContext& ctx, std::string_view value,
                                              bool shadow_by_name) const {
  RETURN_IF_ERROR(trail::ValidateTrailNameOrArn(value));
  auto not_found = [&] {
    return Status::NotFound("Unknown trail: " + std::string(value) +
                            " for the user: " + ctx.account)
        .WithAwsCode("TrailNotFoundException");
  };
  if (value.starts_with("arn:")) {
    ASSIGN_OR_RETURN(TrailConfig t, d_.trails.Find(ctx.account, ctx.region, value));
    if (t.home_region != ctx.region && !t.multi_region) return not_found();
    return t;
  }
  if (shadow_by_name) return d_.trails.Find(ctx.account, ctx.region, value);
  auto own = d_.trails.Get(ctx.account, ctx.region, value);
  if (!own.ok() && own.status().code() == Code::kNotFound) return not_found();
  return own;
}

Status CloudTrailService::RequireHome(const RequestContext& ctx, const TrailConfig& t) const {
  if (t.home_region == ctx.region) return Status::Ok();
  return Error("InvalidHomeRegionException",
               "This operation must be called from the trail's home region, " + t.home_region +
                   ": trail " + t.Arn() + " was created there (called in " + ctx.region + ").");
}

// --- trails --------------------------------------------------------------------------------

Result<json::value> CloudTrailService::CreateTrail(RequestContext& ctx) const {
  const json::object& in = ctx.input;
  TrailConfig t;
  t.account_id = ctx.account;
  t.home_region = ctx.region;
  t.name = Str(in, "Name");
  RETURN_IF_ERROR(trail::ValidateTrailName(t.name));
  t.s3_bucket = Str(in, "S3BucketName");
  t.s3_key_prefix = Str(in, "S3KeyPrefix");
  RETURN_IF_ERROR(trail::ValidateS3KeyPrefix(t.s3_key_prefix));
  t.sns_topic_name = Str(in, "SnsTopicName");
  t.multi_region = OptBool(in, "IsMultiRegionTrail").value_or(false);
  t.include_global_service_events = OptBool(in, "IncludeGlobalServiceEvents").value_or(true);
  t.log_file_validation = OptBool(in, "EnableLogFileValidation").value_or(false);
  t.cloudwatch_logs_log_group_arn = Str(in, "CloudWatchLogsLogGroupArn");
  t.cloudwatch_logs_role_arn = Str(in, "CloudWatchLogsRoleArn");
  t.tags = TagList(in, "TagsList");
  t.created = d_.clock.Now();
  RETURN_IF_ERROR(NoOrganizationTrail(in));
  RETURN_IF_ERROR(trail::ValidateGlobalServiceEvents(t));
  RETURN_IF_ERROR(trail::ValidateCloudWatchLogsPair(t));
  RETURN_IF_ERROR(trail::ValidateTags(t.tags));
  if (d_.trails.Get(t.account_id, t.home_region, t.name).ok()) {
    return Status::AlreadyExists("Trail " + t.name +
                                 " already exists for customer: " + t.account_id)
        .WithAwsCode("TrailAlreadyExistsException");
  }
  RETURN_IF_ERROR(CheckBucket(t));
  if (std::string key = Str(in, "KmsKeyId"); !key.empty()) {
    ASSIGN_OR_RETURN(t.kms_key_id, CheckKey(t, key));
  }
  RETURN_IF_ERROR(CheckCloudWatchLogs(t));
  RETURN_IF_ERROR(d_.trails.Create(t));
  return json::value(TrailJson(t, /*describe=*/false));
}

Result<json::value> CloudTrailService::UpdateTrail(RequestContext& ctx) const {
  const json::object& in = ctx.input;
  ASSIGN_OR_RETURN(TrailConfig found, Lookup(ctx, Str(in, "Name"), /*shadow_by_name=*/true));
  RETURN_IF_ERROR(RequireHome(ctx, found));
  RETURN_IF_ERROR(NoOrganizationTrail(in));
  auto change = [&](TrailConfig& t) -> Status {
    bool bucket_changed = false;
    if (auto bucket = OptStr(in, "S3BucketName")) {
      t.s3_bucket = *bucket;
      bucket_changed = true;
    }
    if (auto prefix = OptStr(in, "S3KeyPrefix")) {
      RETURN_IF_ERROR(trail::ValidateS3KeyPrefix(*prefix));
      t.s3_key_prefix = *prefix;
      bucket_changed = true;
    }
    if (auto topic = OptStr(in, "SnsTopicName")) t.sns_topic_name = *topic;
    std::optional<bool> multi = OptBool(in, "IsMultiRegionTrail");
    std::optional<bool> global = OptBool(in, "IncludeGlobalServiceEvents");
    if (multi) {
      // Turning a trail multi-region turns global service events on; single-region, off
      // (aws-behavior.md §3), unless the request says otherwise.
      if (*multi != t.multi_region && !global) t.include_global_service_events = *multi;
      t.multi_region = *multi;
    }
    if (global) t.include_global_service_events = *global;
    RETURN_IF_ERROR(trail::ValidateGlobalServiceEvents(t));
    if (auto validation = OptBool(in, "EnableLogFileValidation"))
      t.log_file_validation = *validation;
    std::optional<std::string> group = OptStr(in, "CloudWatchLogsLogGroupArn");
    std::optional<std::string> role = OptStr(in, "CloudWatchLogsRoleArn");
    if (group) t.cloudwatch_logs_log_group_arn = *group;
    if (role) t.cloudwatch_logs_role_arn = *role;
    if (group || role) RETURN_IF_ERROR(trail::ValidateCloudWatchLogsPair(t));
    if (bucket_changed) RETURN_IF_ERROR(CheckBucket(t));
    if (auto key = OptStr(in, "KmsKeyId")) {
      if (key->empty()) {
        t.kms_key_id.clear();
      } else {
        ASSIGN_OR_RETURN(t.kms_key_id, CheckKey(t, *key));
      }
    }
    if (group || role) RETURN_IF_ERROR(CheckCloudWatchLogs(t));
    return Status::Ok();
  };
  ASSIGN_OR_RETURN(TrailConfig t,
                   d_.trails.Modify(found.account_id, found.home_region, found.name, change));
  return json::value(TrailJson(t, /*describe=*/false));
}

Result<json::value> CloudTrailService::DeleteTrail(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(ctx.input, "Name"), /*shadow_by_name=*/true));
  RETURN_IF_ERROR(RequireHome(ctx, t));
  RETURN_IF_ERROR(d_.trails.Delete(t.account_id, t.home_region, t.name));
  return json::value(json::object());
}

Result<json::value> CloudTrailService::GetTrail(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(ctx.input, "Name"), /*shadow_by_name=*/true));
  return json::value{{"Trail", TrailJson(t, /*describe=*/true)}};
}

Result<json::value> CloudTrailService::DescribeTrails(RequestContext& ctx) const {
  bool include_shadow = OptBool(ctx.input, "includeShadowTrails").value_or(true);
  std::vector<std::string> names;
  if (const json::value* v = ctx.input.if_contains("trailNameList");
      v != nullptr && v->is_array()) {
    for (const json::value& n : v->as_array()) {
      if (n.is_string()) names.emplace_back(n.as_string());
    }
  }
  json::array list;
  if (names.empty()) {
    ASSIGN_OR_RETURN(std::vector<TrailConfig> visible,
                     d_.trails.Visible(ctx.account, ctx.region, include_shadow));
    for (const TrailConfig& t : visible) list.push_back(TrailJson(t, true));
    return json::value{{"trailList", std::move(list)}};
  }
  // Names match the region's own trails; another region's trail needs its ARN.
  for (const std::string& name : names) {
    auto t = Lookup(ctx, name, /*shadow_by_name=*/false);
    if (!t.ok()) {
      if (t.status().code() == Code::kNotFound) continue;
      return t.status();
    }
    if (t->home_region != ctx.region && !include_shadow) continue;
    list.push_back(TrailJson(*t, true));
  }
  return json::value{{"trailList", std::move(list)}};
}

Result<json::value> CloudTrailService::ListTrails(RequestContext& ctx) const {
  // Every trail of the account, ordered by name then home region. The token is where the
  // previous page stopped: "<name>\n<region>", base64.
  std::string after_name, after_region;
  if (std::string token = Str(ctx.input, "NextToken"); !token.empty()) {
    std::optional<std::string> decoded = Base64Decode(token);
    size_t newline = decoded ? decoded->find('\n') : std::string::npos;
    if (newline == std::string::npos) {
      return Error("InvalidParameterException", "Invalid NextToken: " + token);
    }
    after_name = decoded->substr(0, newline);
    after_region = decoded->substr(newline + 1);
  }
  ASSIGN_OR_RETURN(std::vector<TrailConfig> all, d_.trails.List(ctx.account));
  json::array page;
  std::string next;
  for (const TrailConfig& t : all) {
    if (!after_name.empty() &&
        std::tie(t.name, t.home_region) <= std::tie(after_name, after_region)) {
      continue;
    }
    if (page.size() == kListTrailsPageSize) {
      const json::object& last = page.back().as_object();
      next = Base64Encode(std::string(last.at("Name").as_string()) + "\n" +
                          std::string(last.at("HomeRegion").as_string()));
      break;
    }
    page.push_back({{"TrailARN", t.Arn()}, {"Name", t.name}, {"HomeRegion", t.home_region}});
  }
  json::object out{{"Trails", std::move(page)}};
  if (!next.empty()) out["NextToken"] = next;
  return json::value(std::move(out));
}

}  // namespace kiroku::services
