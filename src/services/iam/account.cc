// Account-level IAM operations: alias, password policy, GetAccountSummary and
// GetAccountAuthorizationDetails.
#include <algorithm>

#include "services/iam/iam_service.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services {
using namespace iam_internal;

namespace {

json::object PasswordPolicyJson(const iam::PasswordPolicy& p) {
  json::object o{{"MinimumPasswordLength", p.minimum_password_length},
                 {"RequireSymbols", p.require_symbols},
                 {"RequireNumbers", p.require_numbers},
                 {"RequireUppercaseCharacters", p.require_uppercase_characters},
                 {"RequireLowercaseCharacters", p.require_lowercase_characters},
                 {"AllowUsersToChangePassword", p.allow_users_to_change_password},
                 {"ExpirePasswords", p.max_password_age > 0}};
  if (p.max_password_age > 0) o["MaxPasswordAge"] = p.max_password_age;
  if (p.password_reuse_prevention > 0) o["PasswordReusePrevention"] = p.password_reuse_prevention;
  if (p.max_password_age > 0) o["HardExpiry"] = p.hard_expiry;
  return o;
}

Result<json::array> InlineList(const iam::IdentityStore& store, iam::EntityKind kind,
                               const std::string& entity) {
  json::array list;
  ASSIGN_OR_RETURN(auto names, store.ListInlinePolicies(kind, entity));
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(iam::InlinePolicy p, store.GetInlinePolicy(kind, entity, name));
    list.push_back(
        json::object{{"PolicyName", p.name}, {"PolicyDocument", EncodeDocument(p.document)}});
  }
  return list;
}

Result<json::array> AttachedList(const iam::IdentityStore& store, iam::EntityKind kind,
                                 const std::string& entity) {
  json::array list;
  ASSIGN_OR_RETURN(auto attached, store.ListAttachedPolicies(kind, entity));
  for (const iam::AttachedPolicy& a : attached) {
    list.push_back(json::object{{"PolicyName", a.name}, {"PolicyArn", a.arn}});
  }
  return list;
}

Result<json::object> AuthorizationDetails(const iam::IdentityStore& store,
                                          const RequestContext& ctx) {
  std::vector<std::string> filter = InputStrings(ctx.input, "Filter");
  auto wanted = [&](const char* type) {
    return filter.empty() || std::find(filter.begin(), filter.end(), type) != filter.end();
  };
  // Every entity as one sorted sequence ("1<user>", "2<group>", …) so one Marker pages them all.
  std::vector<std::pair<std::string, json::value>> items;
  if (wanted("User")) {
    ASSIGN_OR_RETURN(auto users, store.ListUsers());
    for (const iam::User& u : users) {
      json::object o = UserJson(u, true);
      ASSIGN_OR_RETURN(o["UserPolicyList"], InlineList(store, iam::EntityKind::kUser, u.name));
      ASSIGN_OR_RETURN(auto groups, store.ListGroupsForUser(u.name));
      json::array group_names;
      for (const iam::Group& g : groups) group_names.push_back(json::value(g.name));
      o["GroupList"] = std::move(group_names);
      ASSIGN_OR_RETURN(o["AttachedManagedPolicies"],
                       AttachedList(store, iam::EntityKind::kUser, u.name));
      items.emplace_back(SortKey('1', u.name), json::object{{"User", std::move(o)}});
    }
  }
  if (wanted("Group")) {
    ASSIGN_OR_RETURN(auto groups, store.ListGroups());
    for (const iam::Group& g : groups) {
      json::object o = GroupJson(g);
      ASSIGN_OR_RETURN(o["GroupPolicyList"], InlineList(store, iam::EntityKind::kGroup, g.name));
      ASSIGN_OR_RETURN(o["AttachedManagedPolicies"],
                       AttachedList(store, iam::EntityKind::kGroup, g.name));
      items.emplace_back(SortKey('2', g.name), json::object{{"Group", std::move(o)}});
    }
  }
  if (wanted("Role")) {
    ASSIGN_OR_RETURN(auto roles, store.ListRoles());
    for (const iam::Role& r : roles) {
      json::object o = RoleJson(r, true);
      o.erase("Description");
      o.erase("MaxSessionDuration");
      o["InstanceProfileList"] = json::array{};
      ASSIGN_OR_RETURN(o["RolePolicyList"], InlineList(store, iam::EntityKind::kRole, r.name));
      ASSIGN_OR_RETURN(o["AttachedManagedPolicies"],
                       AttachedList(store, iam::EntityKind::kRole, r.name));
      items.emplace_back(SortKey('3', r.name), json::object{{"Role", std::move(o)}});
    }
  }
  bool local = wanted("LocalManagedPolicy"), aws = wanted("AWSManagedPolicy");
  if (local || aws) {
    iam::PolicyScope scope = local && aws ? iam::PolicyScope::kAll
                             : local      ? iam::PolicyScope::kLocal
                                          : iam::PolicyScope::kAws;
    // AWS managed policies appear only when something uses them.
    ASSIGN_OR_RETURN(auto policies, store.ListPolicies(scope, false));
    for (const iam::ManagedPolicy& p : policies) {
      if (p.aws_managed && p.attachment_count == 0 && p.permissions_boundary_usage == 0) continue;
      json::object o = PolicyJson(p);
      o.erase("Tags");
      json::array versions;
      for (const iam::PolicyVersion& v : p.versions) versions.push_back(VersionJson(v, true));
      o["PolicyVersionList"] = std::move(versions);
      items.emplace_back(SortKey('4', p.name) + '\0' + p.arn,
                         json::object{{"Policy", std::move(o)}});
    }
  }
  json::object page;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "Items", page));
  json::array users, groups, roles, policies;
  for (json::value& v : page["Items"].as_array()) {
    json::object& o = v.as_object();
    if (auto* u = o.if_contains("User")) users.push_back(std::move(*u));
    if (auto* g = o.if_contains("Group")) groups.push_back(std::move(*g));
    if (auto* r = o.if_contains("Role")) roles.push_back(std::move(*r));
    if (auto* p = o.if_contains("Policy")) policies.push_back(std::move(*p));
  }
  json::object out{{"UserDetailList", std::move(users)},
                   {"GroupDetailList", std::move(groups)},
                   {"RoleDetailList", std::move(roles)},
                   {"Policies", std::move(policies)},
                   {"IsTruncated", page["IsTruncated"]}};
  if (page.contains("Marker")) out["Marker"] = page["Marker"];
  return out;
}

Result<json::object> Summary(const iam::IdentityStore& store) {
  ASSIGN_OR_RETURN(auto users, store.ListUsers());
  ASSIGN_OR_RETURN(auto groups, store.ListGroups());
  ASSIGN_OR_RETURN(auto roles, store.ListRoles());
  ASSIGN_OR_RETURN(auto local, store.ListPolicies(iam::PolicyScope::kLocal, false));
  ASSIGN_OR_RETURN(auto root_keys, store.ListAccessKeys(""));
  ASSIGN_OR_RETURN(auto mfa_devices, store.ListVirtualMfaDevices());
  size_t mfa_in_use =
      std::count_if(mfa_devices.begin(), mfa_devices.end(),
                    [](const iam::VirtualMfaDevice& d) { return !d.user_name.empty(); });
  size_t versions = 0;
  for (const iam::ManagedPolicy& p : local) versions += p.versions.size();
  // Counts are this account's; quotas are AWS's defaults, which kiroku enforces where it has them.
  json::object map{{"Users", users.size()},
                   {"UsersQuota", 5000},
                   {"Groups", groups.size()},
                   {"GroupsQuota", 300},
                   {"Roles", roles.size()},
                   {"RolesQuota", 1000},
                   {"Policies", local.size()},
                   {"PoliciesQuota", 1500},
                   {"PolicySizeQuota", 6144},
                   {"PolicyVersionsInUse", versions},
                   {"PolicyVersionsInUseQuota", 10000},
                   {"VersionsPerPolicyQuota", 5},
                   {"UserPolicySizeQuota", 2048},
                   {"GroupPolicySizeQuota", 5120},
                   {"RolePolicySizeQuota", 10240},
                   {"AssumeRolePolicySizeQuota", 2048},
                   {"AttachedPoliciesPerUserQuota", 10},
                   {"AttachedPoliciesPerGroupQuota", 10},
                   {"AttachedPoliciesPerRoleQuota", 10},
                   {"AccessKeysPerUserQuota", 2},
                   {"GroupsPerUserQuota", 10},
                   {"SigningCertificatesPerUserQuota", 2},
                   {"ServerCertificates", 0},
                   {"ServerCertificatesQuota", 20},
                   {"InstanceProfiles", 0},
                   {"InstanceProfilesQuota", 1000},
                   {"Providers", 0},
                   {"MFADevices", mfa_devices.size()},
                   {"MFADevicesInUse", mfa_in_use},
                   {"AccountMFAEnabled", 0},
                   {"AccountAccessKeysPresent", root_keys.empty() ? 0 : 1},
                   {"AccountSigningCertificatesPresent", 0},
                   {"GlobalEndpointTokenVersion", 1}};
  return json::object{{"SummaryMap", std::move(map)}};
}

}  // namespace

IamService::Json IamService::CreateAccountAlias(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.CreateAccountAlias(Str(ctx.input, "AccountAlias")));
  return Out();
}

IamService::Json IamService::ListAccountAliases(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(auto aliases, identities_.ListAccountAliases());
  std::vector<std::pair<std::string, json::value>> items;
  for (const std::string& a : aliases) items.emplace_back(a, json::value(a));
  json::object out;
  RETURN_IF_ERROR(Paginate(ctx.input, std::move(items), "AccountAliases", out));
  return Out(std::move(out));
}

IamService::Json IamService::DeleteAccountAlias(RequestContext& ctx) const {
  RETURN_IF_ERROR(identities_.DeleteAccountAlias(Str(ctx.input, "AccountAlias")));
  return Out();
}

IamService::Json IamService::UpdateAccountPasswordPolicy(RequestContext& ctx) const {
  iam::PasswordPolicy p;
  const json::object& in = ctx.input;
  p.minimum_password_length =
      static_cast<int>(OptionalInt(in, "MinimumPasswordLength").value_or(6));
  p.require_symbols = OptionalBool(in, "RequireSymbols").value_or(false);
  p.require_numbers = OptionalBool(in, "RequireNumbers").value_or(false);
  p.require_uppercase_characters = OptionalBool(in, "RequireUppercaseCharacters").value_or(false);
  p.require_lowercase_characters = OptionalBool(in, "RequireLowercaseCharacters").value_or(false);
  p.allow_users_to_change_password = OptionalBool(in, "AllowUsersToChangePassword").value_or(false);
  p.max_password_age = static_cast<int>(OptionalInt(in, "MaxPasswordAge").value_or(0));
  p.password_reuse_prevention =
      static_cast<int>(OptionalInt(in, "PasswordReusePrevention").value_or(0));
  p.hard_expiry = OptionalBool(in, "HardExpiry").value_or(false);
  RETURN_IF_ERROR(identities_.UpdateAccountPasswordPolicy(p));
  return Out();
}

IamService::Json IamService::GetAccountPasswordPolicy(RequestContext&) const {
  ASSIGN_OR_RETURN(iam::PasswordPolicy p, identities_.GetAccountPasswordPolicy());
  return Out({{"PasswordPolicy", PasswordPolicyJson(p)}});
}

IamService::Json IamService::DeleteAccountPasswordPolicy(RequestContext&) const {
  RETURN_IF_ERROR(identities_.DeleteAccountPasswordPolicy());
  return Out();
}

IamService::Json IamService::GetAccountSummary(RequestContext&) const {
  ASSIGN_OR_RETURN(json::object out, Summary(identities_));
  return Out(std::move(out));
}

IamService::Json IamService::GetAccountAuthorizationDetails(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(json::object out, AuthorizationDetails(identities_, ctx));
  return Out(std::move(out));
}

}  // namespace kiroku::services
