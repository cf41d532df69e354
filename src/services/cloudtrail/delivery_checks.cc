// Delivery-target checks of CreateTrail/UpdateTrail: CloudTrail must be able to write to the
// S3 bucket, encrypt with the KMS key and, through the role, write to the CloudWatch Logs log
// group — each judged by authorizing, without running, the call CloudTrail will make.
#include "common/encoding.h"
#include "common/scope.h"
#include "iam/session_store.h"
#include "policy/context.h"
#include "services/cloudtrail/cloudtrail_service.h"
#include "services/cloudtrail/cloudtrail_wire.h"
#include "trail/trail_rules.h"

namespace kiroku::services {
namespace json = boost::json;
using api::InternalCall;
using cloudtrail::Error;
using trail::TrailConfig;
namespace {

constexpr std::string_view kCloudTrailService = "cloudtrail.amazonaws.com";
// The session name CloudTrail's checks of the CloudWatch Logs role act under.
constexpr std::string_view kRoleSessionName = "CloudTrailCloudWatchLogsCheck";
constexpr std::string_view kBadGroup = "Check the log group ARN: CloudTrail can't validate it.";
constexpr std::string_view kBadTrust =
    "Access denied. Check the trust relationships for your role.";
constexpr std::string_view kBadRolePolicy =
    "Access denied. Verify in IAM that the role has adequate permissions.";

}  // namespace

Status CloudTrailService::CheckBucket(const TrailConfig& t) const {
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
  InternalCall acl;
  acl.principal = policy::ServicePrincipal(kCloudTrailService);
  acl.account = t.account_id;
  acl.region = t.home_region;
  acl.service = "s3";
  acl.operation = "GetBucketAcl";
  acl.input = {{"Bucket", t.s3_bucket}, {"SourceArn", t.Arn()}, {"SourceAccount", t.account_id}};
  InternalCall put = acl;
  put.operation = "PutObject";
  put.input["Key"] = t.DeliveryKeyPattern();
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

Result<std::string> CloudTrailService::CheckKey(const TrailConfig& t,
                                                std::string_view key_ref) const {
  auto key = d_.keys.DescribeKey(kiroku::Scope{t.account_id, t.home_region}, key_ref);
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
    return Error("KmsException",
                 "KMS key " + key->arn + " is " + std::string(kms::KeyStateName(key->state)) + ".");
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

Status CloudTrailService::CheckCloudWatchLogs(const TrailConfig& t) const {
  const std::string& group_arn = t.cloudwatch_logs_log_group_arn;
  const std::string& role_arn = t.cloudwatch_logs_role_arn;
  if (group_arn.empty() && role_arn.empty()) return Status::Ok();
  RETURN_IF_ERROR(trail::ValidateCloudWatchLogsPair(t));
  // arn:aws:logs:<home region>:<account>:log-group:<name>[:*], of a group that exists.
  auto bad_group = [] {
    return Error("InvalidCloudWatchLogsLogGroupArnException", std::string(kBadGroup));
  };
  std::optional<std::string> group = trail::HomeLogGroupName(t);
  if (!group) return bad_group();
  auto found = d_.log_groups.GetLogGroup(kiroku::Scope{t.account_id, t.home_region}, *group);
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
  iam::Principal session = iam::AssumedRolePrincipal(t.account_id, role->name, role->arn, role->id,
                                                     std::string(kRoleSessionName));
  for (const auto& [k, v] : role->tags) session.tags[k] = v;
  for (std::string_view operation : {"CreateLogStream", "PutLogEvents"}) {
    InternalCall call;
    call.principal = session;
    call.account = t.account_id;
    call.region = t.home_region;
    call.service = "logs";
    call.operation = std::string(operation);
    call.input = {{"logGroupName", *group}, {"logStreamName", t.LogStreamName()}};
    if (operation == "PutLogEvents") call.input["logEvents"] = json::array();
    Status allowed = d_.caller.Authorize(call);
    if (allowed.code() == Code::kAccessDenied) {
      return Error("InvalidCloudWatchLogsLogGroupArnException", std::string(kBadRolePolicy));
    }
    RETURN_IF_ERROR(allowed);
  }
  return Status::Ok();
}

}  // namespace kiroku::services
