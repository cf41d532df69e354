#include "services/cloudtrail/sinks.h"

#include "api/pipeline.h"
#include "aws/errors.h"
#include "aws/model.h"
#include "common/arn.h"
#include "common/encoding.h"
#include "common/logging.h"

namespace kiroku::services {
namespace json = boost::json;
using api::InternalCall;
using api::NewRequestId;
namespace {

constexpr std::string_view kCloudTrail = "cloudtrail.amazonaws.com";
// A new session this long before the cached one expires.
constexpr auto kRenewBefore = std::chrono::minutes(5);
constexpr std::string_view kSessionName = "CloudTrailDelivery";

// arn:aws:logs:<region>:<account>:log-group:<name> → (region, name).
std::optional<std::pair<std::string, std::string>> ParseLogGroupArn(std::string_view text) {
  constexpr std::string_view kGroup = "log-group:";
  std::optional<Arn> arn = Arn::Parse(text);
  if (!arn || arn->partition != "aws" || arn->service != "logs" ||
      !arn->resource.starts_with(kGroup) || arn->resource.size() == kGroup.size()) {
    return std::nullopt;
  }
  return std::pair<std::string, std::string>(arn->region, arn->resource.substr(kGroup.size()));
}

// The failure with the error code `service`'s clients would have seen (AccessDenied for S3,
// AccessDeniedException for CloudWatch Logs): GetTrailStatus reports that code.
Status AsServiceError(Status status, std::string_view service) {
  if (status.ok() || !status.aws_code().empty()) return status;
  const aws::ServiceModel* model = aws::ServiceModel::Find(service);
  aws::AwsError error = aws::MapError(model, model->protocol(), status);
  return std::move(status).WithAwsCode(error.code);
}

}  // namespace

Status S3LogFileSink::PutLogFile(const trail::TrailConfig& trail, const std::string& key,
                                 const std::string& body) {
  return Put(trail, key, body, {});
}

Status S3LogFileSink::PutDigestFile(const trail::TrailConfig& trail, const std::string& key,
                                    const std::string& body,
                                    const std::map<std::string, std::string>& metadata) {
  return Put(trail, key, body, metadata);
}

Status S3LogFileSink::Put(const trail::TrailConfig& trail, const std::string& key,
                          const std::string& body,
                          const std::map<std::string, std::string>& metadata) {
  json::object input{{"Bucket", trail.s3_bucket},
                     {"Key", key},
                     {"Body", body},
                     {"ACL", "bucket-owner-full-control"},
                     {"ContentType", "application/json"},
                     {"SourceArn", trail.Arn()},
                     {"SourceAccount", trail.account_id}};
  if (!trail.kms_key_id.empty()) {
    input["ServerSideEncryption"] = "aws:kms";
    input["SSEKMSKeyId"] = trail.kms_key_id;
    // S3 adds aws:s3:arn; CloudTrail's key policies condition on aws:cloudtrail:arn.
    input["SSEKMSEncryptionContext"] =
        Base64Encode(json::serialize(json::object{{"aws:cloudtrail:arn", trail.Arn()}}));
  }
  if (!metadata.empty()) {
    json::object meta;
    for (const auto& [k, v] : metadata) meta[k] = v;
    input["Metadata"] = std::move(meta);
  }
  InternalCall call{policy::ServicePrincipal(kCloudTrail),
                    trail.account_id,
                    trail.home_region,
                    "s3",
                    "PutObject",
                    std::move(input)};
  return AsServiceError(caller_.Call(call).status(), "s3");
}

Result<iam::Principal> RoleCloudWatchLogsSink::RoleSession(const trail::TrailConfig& trail) {
  {
    MutexLock lock(mu_);
    auto it = sessions_by_trail_.find(trail.Arn());
    if (it != sessions_by_trail_.end() && it->second.role_arn == trail.cloudwatch_logs_role_arn &&
        clock_.Now() + kRenewBefore < it->second.expiration) {
      return it->second.principal;
    }
  }
  ASSIGN_OR_RETURN(iam::Role role, identities_.GetRoleByArn(trail.cloudwatch_logs_role_arn));
  policy::RequestContext caller;
  caller.principal = policy::ServicePrincipal(kCloudTrail);
  caller.keys.SetString("aws:SourceArn", trail.Arn());
  caller.keys.SetString("aws:SourceAccount", trail.account_id);
  iam::AssumeRoleParams params;
  params.session_name = std::string(kSessionName);
  ASSIGN_OR_RETURN(iam::AssumedRole assumed,
                   sessions_.AssumeRoleAs(policy::PolicySet{}, std::move(caller), role, params));
  RecordAssumeRole(trail, assumed, role, params.session_name);
  MutexLock lock(mu_);
  sessions_by_trail_[trail.Arn()] = {trail.cloudwatch_logs_role_arn, assumed.principal,
                                     assumed.credentials.expiration};
  return assumed.principal;
}

void RoleCloudWatchLogsSink::RecordAssumeRole(const trail::TrailConfig& trail,
                                              const iam::AssumedRole& assumed,
                                              const iam::Role& role,
                                              const std::string& session_name) {
  if (recorder_ == nullptr) return;
  trail::ApiCallRecord r;
  r.event_id = NewRequestId();
  r.event_time = clock_.Now();
  r.event_source = "sts.amazonaws.com";
  r.event_name = "AssumeRole";
  r.aws_region = "us-east-1";  // STS through the global endpoint
  r.source_ip = std::string(kCloudTrail);
  r.user_agent = std::string(kCloudTrail);
  r.identity.type = "AWSService";
  r.identity.invoked_by = std::string(kCloudTrail);
  r.request_parameters = json::object{{"roleArn", role.arn}, {"roleSessionName", session_name}};
  r.response_elements = json::object{
      {"credentials", json::object{{"accessKeyId", assumed.credentials.access_key_id},
                                   {"expiration", FormatIso8601(assumed.credentials.expiration)}}},
      {"assumedRoleUser",
       json::object{{"assumedRoleId", assumed.principal.user_id}, {"arn", assumed.principal.arn}}}};
  r.request_id = NewRequestId();
  r.read_only = true;
  r.recipient_account_id = trail.account_id;
  r.resources.push_back({role.arn, trail.account_id, "AWS::IAM::Role"});
  recorder_->Record(std::move(r));
}

Status RoleCloudWatchLogsSink::PutEvents(const trail::TrailConfig& trail,
                                         const std::vector<Event>& events) {
  auto group = ParseLogGroupArn(trail.LogGroupArn());
  if (!group) {
    return Status::InvalidArgument("Check the log group ARN: CloudTrail can't validate it.")
        .WithAwsCode("InvalidCloudWatchLogsLogGroupArnException");
  }
  const auto& [region, group_name] = *group;
  auto role_session = RoleSession(trail);
  if (!role_session.ok()) return AsServiceError(role_session.status(), "sts");
  const iam::Principal& role = *role_session;
  const std::string stream = trail.LogStreamName();
  const std::string stream_key = trail.LogGroupArn() + "|" + stream;
  bool known;
  {
    MutexLock lock(mu_);
    known = streams_.contains(stream_key);
  }
  auto call = [&, region = region](std::string operation, json::object input) {
    return caller_.Call(InternalCall{role, trail.account_id, region, "logs", std::move(operation),
                                     std::move(input)});
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!known) {
      auto created =
          call("CreateLogStream", {{"logGroupName", group_name}, {"logStreamName", stream}});
      if (!created.ok()) created = AsServiceError(created.status(), "logs");
      if (!created.ok() && created.status().aws_code() != "ResourceAlreadyExistsException") {
        return created.status();
      }
      MutexLock lock(mu_);
      streams_.insert(stream_key);
      known = true;
    }
    json::array log_events;
    for (const Event& e : events) {
      log_events.push_back({{"timestamp", e.timestamp_ms}, {"message", e.message}});
    }
    auto put = call("PutLogEvents", {{"logGroupName", group_name},
                                     {"logStreamName", stream},
                                     {"logEvents", std::move(log_events)}});
    if (put.ok()) return Status::Ok();
    Status failed = AsServiceError(put.status(), "logs");
    if (failed.aws_code() != "ResourceNotFoundException") return failed;
    // The stream (or the group) went away: create the stream again once.
    MutexLock lock(mu_);
    streams_.erase(stream_key);
    known = false;
    if (attempt == 1) return failed;
  }
  return Status::Internal("unreachable");
}

}  // namespace kiroku::services
