// The policy simulator's engine: decisions per (action, resource), the statements that matched,
// missing context keys, permissions boundaries, paging, a principal's own policies and the
// context keys policies use — plain structs in, plain structs out.
#include "iam/simulator.h"

#include "iam/iam_fixture.h"

namespace kiroku::iam {
namespace {

class SimulatorTest : public IamFixture {
 protected:
  SimulatorTest() : simulator_(identities_) {}

  static SimulationRequest Request(std::vector<std::string> policies,
                                   std::vector<std::string> actions,
                                   std::vector<std::string> resources = {}) {
    SimulationRequest request;
    request.policy_inputs = std::move(policies);
    request.actions = std::move(actions);
    request.resources = std::move(resources);
    return request;
  }

  PolicySimulator simulator_;
};

TEST_F(SimulatorTest, EachActionIsDecidedByTheInputPolicies) {
  auto page =
      simulator_.SimulateCustomPolicy(Request({Allow("s3:GetObject"), Deny("s3:DeleteObject")},
                                              {"s3:GetObject", "s3:DeleteObject", "s3:PutObject"}),
                                      "111122223333");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->results.size(), 3u);
  EXPECT_FALSE(page->per_resource);
  EXPECT_FALSE(page->marker);
  EXPECT_EQ(page->results[0].decision, policy::EvalDecision::kAllowed);
  EXPECT_EQ(page->results[0].resource, "*");
  ASSERT_EQ(page->results[0].matched.size(), 1u);
  EXPECT_EQ(page->results[0].matched[0].source_policy_id, "PolicyInputList.1");
  EXPECT_EQ(page->results[0].matched[0].source_policy_type, "");  // an input, not stored
  EXPECT_EQ(page->results[1].decision, policy::EvalDecision::kExplicitDeny);
  ASSERT_EQ(page->results[1].matched.size(), 1u);
  EXPECT_EQ(page->results[1].matched[0].source_policy_id, "PolicyInputList.2");
  EXPECT_EQ(page->results[2].decision, policy::EvalDecision::kImplicitDeny);
  EXPECT_TRUE(page->results[2].matched.empty());
  EXPECT_FALSE(page->results[2].allowed_by_permissions_boundary);
}

TEST_F(SimulatorTest, ResourcesArePairedWithEveryActionAndPaged) {
  SimulationRequest request =
      Request({Allow("s3:GetObject", "arn:aws:s3:::a/*")}, {"s3:GetObject", "s3:PutObject"},
              {"arn:aws:s3:::a/x", "arn:aws:s3:::b/x"});
  request.max_items = 3;
  auto first = simulator_.SimulateCustomPolicy(request, "111122223333");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->per_resource);
  ASSERT_EQ(first->results.size(), 3u);
  EXPECT_EQ(first->results[0].decision, policy::EvalDecision::kAllowed);
  EXPECT_EQ(first->results[1].resource, "arn:aws:s3:::b/x");
  EXPECT_EQ(first->results[1].decision, policy::EvalDecision::kImplicitDeny);
  EXPECT_EQ(first->results[2].action, "s3:PutObject");
  ASSERT_TRUE(first->marker);

  request.marker = first->marker;
  auto second = simulator_.SimulateCustomPolicy(request, "111122223333");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->results.size(), 1u);
  EXPECT_EQ(second->results[0].resource, "arn:aws:s3:::b/x");
  EXPECT_FALSE(second->marker);

  request.marker = "not-a-number";
  EXPECT_EQ(simulator_.SimulateCustomPolicy(request, "111122223333").status().aws_code(),
            "InvalidInput");
}

TEST_F(SimulatorTest, ContextEntriesAreTheWholeContext) {
  std::string policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":"s3:GetObject","Resource":"*",
      "Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]})";
  auto missing =
      simulator_.SimulateCustomPolicy(Request({policy}, {"s3:GetObject"}), "111122223333");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_EQ(missing->results[0].decision, policy::EvalDecision::kImplicitDeny);
  EXPECT_EQ(missing->results[0].missing_context_keys,
            std::vector<std::string>{"aws:PrincipalTag/team"});

  SimulationRequest given = Request({policy}, {"s3:GetObject"});
  given.context_entries = {{"aws:principaltag/team", "string", {"blue"}}};
  auto allowed = simulator_.SimulateCustomPolicy(given, "111122223333");
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  EXPECT_EQ(allowed->results[0].decision, policy::EvalDecision::kAllowed);

  given.context_entries = {{"aws:PrincipalTag/team", "colour", {"blue"}}};
  EXPECT_EQ(simulator_.SimulateCustomPolicy(given, "111122223333").status().aws_code(),
            "InvalidInput");
}

TEST_F(SimulatorTest, ABoundaryLimitsWhatThePoliciesAllow) {
  SimulationRequest request = Request({Allow("*")}, {"s3:GetObject", "iam:CreateUser"});
  request.boundary_inputs = {Allow("s3:*")};
  auto page = simulator_.SimulateCustomPolicy(request, "111122223333");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->results[0].decision, policy::EvalDecision::kAllowed);
  EXPECT_EQ(page->results[0].allowed_by_permissions_boundary, true);
  EXPECT_EQ(page->results[1].decision, policy::EvalDecision::kImplicitDeny);
  EXPECT_EQ(page->results[1].allowed_by_permissions_boundary, false);

  request.boundary_inputs = {Allow("s3:*"), Allow("iam:*")};
  EXPECT_EQ(simulator_.SimulateCustomPolicy(request, "111122223333").status().aws_code(),
            "InvalidInput");
}

TEST_F(SimulatorTest, AResourcePolicyNeedsAUserAsCaller) {
  SimulationRequest request = Request({}, {"s3:GetObject"}, {"arn:aws:s3:::a/x"});
  request.resource_policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject",
      "Resource":"arn:aws:s3:::a/*"}]})";
  EXPECT_EQ(simulator_.SimulateCustomPolicy(request, "111122223333").status().aws_code(),
            "InvalidInput");
  request.caller_arn = "arn:aws:iam::111122223333:user/alice";
  auto page = simulator_.SimulateCustomPolicy(request, "111122223333");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->results[0].decision, policy::EvalDecision::kAllowed);
  ASSERT_EQ(page->results[0].matched.size(), 1u);
  EXPECT_EQ(page->results[0].matched[0].source_policy_id, "ResourcePolicy");
  EXPECT_EQ(page->results[0].matched[0].source_policy_type, "resource");

  request.caller_arn = "arn:aws:iam::111122223333:role/r";
  EXPECT_EQ(simulator_.SimulateCustomPolicy(request, "111122223333").status().aws_code(),
            "InvalidInput");
}

TEST_F(SimulatorTest, APrincipalIsSimulatedWithItsOwnAndItsGroupsPolicies) {
  auto user = identities_.CreateUser("alice", "/", {});
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  ASSERT_TRUE(
      identities_.PutInlinePolicy(EntityKind::kUser, "alice", "own", Allow("s3:GetObject")).ok());
  ASSERT_TRUE(identities_.CreateGroup("readers", "/").ok());
  ASSERT_TRUE(identities_.AddUserToGroup("readers", "alice").ok());
  ASSERT_TRUE(
      identities_.PutInlinePolicy(EntityKind::kGroup, "readers", "grp", Deny("s3:PutObject")).ok());

  auto page = simulator_.SimulatePrincipalPolicy(
      user->arn, Request({}, {"s3:GetObject", "s3:PutObject"}), "111122223333");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->results[0].decision, policy::EvalDecision::kAllowed);
  ASSERT_EQ(page->results[0].matched.size(), 1u);
  EXPECT_EQ(page->results[0].matched[0].source_policy_id, "own");
  EXPECT_EQ(page->results[0].matched[0].source_policy_type, "user");
  EXPECT_EQ(page->results[1].decision, policy::EvalDecision::kExplicitDeny);
  EXPECT_EQ(page->results[1].matched[0].source_policy_type, "group");

  EXPECT_EQ(simulator_
                .SimulatePrincipalPolicy("arn:aws:iam::111122223333:user/bob",
                                         Request({}, {"s3:GetObject"}), "111122223333")
                .status()
                .code(),
            Code::kNotFound);
  EXPECT_EQ(simulator_
                .SimulatePrincipalPolicy("arn:aws:s3:::bucket", Request({}, {"s3:GetObject"}),
                                         "111122223333")
                .status()
                .aws_code(),
            "InvalidInput");
}

TEST_F(SimulatorTest, ContextKeysAreListedOnceInFirstUseOrder) {
  std::string a = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",
      "Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/env":"prod"},
      "Bool":{"aws:SecureTransport":"true"}}}]})";
  std::string b = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",
      "Resource":"*","Condition":{"StringEquals":{"aws:requesttag/ENV":"dev"}}}]})";
  auto keys = simulator_.ContextKeysForCustomPolicy({a, b});
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ(keys->at(0), "aws:RequestTag/env");
  EXPECT_EQ(keys->at(1), "aws:SecureTransport");

  EXPECT_FALSE(simulator_.ContextKeysForCustomPolicy({"{not json"}).ok());
}

}  // namespace
}  // namespace kiroku::iam
