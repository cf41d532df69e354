// KMS through the request pipeline in process (ServiceHarness: SigV4, decoding, authorization,
// the handler, the encoding): a key created and used by the root user, an IAM user without
// permissions refused, ReEncrypt's second check, and the operation table's flags.
#include <gtest/gtest.h>

#include <set>

#include "common/encoding.h"
#include "services/kms/kms_service.h"
#include "testing/service_harness.h"

namespace kiroku::services {
namespace {

namespace json = boost::json;
using kiroku::testing::ServiceHarness;

class KmsPipelineTest : public ::testing::Test {
 protected:
  KmsPipelineTest()
      : keys_(h_.db(), h_.master_key(), h_.clock()), service_(keys_, h_.identities()) {
    h_.table().Add(service_.Operations());
  }

  net::Response Call(std::string_view operation, const json::object& input,
                     const kiroku::testing::Credentials* as = nullptr) {
    return h_.CallJson("kms", operation, input, "us-east-1", as);
  }

  json::value CallOk(std::string_view operation, const json::object& input,
                     const kiroku::testing::Credentials* as = nullptr) {
    net::Response r = Call(operation, input, as);
    EXPECT_EQ(r.status, 200) << operation << ": " << r.body;
    return ServiceHarness::Json(r);
  }

  std::string NewKey() {
    json::value created = CallOk("CreateKey", {{"Description", "pipeline"}});
    return std::string(created.at("KeyMetadata").at("KeyId").as_string());
  }

  // An IAM user "alice" with an access key and, when `actions` is not empty, an inline policy
  // allowing those actions on every resource.
  kiroku::testing::Credentials Alice(const std::string& actions = "") {
    EXPECT_TRUE(h_.identities().CreateUser("alice", "/", {}).ok());
    if (!actions.empty()) {
      EXPECT_TRUE(h_.identities()
                      .PutInlinePolicy(iam::EntityKind::kUser, "alice", "kms",
                                       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
                                       R"("Action":)" +
                                           actions + R"(,"Resource":"*"}]})")
                      .ok());
    }
    auto key = h_.identities().CreateAccessKey("alice");
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return {key->info.access_key_id, key->secret_access_key, ""};
  }

  ServiceHarness h_;
  kms::KeyStore keys_;
  KmsService service_;
};

TEST_F(KmsPipelineTest, CreateKeyEncryptDecrypt) {
  std::string key_id = NewKey();
  json::object context{{"purpose", "test"}};
  json::value encrypted = CallOk("Encrypt", {{"KeyId", key_id},
                                             {"Plaintext", Base64Encode("secret data")},
                                             {"EncryptionContext", context}});
  std::string arn = "arn:aws:kms:us-east-1:" + h_.account() + ":key/" + key_id;
  EXPECT_EQ(encrypted.at("KeyId").as_string(), arn);
  EXPECT_EQ(encrypted.at("EncryptionAlgorithm").as_string(), "SYMMETRIC_DEFAULT");

  json::value decrypted = CallOk("Decrypt", {{"CiphertextBlob", encrypted.at("CiphertextBlob")},
                                             {"EncryptionContext", context}});
  EXPECT_EQ(decrypted.at("KeyId").as_string(), arn);
  EXPECT_EQ(Base64Decode(decrypted.at("Plaintext").as_string()).value_or(""), "secret data");

  // The context is bound to the ciphertext.
  net::Response wrong = Call("Decrypt", {{"CiphertextBlob", encrypted.at("CiphertextBlob")}});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("InvalidCiphertextException"), std::string::npos) << wrong.body;
}

TEST_F(KmsPipelineTest, UserWithoutPermissionsIsDenied) {
  std::string key_id = NewKey();
  kiroku::testing::Credentials alice = Alice();
  net::Response r = Call("Encrypt", {{"KeyId", key_id}, {"Plaintext", Base64Encode("x")}}, &alice);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("AccessDeniedException"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("kms:Encrypt"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("user/alice"), std::string::npos) << r.body;

  net::Response list = Call("ListKeys", {}, &alice);
  EXPECT_NE(list.body.find("AccessDeniedException"), std::string::npos) << list.body;
}

TEST_F(KmsPipelineTest, UserAllowedByIamPolicyThroughTheDefaultKeyPolicy) {
  std::string key_id = NewKey();
  kiroku::testing::Credentials alice = Alice(R"(["kms:Encrypt","kms:Decrypt"])");
  json::value encrypted =
      CallOk("Encrypt", {{"KeyId", key_id}, {"Plaintext", Base64Encode("hello")}}, &alice);
  json::value decrypted =
      CallOk("Decrypt", {{"CiphertextBlob", encrypted.at("CiphertextBlob")}}, &alice);
  EXPECT_EQ(Base64Decode(decrypted.at("Plaintext").as_string()).value_or(""), "hello");
  // Allowed actions only.
  net::Response disable = Call("DisableKey", {{"KeyId", key_id}}, &alice);
  EXPECT_NE(disable.body.find("AccessDeniedException"), std::string::npos) << disable.body;
}

TEST_F(KmsPipelineTest, ReEncryptNeedsReEncryptToOnTheDestination) {
  std::string source = NewKey();
  std::string destination = NewKey();
  json::value encrypted =
      CallOk("Encrypt", {{"KeyId", source}, {"Plaintext", Base64Encode("moving")}});
  json::object input{{"CiphertextBlob", encrypted.at("CiphertextBlob")},
                     {"DestinationKeyId", destination}};

  kiroku::testing::Credentials alice = Alice(R"(["kms:ReEncryptFrom"])");
  net::Response denied = Call("ReEncrypt", input, &alice);
  EXPECT_EQ(denied.status, 400);
  EXPECT_NE(denied.body.find("kms:ReEncryptTo"), std::string::npos) << denied.body;

  json::value moved = CallOk("ReEncrypt", input);  // root: both allowed by the key policies
  EXPECT_EQ(moved.at("KeyId").as_string(),
            "arn:aws:kms:us-east-1:" + h_.account() + ":key/" + destination);
  json::value decrypted = CallOk("Decrypt", {{"CiphertextBlob", moved.at("CiphertextBlob")}});
  EXPECT_EQ(Base64Decode(decrypted.at("Plaintext").as_string()).value_or(""), "moving");
}

// CloudTrail's readOnly and eventCategory come from the rows: every Get/List/Describe and the
// cryptographic operations only read; every KMS operation is a management event; each row's
// action is its own name, except ReEncrypt (checked as kms:ReEncryptFrom, then kms:ReEncryptTo)
// and RetireGrant (authorized by the grant itself).
TEST(KmsServiceTableTest, RowsDeclareActionReadOnlyAndCategory) {
  const std::set<std::string> read_only = {
      "DescribeKey",      "ListKeys",         "DescribeCustomKeyStores",
      "GetKeyPolicy",     "ListKeyPolicies",  "GetKeyRotationStatus",
      "ListKeyRotations", "ListResourceTags", "ListAliases",
      "ListGrants",       "Encrypt",          "Decrypt",
      "ReEncrypt",        "GenerateDataKey",  "GenerateDataKeyWithoutPlaintext",
      "GenerateRandom"};
  ServiceHarness h;
  kms::KeyStore keys(h.db(), h.master_key(), h.clock());
  KmsService service(keys, h.identities());
  std::vector<api::Operation> rows = service.Operations();
  EXPECT_EQ(rows.size(), 34u);  // the 33 served before the move, and DescribeCustomKeyStores
  std::set<std::string> names;
  for (const api::Operation& op : rows) {
    EXPECT_EQ(op.service, "kms");
    EXPECT_TRUE(names.insert(op.name).second) << op.name;
    EXPECT_EQ(op.access == api::Access::kRead, read_only.count(op.name) == 1) << op.name;
    EXPECT_EQ(op.category, api::EventCategory::kManagement) << op.name;
    EXPECT_TRUE(op.handler) << op.name;
    std::string expected = op.name == "ReEncrypt"     ? "kms:ReEncryptFrom"
                           : op.name == "RetireGrant" ? ""
                                                      : "kms:" + op.name;
    EXPECT_EQ(op.action, expected) << op.name;
  }
}

}  // namespace
}  // namespace kiroku::services

namespace kiroku::services {
namespace {

TEST_F(KmsPipelineTest, DescribeCustomKeyStoresListsNoneAndFindsNone) {
  json::value listed = CallOk("DescribeCustomKeyStores", {});
  EXPECT_TRUE(listed.at("CustomKeyStores").as_array().empty());
  EXPECT_FALSE(listed.at("Truncated").as_bool());

  net::Response named = Call("DescribeCustomKeyStores", {{"CustomKeyStoreName", "hsm"}});
  EXPECT_EQ(named.status, 400);
  EXPECT_NE(named.body.find("CustomKeyStoreNotFoundException"), std::string::npos) << named.body;

  kiroku::testing::Credentials alice = Alice();
  net::Response denied = Call("DescribeCustomKeyStores", {}, &alice);
  EXPECT_EQ(denied.status, 400);
  EXPECT_NE(denied.body.find("kms:DescribeCustomKeyStores"), std::string::npos) << denied.body;
}

}  // namespace
}  // namespace kiroku::services
