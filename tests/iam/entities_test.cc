// Users, groups, roles, inline and managed policies: naming rules, conflicts, limits, versions.
#include <atomic>
#include <thread>

#include "iam/aws_managed_policies.h"
#include "iam_fixture.h"

namespace kiroku::iam {
namespace {

using EntitiesTest = IamFixture;

TEST_F(EntitiesTest, CreateGetListAndDeleteUsers) {
  auto bob = identities_.CreateUser("bob", "/engineering/", {{"team", "core"}});
  ASSERT_TRUE(bob.ok()) << bob.status().ToString();
  EXPECT_EQ(bob->arn, "arn:aws:iam::111122223333:user/engineering/bob");
  EXPECT_TRUE(bob->id.starts_with("AIDA"));
  EXPECT_EQ(bob->id.size(), 21u);
  ASSERT_TRUE(identities_.CreateUser("alice", "/", {}).ok());

  auto dup = identities_.CreateUser("BOB", "/", {});
  EXPECT_EQ(dup.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "User with name BOB already exists.");

  auto got = identities_.GetUser("Bob");  // names are case-insensitive
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "bob");
  EXPECT_EQ(got->tags.at("team"), "core");

  auto all = identities_.ListUsers();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "alice");
  EXPECT_EQ(identities_.ListUsers("/engineering/")->size(), 1u);

  EXPECT_TRUE(identities_.DeleteUser("bob").ok());
  auto gone = identities_.GetUser("bob");
  EXPECT_EQ(gone.status().code(), Code::kNotFound);
  EXPECT_EQ(gone.status().message(), "The user with name bob cannot be found.");
}

TEST_F(EntitiesTest, NamesAndPathsAreValidated) {
  auto bad = identities_.CreateUser("bob smith", "/", {});
  EXPECT_EQ(bad.status().aws_code(), "ValidationError");
  EXPECT_NE(bad.status().message().find("[\\w+=,.@-]+"), std::string::npos);
  EXPECT_EQ(identities_.CreateUser(std::string(65, 'a'), "/", {}).status().aws_code(),
            "ValidationError");
  EXPECT_EQ(identities_.CreateUser("carol", "no-slash", {}).status().aws_code(), "ValidationError");
  EXPECT_EQ(identities_.CreateUser("carol", "/a", {}).status().aws_code(), "ValidationError");
}

TEST_F(EntitiesTest, DeleteUserConflictsWhileItHasPoliciesOrGroups) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  ASSERT_TRUE(identities_.PutInlinePolicy(EntityKind::kUser, "bob", "p", Allow("iam:List*")).ok());
  auto conflict = identities_.DeleteUser("bob");
  EXPECT_EQ(conflict.code(), Code::kConflict);
  EXPECT_EQ(conflict.message(), "Cannot delete entity, must delete policies first.");
  ASSERT_TRUE(identities_.DeleteInlinePolicy(EntityKind::kUser, "bob", "p").ok());

  ASSERT_TRUE(
      identities_
          .AttachPolicy(EntityKind::kUser, "bob", "arn:aws:iam::aws:policy/AdministratorAccess")
          .ok());
  EXPECT_EQ(identities_.DeleteUser("bob").message(),
            "Cannot delete entity, must detach all policies first.");
  ASSERT_TRUE(
      identities_
          .DetachPolicy(EntityKind::kUser, "bob", "arn:aws:iam::aws:policy/AdministratorAccess")
          .ok());

  ASSERT_TRUE(identities_.CreateGroup("devs", "/").ok());
  ASSERT_TRUE(identities_.AddUserToGroup("devs", "bob").ok());
  EXPECT_EQ(identities_.DeleteUser("bob").code(), Code::kConflict);
  EXPECT_EQ(identities_.DeleteGroup("devs").code(), Code::kConflict);
  ASSERT_TRUE(identities_.RemoveUserFromGroup("devs", "bob").ok());
  EXPECT_TRUE(identities_.DeleteUser("bob").ok());
  EXPECT_TRUE(identities_.DeleteGroup("devs").ok());
}

TEST_F(EntitiesTest, GroupsAndMembership) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  auto g = identities_.CreateGroup("admins", "/ops/");
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->id.starts_with("AGPA"));
  EXPECT_EQ(g->arn, "arn:aws:iam::111122223333:group/ops/admins");
  EXPECT_EQ(identities_.CreateGroup("Admins", "/").status().message(),
            "Group with name Admins already exists.");
  ASSERT_TRUE(identities_.AddUserToGroup("admins", "bob").ok());
  ASSERT_TRUE(identities_.AddUserToGroup("admins", "bob").ok());  // idempotent
  EXPECT_EQ(identities_.ListGroupsForUser("bob")->size(), 1u);
  EXPECT_EQ(identities_.ListUsersInGroup("admins")->size(), 1u);
  EXPECT_EQ(identities_.AddUserToGroup("admins", "nobody").code(), Code::kNotFound);
  EXPECT_EQ(identities_.AddUserToGroup("nogroup", "bob").message(),
            "The group with name nogroup cannot be found.");
}

TEST_F(EntitiesTest, RenamedGroupsKeepMembersAndPolicies) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  ASSERT_TRUE(identities_.CreateGroup("devs", "/").ok());
  ASSERT_TRUE(identities_.CreateGroup("ops", "/").ok());
  ASSERT_TRUE(identities_.AddUserToGroup("devs", "bob").ok());
  ASSERT_TRUE(identities_.PutInlinePolicy(EntityKind::kGroup, "devs", "p", Allow("s3:*")).ok());
  const std::string admin = "arn:aws:iam::aws:policy/AdministratorAccess";
  ASSERT_TRUE(identities_.AttachPolicy(EntityKind::kGroup, "devs", admin).ok());
  EXPECT_EQ(identities_.UpdateGroup("devs", std::string("OPS"), std::nullopt).code(),
            Code::kAlreadyExists);
  ASSERT_TRUE(identities_.UpdateGroup("devs", std::string("builders"), std::string("/b/")).ok());
  EXPECT_EQ(identities_.GetGroup("devs").status().code(), Code::kNotFound);
  EXPECT_EQ(identities_.GetGroup("builders")->arn, "arn:aws:iam::111122223333:group/b/builders");
  EXPECT_EQ((*identities_.ListGroupsForUser("bob"))[0].name, "builders");
  EXPECT_EQ((*identities_.ListUsersInGroup("builders"))[0].name, "bob");
  EXPECT_EQ(identities_.ListInlinePolicies(EntityKind::kGroup, "builders")->size(), 1u);
  EXPECT_EQ((*identities_.ListEntitiesForPolicy(admin))[0].name, "builders");
}

TEST_F(EntitiesTest, TrustPoliciesMustNameExistingLocalPrincipals) {
  auto missing = identities_.CreateRole("r", Trust("arn:aws:iam::111122223333:user/nobody"), {});
  EXPECT_EQ(missing.status().aws_code(), "MalformedPolicyDocument");
  EXPECT_EQ(missing.status().message(),
            "Invalid principal in policy: \"AWS\":\"arn:aws:iam::111122223333:user/nobody\"");
  ASSERT_TRUE(identities_.CreateUser("nobody", "/", {}).ok());
  EXPECT_TRUE(identities_.CreateRole("r", Trust("arn:aws:iam::111122223333:user/nobody"), {}).ok());
  // Other accounts, the account root and the role itself are not checked.
  EXPECT_TRUE(identities_.CreateRole("x", Trust("arn:aws:iam::999988887777:user/anyone"), {}).ok());
  EXPECT_TRUE(
      identities_.CreateRole("self", Trust("arn:aws:iam::111122223333:role/self"), {}).ok());
  EXPECT_EQ(identities_.UpdateAssumeRolePolicy("r", Trust("arn:aws:iam::111122223333:role/gone"))
                .aws_code(),
            "MalformedPolicyDocument");
}

TEST_F(EntitiesTest, RolesKeepTheirTrustPolicyAndLimits) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  RoleOptions options;
  options.path = "/service-role/";
  options.description = "delivery";
  options.max_session_duration = 7200;
  options.tags = {{"env", "test"}};
  auto role =
      identities_.CreateRole("Delivery", Trust("arn:aws:iam::111122223333:user/bob"), options);
  ASSERT_TRUE(role.ok()) << role.status().ToString();
  EXPECT_TRUE(role->id.starts_with("AROA"));
  EXPECT_EQ(role->arn, "arn:aws:iam::111122223333:role/service-role/Delivery");
  EXPECT_EQ(role->trust_policy.kind(), policy::PolicyKind::kTrustPolicy);
  EXPECT_EQ(role->trust_policy.statement_count(), 1u);

  auto by_arn = identities_.GetRoleByArn("arn:aws:iam::111122223333:role/service-role/Delivery");
  ASSERT_TRUE(by_arn.ok());
  EXPECT_EQ(by_arn->id, role->id);
  EXPECT_EQ(by_arn->max_session_duration, 7200);
  EXPECT_EQ(by_arn->tags.at("env"), "test");
  EXPECT_EQ(identities_.GetRoleByArn("arn:aws:iam::111122223333:role/Delivery").status().code(),
            Code::kNotFound);  // path differs
  EXPECT_EQ(identities_.GetRoleByArn("arn:aws:iam::999999999999:role/service-role/Delivery")
                .status()
                .code(),
            Code::kNotFound);
  EXPECT_EQ(identities_.GetRole("nope").status().message(),
            "The role with name nope cannot be found.");

  RoleOptions too_long;
  too_long.max_session_duration = 50000;
  EXPECT_EQ(identities_.CreateRole("r2", Trust("arn:aws:iam::111122223333:root"), too_long)
                .status()
                .aws_code(),
            "ValidationError");
  // Trust policies may not have a Resource; identity documents are not trust policies.
  auto malformed = identities_.CreateRole("r3", Allow("sts:AssumeRole"), {});
  EXPECT_EQ(malformed.status().aws_code(), "MalformedPolicyDocument");

  ASSERT_TRUE(identities_.UpdateRole("delivery", std::string("new"), 43200).ok());
  EXPECT_EQ(identities_.GetRole("Delivery")->max_session_duration, 43200);
  EXPECT_EQ(identities_.GetRole("Delivery")->description, "new");
  ASSERT_TRUE(
      identities_.UpdateAssumeRolePolicy("Delivery", Trust("arn:aws:iam::111122223333:root")).ok());
  EXPECT_NE(identities_.GetRole("Delivery")->trust_policy_document.find(":root"),
            std::string::npos);
  ASSERT_TRUE(
      identities_.PutInlinePolicy(EntityKind::kRole, "Delivery", "p", Allow("logs:*")).ok());
  EXPECT_EQ(identities_.DeleteRole("Delivery").code(), Code::kConflict);
  ASSERT_TRUE(identities_.DeleteInlinePolicy(EntityKind::kRole, "Delivery", "p").ok());
  EXPECT_TRUE(identities_.DeleteRole("Delivery").ok());
}

TEST_F(EntitiesTest, InlinePoliciesAreValidatedAndReplaced) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  auto bad = identities_.PutInlinePolicy(EntityKind::kUser, "bob", "p", R"({"Statement":[]})");
  EXPECT_EQ(bad.aws_code(), "MalformedPolicyDocument");
  EXPECT_FALSE(bad.message().empty());
  ASSERT_TRUE(identities_.PutInlinePolicy(EntityKind::kUser, "bob", "p", Allow("iam:List*")).ok());
  ASSERT_TRUE(identities_.PutInlinePolicy(EntityKind::kUser, "bob", "p", Allow("iam:Get*")).ok());
  auto names = identities_.ListInlinePolicies(EntityKind::kUser, "bob");
  ASSERT_EQ(names->size(), 1u);
  EXPECT_NE(identities_.GetInlinePolicy(EntityKind::kUser, "bob", "p")->document.find("iam:Get*"),
            std::string::npos);
  EXPECT_EQ(identities_.GetInlinePolicy(EntityKind::kUser, "bob", "q").status().message(),
            "The user policy with name q cannot be found.");
  // 2048 non-whitespace characters per user.
  std::string big = Allow("iam:" + std::string(2100, 'x'));
  EXPECT_EQ(identities_.PutInlinePolicy(EntityKind::kUser, "bob", "big", big).code(),
            Code::kLimitExceeded);
}

TEST_F(EntitiesTest, ManagedPolicyVersions) {
  auto p = identities_.CreatePolicy("read", "/team/", Allow("logs:Get*"), "reads", {});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->arn, "arn:aws:iam::111122223333:policy/team/read");
  EXPECT_TRUE(p->id.starts_with("ANPA"));
  EXPECT_EQ(p->default_version_id, "v1");
  EXPECT_EQ(identities_.CreatePolicy("READ", "/", Allow("a:b"), "", {}).status().message(),
            "A policy called READ already exists. Duplicate names are not allowed.");

  for (int i = 2; i <= 5; ++i) {
    auto v = identities_.CreatePolicyVersion(p->arn, Allow("logs:Describe*"), i == 3);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->version_id, "v" + std::to_string(i));
  }
  EXPECT_EQ(identities_.GetPolicy(p->arn)->default_version_id, "v3");
  auto sixth = identities_.CreatePolicyVersion(p->arn, Allow("logs:*"), false);
  EXPECT_EQ(sixth.status().code(), Code::kLimitExceeded);

  EXPECT_EQ(identities_.DeletePolicyVersion(p->arn, "v3").code(), Code::kConflict);
  ASSERT_TRUE(identities_.DeletePolicyVersion(p->arn, "v5").ok());
  // Version ids are never reused.
  EXPECT_EQ(identities_.CreatePolicyVersion(p->arn, Allow("logs:*"), false)->version_id, "v6");
  ASSERT_TRUE(identities_.SetDefaultPolicyVersion(p->arn, "v6").ok());
  EXPECT_NE(identities_.GetPolicyVersion(p->arn, "v6")->document.find("logs:*"), std::string::npos);
  EXPECT_TRUE(identities_.GetPolicyVersion(p->arn, "v6")->is_default);
  EXPECT_EQ(identities_.GetPolicyVersion(p->arn, "v9").status().code(), Code::kNotFound);

  ASSERT_TRUE(identities_.CreateRole("r", Trust("arn:aws:iam::111122223333:root"), {}).ok());
  ASSERT_TRUE(identities_.AttachPolicy(EntityKind::kRole, "r", p->arn).ok());
  EXPECT_EQ(identities_.GetPolicy(p->arn)->attachment_count, 1);
  EXPECT_EQ(identities_.DeletePolicy(p->arn).message(),
            "Cannot delete a policy attached to entities.");
  auto entities = identities_.ListEntitiesForPolicy(p->arn);
  ASSERT_EQ(entities->size(), 1u);
  EXPECT_EQ((*entities)[0].kind, EntityKind::kRole);
  ASSERT_TRUE(identities_.DetachPolicy(EntityKind::kRole, "r", p->arn).ok());
  // Non-default versions must go first.
  EXPECT_EQ(identities_.DeletePolicy(p->arn).code(), Code::kConflict);
  for (const char* v : {"v1", "v2", "v3", "v4"}) {
    ASSERT_TRUE(identities_.DeletePolicyVersion(p->arn, v).ok()) << v;
  }
  EXPECT_TRUE(identities_.DeletePolicy(p->arn).ok());
  EXPECT_EQ(identities_.GetPolicy(p->arn).status().code(), Code::kNotFound);
}

TEST_F(EntitiesTest, AwsManagedPoliciesAreAttachableAndReadOnly) {
  const std::string admin = "arn:aws:iam::aws:policy/AdministratorAccess";
  auto p = identities_.GetPolicy(admin);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->aws_managed);
  EXPECT_EQ(p->id, "ANPAIWMBCKSKIEE64ZLYK");
  EXPECT_EQ(identities_.CreatePolicyVersion(admin, Allow("a:b"), true).status().aws_code(),
            "UnmodifiableEntity");
  EXPECT_EQ(identities_.DeletePolicy(admin).aws_code(), "UnmodifiableEntity");
  // Every shipped document parses as an identity policy.
  for (const ManagedPolicy& m : AwsManagedPolicies()) {
    EXPECT_TRUE(policy::ParsePolicy(m.DefaultVersion()->document).ok()) << m.name;
    EXPECT_TRUE(m.id.starts_with("ANPA")) << m.name;
  }
  EXPECT_EQ(identities_.AttachPolicy(EntityKind::kUser, "nobody", admin).code(), Code::kNotFound);
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  EXPECT_EQ(
      identities_.AttachPolicy(EntityKind::kUser, "bob", "arn:aws:iam::aws:policy/Nope").message(),
      "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.");
  auto local = identities_.ListPolicies(PolicyScope::kLocal, false);
  EXPECT_TRUE(local->empty());
  auto aws = identities_.ListPolicies(PolicyScope::kAws, false);
  EXPECT_EQ(aws->size(), AwsManagedPolicies().size());
  ASSERT_TRUE(identities_.AttachPolicy(EntityKind::kUser, "bob", admin).ok());
  auto attached = identities_.ListPolicies(PolicyScope::kAll, true);
  ASSERT_EQ(attached->size(), 1u);
  EXPECT_EQ((*attached)[0].attachment_count, 1);
}

TEST_F(EntitiesTest, AttachmentQuota) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  for (int i = 0; i < 10; ++i) {
    std::string name = "p";
    name += std::to_string(i);  // (not "p" + …: GCC 12 warns falsely about that)
    auto p = identities_.CreatePolicy(name, "/", Allow("a:b"), "", {});
    ASSERT_TRUE(identities_.AttachPolicy(EntityKind::kUser, "bob", p->arn).ok());
  }
  auto p = identities_.CreatePolicy("p10", "/", Allow("a:b"), "", {});
  auto over = identities_.AttachPolicy(EntityKind::kUser, "bob", p->arn);
  EXPECT_EQ(over.code(), Code::kLimitExceeded);
  EXPECT_EQ(over.message(), "Cannot exceed quota for PoliciesPerUser: 10");
  EXPECT_EQ(identities_.ListAttachedPolicies(EntityKind::kUser, "bob")->size(), 10u);
}

TEST_F(EntitiesTest, Tags) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {{"a", "1"}}).ok());
  ASSERT_TRUE(identities_.TagEntity(EntityKind::kUser, "bob", {{"A", "2"}, {"b", "3"}}).ok());
  Tags tags = *identities_.ListEntityTags(EntityKind::kUser, "bob");
  EXPECT_EQ(tags, (Tags{{"A", "2"}, {"b", "3"}}));
  ASSERT_TRUE(identities_.UntagEntity(EntityKind::kUser, "bob", {"a"}).ok());
  EXPECT_EQ(*identities_.ListEntityTags(EntityKind::kUser, "bob"), (Tags{{"b", "3"}}));
}

}  // namespace
}  // namespace kiroku::iam

namespace kiroku::iam {
namespace {

TEST_F(EntitiesTest, ConcurrentCreatesOfOneNameHaveOneWinner) {
  std::atomic<int> created{0}, exists{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      // Different spellings of one name: IAM names are unique ignoring case.
      auto r = identities_.CreateUser(i % 2 ? "Racer" : "racer", "/", {});
      if (r.ok()) ++created;
      if (r.status().code() == Code::kAlreadyExists) ++exists;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(exists.load(), 7);
  EXPECT_EQ(identities_.ListUsers()->size(), 1u);
}

TEST_F(EntitiesTest, ConcurrentKeyCreationRespectsTheQuota) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      if (identities_.CreateAccessKey("bob").ok()) ++created;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 2);
  EXPECT_EQ(identities_.ListAccessKeys("bob")->size(), 2u);
}

}  // namespace
}  // namespace kiroku::iam
