// The KMS operations through InternalCaller: the same authorization and handlers the HTTP path
// uses, with the tutorial's key policy statement for CloudWatch Logs.
#include "services/kms/kms_service.h"

#include <gtest/gtest.h>

#include "api/internal_caller.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::services {
namespace {

namespace json = boost::json;

constexpr char kRegion[] = "ap-northeast-1";

class KmsServiceTest : public ::testing::Test {
 protected:
  KmsServiceTest()
      : db_(*store::RocksStore::Open(dir_.Sub("db"), {"meta"})),
        master_(crypto::SecretBytes::Random(32)),
        identities_(*db_, master_, clock_),
        keys_(*db_, master_, clock_),
        service_(keys_, identities_),
        caller_(table_, identities_, clock_) {
    account_ = identities_.Bootstrap({})->account_id;
    table_.Add(service_.Operations());
    group_arn_ =
        "arn:aws:logs:ap-northeast-1:" + account_ + ":log-group:/aws/cloudtrail/management-event";
  }

  Result<json::value> AsRoot(std::string operation, json::object input) {
    return caller_.Call({iam::RootPrincipal(account_), account_, kRegion, "kms",
                         std::move(operation), std::move(input)});
  }

  Result<json::value> AsService(std::string service, std::string operation, json::object input) {
    return caller_.Call({policy::ServicePrincipal(service), account_, kRegion, "kms",
                         std::move(operation), std::move(input)});
  }

  std::string TutorialKey() {
    auto created = AsRoot("CreateKey", {{"Description", "CloudTrail CWL log group key"}});
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    std::string key_id(created->at("KeyMetadata").at("KeyId").as_string());
    std::string policy = R"({
      "Version": "2012-10-17", "Id": "key-default-1",
      "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::)" +
                         account_ + R"(:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "logs.ap-northeast-1.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
         "Resource": "*",
         "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": ")" +
                         group_arn_ + R"("}}}]})";
    auto put = AsRoot("PutKeyPolicy", {{"KeyId", key_id}, {"Policy", policy}});
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return key_id;
  }

  json::object DataKeyFor(const std::string& key_id, const std::string& group_arn) {
    return {{"KeyId", key_id},
            {"KeySpec", "AES_256"},
            {"EncryptionContext", {{"aws:logs:arn", group_arn}}}};
  }

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  kiroku::testing::FakeClock clock_;
  iam::IdentityStore identities_;
  kms::KeyStore keys_;
  KmsService service_;
  api::OperationTable table_;
  api::InternalCaller caller_;
  std::string account_;
  std::string group_arn_;
};

TEST_F(KmsServiceTest, TutorialStatementGrantsExactlyThatLogGroup) {
  std::string key_id = TutorialKey();
  auto allowed = AsService("logs.ap-northeast-1.amazonaws.com", "GenerateDataKey",
                           DataKeyFor(key_id, group_arn_));
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  EXPECT_EQ(allowed->at("Plaintext").as_string().size(), 44u);  // 32 bytes, base64

  auto other_group = AsService("logs.ap-northeast-1.amazonaws.com", "GenerateDataKey",
                               DataKeyFor(key_id, group_arn_ + "-other"));
  ASSERT_FALSE(other_group.ok());
  EXPECT_EQ(other_group.status().code(), Code::kAccessDenied);
  EXPECT_NE(other_group.status().message().find("kms:GenerateDataKey"), std::string::npos);

  auto no_context = AsService("logs.ap-northeast-1.amazonaws.com", "GenerateDataKey",
                              {{"KeyId", key_id}, {"KeySpec", "AES_256"}});
  EXPECT_EQ(no_context.status().code(), Code::kAccessDenied);

  auto other_region =
      AsService("logs.us-east-1.amazonaws.com", "GenerateDataKey", DataKeyFor(key_id, group_arn_));
  EXPECT_EQ(other_region.status().code(), Code::kAccessDenied);

  auto other_service =
      AsService("cloudtrail.amazonaws.com", "GenerateDataKey", DataKeyFor(key_id, group_arn_));
  EXPECT_EQ(other_service.status().code(), Code::kAccessDenied);

  // Actions outside the statement are denied even for the right group.
  auto disable = AsService("logs.ap-northeast-1.amazonaws.com", "DisableKey", {{"KeyId", key_id}});
  EXPECT_EQ(disable.status().code(), Code::kAccessDenied);
}

TEST_F(KmsServiceTest, ServiceDecryptsWhatItEncrypted) {
  std::string key_id = TutorialKey();
  auto data_key = AsService("logs.ap-northeast-1.amazonaws.com", "GenerateDataKey",
                            DataKeyFor(key_id, group_arn_));
  ASSERT_TRUE(data_key.ok());
  json::object decrypt{{"CiphertextBlob", data_key->at("CiphertextBlob")},
                       {"EncryptionContext", {{"aws:logs:arn", group_arn_}}}};
  auto plain = AsService("logs.ap-northeast-1.amazonaws.com", "Decrypt", decrypt);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->at("Plaintext"), data_key->at("Plaintext"));
}

TEST_F(KmsServiceTest, LockoutSafetyCheck) {
  auto created = AsRoot("CreateKey", {});
  std::string key_id(created->at("KeyMetadata").at("KeyId").as_string());
  // A policy that names nobody who can change it again.
  std::string locked = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"Service":"logs.ap-northeast-1.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}]})";
  auto refused = AsRoot("PutKeyPolicy", {{"KeyId", key_id}, {"Policy", locked}});
  EXPECT_EQ(refused.status().aws_code(), "MalformedPolicyDocumentException");
  auto bypassed =
      AsRoot("PutKeyPolicy",
             {{"KeyId", key_id}, {"Policy", locked}, {"BypassPolicyLockoutSafetyCheck", true}});
  EXPECT_TRUE(bypassed.ok()) << bypassed.status().ToString();
  // Now even root may not use the key: key policies must allow explicitly.
  auto describe = AsRoot("DescribeKey", {{"KeyId", key_id}});
  EXPECT_EQ(describe.status().code(), Code::kAccessDenied);
  EXPECT_NE(describe.status().message().find("because no resource-based policy allows"),
            std::string::npos)
      << describe.status().message();
}

TEST_F(KmsServiceTest, MalformedKeyPolicyIsRefused) {
  auto created = AsRoot("CreateKey", {});
  std::string key_id(created->at("KeyMetadata").at("KeyId").as_string());
  auto bad =
      AsRoot("PutKeyPolicy", {{"KeyId", key_id}, {"Policy", "{\"Version\": \"2012-10-17\""}});
  EXPECT_EQ(bad.status().aws_code(), "MalformedPolicyDocumentException");
}

TEST_F(KmsServiceTest, GrantsAllowTheirOperationsOnly) {
  std::string key_id = TutorialKey();
  std::string grantee = "cloudtrail.amazonaws.com";
  auto grant = AsRoot("CreateGrant", {{"KeyId", key_id},
                                      {"GranteePrincipal", grantee},
                                      {"Operations", json::array{"GenerateDataKey"}}});
  ASSERT_TRUE(grant.ok()) << grant.status().ToString();
  // A service principal's "ARN" for grants is its name.
  auto allowed = AsService(grantee, "GenerateDataKey", {{"KeyId", key_id}, {"KeySpec", "AES_128"}});
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  EXPECT_EQ(
      AsService(grantee, "Encrypt", {{"KeyId", key_id}, {"Plaintext", "aGk="}}).status().code(),
      Code::kAccessDenied);
}

}  // namespace
}  // namespace kiroku::services
