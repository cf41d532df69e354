// PoliciesFor composes a user's (inline, attached, groups', boundary) and a role's policies, and
// the evaluator decides with them exactly as AWS would.
#include "iam_fixture.h"
#include "policy/evaluator.h"

namespace kiroku::iam {
namespace {

class PoliciesForTest : public IamFixture {
 protected:
  Principal UserPrincipal(const std::string& name) {
    User user = *identities_.GetUser(name);
    Principal p;
    p.type = PrincipalType::kUser;
    p.account = "111122223333";
    p.arn = user.arn;
    p.user_name = user.name;
    p.user_id = user.id;
    return p;
  }

  policy::EvalDecision Decide(const Principal& principal, const std::string& action,
                              const std::string& resource = "*") {
    auto set = identities_.PoliciesFor(principal);
    EXPECT_TRUE(set.ok()) << set.status().ToString();
    policy::RequestContext request;
    request.principal = principal;
    request.action = action;
    request.resource = resource;
    policy::AddPrincipalKeys(principal, request.keys);
    return policy::Evaluate(*set, request).decision;
  }
};

TEST_F(PoliciesForTest, RootAndServicesHaveNoIdentityPolicies) {
  auto set = identities_.PoliciesFor(RootPrincipal("111122223333"));
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->identity.empty());
}

TEST_F(PoliciesForTest, UserCollectsInlineAttachedAndGroupPolicies) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  Principal bob = UserPrincipal("bob");
  EXPECT_EQ(Decide(bob, "iam:ListUsers"), policy::EvalDecision::kImplicitDeny);

  ASSERT_TRUE(
      identities_.PutInlinePolicy(EntityKind::kUser, "bob", "list", Allow("iam:List*")).ok());
  EXPECT_EQ(Decide(bob, "iam:ListUsers"), policy::EvalDecision::kAllowed);
  EXPECT_EQ(Decide(bob, "iam:CreateUser"), policy::EvalDecision::kImplicitDeny);

  auto logs = identities_.CreatePolicy("logs", "/", Allow("logs:*"), "", {});
  ASSERT_TRUE(identities_.AttachPolicy(EntityKind::kUser, "bob", logs->arn).ok());
  EXPECT_EQ(Decide(bob, "logs:PutLogEvents"), policy::EvalDecision::kAllowed);
  // A new default version applies at once.
  ASSERT_TRUE(identities_.CreatePolicyVersion(logs->arn, Allow("logs:Get*"), true).ok());
  EXPECT_EQ(Decide(bob, "logs:PutLogEvents"), policy::EvalDecision::kImplicitDeny);
  EXPECT_EQ(Decide(bob, "logs:GetLogEvents"), policy::EvalDecision::kAllowed);

  ASSERT_TRUE(identities_.CreateGroup("kms", "/").ok());
  ASSERT_TRUE(identities_.PutInlinePolicy(EntityKind::kGroup, "kms", "k", Allow("kms:*")).ok());
  EXPECT_EQ(Decide(bob, "kms:Encrypt"), policy::EvalDecision::kImplicitDeny);
  ASSERT_TRUE(identities_.AddUserToGroup("kms", "bob").ok());
  EXPECT_EQ(Decide(bob, "kms:Encrypt"), policy::EvalDecision::kAllowed);
  ASSERT_TRUE(identities_.CreateGroup("nodecrypt", "/").ok());
  auto deny = identities_.CreatePolicy("deny-decrypt", "/", Deny("kms:Decrypt"), "", {});
  ASSERT_TRUE(identities_.AttachPolicy(EntityKind::kGroup, "nodecrypt", deny->arn).ok());
  ASSERT_TRUE(identities_.AddUserToGroup("nodecrypt", "bob").ok());
  EXPECT_EQ(Decide(bob, "kms:Decrypt"), policy::EvalDecision::kExplicitDeny);
  EXPECT_EQ(Decide(bob, "kms:Encrypt"), policy::EvalDecision::kAllowed);
}

TEST_F(PoliciesForTest, PermissionsBoundaryLimitsTheUser) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  ASSERT_TRUE(
      identities_
          .AttachPolicy(EntityKind::kUser, "bob", "arn:aws:iam::aws:policy/AdministratorAccess")
          .ok());
  Principal bob = UserPrincipal("bob");
  EXPECT_EQ(Decide(bob, "iam:CreateUser"), policy::EvalDecision::kAllowed);
  auto boundary = identities_.CreatePolicy("only-logs", "/", Allow("logs:*"), "", {});
  ASSERT_TRUE(identities_.PutPermissionsBoundary(EntityKind::kUser, "bob", boundary->arn).ok());
  EXPECT_EQ(identities_.GetPolicy(boundary->arn)->permissions_boundary_usage, 1);
  EXPECT_EQ(identities_.ListEntitiesForPolicy(boundary->arn)->size(), 1u);
  EXPECT_EQ(identities_.ListEntitiesForPolicy(boundary->arn, PolicyUsage::kPermissionsBoundary)
                ->at(0)
                .name,
            "bob");
  EXPECT_TRUE(
      identities_.ListEntitiesForPolicy(boundary->arn, PolicyUsage::kPermissionsPolicy)->empty());
  EXPECT_EQ(Decide(bob, "iam:CreateUser"), policy::EvalDecision::kImplicitDeny);
  EXPECT_EQ(Decide(bob, "logs:CreateLogGroup"), policy::EvalDecision::kAllowed);
  EXPECT_EQ(identities_.DeletePolicy(boundary->arn).code(), Code::kConflict);
  ASSERT_TRUE(identities_.DeletePermissionsBoundary(EntityKind::kUser, "bob").ok());
  EXPECT_EQ(Decide(bob, "iam:CreateUser"), policy::EvalDecision::kAllowed);
}

TEST_F(PoliciesForTest, AssumedRoleGetsTheRolePolicies) {
  RoleOptions options;
  options.path = "/service-role/";
  auto role = identities_.CreateRole("Delivery", Trust("arn:aws:iam::111122223333:root"), options);
  ASSERT_TRUE(role.ok());
  ASSERT_TRUE(
      identities_.PutInlinePolicy(EntityKind::kRole, "Delivery", "logs", Allow("logs:PutLogEvents"))
          .ok());
  Principal session;
  session.type = PrincipalType::kAssumedRole;
  session.account = "111122223333";
  session.arn = "arn:aws:sts::111122223333:assumed-role/Delivery/s1";
  session.role_arn = role->arn;
  session.user_id = role->id + ":s1";
  EXPECT_EQ(Decide(session, "logs:PutLogEvents"), policy::EvalDecision::kAllowed);
  EXPECT_EQ(Decide(session, "logs:DeleteLogGroup"), policy::EvalDecision::kImplicitDeny);
  ASSERT_TRUE(identities_
                  .AttachPolicy(EntityKind::kRole, "Delivery",
                                "arn:aws:iam::aws:policy/AdministratorAccess")
                  .ok());
  EXPECT_EQ(Decide(session, "logs:DeleteLogGroup"), policy::EvalDecision::kAllowed);
  auto boundary = identities_.CreatePolicy("b", "/", Allow("logs:PutLogEvents"), "", {});
  ASSERT_TRUE(
      identities_.PutPermissionsBoundary(EntityKind::kRole, "Delivery", boundary->arn).ok());
  EXPECT_EQ(Decide(session, "logs:DeleteLogGroup"), policy::EvalDecision::kImplicitDeny);
  // A session of a role that no longer exists is denied.
  session.role_arn = "arn:aws:iam::111122223333:role/Gone";
  auto set = identities_.PoliciesFor(session);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->identity.empty());
}

TEST_F(PoliciesForTest, DecisionsNameThePolicy) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  ASSERT_TRUE(
      identities_.PutInlinePolicy(EntityKind::kUser, "bob", "list", Allow("iam:List*")).ok());
  auto set = identities_.PoliciesFor(UserPrincipal("bob"));
  ASSERT_EQ(set->identity.size(), 1u);
  EXPECT_EQ(set->identity[0].name(), "bob/inline/list");
}

}  // namespace
}  // namespace kiroku::iam
