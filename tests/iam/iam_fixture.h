// A bootstrapped IdentityStore on a fresh RocksDB in a temp dir, for the iam entity tests.
#pragma once

#include <gtest/gtest.h>

#include "iam/identity_store.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::iam {

class IamFixture : public ::testing::Test {
 protected:
  IamFixture()
      : db_(*store::RocksStore::Open(dir_.path() + "/db", {"meta"})),
        master_(crypto::SecretBytes::Random(32)),
        identities_(*db_, master_, clock_) {
    BootstrapOptions options;
    options.account_id = "111122223333";
    auto boot = identities_.Bootstrap(options);
    EXPECT_TRUE(boot.ok()) << boot.status().ToString();
  }

  static std::string Allow(const std::string& action, const std::string& resource = "*") {
    return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":")" + action +
           R"(","Resource":")" + resource + R"("}]})";
  }
  static std::string Deny(const std::string& action, const std::string& resource = "*") {
    return R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":")" + action +
           R"(","Resource":")" + resource + R"("}]})";
  }
  static std::string Trust(const std::string& principal_arn) {
    return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":")" +
           principal_arn + R"("},"Action":"sts:AssumeRole"}]})";
  }

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  kiroku::testing::FakeClock clock_;
  IdentityStore identities_;
};

}  // namespace kiroku::iam
