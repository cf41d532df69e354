// IAM groups and their members.
#include "services/iam/iam_service.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services {
using namespace iam_internal;

IamService::Json IamService::CreateGroup(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "GroupName");
  ASSIGN_OR_RETURN(iam::Group group,
                   identities_.CreateGroup(name, OrDefault(ctx.input, "Path", "/")));
  return Out({{"Group", GroupJson(group)}});
}

IamService::Json IamService::GetGroup(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "GroupName");
  ASSIGN_OR_RETURN(iam::Group group, identities_.GetGroup(name));
  ASSIGN_OR_RETURN(auto users, identities_.ListUsersInGroup(name));
  std::vector<std::pair<std::string, json::value>> items;
  for (const iam::User& u : users) items.emplace_back(SortKey(u.name), UserJson(u, false));
  json::object out{{"Group", GroupJson(group)}};
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Users", out));
  return Out(std::move(out));
}

namespace {

Status GroupPage(const json::object& input, const std::vector<iam::Group>& groups,
                 json::object& out) {
  std::vector<std::pair<std::string, json::value>> items;
  for (const iam::Group& g : groups) items.emplace_back(SortKey(g.name), GroupJson(g));
  return Paginate(input, std::move(items), "Groups", out);
}

}  // namespace

IamService::Json IamService::ListGroups(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(auto groups, identities_.ListGroups(OrDefault(ctx.input, "PathPrefix", "/")));
  json::object out;
  RETURN_IF_ERROR(GroupPage(ctx.input, groups, out));
  return Out(std::move(out));
}

IamService::Json IamService::UpdateGroup(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "GroupName");
  RETURN_IF_ERROR(identities_.UpdateGroup(name, Optional(ctx.input, "NewGroupName"),
                                          Optional(ctx.input, "NewPath")));
  return Out();
}

IamService::Json IamService::DeleteGroup(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.DeleteGroup(Str(ctx.input, "GroupName")));
  return Out();
}

IamService::Json IamService::AddUserToGroup(RequestContext& ctx) const {
  RETURN_IF_ERROR(
      identities_.AddUserToGroup(Str(ctx.input, "GroupName"), Str(ctx.input, "UserName")));
  return Out();
}

IamService::Json IamService::RemoveUserFromGroup(RequestContext& ctx) const {
  RETURN_IF_ERROR(
      identities_.RemoveUserFromGroup(Str(ctx.input, "GroupName"), Str(ctx.input, "UserName")));
  return Out();
}

IamService::Json IamService::ListGroupsForUser(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(auto groups, identities_.ListGroupsForUser(Str(ctx.input, "UserName")));
  json::object out;
  RETURN_IF_ERROR(GroupPage(ctx.input, groups, out));
  return Out(std::move(out));
}

}  // namespace kiroku::services
