// IAM roles.
#include "services/iam/iam_service.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services {
using namespace iam_internal;

IamService::Json IamService::CreateRole(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "RoleName");
  std::string trust = Str(ctx.input, "AssumeRolePolicyDocument");
  iam::RoleOptions options;
  options.path = OrDefault(ctx.input, "Path", "/");
  options.description = OrDefault(ctx.input, "Description", "");
  options.max_session_duration =
      static_cast<int>(OptionalInt(ctx.input, "MaxSessionDuration").value_or(3600));
  options.tags = InputTags(ctx.input);
  options.permissions_boundary = OrDefault(ctx.input, "PermissionsBoundary", "");
  ASSIGN_OR_RETURN(iam::Role role, identities_.CreateRole(name, trust, options));
  return Out({{"Role", RoleJson(role, true)}});
}

IamService::Json IamService::GetRole(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(iam::Role role, identities_.GetRole(Str(ctx.input, "RoleName")));
  return Out({{"Role", RoleJson(role, true)}});
}

IamService::Json IamService::ListRoles(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(auto roles, identities_.ListRoles(OrDefault(ctx.input, "PathPrefix", "/")));
  std::vector<std::pair<std::string, json::value>> items;
  for (const iam::Role& r : roles) items.emplace_back(SortKey(r.name), RoleJson(r, false));
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Roles", out));
  return Out(std::move(out));
}

IamService::Json IamService::UpdateRole(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "RoleName");
  std::optional<int> duration;
  if (auto d = OptionalInt(ctx.input, "MaxSessionDuration")) duration = static_cast<int>(*d);
  RETURN_IF_ERROR(identities_.UpdateRole(name, Optional(ctx.input, "Description"), duration));
  return Out();
}

IamService::Json IamService::UpdateRoleDescription(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "RoleName");
  std::string description = Str(ctx.input, "Description");
  RETURN_IF_ERROR(identities_.UpdateRole(name, description, std::nullopt));
  ASSIGN_OR_RETURN(iam::Role role, identities_.GetRole(name));
  return Out({{"Role", RoleJson(role, true)}});
}

IamService::Json IamService::UpdateAssumeRolePolicy(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.UpdateAssumeRolePolicy(Str(ctx.input, "RoleName"),
                                                     Str(ctx.input, "PolicyDocument")));
  return Out();
}

IamService::Json IamService::DeleteRole(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.DeleteRole(Str(ctx.input, "RoleName")));
  return Out();
}

// kiroku has no instance profiles (no EC2), so no role is in one; the role must exist.
// Terraform asks this before deleting a role.
IamService::Json IamService::ListInstanceProfilesForRole(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.GetRole(Str(ctx.input, "RoleName")).status());
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, {}, "InstanceProfiles", out));
  return Out(std::move(out));
}

}  // namespace kiroku::services
