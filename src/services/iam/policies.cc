// IAM customer managed policies (and the AWS managed ones kiroku ships): the policies, their
// versions, the entities using them and their tags.
#include <cstdio>

#include "services/iam/iam_service.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services {
using namespace iam_internal;

namespace {

Result<iam::PolicyScope> Scope(const json::object& input) {
  std::string scope = OrDefault(input, "Scope", "All");
  if (scope == "All") return iam::PolicyScope::kAll;
  if (scope == "AWS") return iam::PolicyScope::kAws;
  if (scope == "Local") return iam::PolicyScope::kLocal;
  return Status::InvalidArgument("1 validation error detected: Value '" + scope +
                                 "' at 'scope' failed to satisfy constraint: Member must satisfy "
                                 "enum value set: [All, AWS, Local]")
      .WithAwsCode("ValidationError");
}

}  // namespace

IamService::Json IamService::CreatePolicy(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "PolicyName");
  std::string document = Str(ctx.input, "PolicyDocument");
  ASSIGN_OR_RETURN(
      iam::ManagedPolicy p,
      identities_.CreatePolicy(name, OrDefault(ctx.input, "Path", "/"), document,
                               OrDefault(ctx.input, "Description", ""), InputTags(ctx.input)));
  json::object policy = PolicyJson(p);
  policy.erase("Description");  // CreatePolicy's answer leaves it out, as AWS's does
  return Out({{"Policy", std::move(policy)}});
}

IamService::Json IamService::GetPolicy(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(iam::ManagedPolicy p, identities_.GetPolicy(Str(ctx.input, "PolicyArn")));
  return Out({{"Policy", PolicyJson(p)}});
}

IamService::Json IamService::DeletePolicy(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.DeletePolicy(Str(ctx.input, "PolicyArn")));
  return Out();
}

IamService::Json IamService::ListPolicies(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(iam::PolicyScope scope, Scope(ctx.input));
  ASSIGN_OR_RETURN(
      auto policies,
      identities_.ListPolicies(scope, OptionalBool(ctx.input, "OnlyAttached").value_or(false),
                               OrDefault(ctx.input, "PathPrefix", "/")));
  // PolicyUsageFilter keeps the policies used that way: attached (PermissionsPolicy) or set as a
  // permissions boundary (PermissionsBoundary).
  std::string usage = OrDefault(ctx.input, "PolicyUsageFilter", "");
  std::vector<std::pair<std::string, json::value>> items;
  for (const iam::ManagedPolicy& p : policies) {
    if (usage == "PermissionsPolicy" && p.attachment_count == 0) continue;
    if (usage == "PermissionsBoundary" && p.permissions_boundary_usage == 0) continue;
    json::object o = PolicyJson(p);
    o.erase("Description");  // ListPolicies leaves descriptions out
    o.erase("Tags");
    items.emplace_back(SortKey(p.name) + '\0' + p.arn, std::move(o));
  }
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Policies", out));
  return Out(std::move(out));
}

IamService::Json IamService::CreatePolicyVersion(RequestContext& ctx) const {
  std::string arn = Str(ctx.input, "PolicyArn");
  std::string document = Str(ctx.input, "PolicyDocument");
  ASSIGN_OR_RETURN(iam::PolicyVersion v,
                   identities_.CreatePolicyVersion(
                       arn, document, OptionalBool(ctx.input, "SetAsDefault").value_or(false)));
  return Out({{"PolicyVersion", VersionJson(v, false)}});
}

IamService::Json IamService::GetPolicyVersion(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(iam::PolicyVersion v, identities_.GetPolicyVersion(Str(ctx.input, "PolicyArn"),
                                                                      Str(ctx.input, "VersionId")));
  return Out({{"PolicyVersion", VersionJson(v, true)}});
}

IamService::Json IamService::ListPolicyVersions(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(iam::ManagedPolicy p, identities_.GetPolicy(Str(ctx.input, "PolicyArn")));
  std::vector<std::pair<std::string, json::value>> items;
  // Newest first, as AWS lists them: sort keys count down from the highest version.
  for (size_t i = 0; i < p.versions.size(); ++i) {
    char key[24];
    snprintf(key, sizeof key, "%08zu", i);
    items.emplace_back(key, VersionJson(p.versions[i], false));
  }
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Versions", out));
  return Out(std::move(out));
}

IamService::Json IamService::SetDefaultPolicyVersion(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.SetDefaultPolicyVersion(Str(ctx.input, "PolicyArn"),
                                                      Str(ctx.input, "VersionId")));
  return Out();
}

IamService::Json IamService::DeletePolicyVersion(RequestContext& ctx) const {
  RETURN_IF_ERROR(
      identities_.DeletePolicyVersion(Str(ctx.input, "PolicyArn"), Str(ctx.input, "VersionId")));
  return Out();
}

IamService::Json IamService::ListEntitiesForPolicy(RequestContext& ctx) const {
  std::string arn = Str(ctx.input, "PolicyArn");
  iam::PolicyUsage usage = iam::PolicyUsage::kAll;
  std::string usage_filter = OrDefault(ctx.input, "PolicyUsageFilter", "");
  if (usage_filter == "PermissionsPolicy") usage = iam::PolicyUsage::kPermissionsPolicy;
  if (usage_filter == "PermissionsBoundary") usage = iam::PolicyUsage::kPermissionsBoundary;
  ASSIGN_OR_RETURN(auto entities, identities_.ListEntitiesForPolicy(arn, usage));
  std::optional<std::string> filter = Optional(ctx.input, "EntityFilter");
  std::string path_prefix = OrDefault(ctx.input, "PathPrefix", "/");
  std::vector<std::pair<std::string, json::value>> items;
  for (const iam::PolicyEntity& e : entities) {
    const char* type = e.kind == iam::EntityKind::kUser   ? "User"
                       : e.kind == iam::EntityKind::kRole ? "Role"
                                                          : "Group";
    if (filter && *filter != "LocalManagedPolicy" && *filter != "AWSManagedPolicy" &&
        *filter != type) {
      continue;
    }
    if (!e.path.starts_with(path_prefix)) continue;
    json::object o{{std::string(type) + "Name", e.name}, {std::string(type) + "Id", e.id}};
    items.emplace_back(SortKey(static_cast<char>(e.kind), e.name), std::move(o));
  }
  json::object page;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Entities", page));
  // One page, split by kind into the three lists of the output.
  json::array users, groups, roles;
  for (json::value& v : page["Entities"].as_array()) {
    json::object& o = v.as_object();
    if (o.contains("UserName"))
      users.push_back(std::move(v));
    else if (o.contains("RoleName"))
      roles.push_back(std::move(v));
    else
      groups.push_back(std::move(v));
  }
  json::object out{{"PolicyUsers", std::move(users)},
                   {"PolicyGroups", std::move(groups)},
                   {"PolicyRoles", std::move(roles)},
                   {"IsTruncated", page["IsTruncated"]}};
  if (page.contains("Marker")) out["Marker"] = page["Marker"];
  return Out(std::move(out));
}

IamService::Json IamService::TagPolicy(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.TagPolicy(Str(ctx.input, "PolicyArn"), InputTags(ctx.input)));
  return Out();
}

IamService::Json IamService::UntagPolicy(RequestContext& ctx) const {
  RETURN_IF_ERROR(
      identities_.UntagPolicy(Str(ctx.input, "PolicyArn"), InputStrings(ctx.input, "TagKeys")));
  return Out();
}

IamService::Json IamService::ListPolicyTags(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(iam::ManagedPolicy p, identities_.GetPolicy(Str(ctx.input, "PolicyArn")));
  json::object out;
  RETURN_IF_ERROR(PaginateTags(ctx.input, p.tags, out));
  return Out(std::move(out));
}

}  // namespace kiroku::services
