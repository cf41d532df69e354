#include "iam/session_store.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/hash.h"
#include "iam/identity_store.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::iam {
namespace {

constexpr char kAccount[] = "111122223333";

class SessionStoreTest : public ::testing::Test {
 protected:
  SessionStoreTest()
      : db_(*store::RocksStore::Open(dir_.path() + "/db", {"meta"})),
        master_(crypto::SecretBytes::Random(32)),
        sessions_(*db_, master_, clock_) {}

  NewSession RoleSession(std::string name = "build-42") {
    NewSession s;
    s.kind = SessionKind::kAssumedRole;
    s.principal =
        AssumedRolePrincipal(kAccount, "deployer", "arn:aws:iam::111122223333:role/ci/deployer",
                             "AROAEXAMPLEROLEID0001", name);
    s.duration = std::chrono::seconds(900);
    return s;
  }

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  kiroku::testing::FakeClock clock_;
  SessionStore sessions_;
};

TEST_F(SessionStoreTest, IssuesAsiaKeysWithSecretTokenAndExpiry) {
  auto issued = sessions_.Create(RoleSession());
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_TRUE(issued->access_key_id.starts_with("ASIA"));
  EXPECT_EQ(issued->access_key_id.size(), 20u);
  EXPECT_EQ(issued->secret_access_key.size(), 40u);
  EXPECT_GE(issued->session_token.size(), 100u);
  EXPECT_EQ(issued->expiration, std::chrono::time_point_cast<std::chrono::seconds>(clock_.Now()) +
                                    std::chrono::seconds(900));

  auto session = sessions_.Lookup(issued->access_key_id);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(session->secret.view(), issued->secret_access_key);
  EXPECT_EQ(session->token_sha256, crypto::Sha256(issued->session_token));
  EXPECT_EQ(session->expiration, issued->expiration);
  EXPECT_EQ(session->kind, SessionKind::kAssumedRole);
}

TEST_F(SessionStoreTest, AssumedRolePrincipalHasAwsShapes) {
  Principal p = AssumedRolePrincipal(kAccount, "deployer",
                                     "arn:aws:iam::111122223333:role/ci/deployer", "AROAX", "s1");
  EXPECT_EQ(p.type, PrincipalType::kAssumedRole);
  EXPECT_EQ(p.arn, "arn:aws:sts::111122223333:assumed-role/deployer/s1");
  EXPECT_EQ(p.role_arn, "arn:aws:iam::111122223333:role/ci/deployer");
  EXPECT_EQ(p.user_id, "AROAX:s1");
  EXPECT_EQ(p.account, kAccount);
}

TEST_F(SessionStoreTest, LookupReturnsThePrincipalPoliciesAndTags) {
  NewSession s = RoleSession();
  s.principal.tags = {{"team", "blue"}};
  s.policies = {{"inline", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                               "Action":"logs:Get*","Resource":"*"}]})"}};
  s.tags = {{"project", "kiroku"}};
  s.packed_policy_size = 7;
  auto issued = sessions_.Create(s);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  auto session = sessions_.Lookup(issued->access_key_id);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(session->principal.arn, s.principal.arn);
  EXPECT_EQ(session->principal.role_arn, s.principal.role_arn);
  EXPECT_EQ(session->principal.user_id, s.principal.user_id);
  EXPECT_EQ(session->principal.type, PrincipalType::kAssumedRole);
  EXPECT_EQ(session->principal.tags, s.principal.tags);
  ASSERT_EQ(session->policies.size(), 1u);
  EXPECT_EQ(session->policies[0].name(), "inline");
  EXPECT_EQ(session->policies[0].statement_count(), 1u);
  EXPECT_EQ(session->tags, s.tags);
  EXPECT_EQ(session->packed_policy_size, 7);
}

TEST_F(SessionStoreTest, LookupsShareTheCompiledSessionPolicy) {
  NewSession s = RoleSession();
  s.policies = {{"inline", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
                               "Action":"logs:Get*","Resource":"*"}]})"}};
  auto first = sessions_.Create(s);
  auto second = sessions_.Create(s);
  ASSERT_TRUE(first.ok() && second.ok());
  auto a = sessions_.Lookup(first->access_key_id);
  auto b = sessions_.Lookup(first->access_key_id);
  auto c = sessions_.Lookup(second->access_key_id);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(&a->policies[0].compiled(), &b->policies[0].compiled());
  EXPECT_EQ(&a->policies[0].compiled(), &c->policies[0].compiled());
}

TEST_F(SessionStoreTest, UserSessionsKeepTheUserPrincipal) {
  NewSession s;
  s.kind = SessionKind::kSessionToken;
  s.principal.type = PrincipalType::kUser;
  s.principal.arn = "arn:aws:iam::111122223333:user/alice";
  s.principal.account = kAccount;
  s.principal.user_name = "alice";
  s.principal.user_id = "AIDAEXAMPLE";
  auto issued = sessions_.Create(s);
  ASSERT_TRUE(issued.ok());
  auto session = sessions_.Lookup(issued->access_key_id);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->kind, SessionKind::kSessionToken);
  EXPECT_EQ(session->principal.type, PrincipalType::kUser);
  EXPECT_EQ(session->principal.user_name, "alice");
  EXPECT_EQ(session->principal.user_id, "AIDAEXAMPLE");
  EXPECT_TRUE(session->policies.empty());
}

TEST_F(SessionStoreTest, RejectsMalformedSessionPolicyAndWritesNothing) {
  NewSession s = RoleSession();
  s.policies = {{"inline", R"({"Version":"2012-10-17","Statement":[{"Effect":"Perhaps"}]})"}};
  auto issued = sessions_.Create(s);
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().aws_code(), "MalformedPolicyDocument");
  int keys = 0;
  ASSERT_TRUE(db_->Scan("meta", store::Range::All(),
                        [&](auto, auto) {
                          ++keys;
                          return true;
                        })
                  .ok());
  EXPECT_EQ(keys, 0);
}

TEST_F(SessionStoreTest, RejectsBadDurationAndAnonymousPrincipal) {
  NewSession s = RoleSession();
  s.duration = std::chrono::seconds(0);
  EXPECT_EQ(sessions_.Create(s).status().code(), Code::kInvalidArgument);
  s = RoleSession();
  s.principal = Principal{};
  EXPECT_EQ(sessions_.Create(s).status().code(), Code::kInvalidArgument);
}

TEST_F(SessionStoreTest, UnknownKeyIsNotFound) {
  EXPECT_EQ(sessions_.Lookup("ASIAAAAAAAAAAAAAAAAA").status().code(), Code::kNotFound);
}

TEST_F(SessionStoreTest, NeitherSecretNorTokenIsStoredInPlaintext) {
  auto issued = sessions_.Create(RoleSession());
  ASSERT_TRUE(issued.ok());
  std::string all;
  ASSERT_TRUE(db_->Scan("meta", store::Range::All(),
                        [&](auto k, auto v) {
                          all += std::string(k) + std::string(v);
                          return true;
                        })
                  .ok());
  EXPECT_EQ(all.find(issued->secret_access_key), std::string::npos);
  EXPECT_EQ(all.find(issued->session_token), std::string::npos);
  EXPECT_NE(all.find(issued->access_key_id), std::string::npos);
}

TEST_F(SessionStoreTest, SecretsAreBoundToTheirKeyAndMasterKey) {
  auto issued = sessions_.Create(RoleSession());
  ASSERT_TRUE(issued.ok());
  crypto::SecretBytes other = crypto::SecretBytes::Random(32);
  SessionStore wrong_master(*db_, other, clock_);
  EXPECT_FALSE(wrong_master.Lookup(issued->access_key_id).ok());
}

TEST_F(SessionStoreTest, ExpiredSessionsStayReadableThenArePurged) {
  auto old_session = sessions_.Create(RoleSession("old"));
  ASSERT_TRUE(old_session.ok());
  clock_.Advance(std::chrono::hours(1));
  // Expired, but within the retention: still found (authentication answers ExpiredToken).
  auto expired = sessions_.Lookup(old_session->access_key_id);
  ASSERT_TRUE(expired.ok());
  EXPECT_LT(expired->expiration, clock_.Now());
  EXPECT_EQ(*sessions_.PurgeExpired(), 0u);

  clock_.Advance(SessionStore::kRetention);
  auto fresh = sessions_.Create(RoleSession("fresh"));  // creating purges old sessions too
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(sessions_.Lookup(old_session->access_key_id).status().code(), Code::kNotFound);
  EXPECT_TRUE(sessions_.Lookup(fresh->access_key_id).ok());
  EXPECT_EQ(*sessions_.PurgeExpired(), 0u);
}

TEST_F(SessionStoreTest, SessionsSurviveReopeningTheStore) {
  auto issued = sessions_.Create(RoleSession());
  ASSERT_TRUE(issued.ok());
  SessionStore again(*db_, master_, clock_);
  auto session = again.Lookup(issued->access_key_id);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->secret.view(), issued->secret_access_key);
}

TEST_F(SessionStoreTest, EveryIssueIsUnique) {
  std::set<std::string> ids, tokens;
  for (int i = 0; i < 20; ++i) {
    auto issued = sessions_.Create(RoleSession());
    ASSERT_TRUE(issued.ok());
    ids.insert(issued->access_key_id);
    tokens.insert(issued->session_token);
  }
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(tokens.size(), 20u);
}

// AssumeRoleAs: the trust check every role assumption goes through.
class AssumeRoleTest : public SessionStoreTest {
 protected:
  static Role MakeRole(std::string_view trust) {
    Role role;
    role.name = "deployer";
    role.id = "AROAEXAMPLEROLEID0001";
    role.path = "/ci/";
    role.arn = "arn:aws:iam::111122223333:role/ci/deployer";
    role.max_session_duration = 7200;
    role.tags = {{"team", "blue"}, {"cost", "1"}};
    auto parsed = policy::ParsePolicy(trust, {policy::PolicyKind::kTrustPolicy, "trust"});
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    role.trust_policy = *parsed;
    return role;
  }
  static std::string Trust(std::string_view principal, std::string_view condition = "") {
    return std::string(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)") +
           std::string(principal) + R"(,"Action":"sts:AssumeRole")" +
           (condition.empty() ? "" : ",\"Condition\":" + std::string(condition)) + "}]}";
  }
  static policy::RequestContext Caller(std::string_view arn) {
    policy::RequestContext request;
    request.principal = *policy::PrincipalFromArn(arn);
    return request;
  }
  static AssumeRoleParams Params(std::string session = "s1") {
    AssumeRoleParams p;
    p.session_name = std::move(session);
    p.duration = std::chrono::seconds(900);
    return p;
  }
  static policy::PolicySet Allowing(std::string_view action) {
    policy::PolicySet set;
    set.identity.push_back(*policy::ParsePolicy(
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":")" +
        std::string(action) + R"(","Resource":"*"}]})"));
    return set;
  }
  static constexpr char kAlice[] = "arn:aws:iam::111122223333:user/alice";
};

TEST_F(AssumeRoleTest, SessionTagsNeedTagSessionInTheTrustPolicy) {
  Role role = MakeRole(Trust(R"({"AWS":"arn:aws:iam::111122223333:user/alice"})"));
  AssumeRoleParams params = Params();
  params.tags = {{"project", "kiroku"}};
  auto assumed = sessions_.AssumeRoleAs({}, Caller(kAlice), role, params);
  EXPECT_EQ(assumed.status().code(), Code::kAccessDenied);
  EXPECT_NE(assumed.status().message().find("sts:TagSession on resource: " + role.arn),
            std::string::npos)
      << assumed.status().message();
  EXPECT_TRUE(sessions_.AssumeRoleAs({}, Caller(kAlice), role, Params()).ok());
}

TEST_F(AssumeRoleTest, TrustNamingTheUserIssuesARoleSession) {
  Role role = MakeRole(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":["sts:AssumeRole","sts:TagSession"]}]})");
  AssumeRoleParams params = Params("build-7");
  params.tags = {{"Team", "red"}, {"project", "kiroku"}};
  auto assumed = sessions_.AssumeRoleAs({}, Caller(kAlice), role, params);
  ASSERT_TRUE(assumed.ok()) << assumed.status().ToString();
  EXPECT_EQ(assumed->principal.arn, "arn:aws:sts::111122223333:assumed-role/deployer/build-7");
  EXPECT_EQ(assumed->principal.user_id, "AROAEXAMPLEROLEID0001:build-7");
  EXPECT_EQ(assumed->principal.role_arn, role.arn);
  // Session tags override role tags with the same key, ignoring case.
  EXPECT_EQ(assumed->principal.tags, (std::map<std::string, std::string>{
                                         {"Team", "red"}, {"cost", "1"}, {"project", "kiroku"}}));
  auto session = sessions_.Lookup(assumed->credentials.access_key_id);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->principal.arn, assumed->principal.arn);
  EXPECT_EQ(session->tags, params.tags);
}

TEST_F(AssumeRoleTest, TrustNotNamingTheCallerIsAccessDenied) {
  Role role = MakeRole(Trust(R"({"AWS":"arn:aws:iam::111122223333:user/bob"})"));
  // Even an identity policy allowing sts:AssumeRole does not help: the trust policy decides.
  auto assumed = sessions_.AssumeRoleAs(Allowing("sts:AssumeRole"), Caller(kAlice), role, Params());
  ASSERT_FALSE(assumed.ok());
  EXPECT_EQ(assumed.status().code(), Code::kAccessDenied);
  EXPECT_EQ(assumed.status().message(),
            "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
            "sts:AssumeRole on resource: arn:aws:iam::111122223333:role/ci/deployer because no "
            "role trust policy allows the sts:AssumeRole action");
}

TEST_F(AssumeRoleTest, SourceIdentityNeedsSetSourceIdentityAndIsInherited) {
  Role plain = MakeRole(Trust(R"({"AWS":"arn:aws:iam::111122223333:user/alice"})"));
  AssumeRoleParams params = Params();
  params.source_identity = "alice@example.com";
  auto refused = sessions_.AssumeRoleAs({}, Caller(kAlice), plain, params);
  EXPECT_EQ(refused.status().code(), Code::kAccessDenied);
  EXPECT_NE(refused.status().message().find("sts:SetSourceIdentity"), std::string::npos);

  Role role = MakeRole(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:role/ci/deployer"]},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]})");
  auto assumed = sessions_.AssumeRoleAs({}, Caller(kAlice), role, params);
  ASSERT_TRUE(assumed.ok()) << assumed.status().ToString();
  EXPECT_EQ(assumed->source_identity, "alice@example.com");
  EXPECT_EQ(sessions_.Lookup(assumed->credentials.access_key_id)->source_identity,
            "alice@example.com");

  // A chained session keeps it, and cannot change it.
  policy::RequestContext chained = Caller(assumed->principal.arn);
  chained.principal.role_arn = role.arn;
  chained.keys.SetString("aws:SourceIdentity", "alice@example.com");
  auto next = sessions_.AssumeRoleAs({}, chained, role, Params("hop"));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->source_identity, "alice@example.com");
  AssumeRoleParams other = Params("hop");
  other.source_identity = "mallory";
  EXPECT_EQ(sessions_.AssumeRoleAs({}, chained, role, other).status().code(), Code::kAccessDenied);
  EXPECT_FALSE(
      sessions_
          .Lookup(
              sessions_.AssumeRoleAs({}, Caller(kAlice), role, Params())->credentials.access_key_id)
          ->source_identity.has_value());
}

TEST_F(AssumeRoleTest, RootCannotAssumeRoles) {
  Role role = MakeRole(Trust(R"({"AWS":"arn:aws:iam::111122223333:root"})"));
  auto assumed =
      sessions_.AssumeRoleAs({}, Caller("arn:aws:iam::111122223333:root"), role, Params());
  EXPECT_EQ(assumed.status().code(), Code::kAccessDenied);
  EXPECT_EQ(assumed.status().message(), "Roles may not be assumed by root accounts.");
}

TEST_F(AssumeRoleTest, TrustNamingTheAccountNeedsAnIdentityAllow) {
  Role role = MakeRole(Trust(R"({"AWS":"arn:aws:iam::111122223333:root"})"));
  EXPECT_EQ(sessions_.AssumeRoleAs({}, Caller(kAlice), role, Params()).status().code(),
            Code::kAccessDenied);
  EXPECT_EQ(
      sessions_.AssumeRoleAs(Allowing("logs:*"), Caller(kAlice), role, Params()).status().code(),
      Code::kAccessDenied);
  EXPECT_TRUE(
      sessions_.AssumeRoleAs(Allowing("sts:AssumeRole"), Caller(kAlice), role, Params()).ok());
}

TEST_F(AssumeRoleTest, ServicesAssumeRolesThroughTheSameTrustCheck) {
  Role role = MakeRole(Trust(R"({"Service":"cloudtrail.amazonaws.com"})",
                             R"({"StringEquals":{"aws:SourceAccount":"111122223333"}})"));
  policy::RequestContext cloudtrail;
  cloudtrail.principal = policy::ServicePrincipal("cloudtrail.amazonaws.com");
  cloudtrail.keys.SetString("aws:SourceAccount", "111122223333");
  auto assumed = sessions_.AssumeRoleAs({}, cloudtrail, role, Params("CloudTrailDelivery"));
  ASSERT_TRUE(assumed.ok()) << assumed.status().ToString();
  EXPECT_EQ(assumed->principal.arn,
            "arn:aws:sts::111122223333:assumed-role/deployer/CloudTrailDelivery");

  cloudtrail.keys.SetString("aws:SourceAccount", "999999999999");  // confused deputy
  EXPECT_EQ(sessions_.AssumeRoleAs({}, cloudtrail, role, Params()).status().code(),
            Code::kAccessDenied);
  policy::RequestContext logs;
  logs.principal = policy::ServicePrincipal("logs.ap-northeast-1.amazonaws.com");
  logs.keys.SetString("aws:SourceAccount", "111122223333");
  EXPECT_EQ(sessions_.AssumeRoleAs({}, logs, role, Params()).status().code(), Code::kAccessDenied);
}

TEST_F(AssumeRoleTest, ExternalIdConditionIsChecked) {
  Role role = MakeRole(Trust(R"({"AWS":"arn:aws:iam::111122223333:user/alice"})",
                             R"({"StringEquals":{"sts:ExternalId":"partner-42"}})"));
  AssumeRoleParams params = Params();
  EXPECT_EQ(sessions_.AssumeRoleAs({}, Caller(kAlice), role, params).status().code(),
            Code::kAccessDenied);
  params.external_id = "partner-41";
  EXPECT_EQ(sessions_.AssumeRoleAs({}, Caller(kAlice), role, params).status().code(),
            Code::kAccessDenied);
  params.external_id = "partner-42";
  EXPECT_TRUE(sessions_.AssumeRoleAs({}, Caller(kAlice), role, params).ok());
}

TEST_F(AssumeRoleTest, ExplicitDenyInTheCallersPoliciesWins) {
  Role role = MakeRole(Trust(R"({"AWS":"arn:aws:iam::111122223333:user/alice"})"));
  policy::PolicySet deny;
  deny.identity.push_back(*policy::ParsePolicy(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:*","Resource":"*"}]})"));
  auto assumed = sessions_.AssumeRoleAs(deny, Caller(kAlice), role, Params());
  EXPECT_EQ(assumed.status().code(), Code::kAccessDenied);
  EXPECT_TRUE(
      assumed.status().message().ends_with("with an explicit deny in an identity-based policy"))
      << assumed.status().message();
}

TEST_F(AssumeRoleTest, DurationLimits) {
  Role role = MakeRole(Trust(R"({"AWS":["arn:aws:iam::111122223333:user/alice",
                                        "arn:aws:iam::111122223333:role/ci/deployer"]})"));
  AssumeRoleParams params = Params();
  params.duration = std::chrono::seconds(7201);
  auto too_long = sessions_.AssumeRoleAs({}, Caller(kAlice), role, params);
  EXPECT_EQ(too_long.status().aws_code(), "ValidationError");
  EXPECT_EQ(too_long.status().message(),
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  params.duration = std::chrono::seconds(7200);
  EXPECT_TRUE(sessions_.AssumeRoleAs({}, Caller(kAlice), role, params).ok());

  // Role chaining: a role session may assume a role for at most one hour.
  policy::RequestContext chained = Caller("arn:aws:sts::111122223333:assumed-role/deployer/s1");
  chained.principal.role_arn = role.arn;
  EXPECT_EQ(sessions_.AssumeRoleAs({}, chained, role, params).status().aws_code(),
            "ValidationError");
  params.duration = std::chrono::seconds(3600);
  EXPECT_TRUE(sessions_.AssumeRoleAs({}, chained, role, params).ok());
}

TEST_F(AssumeRoleTest, InvalidSessionNameIsAValidationError) {
  Role role = MakeRole(Trust(R"({"AWS":"arn:aws:iam::111122223333:user/alice"})"));
  auto assumed = sessions_.AssumeRoleAs({}, Caller(kAlice), role, Params("no spaces"));
  EXPECT_EQ(assumed.status().aws_code(), "ValidationError");
  EXPECT_NE(assumed.status().message().find("roleSessionName"), std::string::npos);
}

TEST(SessionNameTest, FollowsTheRoleSessionNamePattern) {
  const std::pair<std::string, bool> cases[] = {
      {"ab", true},
      {"a", false},
      {std::string(64, 'x'), true},
      {std::string(65, 'x'), false},
      {"user@example.com", true},
      {"a_b+c=d,e.f-g", true},
      {"has space", false},
      {"slash/no", false},
      {"colon:no", false},
      {"", false},
  };
  for (const auto& [name, valid] : cases) EXPECT_EQ(IsValidSessionName(name), valid) << name;
}

// Sessions are bound to the role's unique id: deleting the role, or deleting and re-creating
// it under the same name, leaves the old sessions nothing to act with.
class SessionRoleBindingTest : public SessionStoreTest {
 protected:
  SessionRoleBindingTest() : identities_(*db_, master_, clock_) {
    account_ = identities_.Bootstrap({})->account_id;
    EXPECT_TRUE(identities_.CreateUser("alice", "/", {}).ok());
  }
  Role CreateRole() {
    auto role = identities_.CreateRole(
        "deployer",
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)" +
            account_ + R"(:user/alice"},"Action":"sts:AssumeRole"}]})",
        RoleOptions{});
    EXPECT_TRUE(role.ok()) << role.status().ToString();
    return *role;
  }
  Session Assume(const Role& role) {
    policy::RequestContext caller;
    caller.principal = *policy::PrincipalFromArn("arn:aws:iam::" + account_ + ":user/alice");
    AssumeRoleParams params;
    params.session_name = "s1";
    params.duration = std::chrono::seconds(900);
    auto assumed = sessions_.AssumeRoleAs({}, caller, role, params);
    EXPECT_TRUE(assumed.ok()) << assumed.status().ToString();
    return *sessions_.Lookup(assumed->credentials.access_key_id);
  }

  IdentityStore identities_;
  std::string account_;
};

TEST_F(SessionRoleBindingTest, SessionKeepsTheRoleIdAndIsValidWhileTheRoleExists) {
  Role role = CreateRole();
  ASSERT_TRUE(role.id.starts_with("AROA"));
  Session session = Assume(role);
  EXPECT_EQ(session.role_id, role.id);
  EXPECT_TRUE(CheckSessionPrincipal(identities_, session).ok());
}

TEST_F(SessionRoleBindingTest, DeletedRoleRefusesItsSessions) {
  Role role = CreateRole();
  Session session = Assume(role);
  ASSERT_TRUE(identities_.DeleteRole("deployer").ok());
  Status refused = CheckSessionPrincipal(identities_, session);
  EXPECT_EQ(refused.code(), Code::kUnauthenticated);
  EXPECT_EQ(refused.aws_code(), "InvalidClientTokenId");
}

TEST_F(SessionRoleBindingTest, ReCreatedRoleRefusesTheOldSessionsOnly) {
  Session old_session = Assume(CreateRole());
  ASSERT_TRUE(identities_.DeleteRole("deployer").ok());
  Role again = CreateRole();
  ASSERT_NE(again.id, old_session.role_id);
  EXPECT_EQ(CheckSessionPrincipal(identities_, old_session).code(), Code::kUnauthenticated);
  EXPECT_TRUE(CheckSessionPrincipal(identities_, Assume(again)).ok());
}

TEST_F(SessionRoleBindingTest, SessionsStoredWithoutARoleIdTakeItFromTheirPrincipal) {
  Role role = CreateRole();
  // A record written before "roleId" existed: only the principal's user id names the role.
  NewSession legacy;
  legacy.kind = SessionKind::kAssumedRole;
  legacy.principal = AssumedRolePrincipal(account_, role.name, role.arn, role.id, "old");
  auto issued = sessions_.Create(legacy);
  ASSERT_TRUE(issued.ok());
  Session session = *sessions_.Lookup(issued->access_key_id);
  EXPECT_EQ(session.role_id, role.id);
  EXPECT_TRUE(CheckSessionPrincipal(identities_, session).ok());
  ASSERT_TRUE(identities_.DeleteRole("deployer").ok());
  CreateRole();
  EXPECT_EQ(CheckSessionPrincipal(identities_, session).code(), Code::kUnauthenticated);
}

TEST_F(SessionRoleBindingTest, RootSessionsStayValid) {
  NewSession s;
  s.kind = SessionKind::kSessionToken;
  s.principal = RootPrincipal(account_);
  auto issued = sessions_.Create(s);
  ASSERT_TRUE(issued.ok());
  EXPECT_TRUE(CheckSessionPrincipal(identities_, *sessions_.Lookup(issued->access_key_id)).ok());
}

TEST_F(SessionRoleBindingTest, UserSessionsAreBoundToTheUsersId) {
  auto bob = identities_.CreateUser("bob", "/", {});
  ASSERT_TRUE(bob.ok());
  NewSession s;
  s.kind = SessionKind::kSessionToken;
  s.principal = *policy::PrincipalFromArn(bob->arn);
  s.principal.user_id = bob->id;
  auto issued = sessions_.Create(s);
  ASSERT_TRUE(issued.ok());
  Session session = *sessions_.Lookup(issued->access_key_id);
  EXPECT_TRUE(CheckSessionPrincipal(identities_, session).ok());
  ASSERT_TRUE(identities_.DeleteUser("bob").ok());
  EXPECT_EQ(CheckSessionPrincipal(identities_, session).code(), Code::kUnauthenticated);
  auto again = identities_.CreateUser("bob", "/", {});
  ASSERT_TRUE(again.ok());
  ASSERT_NE(again->id, bob->id);
  EXPECT_EQ(CheckSessionPrincipal(identities_, session).code(), Code::kUnauthenticated);
}

}  // namespace
}  // namespace kiroku::iam
