// StsService through the request pipeline in process (SigV4, decode, authorize, handler,
// encode): GetCallerIdentity for any credential, GetSessionToken without any permission, and
// AssumeRole as the role's trust policy allows or denies it.
#include <gtest/gtest.h>

#include "services/sts/sts_service.h"
#include "testing/service_harness.h"

namespace kiroku::services {
namespace {

class StsPipelineTest : public ::testing::Test {
 protected:
  StsPipelineTest() : sts_(h_.identities(), h_.sessions()) { h_.table().Add(sts_.Operations()); }

  // A user with no policy at all and an access key.
  kiroku::testing::Credentials MakeUser(const std::string& name) {
    EXPECT_TRUE(h_.identities().CreateUser(name, "/", {}).ok());
    auto key = h_.identities().CreateAccessKey(name);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return {key->info.access_key_id, key->secret_access_key, ""};
  }

  std::string UserArn(const std::string& name) {
    return "arn:aws:iam::" + h_.account() + ":user/" + name;
  }

  std::string MakeRole(const std::string& name, const std::string& trusted_arn) {
    auto role = h_.identities().CreateRole(
        name,
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":")" +
            trusted_arn + R"("},"Action":"sts:AssumeRole"}]})",
        iam::RoleOptions{});
    EXPECT_TRUE(role.ok()) << role.status().ToString();
    return role.ok() ? role->arn : "";
  }

  kiroku::testing::ServiceHarness h_;
  StsService sts_;
};

TEST_F(StsPipelineTest, GetCallerIdentityNamesTheCaller) {
  net::Response root = h_.CallQuery("sts", "GetCallerIdentity", {});
  ASSERT_EQ(root.status, 200) << root.body;
  EXPECT_NE(root.body.find("<Arn>arn:aws:iam::" + h_.account() + ":root</Arn>"), std::string::npos)
      << root.body;

  kiroku::testing::Credentials alice = MakeUser("alice");
  net::Response r = h_.CallQuery("sts", "GetCallerIdentity", {}, "us-east-1", &alice);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<Arn>" + UserArn("alice") + "</Arn>"), std::string::npos) << r.body;
}

TEST_F(StsPipelineTest, GetSessionTokenNeedsNoPermission) {
  kiroku::testing::Credentials alice = MakeUser("alice");
  net::Response r =
      h_.CallQuery("sts", "GetSessionToken", {{"DurationSeconds", "900"}}, "us-east-1", &alice);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<AccessKeyId>ASIA"), std::string::npos) << r.body;
}

TEST_F(StsPipelineTest, AssumeRoleAsTheTrustPolicySays) {
  kiroku::testing::Credentials alice = MakeUser("alice");
  kiroku::testing::Credentials bob = MakeUser("bob");
  std::string role_arn = MakeRole("for-alice", UserArn("alice"));

  net::Response allowed = h_.CallQuery(
      "sts", "AssumeRole", {{"RoleArn", role_arn}, {"RoleSessionName", "s1"}}, "us-east-1", &alice);
  ASSERT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_NE(
      allowed.body.find("<Arn>arn:aws:sts::" + h_.account() + ":assumed-role/for-alice/s1</Arn>"),
      std::string::npos)
      << allowed.body;

  net::Response denied = h_.CallQuery(
      "sts", "AssumeRole", {{"RoleArn", role_arn}, {"RoleSessionName", "s1"}}, "us-east-1", &bob);
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_NE(denied.body.find("is not authorized to perform: sts:AssumeRole"), std::string::npos)
      << denied.body;
}

}  // namespace
}  // namespace kiroku::services
