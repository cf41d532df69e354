#include "api/sts_service.h"
#include "api/json_members.h"

#include <chrono>

#include "common/encoding.h"

namespace kiroku::api {
namespace json = boost::json;

namespace {

using std::chrono::seconds;

// GetSessionToken: 15 minutes to 36 hours, 12 hours by default; the root user gets at most one
// hour (a longer request is shortened, not refused).
constexpr int64_t kMinDuration = 900;
constexpr int64_t kSessionTokenMaxDuration = 129600;
constexpr int64_t kSessionTokenDefaultDuration = 43200;
constexpr int64_t kRootMaxDuration = 3600;

// STS reports input constraint failures as "1 validation error detected: Value '…' at
// '<member in camelCase>' failed to satisfy constraint: …".
Status ValidationError(std::string_view member, std::string_view value,
                       std::string_view constraint) {
  return Status::InvalidArgument("1 validation error detected: Value '" + std::string(value) +
                                 "' at '" + LowerFirst(member) +
                                 "' failed to satisfy constraint: " + std::string(constraint))
      .WithAwsCode("ValidationError");
}

Result<std::optional<int64_t>> OptionalInt(const json::object& input, std::string_view member,
                                           int64_t min, int64_t max) {
  const json::value* v = input.if_contains(member);
  if (v == nullptr || v->is_null()) return std::optional<int64_t>();
  boost::system::error_code ec;
  int64_t n = v->to_number<int64_t>(ec);
  if (ec) return ValidationError(member, json::serialize(*v), "Member must be an integer");
  if (n < min) {
    return ValidationError(
        member, std::to_string(n),
        "Member must have value greater than or equal to " + std::to_string(min));
  }
  if (n > max) {
    return ValidationError(member, std::to_string(n),
                           "Member must have value less than or equal to " + std::to_string(max));
  }
  return std::optional<int64_t>(n);
}

json::value Epoch(TimePoint t) {
  return json::value(std::chrono::duration_cast<seconds>(t.time_since_epoch()).count());
}

json::object CredentialsJson(const iam::IssuedCredentials& c) {
  return {{"AccessKeyId", c.access_key_id},
          {"SecretAccessKey", c.secret_access_key},
          {"SessionToken", c.session_token},
          {"Expiration", Epoch(c.expiration)}};
}

Result<json::value> GetCallerIdentity(RequestContext& ctx) {
  return json::value{{"UserId", ctx.principal.user_id},
                     {"Account", ctx.principal.account},
                     {"Arn", ctx.principal.arn}};
}

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

class StsService {
 public:
  StsService(const iam::IdentityStore& identities, iam::SessionStore& sessions)
      : identities_(identities), sessions_(sessions) {}

  Result<json::value> GetSessionToken(RequestContext& ctx) const {
    if (ctx.session_kind) {
      return Status::AccessDenied("Cannot call GetSessionToken with session credentials");
    }
    const iam::Principal& caller = ctx.principal;
    if (caller.type != iam::PrincipalType::kUser && caller.type != iam::PrincipalType::kRoot) {
      return Status::AccessDenied("Only IAM users and the root user can call GetSessionToken");
    }
    RETURN_IF_ERROR(RefuseExplicitDeny(ctx, "sts:GetSessionToken"));
    ASSIGN_OR_RETURN(
        std::optional<int64_t> requested,
        OptionalInt(ctx.input, "DurationSeconds", kMinDuration, kSessionTokenMaxDuration));
    if (ctx.input.contains("SerialNumber") || ctx.input.contains("TokenCode")) {
      // kiroku has no MFA devices, so no one-time code can be valid.
      return Status::AccessDenied(
          "MultiFactorAuthentication failed with invalid MFA one time "
          "pass code.");
    }
    int64_t duration = requested.value_or(kSessionTokenDefaultDuration);
    if (caller.type == iam::PrincipalType::kRoot) duration = std::min(duration, kRootMaxDuration);

    iam::NewSession session;
    session.kind = iam::SessionKind::kSessionToken;
    session.principal = caller;
    session.duration = seconds(duration);
    ASSIGN_OR_RETURN(iam::IssuedCredentials issued, sessions_.Create(session));
    return json::value{{"Credentials", CredentialsJson(issued)}};
  }

  // The role named by the request, or nullopt when there is none (which the trust check
  // answers as AccessDenied, exactly like a role that does not trust the caller).
  Result<std::optional<iam::Role>> FindRole(const std::string& arn) const {
    Result<iam::Role> role = identities_.GetRoleByArn(arn);
    if (role.ok()) return std::optional<iam::Role>(std::move(*role));
    if (role.status().code() == Code::kNotFound) return std::optional<iam::Role>();
    return role.status();
  }

  // Authorization: sts:AssumeRole on the role, with its trust policy as the resource policy.
  Authorization AssumeRoleAuthorization() const {
    Authorization auth;
    auth.action = "sts:AssumeRole";
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

  Result<json::value> AssumeRole(RequestContext& ctx) const {
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
    params.packed_policy_size =
        static_cast<int>((packed * 100 + kPackedBudget - 1) / kPackedBudget);
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

 private:
  // For operations that need no permission but can be denied explicitly.
  Status RefuseExplicitDeny(const RequestContext& ctx, std::string_view action) const {
    ASSIGN_OR_RETURN(policy::PolicySet policies, identities_.PoliciesFor(ctx.principal));
    policy::RequestContext request;
    request.principal = ctx.principal;
    request.action = std::string(action);
    request.resource = "*";
    policy::AddPrincipalKeys(ctx.principal, request.keys);
    request.keys.SetString("aws:RequestedRegion", ctx.region);
    policy::Decision decision = policy::Evaluate(policies, request);
    if (decision.decision == policy::EvalDecision::kExplicitDeny) {
      return policy::AccessDeniedError(request, decision);
    }
    return Status::Ok();
  }

  const iam::IdentityStore& identities_;
  iam::SessionStore& sessions_;
};

}  // namespace

void AddStsOperations(OperationTable& table, const iam::IdentityStore& identities,
                      iam::SessionStore& sessions) {
  auto sts = std::make_shared<StsService>(identities, sessions);
  // AWS answers GetCallerIdentity for every valid credential, even under an explicit deny.
  table.Add("sts", "GetCallerIdentity", Operation{.handler = GetCallerIdentity});
  // "No permissions are required for users to perform this operation" (STS API reference): the
  // handler itself honours an explicit deny of sts:GetSessionToken, nothing else.
  table.Add("sts", "GetSessionToken",
            Operation{.handler = [sts](RequestContext& ctx) { return sts->GetSessionToken(ctx); }});
  // The pipeline authorizes sts:AssumeRole against the role's trust policy; the handler then goes
  // through iam::SessionStore::AssumeRoleAs, whose trust check every role assumption shares.
  table.Add("sts", "AssumeRole",
            Operation{.handler = [sts](RequestContext& ctx) { return sts->AssumeRole(ctx); },
                      .authorization = sts->AssumeRoleAuthorization()});
}

}  // namespace kiroku::api
