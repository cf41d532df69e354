// GetSessionToken: temporary credentials for an IAM user or the root user.
#include <algorithm>

#include "services/sts/sts_service.h"
#include "services/sts/sts_service_internal.h"

namespace kiroku::services {
using namespace sts_internal;

namespace {

// 15 minutes to 36 hours, 12 hours by default; the root user gets at most one hour (a longer
// request is shortened, not refused).
constexpr int64_t kSessionTokenMaxDuration = 129600;
constexpr int64_t kSessionTokenDefaultDuration = 43200;
constexpr int64_t kRootMaxDuration = 3600;

}  // namespace

Status StsService::RefuseExplicitDeny(const RequestContext& ctx, std::string_view action) const {
  ASSIGN_OR_RETURN(policy::PolicySet policies, identities_.PoliciesFor(ctx.principal));
  policy::RequestContext request;
  request.principal = ctx.principal;
  request.action = std::string(action);
  request.resource = std::string(1, '*');  // `= "*"` trips a GCC 12 -Wrestrict false positive
  policy::AddPrincipalKeys(ctx.principal, request.keys);
  request.keys.SetString("aws:RequestedRegion", ctx.region);
  policy::Decision decision = policy::Evaluate(policies, request);
  if (decision.decision == policy::EvalDecision::kExplicitDeny) {
    return policy::AccessDeniedError(request, decision);
  }
  return Status::Ok();
}

StsService::Json StsService::GetSessionToken(RequestContext& ctx) const {
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
  session.duration = std::chrono::seconds(duration);
  ASSIGN_OR_RETURN(iam::IssuedCredentials issued, sessions_.Create(session));
  return boost::json::value{{"Credentials", CredentialsJson(issued)}};
}

}  // namespace kiroku::services
