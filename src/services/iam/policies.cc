// IAM inline policies, managed policies and their versions, attachments, permissions
// boundaries, and the tags of users, roles and policies.
#include "api/iam_service_internal.h"

namespace kiroku::api::iam_internal {
namespace {

struct Kind {
  iam::EntityKind kind;
  const char* noun;        // "User": PutUserPolicy, AttachUserPolicy, …
  const char* name_field;  // "UserName"
};

constexpr Kind kKinds[] = {{iam::EntityKind::kUser, "User", "UserName"},
                           {iam::EntityKind::kRole, "Role", "RoleName"},
                           {iam::EntityKind::kGroup, "Group", "GroupName"}};

ResourcesFn EntityResource(const iam::IdentityStore& store, const Kind& k) {
  switch (k.kind) {
    case iam::EntityKind::kUser:
      return UserResource(store);
    case iam::EntityKind::kRole:
      return RoleResource(store);
    case iam::EntityKind::kGroup:
      return GroupResource(store);
  }
  return nullptr;
}

ContextFn EntityTags(const iam::IdentityStore& store, const Kind& k) {
  switch (k.kind) {
    case iam::EntityKind::kUser:
      return UserResourceTags(store);
    case iam::EntityKind::kRole:
      return RoleResourceTags(store);
    case iam::EntityKind::kGroup:
      return [](const RequestContext&, policy::ContextKeys&) {};  // groups have no tags
  }
  return nullptr;
}

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

void AddInlineAndAttached(OperationTable& table, iam::IdentityStore& store, const Kind& k) {
  std::string noun = k.noun;
  std::string field = k.name_field;
  iam::EntityKind kind = k.kind;

  Add(
      table, store, "Put" + noun + "Policy",
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string entity = Str(ctx.input, field);
        std::string name = Str(ctx.input, "PolicyName");
        std::string document = Str(ctx.input, "PolicyDocument");
        RETURN_IF_ERROR(store.PutInlinePolicy(kind, entity, name, document));
        return json::object{};
      },
      Auth("iam:Put" + noun + "Policy", EntityResource(store, k),
           All({EntityTags(store, k), PermissionsBoundaryKey()})));

  Add(
      table, store, "Get" + noun + "Policy",
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string entity = Str(ctx.input, field);
        std::string name = Str(ctx.input, "PolicyName");
        ASSIGN_OR_RETURN(iam::InlinePolicy p, store.GetInlinePolicy(kind, entity, name));
        return json::object{{field, p.entity},
                            {"PolicyName", p.name},
                            {"PolicyDocument", EncodeDocument(p.document)}};
      },
      Auth("iam:Get" + noun + "Policy", EntityResource(store, k), EntityTags(store, k)));

  Add(
      table, store, "List" + noun + "Policies",
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string entity = Str(ctx.input, field);
        ASSIGN_OR_RETURN(auto names, store.ListInlinePolicies(kind, entity));
        std::vector<std::pair<std::string, json::value>> items;
        for (const std::string& n : names) items.emplace_back(n, json::value(n));
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "PolicyNames", out));
        return out;
      },
      Auth("iam:List" + noun + "Policies", EntityResource(store, k), EntityTags(store, k)));

  Add(
      table, store, "Delete" + noun + "Policy",
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string entity = Str(ctx.input, field);
        std::string name = Str(ctx.input, "PolicyName");
        RETURN_IF_ERROR(store.DeleteInlinePolicy(kind, entity, name));
        return json::object{};
      },
      Auth("iam:Delete" + noun + "Policy", EntityResource(store, k),
           All({EntityTags(store, k), PermissionsBoundaryKey()})));

  Add(
      table, store, "Attach" + noun + "Policy",
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string entity = Str(ctx.input, field);
        std::string arn = Str(ctx.input, "PolicyArn");
        RETURN_IF_ERROR(store.AttachPolicy(kind, entity, arn));
        return json::object{};
      },
      Auth("iam:Attach" + noun + "Policy", EntityResource(store, k),
           All({EntityTags(store, k), PolicyArnKey(), PermissionsBoundaryKey()})));

  Add(
      table, store, "Detach" + noun + "Policy",
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string entity = Str(ctx.input, field);
        std::string arn = Str(ctx.input, "PolicyArn");
        RETURN_IF_ERROR(store.DetachPolicy(kind, entity, arn));
        return json::object{};
      },
      Auth("iam:Detach" + noun + "Policy", EntityResource(store, k),
           All({EntityTags(store, k), PolicyArnKey(), PermissionsBoundaryKey()})));

  Add(
      table, store, "ListAttached" + noun + "Policies",
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string entity = Str(ctx.input, field);
        ASSIGN_OR_RETURN(auto attached, store.ListAttachedPolicies(
                                            kind, entity, OrDefault(ctx.input, "PathPrefix", "/")));
        std::vector<std::pair<std::string, json::value>> items;
        for (const iam::AttachedPolicy& a : attached) {
          items.emplace_back(a.arn, json::object{{"PolicyName", a.name}, {"PolicyArn", a.arn}});
        }
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "AttachedPolicies", out));
        return out;
      },
      Auth("iam:ListAttached" + noun + "Policies", EntityResource(store, k), EntityTags(store, k)));

  if (kind == iam::EntityKind::kGroup) return;
  Add(
      table, store, "Put" + noun + "PermissionsBoundary",
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string entity = Str(ctx.input, field);
        std::string arn = Str(ctx.input, "PermissionsBoundary");
        RETURN_IF_ERROR(store.PutPermissionsBoundary(kind, entity, arn));
        return json::object{};
      },
      Auth("iam:Put" + noun + "PermissionsBoundary", EntityResource(store, k),
           All({EntityTags(store, k), PermissionsBoundaryKey()})));

  Add(
      table, store, "Delete" + noun + "PermissionsBoundary",
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string entity = Str(ctx.input, field);
        RETURN_IF_ERROR(store.DeletePermissionsBoundary(kind, entity));
        return json::object{};
      },
      Auth("iam:Delete" + noun + "PermissionsBoundary", EntityResource(store, k),
           EntityTags(store, k)));
}

// TagUser/UntagUser/ListUserTags and the same for roles (groups have no tags).
void AddEntityTags(OperationTable& table, iam::IdentityStore& store, const Kind& k) {
  std::string noun = k.noun;
  std::string field = k.name_field;
  iam::EntityKind kind = k.kind;
  Add(
      table, store, "Tag" + noun,
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, field);
        RETURN_IF_ERROR(store.TagEntity(kind, name, InputTags(ctx.input)));
        return json::object{};
      },
      Auth("iam:Tag" + noun, EntityResource(store, k), All({RequestTags(), EntityTags(store, k)})));
  Add(
      table, store, "Untag" + noun,
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, field);
        RETURN_IF_ERROR(store.UntagEntity(kind, name, InputStrings(ctx.input, "TagKeys")));
        return json::object{};
      },
      Auth("iam:Untag" + noun, EntityResource(store, k),
           All({RequestTags(), EntityTags(store, k)})));
  Add(
      table, store, "List" + noun + "Tags",
      [&store, kind, field](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, field);
        ASSIGN_OR_RETURN(iam::Tags tags, store.ListEntityTags(kind, name));
        std::vector<std::pair<std::string, json::value>> items;
        for (const auto& [key, value] : tags) {
          items.emplace_back(key, json::object{{"Key", key}, {"Value", value}});
        }
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Tags", out));
        return out;
      },
      Auth("iam:List" + noun + "Tags", EntityResource(store, k), EntityTags(store, k)));
}

}  // namespace

void AddPolicyOperations(OperationTable& table, iam::IdentityStore& store) {
  for (const Kind& k : kKinds) {
    AddInlineAndAttached(table, store, k);
    if (k.kind != iam::EntityKind::kGroup) AddEntityTags(table, store, k);
  }

  Add(
      table, store, "CreatePolicy",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string name = Str(ctx.input, "PolicyName");
        std::string document = Str(ctx.input, "PolicyDocument");
        ASSIGN_OR_RETURN(
            iam::ManagedPolicy p,
            store.CreatePolicy(name, OrDefault(ctx.input, "Path", "/"), document,
                               OrDefault(ctx.input, "Description", ""), InputTags(ctx.input)));
        json::object policy = PolicyJson(p);
        policy.erase("Description");  // CreatePolicy's answer leaves it out, as AWS's does
        return json::object{{"Policy", std::move(policy)}};
      },
      Auth("iam:CreatePolicy", NewPolicyResource(), RequestTags()));

  Add(
      table, store, "GetPolicy",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        ASSIGN_OR_RETURN(iam::ManagedPolicy p, store.GetPolicy(arn));
        return json::object{{"Policy", PolicyJson(p)}};
      },
      Auth("iam:GetPolicy", PolicyResource(), PolicyResourceTags(store)));

  Add(
      table, store, "DeletePolicy",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        RETURN_IF_ERROR(store.DeletePolicy(arn));
        return json::object{};
      },
      Auth("iam:DeletePolicy", PolicyResource(), PolicyResourceTags(store)));

  Add(
      table, store, "ListPolicies",
      [&store](RequestContext& ctx) -> Result<json::object> {
        ASSIGN_OR_RETURN(iam::PolicyScope scope, Scope(ctx.input));
        ASSIGN_OR_RETURN(
            auto policies,
            store.ListPolicies(scope, OptionalBool(ctx.input, "OnlyAttached").value_or(false),
                               OrDefault(ctx.input, "PathPrefix", "/")));
        // PolicyUsageFilter keeps the policies used that way: attached (PermissionsPolicy) or
        // set as a permissions boundary (PermissionsBoundary).
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
        return out;
      },
      Auth("iam:ListPolicies"));

  Add(
      table, store, "CreatePolicyVersion",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        std::string document = Str(ctx.input, "PolicyDocument");
        ASSIGN_OR_RETURN(
            iam::PolicyVersion v,
            store.CreatePolicyVersion(arn, document,
                                      OptionalBool(ctx.input, "SetAsDefault").value_or(false)));
        return json::object{{"PolicyVersion", VersionJson(v, false)}};
      },
      Auth("iam:CreatePolicyVersion", PolicyResource(), PolicyResourceTags(store)));

  Add(
      table, store, "GetPolicyVersion",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        std::string version = Str(ctx.input, "VersionId");
        ASSIGN_OR_RETURN(iam::PolicyVersion v, store.GetPolicyVersion(arn, version));
        return json::object{{"PolicyVersion", VersionJson(v, true)}};
      },
      Auth("iam:GetPolicyVersion", PolicyResource(), PolicyResourceTags(store)));

  Add(
      table, store, "ListPolicyVersions",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        ASSIGN_OR_RETURN(iam::ManagedPolicy p, store.GetPolicy(arn));
        std::vector<std::pair<std::string, json::value>> items;
        // Newest first, as AWS lists them: sort keys count down from the highest version.
        for (size_t i = 0; i < p.versions.size(); ++i) {
          char key[24];
          snprintf(key, sizeof key, "%08zu", i);
          items.emplace_back(key, VersionJson(p.versions[i], false));
        }
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Versions", out));
        return out;
      },
      Auth("iam:ListPolicyVersions", PolicyResource(), PolicyResourceTags(store)));

  Add(
      table, store, "SetDefaultPolicyVersion",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        std::string version = Str(ctx.input, "VersionId");
        RETURN_IF_ERROR(store.SetDefaultPolicyVersion(arn, version));
        return json::object{};
      },
      Auth("iam:SetDefaultPolicyVersion", PolicyResource(), PolicyResourceTags(store)));

  Add(
      table, store, "DeletePolicyVersion",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        std::string version = Str(ctx.input, "VersionId");
        RETURN_IF_ERROR(store.DeletePolicyVersion(arn, version));
        return json::object{};
      },
      Auth("iam:DeletePolicyVersion", PolicyResource(), PolicyResourceTags(store)));

  Add(
      table, store, "ListEntitiesForPolicy",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        iam::PolicyUsage usage = iam::PolicyUsage::kAll;
        std::string usage_filter = OrDefault(ctx.input, "PolicyUsageFilter", "");
        if (usage_filter == "PermissionsPolicy") usage = iam::PolicyUsage::kPermissionsPolicy;
        if (usage_filter == "PermissionsBoundary") usage = iam::PolicyUsage::kPermissionsBoundary;
        ASSIGN_OR_RETURN(auto entities, store.ListEntitiesForPolicy(arn, usage));
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
        return out;
      },
      Auth("iam:ListEntitiesForPolicy", PolicyResource(), PolicyResourceTags(store)));

  Add(
      table, store, "TagPolicy",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        RETURN_IF_ERROR(store.TagPolicy(arn, InputTags(ctx.input)));
        return json::object{};
      },
      Auth("iam:TagPolicy", PolicyResource(), All({RequestTags(), PolicyResourceTags(store)})));

  Add(
      table, store, "UntagPolicy",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        RETURN_IF_ERROR(store.UntagPolicy(arn, InputStrings(ctx.input, "TagKeys")));
        return json::object{};
      },
      Auth("iam:UntagPolicy", PolicyResource(), All({RequestTags(), PolicyResourceTags(store)})));

  Add(
      table, store, "ListPolicyTags",
      [&store](RequestContext& ctx) -> Result<json::object> {
        std::string arn = Str(ctx.input, "PolicyArn");
        ASSIGN_OR_RETURN(iam::ManagedPolicy p, store.GetPolicy(arn));
        std::vector<std::pair<std::string, json::value>> items;
        for (const auto& [k, v] : p.tags)
          items.emplace_back(k, json::object{{"Key", k}, {"Value", v}});
        json::object out;
        RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Tags", out));
        return out;
      },
      Auth("iam:ListPolicyTags", PolicyResource(), PolicyResourceTags(store)));
}

}  // namespace kiroku::api::iam_internal
