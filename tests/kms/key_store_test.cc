#include "kms/key_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/keys.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::kms {
namespace {

class KeyStoreTest : public ::testing::Test {
 protected:
  KeyStoreTest()
      : db_(*store::RocksStore::Open(dir_.Sub("db"), {"meta"})),
        master_(crypto::SecretBytes::Random(32)),
        keys_(*db_, master_, clock_) {}

  KeyMetadata NewKey() {
    auto key = keys_.CreateKey(scope_, {});
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return *key;
  }

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  kiroku::testing::FakeClock clock_;
  KeyStore keys_;
  Scope scope_{"111122223333", "ap-northeast-1"};
};

TEST_F(KeyStoreTest, CreateKeyHasAwsShapes) {
  KeyMetadata key = NewKey();
  EXPECT_EQ(key.key_id.size(), 36u);
  EXPECT_EQ(key.arn, "arn:aws:kms:ap-northeast-1:111122223333:key/" + key.key_id);
  EXPECT_EQ(key.state, KeyState::kEnabled);
  EXPECT_EQ(key.current_key_material_id.size(), 64u);
  auto policy = keys_.GetKeyPolicy(scope_, key.key_id);
  ASSERT_TRUE(policy.ok());
  EXPECT_NE(policy->find("\"Sid\":\"Enable IAM User Permissions\""), std::string::npos);
  EXPECT_NE(policy->find("arn:aws:iam::111122223333:root"), std::string::npos);
}

TEST_F(KeyStoreTest, KeysAreNamedByIdArnAliasAndAliasArn) {
  KeyMetadata key = NewKey();
  ASSERT_TRUE(keys_.CreateAlias(scope_, "alias/app", key.key_id).ok());
  for (std::string ref : {key.key_id, key.arn, std::string("alias/app"),
                          std::string("arn:aws:kms:ap-northeast-1:111122223333:alias/app")}) {
    auto found = keys_.DescribeKey(scope_, ref);
    ASSERT_TRUE(found.ok()) << ref << ": " << found.status().ToString();
    EXPECT_EQ(found->key_id, key.key_id);
  }
  EXPECT_EQ(keys_.DescribeKey(scope_, "alias/none").status().aws_code(), "NotFoundException");
  EXPECT_EQ(keys_.DescribeKey(scope_, "not-a-key").status().aws_code(), "NotFoundException");
  // Keys are regional.
  EXPECT_EQ(keys_.DescribeKey({"111122223333", "us-east-1"}, key.key_id).status().code(),
            Code::kNotFound);
}

TEST_F(KeyStoreTest, EncryptDecryptRoundTripWithContext) {
  KeyMetadata key = NewKey();
  EncryptionContext context{
      {"aws:logs:arn", "arn:aws:logs:ap-northeast-1:111122223333:log-group:g"}};
  auto blob = keys_.Encrypt(scope_, key.key_id, "secret data", context);
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(blob->find("secret data"), std::string::npos);
  auto plain = keys_.Decrypt(scope_, *blob, context, "");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->plaintext, "secret data");
  EXPECT_EQ(plain->key_arn, key.arn);
}

TEST_F(KeyStoreTest, WrongContextOtherKeyOrFlippedBitIsInvalidCiphertext) {
  KeyMetadata key = NewKey();
  KeyMetadata other = NewKey();
  EncryptionContext context{{"purpose", "test"}};
  std::string blob = *keys_.Encrypt(scope_, key.key_id, "payload", context);

  EXPECT_EQ(keys_.Decrypt(scope_, blob, {{"purpose", "other"}}, "").status().aws_code(),
            "InvalidCiphertextException");
  EXPECT_EQ(keys_.Decrypt(scope_, blob, {}, "").status().aws_code(), "InvalidCiphertextException");
  EXPECT_EQ(keys_.Decrypt(scope_, blob, context, other.key_id).status().aws_code(),
            "IncorrectKeyException");
  for (size_t i = 0; i < blob.size(); ++i) {
    std::string tampered = blob;
    tampered[i] ^= 0x01;
    Status s = keys_.Decrypt(scope_, tampered, context, "").status();
    EXPECT_FALSE(s.ok()) << "byte " << i;
  }
}

TEST_F(KeyStoreTest, DisabledAndPendingDeletionStates) {
  KeyMetadata key = NewKey();
  std::string blob = *keys_.Encrypt(scope_, key.key_id, "x", {});
  ASSERT_TRUE(keys_.DisableKey(scope_, key.key_id).ok());
  Status s = keys_.Encrypt(scope_, key.key_id, "x", {}).status();
  EXPECT_EQ(s.aws_code(), "DisabledException");
  EXPECT_EQ(s.message(), key.arn + " is disabled.");
  EXPECT_EQ(keys_.Decrypt(scope_, blob, {}, "").status().aws_code(), "DisabledException");
  ASSERT_TRUE(keys_.EnableKey(scope_, key.key_id).ok());
  EXPECT_TRUE(keys_.Decrypt(scope_, blob, {}, "").ok());

  EXPECT_EQ(keys_.ScheduleKeyDeletion(scope_, key.key_id, 6).status().aws_code(),
            "ValidationException");
  auto pending = keys_.ScheduleKeyDeletion(scope_, key.key_id, 7);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->state, KeyState::kPendingDeletion);
  EXPECT_EQ(keys_.Encrypt(scope_, key.key_id, "x", {}).status().aws_code(),
            "KMSInvalidStateException");
  EXPECT_EQ(keys_.EnableKey(scope_, key.key_id).aws_code(), "KMSInvalidStateException");
  auto cancelled = keys_.CancelKeyDeletion(scope_, key.key_id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state, KeyState::kDisabled);  // as AWS: back to Disabled
  EXPECT_EQ(keys_.CancelKeyDeletion(scope_, key.key_id).status().aws_code(),
            "KMSInvalidStateException");
}

TEST_F(KeyStoreTest, DeletionHappensWhenTheWindowPassesAndDataIsUnrecoverable) {
  KeyMetadata key = NewKey();
  ASSERT_TRUE(keys_.CreateAlias(scope_, "alias/doomed", key.key_id).ok());
  std::string blob = *keys_.Encrypt(scope_, key.key_id, "gone soon", {});
  ASSERT_TRUE(keys_.ScheduleKeyDeletion(scope_, key.key_id, 7).ok());
  clock_.Advance(std::chrono::hours(24 * 7 - 1));
  EXPECT_TRUE(keys_.DescribeKey(scope_, key.key_id).ok());
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(*keys_.PurgeDeletedKeys(), 1u);
  EXPECT_EQ(keys_.DescribeKey(scope_, key.key_id).status().aws_code(), "NotFoundException");
  EXPECT_EQ(keys_.Decrypt(scope_, blob, {}, "").status().aws_code(), "InvalidCiphertextException");
  EXPECT_TRUE(keys_.ListAliases(scope_, "")->empty());
}

TEST_F(KeyStoreTest, RotationKeepsOldVersionsDecrypting) {
  KeyMetadata key = NewKey();
  std::string before = *keys_.Encrypt(scope_, key.key_id, "v1", {});
  auto rotated = keys_.RotateKeyOnDemand(scope_, key.key_id);
  ASSERT_TRUE(rotated.ok());
  EXPECT_NE(rotated->current_key_material_id, key.current_key_material_id);
  std::string after = *keys_.Encrypt(scope_, key.key_id, "v2", {});
  EXPECT_EQ(keys_.Decrypt(scope_, before, {}, "")->plaintext, "v1");
  EXPECT_EQ(keys_.Decrypt(scope_, after, {}, "")->plaintext, "v2");

  ASSERT_TRUE(keys_.EnableKeyRotation(scope_, key.key_id, 90).ok());
  clock_.Advance(std::chrono::hours(24 * 91));
  ASSERT_TRUE(keys_.RotateDueKeys().ok());
  auto rotations = keys_.ListKeyRotations(scope_, key.key_id);
  ASSERT_TRUE(rotations.ok());
  ASSERT_EQ(rotations->size(), 2u);
  EXPECT_EQ((*rotations)[0].rotation_type, "ON_DEMAND");
  EXPECT_EQ((*rotations)[1].rotation_type, "AUTOMATIC");
  EXPECT_EQ(keys_.Decrypt(scope_, before, {}, "")->plaintext, "v1");
  EXPECT_EQ(keys_.EnableKeyRotation(scope_, key.key_id, 10).aws_code(), "ValidationException");
}

TEST_F(KeyStoreTest, AliasRules) {
  KeyMetadata key = NewKey();
  EXPECT_EQ(keys_.CreateAlias(scope_, "alias/aws/logs", key.key_id).aws_code(),
            "NotAuthorizedException");
  EXPECT_EQ(keys_.CreateAlias(scope_, "nope", key.key_id).aws_code(), "InvalidAliasNameException");
  ASSERT_TRUE(keys_.CreateAlias(scope_, "alias/a", key.key_id).ok());
  EXPECT_EQ(keys_.CreateAlias(scope_, "alias/a", key.key_id).aws_code(), "AlreadyExistsException");
  KeyMetadata other = NewKey();
  ASSERT_TRUE(keys_.UpdateAlias(scope_, "alias/a", other.key_id).ok());
  EXPECT_EQ(keys_.DescribeKey(scope_, "alias/a")->key_id, other.key_id);
  ASSERT_TRUE(keys_.DeleteAlias(scope_, "alias/a").ok());
  EXPECT_EQ(keys_.DeleteAlias(scope_, "alias/a").aws_code(), "NotFoundException");
}

TEST_F(KeyStoreTest, DataKeys) {
  KeyMetadata key = NewKey();
  EncryptionContext context{{"k", "v"}};
  auto data_key = keys_.GenerateDataKey(scope_, key.key_id, 32, context, true);
  ASSERT_TRUE(data_key.ok());
  EXPECT_EQ(data_key->plaintext.size(), 32u);
  EXPECT_EQ(keys_.Decrypt(scope_, data_key->ciphertext_blob, context, "")->plaintext,
            data_key->plaintext);
  auto without = keys_.GenerateDataKey(scope_, key.key_id, 16, context, false);
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(without->plaintext.empty());
  EXPECT_EQ(keys_.Decrypt(scope_, without->ciphertext_blob, context, "")->plaintext.size(), 16u);
}

TEST_F(KeyStoreTest, GrantsAreListedRevokedAndRetired) {
  KeyMetadata key = NewKey();
  Grant g;
  g.grantee_principal = "arn:aws:iam::111122223333:user/bob";
  g.operations = {"Decrypt"};
  g.name = "g1";
  auto created = keys_.CreateGrant(scope_, key.key_id, g);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->grant_id.size(), 64u);
  EXPECT_EQ(keys_.CreateGrant(scope_, key.key_id, g)->grant_id, created->grant_id);  // idempotent
  EXPECT_EQ(keys_.ListGrants(scope_, key.key_id)->size(), 1u);
  ASSERT_TRUE(keys_.RevokeGrant(scope_, key.key_id, created->grant_id).ok());
  EXPECT_TRUE(keys_.ListGrants(scope_, key.key_id)->empty());
  EXPECT_EQ(keys_.RevokeGrant(scope_, key.key_id, created->grant_id).aws_code(),
            "NotFoundException");
}

// A stored record that is not JSON is corruption of the store: Internal, never a crash.
TEST_F(KeyStoreTest, CorruptRecordsAreInternalErrors) {
  KeyMetadata key = NewKey();
  std::string record = store::KeyBuilder()
                           .Tag('M')
                           .String(scope_.account)
                           .String(scope_.region)
                           .String(key.key_id)
                           .Build();
  ASSERT_TRUE(db_->Put("meta", record, "not json").ok());
  EXPECT_EQ(keys_.DescribeKey(scope_, key.key_id).status().code(), Code::kInternal);
  bool truncated = false;
  EXPECT_EQ(keys_.ListKeys(scope_, "", 10, &truncated).status().code(), Code::kInternal);
  EXPECT_EQ(keys_.RotateDueKeys().code(), Code::kInternal);
  EXPECT_EQ(keys_.PurgeDeletedKeys().status().code(), Code::kInternal);
}

TEST_F(KeyStoreTest, NoPlaintextKeyMaterialOnDisk) {
  KeyMetadata key = NewKey();
  auto data_key = keys_.GenerateDataKey(scope_, key.key_id, 32, {}, true);
  ASSERT_TRUE(data_key.ok());
  db_.reset();  // flush and close
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find(data_key->plaintext), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace kiroku::kms
