// AssumeRole: its syntax checks (made before authorization, as AWS makes them), its
// authorization against the role's trust policy, and the session it issues.
#include "api/json_members.h"
#include "services/sts/sts_service.h"
#include "services/sts/sts_service_internal.h"

namespace kiroku::services {
using namespace sts_internal;
using api::Str;
using std::chrono::seconds;

namespace {

// AssumeRole's limits: a session lasts 15 minutes to 12 hours (and at most the role's
// MaxSessionDuration); session policies and tags as the STS API reference states them.
constexpr int64_t kAssumeRoleMaxDuration = 43200;
constexpr int64_t kAssumeRoleDefaultDuration = 3600;
constexpr size_t kMaxSessionPolicyChars = 2048;
constexpr size_t kMaxPolicyArns = 10;
constexpr size_t kMaxSessionTags = 50;
// kiroku's packing measure: the compact JSON of the inline policy, the policy ARNs and the tags,
// against this budget. PackedPolicySize is the percentage used.
constexpr size_t kPackedBudget = 4096;

Status CheckLength(std::string_view member, std::string_view value, size_t min, size_t max) {
  if (value.size() < min) {
    return ValidationError(
        member, value, "Member must have length greater than or equal to " + std::to_string(min));
  }
  if (value.size() > max) {
    return ValidationError(member, value,
                           "Member must have length less than or equal to " + std::to_string(max));
  }
  return Status::Ok();
}

// The syntax of an AssumeRole request, checked before authorization (AWS validates first).
Status ValidateAssumeRole(const json::object& in) {
  if (!in.contains("RoleArn")) {
    return Status::InvalidArgument(
               "1 validation error detected: Value null at 'roleArn' failed "
               "to satisfy constraint: Member must not be null")
        .WithAwsCode("ValidationError");
  }
  if (!in.contains("RoleSessionName")) {
    return Status::InvalidArgument(
               "1 validation error detected: Value null at 'roleSessionName' "
               "failed to satisfy constraint: Member must not be null")
        .WithAwsCode("ValidationError");
  }
  RETURN_IF_ERROR(CheckLength("RoleArn", Str(in, "RoleArn"), 20, 2048));
  std::string session_name = Str(in, "RoleSessionName");
  RETURN_IF_ERROR(CheckLength("RoleSessionName", session_name, 2, 64));
  if (!iam::IsValidSessionName(session_name)) {
    return ValidationError("RoleSessionName", session_name,
                           "Member must satisfy regular expression pattern: [\\w+=,.@-]*");
  }
  RETURN_IF_ERROR(
      OptionalInt(in, "DurationSeconds", kMinDuration, kAssumeRoleMaxDuration).status());
  if (in.contains("Policy")) {
    RETURN_IF_ERROR(CheckLength("Policy", Str(in, "Policy"), 1, kMaxSessionPolicyChars));
  }
  if (const json::value* arns = in.if_contains("PolicyArns");
      arns != nullptr && arns->is_array() && arns->as_array().size() > kMaxPolicyArns) {
    return ValidationError(
        "PolicyArns", "[...]",
        "Member must have length less than or equal to " + std::to_string(kMaxPolicyArns));
  }
  if (const json::value* tags = in.if_contains("Tags");
      tags != nullptr && tags->is_array() && tags->as_array().size() > kMaxSessionTags) {
    return ValidationError(
        "Tags", "[...]",
        "Member must have length less than or equal to " + std::to_string(kMaxSessionTags));
  }
  if (in.contains("ExternalId")) {
    RETURN_IF_ERROR(CheckLength("ExternalId", Str(in, "ExternalId"), 2, 1224));
  }
  if (in.contains("SourceIdentity")) {
    RETURN_IF_ERROR(CheckLength("SourceIdentity", Str(in, "SourceIdentity"), 2, 64));
  }
  return Status::Ok();
}

// The request's parameters other than the policy ARNs (resolved by the handler).
iam::AssumeRoleParams ParamsFromInput(const json::object& in) {
  iam::AssumeRoleParams p;
  p.session_name = Str(in, "RoleSessionName");
  const json::value* duration = in.if_contains("DurationSeconds");
  boost::system::error_code ec;
  int64_t n = duration != nullptr ? duration->to_number<int64_t>(ec) : 0;
  p.duration = seconds(duration != nullptr && !ec ? n : kAssumeRoleDefaultDuration);
  if (in.contains("Policy")) p.policies.push_back({"inline", Str(in, "Policy")});
  if (const json::value* tags = in.if_contains("Tags"); tags != nullptr && tags->is_array()) {
    for (const json::value& t : tags->as_array()) {
      if (t.is_object()) p.tags[Str(t.as_object(), "Key")] = Str(t.as_object(), "Value");
    }
  }
  if (const json::value* keys = in.if_contains("TransitiveTagKeys");
      keys != nullptr && keys->is_array()) {
    for (const json::value& k : keys->as_array()) {
      if (k.is_string()) p.transitive_tag_keys.emplace_back(k.as_string());
    }
  }
  if (in.contains("ExternalId")) p.external_id = Str(in, "ExternalId");
  if (in.contains("SourceIdentity")) p.source_identity = Str(in, "SourceIdentity");
  return p;
}

std::vector<std::string> PolicyArns(const json::object& in) {
  std::vector<std::string> arns;
  if (const json::value* list = in.if_contains("PolicyArns"); list != nullptr && list->is_array()) {
    for (const json::value& d : list->as_array()) {
      if (d.is_object()) arns.push_back(Str(d.as_object(), "arn"));
    }
  }
  return arns;
}

}  // namespace

Result<std::optional<iam::Role>> StsService::FindRole(const std::string& arn) const {
  Result<iam::Role> role = identities_.GetRoleByArn(arn);
  if (role.ok()) return std::optional<iam::Role>(std::move(*role));
  if (role.status().code() == Code::kNotFound) return std::optional<iam::Role>();
  return role.status();
}

api::Authorization StsService::AssumeRoleAuthorization() const {
  api::Authorization auth;
  auth.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    RETURN_IF_ERROR(ValidateAssumeRole(ctx.input));
    // Refused whatever the trust policy says (AssumeRoleAs refuses it too).
    if (ctx.principal.type == iam::PrincipalType::kRoot) {
      return Status::AccessDenied("Roles may not be assumed by root accounts.");
    }
    return std::vector<std::string>{Str(ctx.input, "RoleArn")};
  };
  auth.context = [](const RequestContext& ctx, policy::ContextKeys& keys) {
    iam::AddAssumeRoleKeys(ParamsFromInput(ctx.input), keys);
  };
  auth.resource_policy = [this](const RequestContext& ctx,
                                const std::string& arn) -> Result<std::optional<policy::Policy>> {
    ASSIGN_OR_RETURN(std::optional<iam::Role> role, FindRole(arn));
    if (!role) {
      // No such role: nothing trusts the caller.
      policy::RequestContext request;
      request.principal = ctx.principal;
      request.action = "sts:AssumeRole";
      request.resource = arn;
      policy::Decision denied;
      denied.denied_by = policy::PolicyType::kRoleTrust;
      return policy::AccessDeniedError(request, denied);
    }
    return std::optional<policy::Policy>(role->trust_policy);
  };
  return auth;
}

StsService::Json StsService::AssumeRole(RequestContext& ctx) const {
  const json::object& in = ctx.input;
  iam::AssumeRoleParams params = ParamsFromInput(in);
  // Managed session policies are resolved now; the session keeps their documents.
  size_t packed = 0;
  for (const std::string& arn : PolicyArns(in)) {
    ASSIGN_OR_RETURN(iam::ManagedPolicy managed, identities_.GetPolicy(arn));
    const iam::PolicyVersion* version = managed.DefaultVersion();
    if (version == nullptr) return Status::Internal("policy " + arn + " has no default version");
    params.policies.push_back({arn, version->document});
    packed += arn.size();
  }
  if (in.contains("Policy")) {
    boost::system::error_code ec;
    json::value doc = json::parse(Str(in, "Policy"), ec);
    packed += ec ? Str(in, "Policy").size() : json::serialize(doc).size();
  }
  for (const auto& [k, v] : params.tags) packed += k.size() + v.size();
  const bool report_packed = !params.policies.empty() || !params.tags.empty();
  params.packed_policy_size = static_cast<int>((packed * 100 + kPackedBudget - 1) / kPackedBudget);
  if (params.packed_policy_size > 100) {
    return Status::InvalidArgument(
               "Packed size of the session policies and tags exceeds the "
               "limit by " +
               std::to_string(params.packed_policy_size - 100) + "%.")
        .WithAwsCode("PackedPolicyTooLarge");
  }

  ASSIGN_OR_RETURN(std::optional<iam::Role> role, FindRole(Str(in, "RoleArn")));
  policy::RequestContext caller;
  caller.principal = ctx.principal;
  caller.keys = ctx.condition_keys;
  ASSIGN_OR_RETURN(policy::PolicySet caller_policies, identities_.PoliciesFor(ctx.principal));
  caller_policies.session.insert(caller_policies.session.end(), ctx.session_policies.begin(),
                                 ctx.session_policies.end());
  if (!role) {
    // The role vanished between authorization and now: refuse as AWS does for a missing role.
    caller.action = "sts:AssumeRole";
    caller.resource = Str(in, "RoleArn");
    policy::Decision denied;
    denied.denied_by = policy::PolicyType::kRoleTrust;
    return policy::AccessDeniedError(caller, denied);
  }
  ASSIGN_OR_RETURN(iam::AssumedRole assumed,
                   sessions_.AssumeRoleAs(caller_policies, std::move(caller), *role, params));
  json::object out{{"Credentials", CredentialsJson(assumed.credentials)},
                   {"AssumedRoleUser", json::object{{"AssumedRoleId", assumed.principal.user_id},
                                                    {"Arn", assumed.principal.arn}}}};
  if (report_packed) out["PackedPolicySize"] = params.packed_policy_size;
  if (assumed.source_identity) out["SourceIdentity"] = *assumed.source_identity;
  return json::value(std::move(out));
}

}  // namespace kiroku::services
