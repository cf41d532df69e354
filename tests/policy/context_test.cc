#include "policy/context.h"

#include <gtest/gtest.h>

#include "policy/evaluator.h"

namespace kiroku::policy {
namespace {

TEST(policy_PrincipalTest, FromArn) {
  Result<Principal> user = PrincipalFromArn("arn:aws:iam::111122223333:user/ops/alice");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->type, PrincipalType::kUser);
  EXPECT_EQ(user->user_name, "alice");
  EXPECT_EQ(user->account, "111122223333");

  Result<Principal> session = PrincipalFromArn("arn:aws:sts::111122223333:assumed-role/R/s");
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->type, PrincipalType::kAssumedRole);
  EXPECT_EQ(session->role_arn, "arn:aws:iam::111122223333:role/R");

  Result<Principal> root = PrincipalFromArn("arn:aws:iam::111122223333:root");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->type, PrincipalType::kRoot);

  for (const char* bad : {"", "alice", "arn:aws:iam::1:user/a", "arn:aws:iam::111122223333:role/R",
                          "arn:aws:sts::111122223333:assumed-role/R", "arn:aws:s3:::b"}) {
    EXPECT_FALSE(PrincipalFromArn(bad).ok()) << bad;
  }
}

TEST(policy_ContextKeysTest, NamesAreCaseInsensitive) {
  ContextKeys keys;
  keys.SetString("aws:SourceVpc", "vpc-1");
  ASSERT_NE(keys.Find("AWS:SOURCEVPC"), nullptr);
  EXPECT_EQ(keys.Find("aws:sourcevpc")->values[0], "vpc-1");
  EXPECT_EQ(keys.Find("aws:sourcevpc")->name, "aws:SourceVpc");
  keys.SetString("AWS:SOURCEVPC", "vpc-2");  // replaces
  EXPECT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys.Find("aws:SourceVpc")->values[0], "vpc-2");
  EXPECT_EQ(keys.Find("aws:SourceIp"), nullptr);
}

TEST(policy_ContextKeysTest, ParsesBotocoreTypes) {
  EXPECT_EQ(*ParseContextType("stringList"), ContextType::kString);
  EXPECT_EQ(*ParseContextType("ip"), ContextType::kIp);
  EXPECT_EQ(*ParseContextType("dateList"), ContextType::kDate);
  EXPECT_FALSE(ParseContextType("String").ok());
}

TEST(policy_ContextKeysTest, PrincipalKeys) {
  Principal p = *PrincipalFromArn("arn:aws:sts::111122223333:assumed-role/R/s");
  p.user_id = "AROAEXAMPLE:s";
  p.tags["team"] = "red";
  ContextKeys keys;
  AddPrincipalKeys(p, keys);
  EXPECT_EQ(keys.Find("aws:PrincipalArn")->values[0], "arn:aws:iam::111122223333:role/R");
  EXPECT_EQ(keys.Find("aws:PrincipalType")->values[0], "AssumedRole");
  EXPECT_EQ(keys.Find("aws:userid")->values[0], "AROAEXAMPLE:s");
  EXPECT_EQ(keys.Find("aws:PrincipalTag/team")->values[0], "red");
  EXPECT_EQ(keys.Find("aws:PrincipalIsAWSService")->values[0], "false");
  EXPECT_EQ(keys.Find("aws:username"), nullptr);  // users only

  ContextKeys service_keys;
  AddPrincipalKeys(ServicePrincipal("cloudtrail.amazonaws.com"), service_keys);
  EXPECT_EQ(service_keys.Find("aws:PrincipalServiceName")->values[0], "cloudtrail.amazonaws.com");
  EXPECT_EQ(service_keys.Find("aws:PrincipalArn"), nullptr);
}

TEST(policy_EvaluatorTest, PoliciesAreSharedValues) {
  Result<Policy> p = ParsePolicy(
      R"({"Version":"2012-10-17","Statement":{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}})",
      {PolicyKind::kIdentity, "admin"});
  ASSERT_TRUE(p.ok());
  Policy copy = *p;
  EXPECT_EQ(copy.name(), "admin");
  EXPECT_EQ(copy.statement_count(), 1u);
  EXPECT_EQ(copy.sid(0), "All");
  EXPECT_EQ(copy.version(), PolicyVersion::k2012_10_17);
  EXPECT_EQ(Policy().statement_count(), 0u);
}

TEST(policy_EvaluatorTest, DefaultPolicyGrantsNothing) {
  PolicySet set;
  set.identity.push_back(Policy());
  RequestContext request;
  request.principal = *PrincipalFromArn("arn:aws:iam::111122223333:user/alice");
  request.action = "s3:GetObject";
  request.resource = "arn:aws:s3:::b/k";
  EXPECT_EQ(Evaluate(set, request).decision, EvalDecision::kImplicitDeny);
}

TEST(policy_EvaluatorTest, StatementPositions) {
  const char* doc =
      "{\n"
      "  \"Version\": \"2012-10-17\",\n"
      "  \"Statement\": [\n"
      "    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n"
      "    {\"Sid\": \"x]}\\\"\", \"Effect\": \"Deny\", \"Action\": [\"s3:Delete*\"],\n"
      "     \"Resource\": \"*\"}\n"
      "  ]\n"
      "}\n";
  Result<Policy> p = ParsePolicy(doc, {PolicyKind::kIdentity, "p"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->statement_start(0), (TextPosition{4, 5}));
  EXPECT_EQ(p->statement_end(0), (TextPosition{4, 59}));
  EXPECT_EQ(p->statement_start(1), (TextPosition{5, 5}));
  EXPECT_EQ(p->statement_end(1), (TextPosition{6, 22}));
  EXPECT_EQ(p->sid(1), "x]}\"");

  RequestContext request;
  request.principal = *PrincipalFromArn("arn:aws:iam::111122223333:user/alice");
  request.action = "s3:DeleteObject";
  request.resource = "arn:aws:s3:::b/k";
  PolicySet set;
  set.identity.push_back(*p);
  Decision d = Evaluate(set, request);
  ASSERT_TRUE(d.deciding.has_value());
  EXPECT_EQ(d.deciding->start, (TextPosition{5, 5}));
  Status denied = AccessDeniedError(request, d);
  EXPECT_EQ(denied.code(), Code::kAccessDenied);
  EXPECT_EQ(denied.message(),
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
            "s3:DeleteObject on resource: arn:aws:s3:::b/k with an explicit deny in an "
            "identity-based policy");
}

}  // namespace
}  // namespace kiroku::policy
