// IAM users and their login profiles.
#include "services/iam/iam_service.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services {
using namespace iam_internal;

namespace {

json::object ProfileJson(const iam::LoginProfile& p) {
  return json::object{{"UserName", p.user_name},
                      {"CreateDate", p.create_date},
                      {"PasswordResetRequired", p.password_reset_required}};
}

}  // namespace

IamService::Json IamService::CreateUser(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "UserName");
  ASSIGN_OR_RETURN(
      iam::User user,
      identities_.CreateUser(name, OrDefault(ctx.input, "Path", "/"), InputTags(ctx.input),
                             OrDefault(ctx.input, "PermissionsBoundary", "")));
  return Out({{"User", UserJson(user, true)}});
}

IamService::Json IamService::GetUser(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
  if (name.empty()) {  // the root user describes itself
    ASSIGN_OR_RETURN(int64_t created, identities_.AccountCreateDate());
    return Out({{"User", json::object{{"UserId", ctx.principal.account},
                                      {"Arn", ctx.principal.arn},
                                      {"CreateDate", created}}}});
  }
  ASSIGN_OR_RETURN(iam::User user, identities_.GetUser(name));
  return Out({{"User", UserJson(user, true)}});
}

IamService::Json IamService::ListUsers(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(auto users, identities_.ListUsers(OrDefault(ctx.input, "PathPrefix", "/")));
  std::vector<std::pair<std::string, json::value>> items;
  for (const iam::User& u : users) items.emplace_back(SortKey(u.name), UserJson(u, false));
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Users", out));
  return Out(std::move(out));
}

IamService::Json IamService::UpdateUser(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "UserName");
  RETURN_IF_ERROR(identities_.UpdateUser(name, Optional(ctx.input, "NewUserName"),
                                         Optional(ctx.input, "NewPath")));
  return Out();
}

IamService::Json IamService::DeleteUser(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.DeleteUser(Str(ctx.input, "UserName")));
  return Out();
}

IamService::Json IamService::CreateLoginProfile(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, Required(ctx.input, "UserName"));
  ASSIGN_OR_RETURN(std::string password, Required(ctx.input, "Password"));
  ASSIGN_OR_RETURN(
      iam::LoginProfile p,
      identities_.CreateLoginProfile(
          name, password, OptionalBool(ctx.input, "PasswordResetRequired").value_or(false)));
  return Out({{"LoginProfile", ProfileJson(p)}});
}

IamService::Json IamService::GetLoginProfile(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, UserNameOrCaller(ctx));
  ASSIGN_OR_RETURN(iam::LoginProfile p, identities_.GetLoginProfile(name));
  return Out({{"LoginProfile", ProfileJson(p)}});
}

IamService::Json IamService::UpdateLoginProfile(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "UserName");
  RETURN_IF_ERROR(identities_.UpdateLoginProfile(name, Optional(ctx.input, "Password"),
                                                 OptionalBool(ctx.input, "PasswordResetRequired")));
  return Out();
}

IamService::Json IamService::DeleteLoginProfile(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, Required(ctx.input, "UserName"));
  RETURN_IF_ERROR(identities_.DeleteLoginProfile(name));
  return Out();
}

}  // namespace kiroku::services
