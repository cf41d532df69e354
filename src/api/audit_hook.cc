#include "api/audit_hook.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "api/operation.h"
#include "api/pipeline.h"
#include "aws/errors.h"
#include "common/encoding.h"

namespace kiroku::api {
namespace json = boost::json;
namespace {

// Members holding a secret although the model does not mark their shape `sensitive` (checked
// by tests/api/audit_hook_test.cc against every operation of every embedded model):
constexpr std::array<std::string_view, 9> kSecretMembers = {
    // kms: a grant token lets its holder use the grant at once; a bearer secret.
    "GrantToken", "GrantTokens",
    // sts Credentials: the session token is half of the temporary credential. AWS writes it in
    // AssumeRole's responseElements; kiroku does not (with the access key id from userIdentity
    // it is one guess away from a usable credential).
    "SessionToken",
    // MFA one-time codes (sts TokenCode, iam Enable/ResyncMFADevice): valid for a time window.
    "TokenCode", "AuthenticationCode1", "AuthenticationCode2",
    // sts ProvidedContexts: a signed context assertion is a bearer token.
    "ContextAssertion",
    // kms GetParametersForImport / ImportKeyMaterial (blobs already, listed for clarity).
    "ImportToken",
    // logs PutLogEvents: the events are data, not parameters (AWS records none).
    "LogEvents"};

bool EqualsFirstLetterAnyCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() &&
         std::tolower(static_cast<unsigned char>(a[0])) ==
             std::tolower(static_cast<unsigned char>(b[0])) &&
         a.substr(1) == b.substr(1);
}

// CloudTrail names parameters in lowerCamelCase ("UserName" -> "userName"), keeping acronyms
// that start a name as they are but for the first letter ("KMSKeyId" -> "kMSKeyId", as AWS).
std::string CamelCase(std::string_view name) { return LowerFirst(name); }

// The member of `shape` named `name` (exactly, or but for the case of the first letter).
const aws::Member* MemberOf(const aws::Shape& shape, std::string_view name) {
  if (const aws::Member* m = shape.FindMember(name)) return m;
  for (const aws::Member& m : shape.members) {
    if (EqualsFirstLetterAnyCase(m.name, name)) return &m;
  }
  return nullptr;
}

constexpr int kMaxRecordDepth = 32;

// The recorded form of `value` under `shape`, or nullopt when it is left out.
std::optional<json::value> Walk(const aws::Shape* shape, const json::value& value, RecordPart part,
                                int depth) {
  if (shape == nullptr || depth > kMaxRecordDepth) return std::nullopt;
  const std::string& type = shape->type;
  if (type == "structure") {
    if (!value.is_object()) return std::nullopt;
    json::object out;
    for (const auto& [name, v] : value.as_object()) {
      const aws::Member* member = MemberOf(*shape, name);
      if (member == nullptr || member->shape == nullptr) continue;
      if (member->shape->type == "blob") continue;  // payloads are never recorded
      if (member->shape->sensitive || IsSecretMember(member->name)) {
        if (part == RecordPart::kRequestParameters && !IsSecretMember(member->name)) {
          out[CamelCase(member->name)] = kHiddenValue;
        }
        continue;
      }
      if (auto recorded = Walk(member->shape, v, part, depth + 1)) {
        out[CamelCase(member->name)] = std::move(*recorded);
      }
    }
    return json::value(std::move(out));
  }
  if (type == "list") {
    if (!value.is_array()) return std::nullopt;
    const aws::Shape* element = shape->member.shape;
    if (element != nullptr && (element->sensitive || element->type == "blob")) return std::nullopt;
    json::array out;
    for (const json::value& v : value.as_array()) {
      if (auto recorded = Walk(element, v, part, depth + 1)) out.push_back(std::move(*recorded));
    }
    return json::value(std::move(out));
  }
  if (type == "map") {
    if (!value.is_object()) return std::nullopt;
    const aws::Shape* element = shape->value.shape;
    if (element != nullptr && (element->sensitive || element->type == "blob")) return std::nullopt;
    json::object out;
    for (const auto& [k, v] : value.as_object()) {
      if (auto recorded = Walk(element, v, part, depth + 1)) out[k] = std::move(*recorded);
    }
    return json::value(std::move(out));
  }
  if (type == "blob" || shape->sensitive) return std::nullopt;
  if (value.is_object() || value.is_array()) return std::nullopt;
  return value;  // string, number, boolean, timestamp
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
  if (service == "kms")
    return starts("key/") ? "AWS::KMS::Key" : starts("alias/") ? "AWS::KMS::Alias" : "";
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
    std::string_view service =
        std::string_view(arn).substr(colons[1] + 1, colons[2] - colons[1] - 1);
    std::string_view account =
        std::string_view(arn).substr(colons[3] + 1, colons[4] - colons[3] - 1);
    std::string type = ResourceType(service, std::string_view(arn).substr(colons[4] + 1));
    if (type.empty()) continue;
    bool seen =
        std::any_of(out.begin(), out.end(), [&](const trail::Resource& r) { return r.arn == arn; });
    if (!seen) out.push_back({arn, account.empty() ? ctx.account : std::string(account), type});
  }
  return out;
}

}  // namespace

bool IsSecretMember(std::string_view member_name) {
  return std::any_of(kSecretMembers.begin(), kSecretMembers.end(),
                     [&](std::string_view s) { return EqualsFirstLetterAnyCase(s, member_name); });
}

json::value RecordParameters(const aws::Shape* shape, const json::value& value, RecordPart part) {
  std::optional<json::value> recorded = Walk(shape, value, part, 0);
  if (!recorded || (recorded->is_object() && recorded->as_object().empty())) return nullptr;
  return std::move(*recorded);
}

json::value S3RequestParameters(const RequestContext& ctx) {
  auto text = [&](std::string_view member) -> std::string {
    const json::value* v = ctx.input.if_contains(member);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  json::object out;
  if (std::string bucket = text("Bucket"); !bucket.empty()) out["bucketName"] = bucket;
  if (const std::string* host = ctx.http.FindHeader("Host")) out["Host"] = *host;
  if (std::string key = text("Key"); !key.empty()) out["key"] = key;
  // The query string: sub-resources ("policy": "") and the operation's parameters. Signing
  // parameters of presigned URLs (SigV4 X-Amz-*, SigV2 Signature/AWSAccessKeyId) never.
  if (const json::value* query = ctx.input.if_contains("Query"); query && query->is_object()) {
    for (const auto& [name, v] : query->as_object()) {
      std::string lower = AsciiLower(name);
      if (lower.starts_with("x-amz-") || lower == "signature" || lower == "awsaccesskeyid") {
        continue;
      }
      if (v.is_string()) out[name] = v;
    }
  }
  return out.empty() ? json::value(nullptr) : json::value(std::move(out));
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
  if (const std::string* agent = ctx.http.FindHeader("User-Agent"))
    r.user_agent = agent->substr(0, 1024);
  r.identity = IdentityOf(ctx);
  if (!status.ok()) {
    aws::AwsError error = aws::MapError(ctx.route.model, ctx.route.protocol, status);
    r.error_code = error.code;
    r.error_message = error.message.substr(0, 1024);
  }
  // The model's operation: the decode stage's, or (S3, failed decodes) the route's.
  const aws::Operation* model_op =
      ctx.operation != nullptr ? ctx.operation : ctx.route.model->FindOperation(operation);
  if (ctx.route.protocol == aws::Protocol::kRestXml) {
    r.request_parameters = S3RequestParameters(ctx);
  } else if (!ctx.input.empty() && model_op != nullptr) {
    r.request_parameters =
        RecordParameters(model_op->input, json::value(ctx.input), RecordPart::kRequestParameters);
  }
  // The operation's row says whether it only reads and whether it is a data event. A call that
  // named no served operation (no row) is recorded as a write management event.
  const Operation* row = ctx.served;
  r.read_only = row != nullptr && row->access == Access::kRead;
  if (status.ok() && !r.read_only && model_op != nullptr && ctx.output.is_object() &&
      !ctx.output.as_object().empty()) {
    r.response_elements =
        RecordParameters(model_op->output, ctx.output, RecordPart::kResponseElements);
  }
  r.request_id = ctx.request_id;
  r.management_event = row == nullptr || row->category == EventCategory::kManagement;
  r.event_category = r.management_event ? "Management" : "Data";
  r.recipient_account_id = ctx.account;
  r.resources = ResourcesOf(ctx);
  if (const std::string* host = ctx.http.FindHeader("Host")) r.host_header = *host;
  r.session_credential_from_console = ctx.session_kind == iam::SessionKind::kConsole;
  return r;
}

void AuditHook::OnComplete(const RequestContext& ctx, const Status& status) {
  // Only calls whose caller is known are recorded (AWS does not record unsigned requests).
  if (ctx.principal.arn.empty() || ctx.route.model == nullptr) return;
  recorder_.Record(BuildRecord(ctx, status, clock_.Now()));
}

}  // namespace kiroku::api
