// STS AssumeRole through InternalCaller: a service acting for itself (CloudTrail delivering to
// CloudWatch Logs) assumes a role through the same authorization and trust check as an HTTP
// caller.
#include "services/sts/sts_service.h"

#include <gtest/gtest.h>

#include "api/internal_caller.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::services {
namespace {

namespace json = boost::json;

class StsServiceTest : public ::testing::Test {
 protected:
  StsServiceTest()
      : db_(*store::RocksStore::Open(dir_.Sub("db"), {"meta"})),
        master_(crypto::SecretBytes::Random(32)),
        identities_(*db_, master_, clock_),
        sessions_(*db_, master_, clock_),
        sts_(identities_, sessions_),
        caller_(table_, identities_, clock_) {
    account_ = identities_.Bootstrap({})->account_id;
    table_.Add(sts_.Operations());
  }

  std::string MakeRole(const std::string& name, const std::string& statement) {
    auto role = identities_.CreateRole(
        name, R"({"Version":"2012-10-17","Statement":[)" + statement + "]}", iam::RoleOptions{});
    EXPECT_TRUE(role.ok()) << role.status().ToString();
    return role.ok() ? role->arn : "";
  }

  Result<json::value> AssumeAs(std::string_view service, const std::string& role_arn) {
    return caller_.Call({policy::ServicePrincipal(service), account_, "ap-northeast-1", "sts",
                         "AssumeRole",
                         json::object{{"RoleArn", role_arn},
                                      {"RoleSessionName", "CloudTrailDelivery"},
                                      {"DurationSeconds", 900}}});
  }

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  kiroku::testing::FakeClock clock_;
  iam::IdentityStore identities_;
  iam::SessionStore sessions_;
  StsService sts_;
  api::OperationTable table_;
  api::InternalCaller caller_;
  std::string account_;
};

TEST_F(StsServiceTest, ServiceNamedByTheTrustPolicyAssumesTheRole) {
  std::string role_arn = MakeRole(
      "CloudTrailRoleForCloudWatchLogs",
      R"({"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"})");
  auto out = AssumeAs("cloudtrail.amazonaws.com", role_arn);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::string session_arn(out->at("AssumedRoleUser").at("Arn").as_string());
  EXPECT_EQ(session_arn, "arn:aws:sts::" + account_ +
                             ":assumed-role/CloudTrailRoleForCloudWatchLogs/CloudTrailDelivery");
  std::string key_id(out->at("Credentials").at("AccessKeyId").as_string());
  auto session = sessions_.Lookup(key_id);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(session->principal.arn, session_arn);
  EXPECT_EQ(session->principal.role_arn, role_arn);
  EXPECT_EQ(session->expiration - session->issued, std::chrono::seconds(900));
}

TEST_F(StsServiceTest, OtherServicesAndUnmetConditionsAreRefused) {
  std::string role_arn = MakeRole(
      "CloudTrailRoleForCloudWatchLogs",
      R"({"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"})");
  auto logs = AssumeAs("logs.ap-northeast-1.amazonaws.com", role_arn);
  EXPECT_EQ(logs.status().code(), Code::kAccessDenied);
  EXPECT_EQ(logs.status().message(),
            "User: logs.ap-northeast-1.amazonaws.com is not authorized to perform: "
            "sts:AssumeRole on resource: " +
                role_arn + " because no role trust policy allows the sts:AssumeRole action");

  // The confused-deputy guard: this internal call carries no aws:SourceAccount, so a trust
  // statement that requires one does not match.
  std::string guarded = MakeRole(
      "Guarded",
      R"({"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole",
          "Condition":{"StringEquals":{"aws:SourceAccount":")" +
          account_ + R"("}}})");
  EXPECT_EQ(AssumeAs("cloudtrail.amazonaws.com", guarded).status().code(), Code::kAccessDenied);
  EXPECT_EQ(AssumeAs("cloudtrail.amazonaws.com", "arn:aws:iam::" + account_ + ":role/missing")
                .status()
                .code(),
            Code::kAccessDenied);
}

TEST_F(StsServiceTest, InputIsValidatedBeforeAuthorization) {
  auto out = caller_.Call({policy::ServicePrincipal("cloudtrail.amazonaws.com"), account_,
                           "ap-northeast-1", "sts", "AssumeRole",
                           json::object{{"RoleArn", "arn:aws:iam::" + account_ + ":role/x"},
                                        {"RoleSessionName", "bad name"}}});
  EXPECT_EQ(out.status().aws_code(), "ValidationError");
  EXPECT_NE(out.status().message().find("roleSessionName"), std::string::npos);
}

}  // namespace
}  // namespace kiroku::services
