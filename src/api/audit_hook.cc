#include "api/audit_hook.h"

#include <algorithm>
#include <array>

#include "aws/errors.h"
#include "api/pipeline.h"
#include "api/s3_service.h"

namespace kiroku::api {
namespace json = boost::json;
namespace {

constexpr std::array<std::string_view, 8> kLogsDataPlane = {
    "PutLogEvents", "GetLogEvents", "FilterLogEvents", "GetLogRecord",
    "StartLiveTail", "GetQueryResults", "StartQuery", "StopQuery"};
// Operations whose names do not start with Get/List/Describe/... but only read.
constexpr std::array<std::string_view, 7> kAlsoReadOnly = {
    "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
    "GenerateRandom", "FilterLogEvents"};

bool StartsWithAny(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (s.starts_with(p)) return true;
  }
  return false;
}

trail::UserIdentity IdentityOf(const RequestContext& ctx) {
  const iam::Principal& p = ctx.principal;
  trail::UserIdentity id;
  id.account_id = p.account;
  id.arn = p.arn;
  id.principal_id = p.user_id;
  id.access_key_id = ctx.access_key_id;
  switch (p.type) {
    case policy::PrincipalType::kRoot:
      id.type = "Root";
      break;
    case policy::PrincipalType::kUser:
      id.type = "IAMUser";
      id.user_name = p.user_name;
      break;
    case policy::PrincipalType::kAssumedRole: {
      id.type = "AssumedRole";
      trail::UserIdentity::SessionIssuer issuer;
      issuer.arn = p.role_arn;
      issuer.account_id = p.account;
      issuer.principal_id = p.user_id.substr(0, p.user_id.find(':'));
      issuer.user_name = p.role_arn.substr(p.role_arn.rfind('/') + 1);
      id.session_issuer = issuer;
      id.session_created = ctx.session_issued;
      break;
    }
    case policy::PrincipalType::kService:
      id.type = "AWSService";
      id.invoked_by = p.service;
      break;
    default:
      id.type = "Unknown";
  }
  if (ctx.session_issued && p.type != policy::PrincipalType::kAssumedRole) {
    id.session_created = ctx.session_issued;
  }
  return id;
}

// CloudTrail's resource type of an ARN ("" when it names no resource CloudTrail lists).
std::string ResourceType(std::string_view service, std::string_view resource) {
  auto starts = [&](std::string_view p) { return resource.starts_with(p); };
  if (service == "kms") return starts("key/") ? "AWS::KMS::Key" : starts("alias/") ? "AWS::KMS::Alias" : "";
  if (service == "iam") {
    if (starts("user/")) return "AWS::IAM::User";
    if (starts("role/")) return "AWS::IAM::Role";
    if (starts("group/")) return "AWS::IAM::Group";
    if (starts("policy/")) return "AWS::IAM::Policy";
    if (starts("mfa/")) return "AWS::IAM::MFADevice";
    return "";
  }
  if (service == "logs") {
    if (resource.find(":log-stream:") != std::string_view::npos) return "AWS::Logs::LogStream";
    return starts("log-group:") ? "AWS::Logs::LogGroup" : "";
  }
  if (service == "s3") {
    if (resource.empty()) return "";
    return resource.find('/') == std::string_view::npos ? "AWS::S3::Bucket" : "AWS::S3::Object";
  }
  if (service == "cloudtrail") return starts("trail/") ? "AWS::CloudTrail::Trail" : "";
  return "";
}

// The record's "resources": the ARNs the call was authorized on, typed.
std::vector<trail::Resource> ResourcesOf(const RequestContext& ctx) {
  std::vector<trail::Resource> out;
  for (const std::string& arn : ctx.resources) {
    // arn:<partition>:<service>:<region>:<account>:<resource>
    std::array<size_t, 5> colons{};
    size_t at = 0;
    bool ok = true;
    for (size_t& c : colons) {
      c = arn.find(':', at);
      if (c == std::string::npos) {
        ok = false;
        break;
      }
      at = c + 1;
    }
    if (!ok || !arn.starts_with("arn:")) continue;
    std::string_view service = std::string_view(arn).substr(colons[1] + 1, colons[2] - colons[1] - 1);
    std::string_view account = std::string_view(arn).substr(colons[3] + 1, colons[4] - colons[3] - 1);
    std::string type = ResourceType(service, std::string_view(arn).substr(colons[4] + 1));
    if (type.empty()) continue;
    bool seen = std::any_of(out.begin(), out.end(), [&](const trail::Resource& r) { return r.arn == arn; });
    if (!seen) out.push_back({arn, account.empty() ? ctx.account : std::string(account), type});
  }
  return out;
}

}  // namespace

bool IsDataEvent(std::string_view service, std::string_view operation) {
  if (service == "logs") {
    return std::find(kLogsDataPlane.begin(), kLogsDataPlane.end(), operation) !=
           kLogsDataPlane.end();
  }
  if (service == "s3") return S3EventCategoryOf(operation) == S3EventCategory::kData;
  return false;
}

bool IsReadOnly(std::string_view, std::string_view operation) {
  return StartsWithAny(operation, {"Get", "List", "Describe", "Lookup", "Simulate", "Head",
                                   "Test"}) ||
         std::find(kAlsoReadOnly.begin(), kAlsoReadOnly.end(), operation) != kAlsoReadOnly.end();
}

trail::ApiCallRecord BuildRecord(const RequestContext& ctx, const Status& status, TimePoint now) {
  const std::string service(ctx.route.model->service());
  const std::string& operation = ctx.route.operation_name;
  trail::ApiCallRecord r;
  r.event_id = NewRequestId();
  r.event_time = now;
  r.event_source = service + ".amazonaws.com";
  r.event_name = operation;
  r.aws_region = service == "iam" || service == "sts" ? "us-east-1" : ctx.region;
  r.source_ip = ctx.http.remote_address;
  if (const std::string* agent = ctx.http.FindHeader("User-Agent")) r.user_agent = agent->substr(0, 1024);
  r.identity = IdentityOf(ctx);
  if (!status.ok()) {
    aws::AwsError error = aws::MapError(ctx.route.model, ctx.route.protocol, status);
    r.error_code = error.code;
    r.error_message = error.message.substr(0, 1024);
  }
  r.request_parameters = ctx.input.empty() ? json::value(nullptr)
                                           : trail::RedactParameters(json::value(ctx.input));
  r.read_only = IsReadOnly(service, operation);
  r.response_elements = status.ok() && !r.read_only && ctx.output.is_object() &&
                                !ctx.output.as_object().empty()
                            ? trail::RedactParameters(ctx.output)
                            : json::value(nullptr);
  r.request_id = ctx.request_id;
  r.management_event = !IsDataEvent(service, operation);
  r.event_category = r.management_event ? "Management" : "Data";
  r.recipient_account_id = ctx.account;
  r.resources = ResourcesOf(ctx);
  if (const std::string* host = ctx.http.FindHeader("Host")) r.host_header = *host;
  return r;
}

void AuditHook::OnComplete(const RequestContext& ctx, const Status& status) {
  // Only calls whose caller is known are recorded (AWS does not record unsigned requests).
  if (ctx.principal.arn.empty() || ctx.route.model == nullptr) return;
  recorder_.Record(BuildRecord(ctx, status, clock_.Now()));
}

}  // namespace kiroku::api
