// The CloudTrail trail management API (aws-behavior.md §1.2-§1.5, §3; docs/cloudtrail.md).
#include <algorithm>
#include "api/json_members.h"
#include <memory>
#include <tuple>

#include "api/cloudtrail_service.h"
#include "common/encoding.h"
#include "iam/session_store.h"
#include "policy/context.h"
#include "trail/trail_rules.h"

namespace kiroku::api {
namespace json = boost::json;
namespace {

using trail::TrailConfig;
using trail::TrailStatus;

constexpr std::string_view kCloudTrailService = "cloudtrail.amazonaws.com";
// The session name CloudTrail's checks of the CloudWatch Logs role act under.
constexpr std::string_view kRoleSessionName = "CloudTrailCloudWatchLogsCheck";
constexpr size_t kListTrailsPageSize = 20;

constexpr std::string_view kNeedBoth = "You must specify a role ARN as well as a log group.";
constexpr std::string_view kBadGroup = "Check the log group ARN: CloudTrail can't validate it.";
constexpr std::string_view kBadTrust = "Access denied. Check the trust relationships for your role.";
constexpr std::string_view kBadRolePolicy =
    "Access denied. Verify in IAM that the role has adequate permissions.";

Status Error(std::string_view code, std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode(std::string(code));
}

// A member that was sent, even as "".
std::optional<std::string> OptStr(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}
std::optional<bool> OptBool(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_bool()) return std::nullopt;
  return v->as_bool();
}
// arn:aws:cloudtrail:<region>:<12 digits>:trail/<name>
struct TrailArn {
  std::string region, account, name;
};
std::optional<TrailArn> ParseTrailArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:cloudtrail:";
  if (!arn.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = arn.substr(kPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  TrailArn out;
  out.region = std::string(rest.substr(0, colon));
  rest = rest.substr(colon + 1);
  colon = rest.find(':');
  if (colon != 12) return std::nullopt;
  out.account = std::string(rest.substr(0, colon));
  if (!std::all_of(out.account.begin(), out.account.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  rest = rest.substr(colon + 1);
  if (!rest.starts_with("trail/")) return std::nullopt;
  out.name = std::string(rest.substr(6));
  return out;
}

// A Name / TrailName member: a trail name, or a trail ARN.
Status ValidateNameOrArn(std::string_view value) {
  if (value.starts_with("arn:")) {
    std::optional<TrailArn> arn = ParseTrailArn(value);
    if (!arn || !trail::ValidateTrailName(arn->name).ok()) {
      return Error("CloudTrailARNInvalidException",
                   "Invalid trail ARN: " + std::string(value) +
                       ". The format of a trail ARN is "
                       "arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail.");
    }
    return Status::Ok();
  }
  return trail::ValidateTrailName(value);
}

std::vector<std::pair<std::string, std::string>> TagList(const json::object& in,
                                                         std::string_view member) {
  std::vector<std::pair<std::string, std::string>> tags;
  if (const json::value* v = in.if_contains(member); v != nullptr && v->is_array()) {
    for (const json::value& t : v->as_array()) {
      if (t.is_object()) tags.emplace_back(Str(t.as_object(), "Key"), Str(t.as_object(), "Value"));
    }
  }
  return tags;
}

json::array TagsJson(const std::vector<std::pair<std::string, std::string>>& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back({{"Key", k}, {"Value", v}});
  return out;
}

// aws:RequestTag/<key> and aws:TagKeys of a TagsList member.
void RequestTagKeys(const RequestContext& ctx, policy::ContextKeys& keys) {
  auto tags = TagList(ctx.input, "TagsList");
  if (tags.empty()) return;
  std::vector<std::string> names;
  for (const auto& [k, v] : tags) {
    keys.SetString("aws:RequestTag/" + k, v);
    names.push_back(k);
  }
  keys.SetStrings("aws:TagKeys", std::move(names));
}

std::string SnsTopicArn(const TrailConfig& t) {
  if (t.sns_topic_name.starts_with("arn:")) return t.sns_topic_name;
  return "arn:aws:sns:" + t.home_region + ":" + t.account_id + ":" + t.sns_topic_name;
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

json::object StatusJson(const TrailStatus& s) {
  auto iso = [](const std::optional<TimePoint>& t) { return t ? FormatIso8601(*t) : std::string(); };
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

json::array DefaultEventSelectors() {
  return json::array{trail::EventSelectorToJson(trail::EventSelector{})};
}

// The trail's selectors as PutEventSelectors/GetEventSelectors answer them.
json::object SelectorsJson(const TrailConfig& t) {
  json::object o{{"TrailARN", t.Arn()}};
  if (!t.advanced_event_selectors.empty()) {
    json::array advanced;
    for (const auto& s : t.advanced_event_selectors) {
      advanced.push_back(trail::AdvancedEventSelectorToJson(s));
    }
    o["AdvancedEventSelectors"] = std::move(advanced);
    return o;
  }
  if (!t.custom_event_selectors) {
    o["EventSelectors"] = DefaultEventSelectors();
    return o;
  }
  json::array basic;
  for (const auto& s : t.event_selectors) basic.push_back(trail::EventSelectorToJson(s));
  o["EventSelectors"] = std::move(basic);
  return o;
}

class TrailService : public std::enable_shared_from_this<TrailService> {
 public:
  explicit TrailService(const TrailDeps& deps) : d_(deps) {}

  void Register(OperationTable& table);

 private:
  using Handler = Result<json::value> (TrailService::*)(RequestContext&);

  // Registers `op` with action cloudtrail:<op> on the trail named by `member` ("" = "*").
  // A name resolves to the ARN of the trail it finds unless `new_trail` (CreateTrail: the ARN
  // the new trail will have in ctx.region).
  void Add(OperationTable& table, std::string op, std::string member, Handler handler,
           bool request_tags = false, bool new_trail = false);

  // The trail `value` (name or ARN) names as seen from ctx.region. By name: the region's own
  // trail, or with `shadow_by_name` also a multi-region trail homed elsewhere. By ARN: any trail
  // that covers ctx.region.
  Result<TrailConfig> Lookup(const RequestContext& ctx, std::string_view value,
                             bool shadow_by_name) const;
  Status RequireHome(const RequestContext& ctx, const TrailConfig& t) const;

  Status CheckBucket(const TrailConfig& t) const;
  Result<std::string> CheckKey(const TrailConfig& t, std::string_view key_ref) const;
  Status CheckCloudWatchLogs(const TrailConfig& t) const;

  Result<json::value> CreateTrail(RequestContext& ctx);
  Result<json::value> UpdateTrail(RequestContext& ctx);
  Result<json::value> DeleteTrail(RequestContext& ctx);
  Result<json::value> GetTrail(RequestContext& ctx);
  Result<json::value> DescribeTrails(RequestContext& ctx);
  Result<json::value> ListTrails(RequestContext& ctx);
  Result<json::value> StartLogging(RequestContext& ctx);
  Result<json::value> StopLogging(RequestContext& ctx);
  Result<json::value> GetTrailStatus(RequestContext& ctx);
  Result<json::value> PutEventSelectors(RequestContext& ctx);
  Result<json::value> GetEventSelectors(RequestContext& ctx);
  Result<json::value> PutInsightSelectors(RequestContext& ctx);
  Result<json::value> GetInsightSelectors(RequestContext& ctx);
  Result<json::value> AddTags(RequestContext& ctx);
  Result<json::value> RemoveTags(RequestContext& ctx);
  Result<json::value> ListTags(RequestContext& ctx);

  Result<json::value> SetLogging(RequestContext& ctx, bool on);
  Result<TrailConfig> TaggedTrail(const RequestContext& ctx, std::string_view resource_id) const;

  TrailDeps d_;
};

void TrailService::Add(OperationTable& table, std::string op, std::string member, Handler handler,
                       bool request_tags, bool new_trail) {
  Operation operation;
  auto self = shared_from_this();
  operation.handler = [self, handler](RequestContext& ctx) { return ((*self).*handler)(ctx); };
  operation.authorization.action = "cloudtrail:" + op;
  if (!member.empty()) {
    operation.authorization.resources =
        [self, member, new_trail](const RequestContext& ctx) -> Result<std::vector<std::string>> {
      std::vector<std::string> arns;
      const json::value* v = ctx.input.if_contains(member);
      std::vector<std::string> values;
      if (v != nullptr && v->is_string()) values.emplace_back(v->as_string());
      if (v != nullptr && v->is_array()) {
        for (const json::value& e : v->as_array()) {
          if (e.is_string()) values.emplace_back(e.as_string());
        }
      }
      for (const std::string& value : values) {
        if (value.starts_with("arn:")) {
          arns.push_back(value);
          continue;
        }
        // A name: the ARN of the trail it finds (a shadow trail's is its home region's).
        auto found = new_trail ? Result<TrailConfig>(Status::NotFound(value))
                               : self->d_.trails.Find(ctx.account, ctx.region, value);
        arns.push_back(found.ok() ? found->Arn()
                                  : "arn:aws:cloudtrail:" + ctx.region + ":" + ctx.account +
                                        ":trail/" + value);
      }
      return arns;
    };
  }
  if (request_tags) operation.authorization.context = RequestTagKeys;
  table.Add("cloudtrail", std::move(op), std::move(operation));
}

void TrailService::Register(OperationTable& table) {
  Add(table, "CreateTrail", "Name", &TrailService::CreateTrail, /*request_tags=*/true,
      /*new_trail=*/true);
  Add(table, "UpdateTrail", "Name", &TrailService::UpdateTrail);
  Add(table, "DeleteTrail", "Name", &TrailService::DeleteTrail);
  Add(table, "GetTrail", "Name", &TrailService::GetTrail);
  Add(table, "DescribeTrails", "", &TrailService::DescribeTrails);
  Add(table, "ListTrails", "", &TrailService::ListTrails);
  Add(table, "StartLogging", "Name", &TrailService::StartLogging);
  Add(table, "StopLogging", "Name", &TrailService::StopLogging);
  Add(table, "GetTrailStatus", "Name", &TrailService::GetTrailStatus);
  Add(table, "PutEventSelectors", "TrailName", &TrailService::PutEventSelectors);
  Add(table, "GetEventSelectors", "TrailName", &TrailService::GetEventSelectors);
  Add(table, "PutInsightSelectors", "TrailName", &TrailService::PutInsightSelectors);
  Add(table, "GetInsightSelectors", "TrailName", &TrailService::GetInsightSelectors);
  Add(table, "AddTags", "ResourceId", &TrailService::AddTags, /*request_tags=*/true);
  Add(table, "RemoveTags", "ResourceId", &TrailService::RemoveTags);
  Add(table, "ListTags", "ResourceIdList", &TrailService::ListTags);
}

// --- lookups and checks ------------------------------------------------------------------

Result<TrailConfig> TrailService::Lookup(const RequestContext& ctx, std::string_view value,
                                         bool shadow_by_name) const {
  RETURN_IF_ERROR(ValidateNameOrArn(value));
  auto not_found = [&] {
    return Status::NotFound("Unknown trail: " + std::string(value) + " for the user: " +
                            ctx.account)
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

Status TrailService::RequireHome(const RequestContext& ctx, const TrailConfig& t) const {
  if (t.home_region == ctx.region) return Status::Ok();
  return Error("InvalidHomeRegionException",
               "This operation must be called from the trail's home region, " + t.home_region +
                   ": trail " + t.Arn() + " was created there (called in " + ctx.region + ").");
}

Status TrailService::CheckBucket(const TrailConfig& t) const {
  if (t.s3_bucket.empty()) {
    return Error("InvalidS3BucketNameException", "S3 bucket name must not be empty.");
  }
  auto bucket = d_.buckets.GetBucket(t.s3_bucket);
  if (!bucket.ok()) {
    if (bucket.status().code() != Code::kNotFound) return bucket.status();
    return Error("S3BucketDoesNotExistException", "S3 bucket " + t.s3_bucket + " does not exist.");
  }
  // CloudTrail must be able to read the bucket ACL and write every object under
  // [<prefix>/]AWSLogs/<account>/, as itself, for this trail (the documented bucket policy).
  std::string prefix = t.s3_key_prefix.empty() ? "" : t.s3_key_prefix + "/";
  InternalCall acl;
  acl.principal = policy::ServicePrincipal(kCloudTrailService);
  acl.account = t.account_id;
  acl.region = t.home_region;
  acl.service = "s3";
  acl.operation = "GetBucketAcl";
  acl.input = {{"Bucket", t.s3_bucket}, {"SourceArn", t.Arn()}, {"SourceAccount", t.account_id}};
  InternalCall put = acl;
  put.operation = "PutObject";
  put.input["Key"] = prefix + "AWSLogs/" + t.account_id + "/*";
  put.input["ACL"] = "bucket-owner-full-control";
  for (const InternalCall* call : {&acl, &put}) {
    Status allowed = d_.caller.Authorize(*call);
    if (allowed.code() == Code::kAccessDenied) {
      return Error("InsufficientS3BucketPolicyException",
                   "Incorrect S3 bucket policy is detected for bucket: " + t.s3_bucket);
    }
    RETURN_IF_ERROR(allowed);
  }
  return Status::Ok();
}

Result<std::string> TrailService::CheckKey(const TrailConfig& t, std::string_view key_ref) const {
  auto key = d_.keys.DescribeKey(kms::Scope{t.account_id, t.home_region}, key_ref);
  if (!key.ok()) {
    if (key.status().code() == Code::kNotFound) {
      return Status::NotFound("KMS key " + std::string(key_ref) + " was not found in " +
                              t.home_region + ".")
          .WithAwsCode("KmsKeyNotFoundException");
    }
    if (key.status().code() == Code::kInvalidArgument) {
      return Error("InvalidKmsKeyIdException", "Invalid KMS key id: " + std::string(key_ref));
    }
    return key.status();
  }
  if (key->state == kms::KeyState::kDisabled) {
    return Error("KmsKeyDisabledException", "KMS key " + key->arn + " is disabled.");
  }
  if (key->state != kms::KeyState::kEnabled) {
    return Error("KmsException", "KMS key " + key->arn + " is " +
                                     std::string(kms::KeyStateName(key->state)) + ".");
  }
  // CloudTrail encrypts log files with data keys it generates for the trail.
  InternalCall generate;
  generate.principal = policy::ServicePrincipal(kCloudTrailService);
  generate.account = t.account_id;
  generate.region = t.home_region;
  generate.service = "kms";
  generate.operation = "GenerateDataKey";
  generate.input = {{"KeyId", key->arn},
                    {"KeySpec", "AES_256"},
                    {"EncryptionContext", json::object{{"aws:cloudtrail:arn", t.Arn()}}},
                    {"SourceArn", t.Arn()},
                    {"SourceAccount", t.account_id}};
  Status allowed = d_.caller.Authorize(generate);
  if (allowed.code() == Code::kAccessDenied) {
    return Error("InsufficientEncryptionPolicyException",
                 "Insufficient permissions to access S3 bucket " + t.s3_bucket + " or KMS key " +
                     key->arn + ".");
  }
  RETURN_IF_ERROR(allowed);
  return key->arn;
}

Status TrailService::CheckCloudWatchLogs(const TrailConfig& t) const {
  const std::string& group_arn = t.cloudwatch_logs_log_group_arn;
  const std::string& role_arn = t.cloudwatch_logs_role_arn;
  if (group_arn.empty() && role_arn.empty()) return Status::Ok();
  if (group_arn.empty() || role_arn.empty()) {
    return Error("InvalidCloudWatchLogsRoleArnException", std::string(kNeedBoth));
  }
  // arn:aws:logs:<home region>:<account>:log-group:<name>[:*], of a group that exists.
  auto bad_group = [] {
    return Error("InvalidCloudWatchLogsLogGroupArnException", std::string(kBadGroup));
  };
  std::string expected = "arn:aws:logs:" + t.home_region + ":" + t.account_id + ":log-group:";
  std::string arn = t.LogGroupArn();
  if (!arn.starts_with(expected) || arn.size() == expected.size()) return bad_group();
  std::string group = arn.substr(expected.size());
  if (group.find(':') != std::string::npos) return bad_group();
  kiroku::Scope scope{t.account_id, t.home_region};
  auto found = d_.log_groups.GetLogGroup(scope, group);
  if (!found.ok()) {
    if (found.status().code() == Code::kNotFound) return bad_group();
    return found.status();
  }

  // The role must exist and trust cloudtrail.amazonaws.com to assume it for this trail.
  auto bad_trust = [] {
    return Error("InvalidCloudWatchLogsRoleArnException", std::string(kBadTrust));
  };
  auto role = d_.identities.GetRoleByArn(role_arn);
  if (!role.ok()) {
    if (role.status().code() == Code::kNotFound) return bad_trust();
    return role.status();
  }
  policy::RequestContext assume;
  assume.principal = policy::ServicePrincipal(kCloudTrailService);
  policy::AddPrincipalKeys(assume.principal, assume.keys);
  assume.keys.SetDate("aws:CurrentTime", d_.clock.Now());
  assume.keys.SetString("aws:SourceArn", t.Arn());
  assume.keys.SetString("aws:SourceAccount", t.account_id);
  if (!iam::EvaluateAssumeRole(policy::PolicySet{}, assume, *role).allowed()) return bad_trust();

  // As the role's session, it must be allowed to create and write the trail's stream.
  iam::Principal session = iam::AssumedRolePrincipal(t.account_id, role->name, role->arn,
                                                     role->id, std::string(kRoleSessionName));
  for (const auto& [k, v] : role->tags) session.tags[k] = v;
  for (std::string_view operation : {"CreateLogStream", "PutLogEvents"}) {
    InternalCall call;
    call.principal = session;
    call.account = t.account_id;
    call.region = t.home_region;
    call.service = "logs";
    call.operation = std::string(operation);
    call.input = {{"logGroupName", group}, {"logStreamName", t.LogStreamName()}};
    if (operation == "PutLogEvents") call.input["logEvents"] = json::array();
    Status allowed = d_.caller.Authorize(call);
    if (allowed.code() == Code::kAccessDenied) {
      return Error("InvalidCloudWatchLogsLogGroupArnException", std::string(kBadRolePolicy));
    }
    RETURN_IF_ERROR(allowed);
  }
  return Status::Ok();
}

// --- trails --------------------------------------------------------------------------------

Status CheckGlobalEvents(const TrailConfig& t) {
  if (t.multi_region && !t.include_global_service_events) {
    return Error("InvalidParameterCombinationException",
                 "Multi-Region trail must include global service events.");
  }
  return Status::Ok();
}

Status NoOrganizationTrail(const json::object& in) {
  if (OptBool(in, "IsOrganizationTrail").value_or(false)) {
    return Error("OrganizationsNotInUseException",
                 "This account is not a member of an organization: kiroku serves one account, "
                 "so organization trails are not available.");
  }
  return Status::Ok();
}

// CloudWatch Logs settings are given as a pair; one without the other is refused.
Status CheckCloudWatchLogsPair(const TrailConfig& t) {
  if (t.cloudwatch_logs_log_group_arn.empty() != t.cloudwatch_logs_role_arn.empty()) {
    return Error("InvalidCloudWatchLogsRoleArnException", std::string(kNeedBoth));
  }
  return Status::Ok();
}

Result<json::value> TrailService::CreateTrail(RequestContext& ctx) {
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
  RETURN_IF_ERROR(CheckGlobalEvents(t));
  RETURN_IF_ERROR(CheckCloudWatchLogsPair(t));
  RETURN_IF_ERROR(trail::ValidateTags(t.tags));
  if (d_.trails.Get(t.account_id, t.home_region, t.name).ok()) {
    return Status::AlreadyExists("Trail " + t.name + " already exists for customer: " +
                                 t.account_id)
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

Result<json::value> TrailService::UpdateTrail(RequestContext& ctx) {
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
    RETURN_IF_ERROR(CheckGlobalEvents(t));
    if (auto validation = OptBool(in, "EnableLogFileValidation")) t.log_file_validation = *validation;
    std::optional<std::string> group = OptStr(in, "CloudWatchLogsLogGroupArn");
    std::optional<std::string> role = OptStr(in, "CloudWatchLogsRoleArn");
    if (group) t.cloudwatch_logs_log_group_arn = *group;
    if (role) t.cloudwatch_logs_role_arn = *role;
    if (group || role) RETURN_IF_ERROR(CheckCloudWatchLogsPair(t));
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

Result<json::value> TrailService::DeleteTrail(RequestContext& ctx) {
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(ctx.input, "Name"), /*shadow_by_name=*/true));
  RETURN_IF_ERROR(RequireHome(ctx, t));
  RETURN_IF_ERROR(d_.trails.Delete(t.account_id, t.home_region, t.name));
  return json::value(json::object());
}

Result<json::value> TrailService::GetTrail(RequestContext& ctx) {
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(ctx.input, "Name"), /*shadow_by_name=*/true));
  return json::value{{"Trail", TrailJson(t, /*describe=*/true)}};
}

Result<json::value> TrailService::DescribeTrails(RequestContext& ctx) {
  bool include_shadow = OptBool(ctx.input, "includeShadowTrails").value_or(true);
  std::vector<std::string> names;
  if (const json::value* v = ctx.input.if_contains("trailNameList"); v != nullptr && v->is_array()) {
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

Result<json::value> TrailService::ListTrails(RequestContext& ctx) {
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

Result<json::value> TrailService::SetLogging(RequestContext& ctx, bool on) {
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(ctx.input, "Name"), /*shadow_by_name=*/true));
  RETURN_IF_ERROR(RequireHome(ctx, t));
  // Calls answered before this one were logging: they reach the trail's queue first.
  if (!on && d_.recorder != nullptr) d_.recorder->Flush();
  TimePoint now = d_.clock.Now();
  RETURN_IF_ERROR(d_.trails.UpdateStatus(t, [&](TrailStatus& s) {
    if (s.is_logging == on) return;  // already so: the recorded time stays
    s.is_logging = on;
    (on ? s.start_logging_time : s.stop_logging_time) = now;
  }));
  return json::value(json::object());
}

Result<json::value> TrailService::StartLogging(RequestContext& ctx) { return SetLogging(ctx, true); }
Result<json::value> TrailService::StopLogging(RequestContext& ctx) { return SetLogging(ctx, false); }

Result<json::value> TrailService::GetTrailStatus(RequestContext& ctx) {
  // A shadow trail's status is asked for by ARN (the model's GetTrailStatus doc).
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(ctx.input, "Name"), /*shadow_by_name=*/false));
  ASSIGN_OR_RETURN(TrailStatus status, d_.trails.GetStatus(t));
  return json::value(StatusJson(status));
}

// --- selectors -----------------------------------------------------------------------------

Result<json::value> TrailService::PutEventSelectors(RequestContext& ctx) {
  const json::object& in = ctx.input;
  ASSIGN_OR_RETURN(TrailConfig found, Lookup(ctx, Str(in, "TrailName"), /*shadow_by_name=*/true));
  RETURN_IF_ERROR(RequireHome(ctx, found));
  const json::value* basic = in.if_contains("EventSelectors");
  const json::value* advanced = in.if_contains("AdvancedEventSelectors");
  bool has_basic = basic != nullptr && basic->is_array();
  bool has_advanced = advanced != nullptr && advanced->is_array();
  if (has_basic == has_advanced) {
    return Error("InvalidEventSelectorsException",
                 has_basic ? "Specify either EventSelectors or AdvancedEventSelectors, not both."
                           : "Specify EventSelectors or AdvancedEventSelectors.");
  }
  std::vector<trail::EventSelector> selectors;
  std::vector<trail::AdvancedEventSelector> advanced_selectors;
  if (has_basic) {
    for (const json::value& s : basic->as_array()) {
      if (!s.is_object()) return Error("InvalidEventSelectorsException", "Malformed event selector.");
      selectors.push_back(trail::EventSelectorFromJson(s.as_object()));
    }
    RETURN_IF_ERROR(trail::ValidateEventSelectors(selectors));
  } else {
    for (const json::value& s : advanced->as_array()) {
      if (!s.is_object()) {
        return Error("InvalidEventSelectorsException", "Malformed advanced event selector.");
      }
      advanced_selectors.push_back(trail::AdvancedEventSelectorFromJson(s.as_object()));
    }
    RETURN_IF_ERROR(trail::ValidateAdvancedEventSelectors(advanced_selectors));
  }
  ASSIGN_OR_RETURN(TrailConfig t, d_.trails.Modify(found.account_id, found.home_region, found.name,
                                                   [&](TrailConfig& config) {
                                                     config.event_selectors = selectors;
                                                     config.advanced_event_selectors =
                                                         advanced_selectors;
                                                     config.custom_event_selectors = true;
                                                     return Status::Ok();
                                                   }));
  return json::value(SelectorsJson(t));
}

Result<json::value> TrailService::GetEventSelectors(RequestContext& ctx) {
  ASSIGN_OR_RETURN(TrailConfig t,
                   Lookup(ctx, Str(ctx.input, "TrailName"), /*shadow_by_name=*/true));
  return json::value(SelectorsJson(t));
}

// kiroku generates no Insights events, so a trail never has Insights enabled.
Result<json::value> TrailService::PutInsightSelectors(RequestContext& ctx) {
  const json::object& in = ctx.input;
  if (!Str(in, "EventDataStore").empty()) {
    return Error("UnsupportedOperationException", "kiroku has no CloudTrail Lake event data stores.");
  }
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(in, "TrailName"), /*shadow_by_name=*/true));
  RETURN_IF_ERROR(RequireHome(ctx, t));
  const json::value* selectors = in.if_contains("InsightSelectors");
  if (selectors != nullptr && selectors->is_array() && !selectors->as_array().empty()) {
    return Error("UnsupportedOperationException",
                 "kiroku does not generate CloudTrail Insights events.");
  }
  return json::value{{"TrailARN", t.Arn()}, {"InsightSelectors", json::array()}};
}

Result<json::value> TrailService::GetInsightSelectors(RequestContext& ctx) {
  const json::object& in = ctx.input;
  if (!Str(in, "EventDataStore").empty()) {
    return Error("UnsupportedOperationException", "kiroku has no CloudTrail Lake event data stores.");
  }
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(in, "TrailName"), /*shadow_by_name=*/true));
  return Error("InsightNotEnabledException",
               "Trail " + t.Arn() + " does not have Insights enabled.");
}

// --- tags ----------------------------------------------------------------------------------

Result<TrailConfig> TrailService::TaggedTrail(const RequestContext& ctx,
                                              std::string_view resource_id) const {
  std::optional<TrailArn> arn = ParseTrailArn(resource_id);
  if (!arn || !trail::ValidateTrailName(arn->name).ok()) {
    return Error("CloudTrailARNInvalidException",
                 "Invalid trail ARN: " + std::string(resource_id) +
                     ". The format of a trail ARN is "
                     "arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail.");
  }
  auto t = Lookup(ctx, resource_id, /*shadow_by_name=*/false);
  if (!t.ok() && t.status().code() == Code::kNotFound) {
    return Status::NotFound("Resource not found: " + std::string(resource_id))
        .WithAwsCode("ResourceNotFoundException");
  }
  return t;
}

Result<json::value> TrailService::AddTags(RequestContext& ctx) {
  ASSIGN_OR_RETURN(TrailConfig found, TaggedTrail(ctx, Str(ctx.input, "ResourceId")));
  auto added = TagList(ctx.input, "TagsList");
  RETURN_IF_ERROR(trail::ValidateTags(added));
  RETURN_IF_ERROR(d_.trails
                      .Modify(found.account_id, found.home_region, found.name,
                              [&](TrailConfig& t) {
                                for (auto& [key, value] : added) {
                                  auto it = std::find_if(t.tags.begin(), t.tags.end(),
                                                         [&](const auto& e) { return e.first == key; });
                                  if (it != t.tags.end()) {
                                    it->second = value;
                                  } else {
                                    t.tags.emplace_back(key, value);
                                  }
                                }
                                return trail::ValidateTags(t.tags);
                              })
                      .status());
  return json::value(json::object());
}

Result<json::value> TrailService::RemoveTags(RequestContext& ctx) {
  ASSIGN_OR_RETURN(TrailConfig found, TaggedTrail(ctx, Str(ctx.input, "ResourceId")));
  auto removed = TagList(ctx.input, "TagsList");
  RETURN_IF_ERROR(d_.trails
                      .Modify(found.account_id, found.home_region, found.name,
                              [&](TrailConfig& t) {
                                for (const auto& [key, value] : removed) {
                                  std::erase_if(t.tags, [&](const auto& e) { return e.first == key; });
                                }
                                return Status::Ok();
                              })
                      .status());
  return json::value(json::object());
}

Result<json::value> TrailService::ListTags(RequestContext& ctx) {
  json::array out;
  if (const json::value* ids = ctx.input.if_contains("ResourceIdList");
      ids != nullptr && ids->is_array()) {
    for (const json::value& id : ids->as_array()) {
      if (!id.is_string()) continue;
      ASSIGN_OR_RETURN(TrailConfig t, TaggedTrail(ctx, id.as_string()));
      out.push_back({{"ResourceId", t.Arn()}, {"TagsList", TagsJson(t.tags)}});
    }
  }
  return json::value{{"ResourceTagList", std::move(out)}};
}

}  // namespace

void AddCloudTrailTrailOperations(OperationTable& table, const TrailDeps& deps) {
  std::make_shared<TrailService>(deps)->Register(table);
}

}  // namespace kiroku::api
