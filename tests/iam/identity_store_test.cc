#include "iam/identity_store.h"

#include <gtest/gtest.h>

#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::iam {
namespace {

class IdentityStoreTest : public ::testing::Test {
 protected:
  IdentityStoreTest()
      : db_(*store::RocksStore::Open(dir_.path() + "/db", {"meta"})),
        master_(crypto::SecretBytes::Random(32)),
        identities_(*db_, master_, clock_) {}

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  kiroku::testing::FakeClock clock_;
  IdentityStore identities_;
};

TEST_F(IdentityStoreTest, FirstBootstrapCreatesAccountAndRootKey) {
  auto result = identities_.Bootstrap({});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->created);
  EXPECT_EQ(result->account_id.size(), 12u);
  EXPECT_NE(result->account_id[0], '0');
  EXPECT_TRUE(result->root_key.access_key_id.starts_with("AKIA"));
  EXPECT_EQ(result->root_key.access_key_id.size(), 20u);
  EXPECT_EQ(result->root_key.secret_access_key.size(), 40u);

  auto key = identities_.LookupAccessKey(result->root_key.access_key_id);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->secret.view(), result->root_key.secret_access_key);
  EXPECT_EQ(key->principal.arn, "arn:aws:iam::" + result->account_id + ":root");
  EXPECT_EQ(key->principal.type, PrincipalType::kRoot);
  EXPECT_EQ(*identities_.AccountId(), result->account_id);
}

TEST_F(IdentityStoreTest, LaterBootstrapsReturnTheSameAccountAndKey) {
  auto first = identities_.Bootstrap({});
  auto second = identities_.Bootstrap({});
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->account_id, first->account_id);
  EXPECT_EQ(second->root_key.access_key_id, first->root_key.access_key_id);
  EXPECT_EQ(second->root_key.secret_access_key, first->root_key.secret_access_key);
}

TEST_F(IdentityStoreTest, ChosenAccountAndKeys) {
  BootstrapOptions options{"111122223333",
                           RootKeyPair{"AKIAKIROKUTESTKEY001", "a-secret-of-enough-length"}};
  auto result = identities_.Bootstrap(options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->account_id, "111122223333");
  EXPECT_TRUE(identities_.LookupAccessKey("AKIAKIROKUTESTKEY001").ok());
  // Another account id for the same data dir is refused.
  options.account_id = "999999999999";
  EXPECT_EQ(identities_.Bootstrap(options).status().code(), Code::kInvalidArgument);
  // The same key id with another secret is refused.
  BootstrapOptions clash{std::nullopt, RootKeyPair{"AKIAKIROKUTESTKEY001", "another-secret-1234"}};
  EXPECT_EQ(identities_.Bootstrap(clash).status().code(), Code::kInvalidArgument);
}

TEST_F(IdentityStoreTest, RejectsMalformedInput) {
  EXPECT_FALSE(identities_.Bootstrap({"12345", std::nullopt}).ok());
  EXPECT_FALSE(identities_.Bootstrap({std::nullopt, RootKeyPair{"short", "x"}}).ok());
}

TEST_F(IdentityStoreTest, UnknownKeysAreNotFound) {
  ASSERT_TRUE(identities_.Bootstrap({}).ok());
  EXPECT_EQ(identities_.LookupAccessKey("AKIAUNKNOWN000000000").status().code(), Code::kNotFound);
}

TEST_F(IdentityStoreTest, SecretsAreNeverStoredInPlaintext) {
  auto result = identities_.Bootstrap({});
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(result->root_console_login.has_value());
  const std::string& password = result->root_console_login->password;
  int records = 0;
  ASSERT_TRUE(db_->Scan("meta", store::Range::All(),
                        [&](std::string_view, std::string_view v) {
                          ++records;
                          EXPECT_EQ(v.find(result->root_key.secret_access_key),
                                    std::string_view::npos);
                          EXPECT_EQ(v.find(password), std::string_view::npos);
                          return true;
                        })
                  .ok());
  EXPECT_EQ(records, 3);  // the account, the root key and the root user's console login
  // Another master key cannot read the secret.
  crypto::SecretBytes other = crypto::SecretBytes::Random(32);
  IdentityStore wrong(*db_, other, clock_);
  EXPECT_FALSE(wrong.LookupAccessKey(result->root_key.access_key_id).ok());
}

TEST(IdentifierTest, Shapes) {
  for (int i = 0; i < 100; ++i) {
    std::string id = NewAccessKeyId();
    ASSERT_EQ(id.size(), 20u);
    EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos) << id;
    EXPECT_EQ(NewSecretAccessKey().size(), 40u);
  }
  EXPECT_NE(NewAccessKeyId(), NewAccessKeyId());
}

}  // namespace
}  // namespace kiroku::iam
