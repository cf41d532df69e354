// The policies of users, roles and groups: inline policies, attached managed policies and
// permissions boundaries, and the tags of users and roles. Each operation is one entity kind's
// form of a shared handler (PutUserPolicy, PutRolePolicy and PutGroupPolicy are
// PutEntityPolicy).
#include "services/iam/iam_service.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services {
using namespace iam_internal;

namespace {
constexpr iam::EntityKind kUser = iam::EntityKind::kUser;
constexpr iam::EntityKind kRole = iam::EntityKind::kRole;
constexpr iam::EntityKind kGroup = iam::EntityKind::kGroup;
}  // namespace

IamService::Json IamService::PutEntityPolicy(iam::EntityKind kind, RequestContext& ctx) const {
  std::string entity = Str(ctx.input, NameField(kind));
  std::string name = Str(ctx.input, "PolicyName");
  std::string document = Str(ctx.input, "PolicyDocument");
  RETURN_IF_ERROR(identities_.PutInlinePolicy(kind, entity, name, document));
  return Out();
}

IamService::Json IamService::GetEntityPolicy(iam::EntityKind kind, RequestContext& ctx) const {
  std::string entity = Str(ctx.input, NameField(kind));
  std::string name = Str(ctx.input, "PolicyName");
  ASSIGN_OR_RETURN(iam::InlinePolicy p, identities_.GetInlinePolicy(kind, entity, name));
  return Out({{NameField(kind), p.entity},
              {"PolicyName", p.name},
              {"PolicyDocument", EncodeDocument(p.document)}});
}

IamService::Json IamService::ListEntityPolicies(iam::EntityKind kind, RequestContext& ctx) const {
  ASSIGN_OR_RETURN(auto names,
                   identities_.ListInlinePolicies(kind, Str(ctx.input, NameField(kind))));
  std::vector<std::pair<std::string, json::value>> items;
  for (const std::string& n : names) items.emplace_back(n, json::value(n));
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "PolicyNames", out));
  return Out(std::move(out));
}

IamService::Json IamService::DeleteEntityPolicy(iam::EntityKind kind, RequestContext& ctx) const {
  std::string entity = Str(ctx.input, NameField(kind));
  RETURN_IF_ERROR(identities_.DeleteInlinePolicy(kind, entity, Str(ctx.input, "PolicyName")));
  return Out();
}

IamService::Json IamService::AttachEntityPolicy(iam::EntityKind kind, RequestContext& ctx) const {
  std::string entity = Str(ctx.input, NameField(kind));
  RETURN_IF_ERROR(identities_.AttachPolicy(kind, entity, Str(ctx.input, "PolicyArn")));
  return Out();
}

IamService::Json IamService::DetachEntityPolicy(iam::EntityKind kind, RequestContext& ctx) const {
  std::string entity = Str(ctx.input, NameField(kind));
  RETURN_IF_ERROR(identities_.DetachPolicy(kind, entity, Str(ctx.input, "PolicyArn")));
  return Out();
}

IamService::Json IamService::ListAttachedEntityPolicies(iam::EntityKind kind,
                                                        RequestContext& ctx) const {
  std::string entity = Str(ctx.input, NameField(kind));
  ASSIGN_OR_RETURN(auto attached, identities_.ListAttachedPolicies(
                                      kind, entity, OrDefault(ctx.input, "PathPrefix", "/")));
  std::vector<std::pair<std::string, json::value>> items;
  for (const iam::AttachedPolicy& a : attached) {
    items.emplace_back(a.arn, json::object{{"PolicyName", a.name}, {"PolicyArn", a.arn}});
  }
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "AttachedPolicies", out));
  return Out(std::move(out));
}

IamService::Json IamService::PutPermissionsBoundary(iam::EntityKind kind,
                                                    RequestContext& ctx) const {
  std::string entity = Str(ctx.input, NameField(kind));
  RETURN_IF_ERROR(
      identities_.PutPermissionsBoundary(kind, entity, Str(ctx.input, "PermissionsBoundary")));
  return Out();
}

IamService::Json IamService::DeletePermissionsBoundary(iam::EntityKind kind,
                                                       RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.DeletePermissionsBoundary(kind, Str(ctx.input, NameField(kind))));
  return Out();
}

IamService::Json IamService::TagEntity(iam::EntityKind kind, RequestContext& ctx) const {
  std::string name = Str(ctx.input, NameField(kind));
  RETURN_IF_ERROR(identities_.TagEntity(kind, name, InputTags(ctx.input)));
  return Out();
}

IamService::Json IamService::UntagEntity(iam::EntityKind kind, RequestContext& ctx) const {
  std::string name = Str(ctx.input, NameField(kind));
  RETURN_IF_ERROR(identities_.UntagEntity(kind, name, InputStrings(ctx.input, "TagKeys")));
  return Out();
}

IamService::Json IamService::ListEntityTags(iam::EntityKind kind, RequestContext& ctx) const {
  ASSIGN_OR_RETURN(iam::Tags tags,
                   identities_.ListEntityTags(kind, Str(ctx.input, NameField(kind))));
  json::object out;
  RETURN_IF_ERROR(PaginateTags(ctx.input, tags, out));
  return Out(std::move(out));
}

// Each kind's operations.
// clang-format off
IamService::Json IamService::PutUserPolicy(RequestContext& ctx) const { return PutEntityPolicy(kUser, ctx); }
IamService::Json IamService::GetUserPolicy(RequestContext& ctx) const { return GetEntityPolicy(kUser, ctx); }
IamService::Json IamService::ListUserPolicies(RequestContext& ctx) const { return ListEntityPolicies(kUser, ctx); }
IamService::Json IamService::DeleteUserPolicy(RequestContext& ctx) const { return DeleteEntityPolicy(kUser, ctx); }
IamService::Json IamService::AttachUserPolicy(RequestContext& ctx) const { return AttachEntityPolicy(kUser, ctx); }
IamService::Json IamService::DetachUserPolicy(RequestContext& ctx) const { return DetachEntityPolicy(kUser, ctx); }
IamService::Json IamService::ListAttachedUserPolicies(RequestContext& ctx) const { return ListAttachedEntityPolicies(kUser, ctx); }
IamService::Json IamService::PutUserPermissionsBoundary(RequestContext& ctx) const { return PutPermissionsBoundary(kUser, ctx); }
IamService::Json IamService::DeleteUserPermissionsBoundary(RequestContext& ctx) const { return DeletePermissionsBoundary(kUser, ctx); }
IamService::Json IamService::TagUser(RequestContext& ctx) const { return TagEntity(kUser, ctx); }
IamService::Json IamService::UntagUser(RequestContext& ctx) const { return UntagEntity(kUser, ctx); }
IamService::Json IamService::ListUserTags(RequestContext& ctx) const { return ListEntityTags(kUser, ctx); }

IamService::Json IamService::PutRolePolicy(RequestContext& ctx) const { return PutEntityPolicy(kRole, ctx); }
IamService::Json IamService::GetRolePolicy(RequestContext& ctx) const { return GetEntityPolicy(kRole, ctx); }
IamService::Json IamService::ListRolePolicies(RequestContext& ctx) const { return ListEntityPolicies(kRole, ctx); }
IamService::Json IamService::DeleteRolePolicy(RequestContext& ctx) const { return DeleteEntityPolicy(kRole, ctx); }
IamService::Json IamService::AttachRolePolicy(RequestContext& ctx) const { return AttachEntityPolicy(kRole, ctx); }
IamService::Json IamService::DetachRolePolicy(RequestContext& ctx) const { return DetachEntityPolicy(kRole, ctx); }
IamService::Json IamService::ListAttachedRolePolicies(RequestContext& ctx) const { return ListAttachedEntityPolicies(kRole, ctx); }
IamService::Json IamService::PutRolePermissionsBoundary(RequestContext& ctx) const { return PutPermissionsBoundary(kRole, ctx); }
IamService::Json IamService::DeleteRolePermissionsBoundary(RequestContext& ctx) const { return DeletePermissionsBoundary(kRole, ctx); }
IamService::Json IamService::TagRole(RequestContext& ctx) const { return TagEntity(kRole, ctx); }
IamService::Json IamService::UntagRole(RequestContext& ctx) const { return UntagEntity(kRole, ctx); }
IamService::Json IamService::ListRoleTags(RequestContext& ctx) const { return ListEntityTags(kRole, ctx); }

IamService::Json IamService::PutGroupPolicy(RequestContext& ctx) const { return PutEntityPolicy(kGroup, ctx); }
IamService::Json IamService::GetGroupPolicy(RequestContext& ctx) const { return GetEntityPolicy(kGroup, ctx); }
IamService::Json IamService::ListGroupPolicies(RequestContext& ctx) const { return ListEntityPolicies(kGroup, ctx); }
IamService::Json IamService::DeleteGroupPolicy(RequestContext& ctx) const { return DeleteEntityPolicy(kGroup, ctx); }
IamService::Json IamService::AttachGroupPolicy(RequestContext& ctx) const { return AttachEntityPolicy(kGroup, ctx); }
IamService::Json IamService::DetachGroupPolicy(RequestContext& ctx) const { return DetachEntityPolicy(kGroup, ctx); }
IamService::Json IamService::ListAttachedGroupPolicies(RequestContext& ctx) const { return ListAttachedEntityPolicies(kGroup, ctx); }
// clang-format on

}  // namespace kiroku::services
