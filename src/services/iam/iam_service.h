// IamService: the IAM operations (awsQuery) — users, groups, roles, inline and managed policies
// (with versions), attachments and permissions boundaries, access keys, login profiles, virtual
// MFA devices, the account alias and password policy, tags, GetAccountSummary,
// GetAccountAuthorizationDetails and the policy simulator. Its operation table (iam_service.cc)
// declares each operation's IAM action, the resource it acts on (the user, group, role, policy
// or MFA device ARN) and its condition keys (aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*,
// iam:PolicyARN, iam:PermissionsBoundary), as the AWS Service Authorization Reference does.
// iam::IdentityStore does the work; iam::PolicySimulator evaluates the simulations.
//
// Thread-safe: the handlers keep no state of their own; IdentityStore is thread-safe.
#pragma once

#include <boost/json.hpp>
#include <vector>

#include "api/operation.h"
#include "iam/identity_store.h"
#include "iam/simulator.h"

namespace kiroku::services {

class IamService final : public api::Service {
 public:
  // `identities` must outlive this object, which must outlive the table its operations are
  // added to.
  explicit IamService(iam::IdentityStore& identities)
      : identities_(identities), simulator_(identities) {}

  std::vector<api::Operation> Operations() const override;

 private:
  using RequestContext = api::RequestContext;
  using Json = Result<boost::json::value>;

  // Binds a handler that also notes the calling access key's last use (GetAccessKeyLastUsed).
  api::OperationFn Noted(Json (IamService::*handler)(RequestContext&) const) const;

  // Users and login profiles (users.cc).
  Json CreateUser(RequestContext& ctx) const;
  Json GetUser(RequestContext& ctx) const;
  Json ListUsers(RequestContext& ctx) const;
  Json UpdateUser(RequestContext& ctx) const;
  Json DeleteUser(RequestContext& ctx) const;
  Json CreateLoginProfile(RequestContext& ctx) const;
  Json GetLoginProfile(RequestContext& ctx) const;
  Json UpdateLoginProfile(RequestContext& ctx) const;
  Json DeleteLoginProfile(RequestContext& ctx) const;
  // Groups and membership (groups.cc).
  Json CreateGroup(RequestContext& ctx) const;
  Json GetGroup(RequestContext& ctx) const;
  Json ListGroups(RequestContext& ctx) const;
  Json UpdateGroup(RequestContext& ctx) const;
  Json DeleteGroup(RequestContext& ctx) const;
  Json AddUserToGroup(RequestContext& ctx) const;
  Json RemoveUserFromGroup(RequestContext& ctx) const;
  Json ListGroupsForUser(RequestContext& ctx) const;
  // Access keys (access_keys.cc).
  Json CreateAccessKey(RequestContext& ctx) const;
  Json ListAccessKeys(RequestContext& ctx) const;
  Json UpdateAccessKey(RequestContext& ctx) const;
  Json DeleteAccessKey(RequestContext& ctx) const;
  Json GetAccessKeyLastUsed(RequestContext& ctx) const;
  // Roles (roles.cc).
  Json CreateRole(RequestContext& ctx) const;
  Json GetRole(RequestContext& ctx) const;
  Json ListRoles(RequestContext& ctx) const;
  Json UpdateRole(RequestContext& ctx) const;
  Json UpdateRoleDescription(RequestContext& ctx) const;
  Json UpdateAssumeRolePolicy(RequestContext& ctx) const;
  Json DeleteRole(RequestContext& ctx) const;
  Json ListInstanceProfilesForRole(RequestContext& ctx) const;
  // Inline and attached policies, permissions boundaries and tags of users, roles and groups
  // (entity_policies.cc): each operation is its entity kind's form of one shared handler.
  Json PutUserPolicy(RequestContext& ctx) const;
  Json GetUserPolicy(RequestContext& ctx) const;
  Json ListUserPolicies(RequestContext& ctx) const;
  Json DeleteUserPolicy(RequestContext& ctx) const;
  Json AttachUserPolicy(RequestContext& ctx) const;
  Json DetachUserPolicy(RequestContext& ctx) const;
  Json ListAttachedUserPolicies(RequestContext& ctx) const;
  Json PutUserPermissionsBoundary(RequestContext& ctx) const;
  Json DeleteUserPermissionsBoundary(RequestContext& ctx) const;
  Json TagUser(RequestContext& ctx) const;
  Json UntagUser(RequestContext& ctx) const;
  Json ListUserTags(RequestContext& ctx) const;
  Json PutRolePolicy(RequestContext& ctx) const;
  Json GetRolePolicy(RequestContext& ctx) const;
  Json ListRolePolicies(RequestContext& ctx) const;
  Json DeleteRolePolicy(RequestContext& ctx) const;
  Json AttachRolePolicy(RequestContext& ctx) const;
  Json DetachRolePolicy(RequestContext& ctx) const;
  Json ListAttachedRolePolicies(RequestContext& ctx) const;
  Json PutRolePermissionsBoundary(RequestContext& ctx) const;
  Json DeleteRolePermissionsBoundary(RequestContext& ctx) const;
  Json TagRole(RequestContext& ctx) const;
  Json UntagRole(RequestContext& ctx) const;
  Json ListRoleTags(RequestContext& ctx) const;
  Json PutGroupPolicy(RequestContext& ctx) const;
  Json GetGroupPolicy(RequestContext& ctx) const;
  Json ListGroupPolicies(RequestContext& ctx) const;
  Json DeleteGroupPolicy(RequestContext& ctx) const;
  Json AttachGroupPolicy(RequestContext& ctx) const;
  Json DetachGroupPolicy(RequestContext& ctx) const;
  Json ListAttachedGroupPolicies(RequestContext& ctx) const;
  Json PutEntityPolicy(iam::EntityKind kind, RequestContext& ctx) const;
  Json GetEntityPolicy(iam::EntityKind kind, RequestContext& ctx) const;
  Json ListEntityPolicies(iam::EntityKind kind, RequestContext& ctx) const;
  Json DeleteEntityPolicy(iam::EntityKind kind, RequestContext& ctx) const;
  Json AttachEntityPolicy(iam::EntityKind kind, RequestContext& ctx) const;
  Json DetachEntityPolicy(iam::EntityKind kind, RequestContext& ctx) const;
  Json ListAttachedEntityPolicies(iam::EntityKind kind, RequestContext& ctx) const;
  Json PutPermissionsBoundary(iam::EntityKind kind, RequestContext& ctx) const;
  Json DeletePermissionsBoundary(iam::EntityKind kind, RequestContext& ctx) const;
  Json TagEntity(iam::EntityKind kind, RequestContext& ctx) const;
  Json UntagEntity(iam::EntityKind kind, RequestContext& ctx) const;
  Json ListEntityTags(iam::EntityKind kind, RequestContext& ctx) const;
  // Managed policies, their versions, users and tags (policies.cc).
  Json CreatePolicy(RequestContext& ctx) const;
  Json GetPolicy(RequestContext& ctx) const;
  Json DeletePolicy(RequestContext& ctx) const;
  Json ListPolicies(RequestContext& ctx) const;
  Json CreatePolicyVersion(RequestContext& ctx) const;
  Json GetPolicyVersion(RequestContext& ctx) const;
  Json ListPolicyVersions(RequestContext& ctx) const;
  Json SetDefaultPolicyVersion(RequestContext& ctx) const;
  Json DeletePolicyVersion(RequestContext& ctx) const;
  Json ListEntitiesForPolicy(RequestContext& ctx) const;
  Json TagPolicy(RequestContext& ctx) const;
  Json UntagPolicy(RequestContext& ctx) const;
  Json ListPolicyTags(RequestContext& ctx) const;
  // The account: alias, password policy, summary, authorization details (account.cc).
  Json CreateAccountAlias(RequestContext& ctx) const;
  Json ListAccountAliases(RequestContext& ctx) const;
  Json DeleteAccountAlias(RequestContext& ctx) const;
  Json UpdateAccountPasswordPolicy(RequestContext& ctx) const;
  Json GetAccountPasswordPolicy(RequestContext& ctx) const;
  Json DeleteAccountPasswordPolicy(RequestContext& ctx) const;
  Json GetAccountSummary(RequestContext& ctx) const;
  Json GetAccountAuthorizationDetails(RequestContext& ctx) const;
  // Virtual MFA devices (mfa.cc).
  Json CreateVirtualMFADevice(RequestContext& ctx) const;
  Json EnableMFADevice(RequestContext& ctx) const;
  Json ResyncMFADevice(RequestContext& ctx) const;
  Json DeactivateMFADevice(RequestContext& ctx) const;
  Json DeleteVirtualMFADevice(RequestContext& ctx) const;
  Json ListMFADevices(RequestContext& ctx) const;
  Json ListVirtualMFADevices(RequestContext& ctx) const;
  // The policy simulator's wire side (simulator.cc).
  Json SimulateCustomPolicy(RequestContext& ctx) const;
  Json SimulatePrincipalPolicy(RequestContext& ctx) const;
  Json GetContextKeysForCustomPolicy(RequestContext& ctx) const;
  Json GetContextKeysForPrincipalPolicy(RequestContext& ctx) const;

  iam::IdentityStore& identities_;
  iam::PolicySimulator simulator_;
};

}  // namespace kiroku::services
