// IAM users, groups, access keys, login profiles and user tags.
#include "api/iam_service_internal.h"

namespace kiroku::api::iam_internal {
namespace {

json::object AccessKeyJson(const iam::AccessKeyInfo& key) {
  json::object o{
      {"AccessKeyId", key.access_key_id}, {"Status", key.status}, {"CreateDate", key.create_date}};
  if (!key.user_name.empty()) o["UserName"] = key.user_name;
  return o;
}

}  // namespace

void AddUserOperations(OperationTable& table, iam::IdentityStore& store) {
  // ---- users ----
  Add(
      table, store, "CreateUser",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "UserName");
        ASSIGN_OR_RETURN(
            iam::User user,
            store.CreateUser(name, OrDefault(ctx.input, "Path", "/"), InputTags(ctx.input),
                             OrDefault(ctx.input, "PermissionsBoundary", "")));
        return json::object{{"User", UserJson(user, true)}};
      },
      Auth("iam:CreateUser", UserResource(store), All({RequestTags(), PermissionsBoundaryKey()})));

  Add(
      table, store, "GetUser",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
        if (name.empty()) {  // the root user describes itself
          ASSIGN_OR_RETURN(int64_t created, store.AccountCreateDate());
          return json::object{{"User", json::object{{"UserId", ctx.principal.account},
                                                    {"Arn", ctx.principal.arn},
                                                    {"CreateDate", created}}}};
        }
        ASSIGN_OR_RETURN(iam::User user, store.GetUser(name));
        return json::object{{"User", UserJson(user, true)}};
      },
      Auth("iam:GetUser", UserResource(store, "UserName", true), UserResourceTags(store)));

  Add(
      table, store, "ListUsers",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(auto users, store.ListUsers(OrDefault(ctx.input, "PathPrefix", "/")));
        std::vector<std::pair<std::string, json::value>> items;
        for (const iam::User& u : users) items.emplace_back(SortKey(u.name), UserJson(u, false));
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Users", out));
        return out;
      },
      Auth("iam:ListUsers"));

  Add(
      table, store, "UpdateUser",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "UserName");
        RETURN_IF_ERROR(store.UpdateUser(name, Optional(ctx.input, "NewUserName"),
                                         Optional(ctx.input, "NewPath")));
        return json::object{};
      },
      Auth("iam:UpdateUser", UserResource(store), UserResourceTags(store)));

  Add(
      table, store, "DeleteUser",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "UserName");
        RETURN_IF_ERROR(store.DeleteUser(name));
        return json::object{};
      },
      Auth("iam:DeleteUser", UserResource(store), UserResourceTags(store)));

  // ---- groups ----
  Add(
      table, store, "CreateGroup",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "GroupName");
        ASSIGN_OR_RETURN(iam::Group group,
                         store.CreateGroup(name, OrDefault(ctx.input, "Path", "/")));
        return json::object{{"Group", GroupJson(group)}};
      },
      Auth("iam:CreateGroup", GroupResource(store)));

  Add(
      table, store, "GetGroup",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "GroupName");
        ASSIGN_OR_RETURN(iam::Group group, store.GetGroup(name));
        ASSIGN_OR_RETURN(auto users, store.ListUsersInGroup(name));
        std::vector<std::pair<std::string, json::value>> items;
        for (const iam::User& u : users) items.emplace_back(SortKey(u.name), UserJson(u, false));
        json::object out{{"Group", GroupJson(group)}};
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Users", out));
        return out;
      },
      Auth("iam:GetGroup", GroupResource(store)));

  Add(
      table, store, "ListGroups",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(auto groups, store.ListGroups(OrDefault(ctx.input, "PathPrefix", "/")));
        std::vector<std::pair<std::string, json::value>> items;
        for (const iam::Group& g : groups) items.emplace_back(SortKey(g.name), GroupJson(g));
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Groups", out));
        return out;
      },
      Auth("iam:ListGroups"));

  Add(
      table, store, "UpdateGroup",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "GroupName");
        RETURN_IF_ERROR(store.UpdateGroup(name, Optional(ctx.input, "NewGroupName"),
                                          Optional(ctx.input, "NewPath")));
        return json::object{};
      },
      Auth("iam:UpdateGroup", GroupResource(store)));

  Add(
      table, store, "DeleteGroup",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "GroupName");
        RETURN_IF_ERROR(store.DeleteGroup(name));
        return json::object{};
      },
      Auth("iam:DeleteGroup", GroupResource(store)));

  Add(
      table, store, "AddUserToGroup",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string group = Str(ctx.input, "GroupName");
        std::string user = Str(ctx.input, "UserName");
        RETURN_IF_ERROR(store.AddUserToGroup(group, user));
        return json::object{};
      },
      Auth("iam:AddUserToGroup", GroupResource(store)));

  Add(
      table, store, "RemoveUserFromGroup",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string group = Str(ctx.input, "GroupName");
        std::string user = Str(ctx.input, "UserName");
        RETURN_IF_ERROR(store.RemoveUserFromGroup(group, user));
        return json::object{};
      },
      Auth("iam:RemoveUserFromGroup", GroupResource(store)));

  Add(
      table, store, "ListGroupsForUser",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "UserName");
        ASSIGN_OR_RETURN(auto groups, store.ListGroupsForUser(name));
        std::vector<std::pair<std::string, json::value>> items;
        for (const iam::Group& g : groups) items.emplace_back(SortKey(g.name), GroupJson(g));
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Groups", out));
        return out;
      },
      Auth("iam:ListGroupsForUser", UserResource(store)));

  // ---- access keys (UserName defaults to the caller) ----
  Add(
      table, store, "CreateAccessKey",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
        ASSIGN_OR_RETURN(iam::NewAccessKey key, store.CreateAccessKey(name));
        json::object o = AccessKeyJson(key.info);
        o["SecretAccessKey"] = key.secret_access_key;
        return json::object{{"AccessKey", std::move(o)}};
      },
      Auth("iam:CreateAccessKey", UserResource(store, "UserName", true)));

  Add(
      table, store, "ListAccessKeys",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
        ASSIGN_OR_RETURN(auto keys, store.ListAccessKeys(name));
        std::vector<std::pair<std::string, json::value>> items;
        for (const iam::AccessKeyInfo& k : keys)
          items.emplace_back(k.access_key_id, AccessKeyJson(k));
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "AccessKeyMetadata", out));
        return out;
      },
      Auth("iam:ListAccessKeys", UserResource(store, "UserName", true)));

  Add(
      table, store, "UpdateAccessKey",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
        std::string id = Str(ctx.input, "AccessKeyId");
        std::string status = Str(ctx.input, "Status");
        RETURN_IF_ERROR(store.UpdateAccessKey(name, id, status));
        return json::object{};
      },
      Auth("iam:UpdateAccessKey", UserResource(store, "UserName", true)));

  Add(
      table, store, "DeleteAccessKey",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
        std::string id = Str(ctx.input, "AccessKeyId");
        RETURN_IF_ERROR(store.DeleteAccessKey(name, id));
        return json::object{};
      },
      Auth("iam:DeleteAccessKey", UserResource(store, "UserName", true)));

  Add(
      table, store, "GetAccessKeyLastUsed",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string id = Str(ctx.input, "AccessKeyId");
        ASSIGN_OR_RETURN(iam::AccessKeyLastUsed used, store.GetAccessKeyLastUsed(id));
        json::object last{{"ServiceName", used.service_name}, {"Region", used.region}};
        if (used.last_used_date) last["LastUsedDate"] = *used.last_used_date;
        json::object out{{"AccessKeyLastUsed", std::move(last)}};
        if (!used.user_name.empty()) out["UserName"] = used.user_name;
        return out;
      },
      // The action's resource is the key's owner; the key id alone does not name it.
      Auth("iam:GetAccessKeyLastUsed",
           [&store](const RequestContext& ctx) -> Result<std::vector<std::string>> {
             auto id = Optional(ctx.input, "AccessKeyId");
             if (!id) return std::vector<std::string>{"*"};
             Result<iam::AccessKeyLastUsed> used = store.GetAccessKeyLastUsed(*id);
             if (!used.ok() || used->user_name.empty()) return std::vector<std::string>{"*"};
             Result<iam::User> user = store.GetUser(used->user_name);
             return std::vector<std::string>{user.ok() ? user->arn : "*"};
           }));

  // ---- login profiles ----
  auto profile_json = [](const iam::LoginProfile& p) {
    return json::object{{"UserName", p.user_name},
                        {"CreateDate", p.create_date},
                        {"PasswordResetRequired", p.password_reset_required}};
  };
  Add(
      table, store, "CreateLoginProfile",
      [&store, profile_json](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(std::string name, Required(ctx.input, "UserName"));
        ASSIGN_OR_RETURN(std::string password, Required(ctx.input, "Password"));
        ASSIGN_OR_RETURN(
            iam::LoginProfile p,
            store.CreateLoginProfile(
                name, password, OptionalBool(ctx.input, "PasswordResetRequired").value_or(false)));
        return json::object{{"LoginProfile", profile_json(p)}};
      },
      Auth("iam:CreateLoginProfile", UserResource(store)));

  Add(
      table, store, "GetLoginProfile",
      [&store, profile_json](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
        ASSIGN_OR_RETURN(iam::LoginProfile p, store.GetLoginProfile(name));
        return json::object{{"LoginProfile", profile_json(p)}};
      },
      Auth("iam:GetLoginProfile", UserResource(store, "UserName", true)));

  Add(
      table, store, "UpdateLoginProfile",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "UserName");
        RETURN_IF_ERROR(store.UpdateLoginProfile(name, Optional(ctx.input, "Password"),
                                                 OptionalBool(ctx.input, "PasswordResetRequired")));
        return json::object{};
      },
      Auth("iam:UpdateLoginProfile", UserResource(store)));

  Add(
      table, store, "DeleteLoginProfile",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(std::string name, Required(ctx.input, "UserName"));
        RETURN_IF_ERROR(store.DeleteLoginProfile(name));
        return json::object{};
      },
      Auth("iam:DeleteLoginProfile", UserResource(store)));
}

}  // namespace kiroku::api::iam_internal
