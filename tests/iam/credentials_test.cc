// User access keys (lookup as kUser principals, limits, status), console passwords and the
// password policy, and the account alias.
#include "iam_fixture.h"

namespace kiroku::iam {
namespace {

using CredentialsTest = IamFixture;

TEST_F(CredentialsTest, UserKeysResolveToTheUser) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/eng/", {{"team", "core"}}).ok());
  auto key = identities_.CreateAccessKey("bob");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->info.access_key_id.starts_with("AKIA"));
  EXPECT_EQ(key->secret_access_key.size(), 40u);
  EXPECT_EQ(key->info.status, "Active");

  auto found = identities_.LookupAccessKey(key->info.access_key_id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->secret.view(), key->secret_access_key);
  EXPECT_TRUE(found->active);
  const Principal& p = found->principal;
  EXPECT_EQ(p.type, PrincipalType::kUser);
  EXPECT_EQ(p.arn, "arn:aws:iam::111122223333:user/eng/bob");
  EXPECT_EQ(p.user_name, "bob");
  EXPECT_TRUE(p.user_id.starts_with("AIDA"));
  EXPECT_EQ(p.account, "111122223333");
  EXPECT_EQ(p.tags.at("team"), "core");

  ASSERT_TRUE(identities_.UpdateAccessKey("bob", key->info.access_key_id, "Inactive").ok());
  EXPECT_FALSE(identities_.LookupAccessKey(key->info.access_key_id)->active);
  EXPECT_EQ(identities_.UpdateAccessKey("bob", key->info.access_key_id, "Paused").aws_code(),
            "ValidationError");
  ASSERT_TRUE(identities_.DeleteAccessKey("bob", key->info.access_key_id).ok());
  EXPECT_EQ(identities_.LookupAccessKey(key->info.access_key_id).status().code(), Code::kNotFound);
  EXPECT_TRUE(identities_.ListAccessKeys("bob")->empty());
}

TEST_F(CredentialsTest, TwoKeysPerUserAndKeysBelongToTheirOwner) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  ASSERT_TRUE(identities_.CreateUser("eve", "/", {}).ok());
  auto first = identities_.CreateAccessKey("bob");
  ASSERT_TRUE(identities_.CreateAccessKey("bob").ok());
  auto third = identities_.CreateAccessKey("bob");
  EXPECT_EQ(third.status().code(), Code::kLimitExceeded);
  EXPECT_EQ(third.status().message(), "Cannot exceed quota for AccessKeysPerUser: 2");
  EXPECT_EQ(identities_.ListAccessKeys("bob")->size(), 2u);
  // Another user cannot touch bob's key.
  auto not_hers = identities_.DeleteAccessKey("eve", first->info.access_key_id);
  EXPECT_EQ(not_hers.code(), Code::kNotFound);
  EXPECT_EQ(not_hers.message(),
            "The Access Key with id " + first->info.access_key_id + " cannot be found.");
  EXPECT_EQ(identities_.DeleteUser("bob").code(), Code::kConflict);
}

TEST_F(CredentialsTest, RootKeysAreListedAndLimited) {
  // The fixture's bootstrap made one root key.
  EXPECT_EQ(identities_.ListAccessKeys("")->size(), 1u);
  auto second = identities_.CreateAccessKey("");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(identities_.LookupAccessKey(second->info.access_key_id)->principal.type,
            PrincipalType::kRoot);
  EXPECT_EQ(identities_.CreateAccessKey("").status().code(), Code::kLimitExceeded);
}

TEST_F(CredentialsTest, LastUsedIsRecordedAtMostOnceAMinute) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  auto key = identities_.CreateAccessKey("bob");
  auto unused = identities_.GetAccessKeyLastUsed(key->info.access_key_id);
  EXPECT_FALSE(unused->last_used_date.has_value());
  EXPECT_EQ(unused->service_name, "N/A");
  ASSERT_TRUE(identities_.NoteAccessKeyUsed(key->info.access_key_id, "iam", "us-east-1").ok());
  auto used = identities_.GetAccessKeyLastUsed(key->info.access_key_id);
  EXPECT_EQ(used->service_name, "iam");
  EXPECT_EQ(used->user_name, "bob");
  int64_t first = *used->last_used_date;
  clock_.Advance(std::chrono::seconds(30));
  ASSERT_TRUE(identities_.NoteAccessKeyUsed(key->info.access_key_id, "kms", "us-east-1").ok());
  EXPECT_EQ(identities_.GetAccessKeyLastUsed(key->info.access_key_id)->service_name, "iam");
  clock_.Advance(std::chrono::seconds(31));
  ASSERT_TRUE(identities_.NoteAccessKeyUsed(key->info.access_key_id, "kms", "us-east-1").ok());
  auto later = identities_.GetAccessKeyLastUsed(key->info.access_key_id);
  EXPECT_EQ(later->service_name, "kms");
  EXPECT_EQ(*later->last_used_date, first + 61);
}

TEST_F(CredentialsTest, LoginProfilesFollowThePasswordPolicy) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  // AWS's default rules: eight characters and three character classes.
  EXPECT_EQ(identities_.CreateLoginProfile("bob", "short1!", false).status().aws_code(),
            "PasswordPolicyViolation");
  EXPECT_EQ(identities_.CreateLoginProfile("bob", "alllowercase", false).status().aws_code(),
            "PasswordPolicyViolation");
  auto profile = identities_.CreateLoginProfile("bob", "Good-password1", true);
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_TRUE(profile->password_reset_required);
  EXPECT_EQ(identities_.CreateLoginProfile("bob", "Good-password1", false).status().message(),
            "Login Profile for user bob already exists.");
  EXPECT_TRUE(*identities_.CheckConsolePassword("bob", "Good-password1"));
  EXPECT_FALSE(*identities_.CheckConsolePassword("bob", "Good-password2"));

  PasswordPolicy policy;
  policy.minimum_password_length = 16;
  policy.require_symbols = true;
  ASSERT_TRUE(identities_.UpdateAccountPasswordPolicy(policy).ok());
  EXPECT_EQ(
      identities_.UpdateLoginProfile("bob", std::string("Good-password1"), std::nullopt).aws_code(),
      "PasswordPolicyViolation");
  ASSERT_TRUE(
      identities_.UpdateLoginProfile("bob", std::string("a-much-longer-password"), false).ok());
  EXPECT_TRUE(*identities_.CheckConsolePassword("bob", "a-much-longer-password"));
  EXPECT_FALSE(identities_.GetLoginProfile("bob")->password_reset_required);
  EXPECT_EQ(identities_.DeleteUser("bob").message(),
            "Cannot delete entity, must delete login profile first.");
  ASSERT_TRUE(identities_.DeleteLoginProfile("bob").ok());
  EXPECT_EQ(identities_.GetLoginProfile("bob").status().message(),
            "Login Profile for User bob cannot be found.");
}

TEST_F(CredentialsTest, PasswordPolicyRangesAndAbsence) {
  auto none = identities_.GetAccountPasswordPolicy();
  EXPECT_EQ(none.status().code(), Code::kNotFound);
  EXPECT_EQ(none.status().message(),
            "The Password Policy with domain name 111122223333 cannot be found.");
  PasswordPolicy policy;
  policy.minimum_password_length = 5;
  EXPECT_EQ(identities_.UpdateAccountPasswordPolicy(policy).aws_code(), "ValidationError");
  policy.minimum_password_length = 8;
  policy.max_password_age = 2000;
  EXPECT_EQ(identities_.UpdateAccountPasswordPolicy(policy).aws_code(), "ValidationError");
  policy.max_password_age = 90;
  policy.password_reuse_prevention = 5;
  ASSERT_TRUE(identities_.UpdateAccountPasswordPolicy(policy).ok());
  auto got = identities_.GetAccountPasswordPolicy();
  EXPECT_EQ(got->max_password_age, 90);
  EXPECT_EQ(got->password_reuse_prevention, 5);
  ASSERT_TRUE(identities_.DeleteAccountPasswordPolicy().ok());
  EXPECT_EQ(identities_.DeleteAccountPasswordPolicy().code(), Code::kNotFound);
}

TEST_F(CredentialsTest, OneAccountAlias) {
  EXPECT_TRUE(identities_.ListAccountAliases()->empty());
  ASSERT_TRUE(identities_.CreateAccountAlias("my-company").ok());
  EXPECT_EQ(identities_.CreateAccountAlias("my-company").code(), Code::kAlreadyExists);
  ASSERT_TRUE(identities_.CreateAccountAlias("other-name").ok());
  EXPECT_EQ(*identities_.ListAccountAliases(), std::vector<std::string>{"other-name"});
  for (const char* bad : {"ab", "-abc", "abc-", "a--b", "Upper", "has space"}) {
    EXPECT_EQ(identities_.CreateAccountAlias(bad).aws_code(), "ValidationError") << bad;
  }
  EXPECT_EQ(identities_.DeleteAccountAlias("my-company").code(), Code::kNotFound);
  ASSERT_TRUE(identities_.DeleteAccountAlias("other-name").ok());
  EXPECT_TRUE(identities_.ListAccountAliases()->empty());
}

}  // namespace
}  // namespace kiroku::iam

namespace kiroku::iam {
namespace {

TEST_F(CredentialsTest, RenamedUsersKeepTheirPoliciesGroupsAndKeys) {
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  ASSERT_TRUE(identities_.CreateUser("taken", "/", {}).ok());
  ASSERT_TRUE(identities_
                  .PutInlinePolicy(EntityKind::kUser, "bob", "p", R"({"Version":"2012-10-17",
      "Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]})")
                  .ok());
  const std::string admin = "arn:aws:iam::aws:policy/AdministratorAccess";
  ASSERT_TRUE(identities_.AttachPolicy(EntityKind::kUser, "bob", admin).ok());
  ASSERT_TRUE(identities_.CreateGroup("devs", "/").ok());
  ASSERT_TRUE(identities_.AddUserToGroup("devs", "bob").ok());
  auto key = identities_.CreateAccessKey("bob");
  ASSERT_TRUE(identities_.CreateLoginProfile("bob", "Good-password1", false).ok());

  EXPECT_EQ(identities_.UpdateUser("bob", std::string("TAKEN"), std::nullopt).message(),
            "User with name TAKEN already exists.");
  ASSERT_TRUE(identities_.UpdateUser("bob", std::string("robert"), std::string("/eng/")).ok());
  EXPECT_EQ(identities_.GetUser("bob").status().code(), Code::kNotFound);
  User robert = *identities_.GetUser("robert");
  EXPECT_EQ(robert.arn, "arn:aws:iam::111122223333:user/eng/robert");
  EXPECT_EQ(*identities_.ListInlinePolicies(EntityKind::kUser, "robert"),
            std::vector<std::string>{"p"});
  EXPECT_EQ(identities_.ListAttachedPolicies(EntityKind::kUser, "robert")->size(), 1u);
  EXPECT_EQ((*identities_.ListEntitiesForPolicy(admin))[0].name, "robert");
  EXPECT_EQ((*identities_.ListUsersInGroup("devs"))[0].name, "robert");
  EXPECT_TRUE(identities_.GetLoginProfile("robert").ok());
  auto found = identities_.LookupAccessKey(key->info.access_key_id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->principal.arn, robert.arn);
  EXPECT_EQ(identities_.ListAccessKeys("robert")->size(), 1u);
  // Only the case changes: the same records, the new spelling.
  ASSERT_TRUE(identities_.UpdateUser("robert", std::string("Robert"), std::nullopt).ok());
  EXPECT_EQ(identities_.GetUser("robert")->name, "Robert");
  EXPECT_EQ(identities_.ListInlinePolicies(EntityKind::kUser, "Robert")->size(), 1u);
}

}  // namespace
}  // namespace kiroku::iam
