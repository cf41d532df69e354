// IamService through the request pipeline in process (SigV4, decode, authorize, handler,
// encode), and its operation table against what CloudTrail records today.
#include "services/iam/iam_service.h"

#include <gtest/gtest.h>

#include "testing/service_harness.h"

namespace kiroku::services {
namespace {

class IamServiceTest : public ::testing::Test {
 protected:
  IamServiceTest() : iam_(h_.identities()) { h_.table().Add(iam_.Operations()); }

  // A user with an access key and, if given, one inline policy.
  kiroku::testing::Credentials MakeUser(const std::string& name, const std::string& policy = "") {
    EXPECT_EQ(h_.CallQuery("iam", "CreateUser", {{"UserName", name}}).status, 200);
    if (!policy.empty()) {
      EXPECT_TRUE(h_.identities().PutInlinePolicy(iam::EntityKind::kUser, name, "p", policy).ok());
    }
    auto key = h_.identities().CreateAccessKey(name);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return {key->info.access_key_id, key->secret_access_key, ""};
  }

  kiroku::testing::ServiceHarness h_;
  IamService iam_;
};

TEST_F(IamServiceTest, CreateUserThenGetUser) {
  net::Response created = h_.CallQuery("iam", "CreateUser",
                                       {{"UserName", "alice"},
                                        {"Path", "/team/"},
                                        {"Tags.member.1.Key", "env"},
                                        {"Tags.member.1.Value", "dev"}});
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string arn = "arn:aws:iam::" + h_.account() + ":user/team/alice";
  EXPECT_NE(created.body.find("<Arn>" + arn + "</Arn>"), std::string::npos) << created.body;

  net::Response got = h_.CallQuery("iam", "GetUser", {{"UserName", "alice"}});
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_NE(got.body.find("<UserName>alice</UserName>"), std::string::npos) << got.body;
  EXPECT_NE(got.body.find("<Key>env</Key>"), std::string::npos) << got.body;

  net::Response missing = h_.CallQuery("iam", "GetUser", {{"UserName", "bob"}});
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_NE(missing.body.find("NoSuchEntity"), std::string::npos) << missing.body;
}

TEST_F(IamServiceTest, AUserWithoutPermissionsIsDenied) {
  kiroku::testing::Credentials bob = MakeUser("bob");
  net::Response r = h_.CallQuery("iam", "ListUsers", {}, "us-east-1", &bob);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("AccessDenied"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("is not authorized to perform: iam:ListUsers"), std::string::npos)
      << r.body;
  // Nothing was created by a refused call.
  net::Response create =
      h_.CallQuery("iam", "CreateUser", {{"UserName", "mallory"}}, "us-east-1", &bob);
  EXPECT_EQ(create.status, 403) << create.body;
  EXPECT_FALSE(h_.identities().GetUser("mallory").ok());
}

TEST_F(IamServiceTest, TheResourceIsTheNamedUser) {
  // carol may read only herself: GetUser of carol is allowed, of alice denied.
  kiroku::testing::Credentials carol = MakeUser(
      "carol", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser",
          "Resource":"arn:aws:iam::*:user/carol"}]})");
  ASSERT_EQ(h_.CallQuery("iam", "CreateUser", {{"UserName", "alice"}}).status, 200);
  EXPECT_EQ(h_.CallQuery("iam", "GetUser", {{"UserName", "carol"}}, "us-east-1", &carol).status,
            200);
  // Without UserName, the caller herself.
  EXPECT_EQ(h_.CallQuery("iam", "GetUser", {}, "us-east-1", &carol).status, 200);
  EXPECT_EQ(h_.CallQuery("iam", "GetUser", {{"UserName", "alice"}}, "us-east-1", &carol).status,
            403);
}

TEST_F(IamServiceTest, SimulateCustomPolicyAnswersPerAction) {
  net::Response r = h_.CallQuery(
      "iam", "SimulateCustomPolicy",
      {{"PolicyInputList.member.1",
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]})"},
       {"ActionNames.member.1", "s3:GetObject"},
       {"ActionNames.member.2", "s3:PutObject"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<EvalDecision>allowed</EvalDecision>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<EvalDecision>implicitDeny</EvalDecision>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<SourcePolicyId>PolicyInputList.1</SourcePolicyId>"), std::string::npos)
      << r.body;
}

// Each row names its action "iam:<Operation>", and its readOnly and category are what CloudTrail
// recorded before the rows carried them (the operation name's prefix: Get*, List*, Simulate*).
TEST_F(IamServiceTest, EveryRowDeclaresItsActionAndReadOnly) {
  std::vector<api::Operation> rows = iam_.Operations();
  EXPECT_EQ(rows.size(), 93u);
  for (const api::Operation& op : rows) {
    EXPECT_EQ(op.service, "iam");
    EXPECT_EQ(op.action, "iam:" + op.name);
    bool read_only = op.name.starts_with("Get") || op.name.starts_with("List") ||
                     op.name.starts_with("Simulate");
    EXPECT_EQ(op.access == api::Access::kRead, read_only) << op.name;
    EXPECT_EQ(op.category, api::EventCategory::kManagement) << op.name;
    EXPECT_TRUE(op.handler) << op.name;
  }
}

}  // namespace
}  // namespace kiroku::services
