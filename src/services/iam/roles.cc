// IAM roles and role tags.
#include "api/iam_service_internal.h"

namespace kiroku::api::iam_internal {
void AddRoleOperations(OperationTable& table, iam::IdentityStore& store) {
  Add(
      table, store, "CreateRole",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "RoleName");
        std::string trust = Str(ctx.input, "AssumeRolePolicyDocument");
        iam::RoleOptions options;
        options.path = OrDefault(ctx.input, "Path", "/");
        options.description = OrDefault(ctx.input, "Description", "");
        options.max_session_duration =
            static_cast<int>(OptionalInt(ctx.input, "MaxSessionDuration").value_or(3600));
        options.tags = InputTags(ctx.input);
        options.permissions_boundary = OrDefault(ctx.input, "PermissionsBoundary", "");
        ASSIGN_OR_RETURN(iam::Role role, store.CreateRole(name, trust, options));
        return json::object{{"Role", RoleJson(role, true)}};
      },
      Auth("iam:CreateRole", RoleResource(store), All({RequestTags(), PermissionsBoundaryKey()})));

  Add(
      table, store, "GetRole",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "RoleName");
        ASSIGN_OR_RETURN(iam::Role role, store.GetRole(name));
        return json::object{{"Role", RoleJson(role, true)}};
      },
      Auth("iam:GetRole", RoleResource(store), RoleResourceTags(store)));

  Add(
      table, store, "ListRoles",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(auto roles, store.ListRoles(OrDefault(ctx.input, "PathPrefix", "/")));
        std::vector<std::pair<std::string, json::value>> items;
        for (const iam::Role& r : roles) items.emplace_back(SortKey(r.name), RoleJson(r, false));
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Roles", out));
        return out;
      },
      Auth("iam:ListRoles"));

  Add(
      table, store, "UpdateRole",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "RoleName");
        std::optional<int> duration;
        if (auto d = OptionalInt(ctx.input, "MaxSessionDuration")) duration = static_cast<int>(*d);
        RETURN_IF_ERROR(store.UpdateRole(name, Optional(ctx.input, "Description"), duration));
        return json::object{};
      },
      Auth("iam:UpdateRole", RoleResource(store), RoleResourceTags(store)));

  Add(
      table, store, "UpdateRoleDescription",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "RoleName");
        std::string description = Str(ctx.input, "Description");
        RETURN_IF_ERROR(store.UpdateRole(name, description, std::nullopt));
        ASSIGN_OR_RETURN(iam::Role role, store.GetRole(name));
        return json::object{{"Role", RoleJson(role, true)}};
      },
      Auth("iam:UpdateRoleDescription", RoleResource(store), RoleResourceTags(store)));

  Add(
      table, store, "UpdateAssumeRolePolicy",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "RoleName");
        std::string document = Str(ctx.input, "PolicyDocument");
        RETURN_IF_ERROR(store.UpdateAssumeRolePolicy(name, document));
        return json::object{};
      },
      Auth("iam:UpdateAssumeRolePolicy", RoleResource(store), RoleResourceTags(store)));

  Add(
      table, store, "DeleteRole",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "RoleName");
        RETURN_IF_ERROR(store.DeleteRole(name));
        return json::object{};
      },
      Auth("iam:DeleteRole", RoleResource(store), RoleResourceTags(store)));

  // kiroku has no instance profiles (no EC2), so no role is in one; the role must exist.
  // Terraform asks this before deleting a role.
  Add(
      table, store, "ListInstanceProfilesForRole",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "RoleName");
        RETURN_IF_ERROR(store.GetRole(name).status());
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, {}, "InstanceProfiles", out));
        return out;
      },
      Auth("iam:ListInstanceProfilesForRole", RoleResource(store), RoleResourceTags(store)));
}

}  // namespace kiroku::api::iam_internal
