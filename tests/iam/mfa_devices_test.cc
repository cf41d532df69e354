// Virtual MFA devices and the root user's console login in IdentityStore.
#include <gtest/gtest.h>

#include "common/encoding.h"
#include "crypto/totp.h"
#include "iam/identity_store.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::iam {
namespace {

class MfaDevicesTest : public ::testing::Test {
 protected:
  MfaDevicesTest()
      : db_(*store::RocksStore::Open(dir_.path() + "/db", {"meta"})),
        master_(crypto::SecretBytes::Random(32)),
        identities_(*db_, master_, clock_) {
    BootstrapOptions options;
    options.account_id = "111122223333";
    options.root_email = "owner@example.com";
    auto bootstrap = identities_.Bootstrap(options);
    KIROKU_CHECK(bootstrap.ok());
    root_login_ = bootstrap->root_console_login;
    KIROKU_CHECK(identities_.CreateUser("alice", "/", {}).ok());
  }

  // The code of `device` for the current step plus `offset` steps.
  std::string Code(const NewVirtualMfaDevice& device, int offset = 0) {
    std::string seed = *Base32Decode(device.base32_seed);
    return crypto::Hotp(seed, crypto::TotpStep(clock_.Now()) + offset);
  }

  NewVirtualMfaDevice Create(std::string name = "alice-phone", std::string path = "/") {
    auto device = identities_.CreateVirtualMfaDevice(name, path, {});
    KIROKU_CHECK(device.ok());
    return *device;
  }

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  kiroku::testing::FakeClock clock_;
  IdentityStore identities_;
  std::optional<RootConsoleLogin> root_login_;
};

TEST_F(MfaDevicesTest, CreateGivesAnArnAndA64CharacterSeed) {
  NewVirtualMfaDevice d = Create("phone", "/team/");
  EXPECT_EQ(d.device.serial_number, "arn:aws:iam::111122223333:mfa/team/phone");
  EXPECT_EQ(d.base32_seed.size(), 64u);
  EXPECT_EQ(Base32Decode(d.base32_seed)->size(), 40u);
  EXPECT_TRUE(d.device.user_name.empty());
  auto again = identities_.CreateVirtualMfaDevice("PHONE", "/team/", {});
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_TRUE(identities_.CreateVirtualMfaDevice("phone", "/", {}).ok());  // another path
  EXPECT_EQ(identities_.CreateVirtualMfaDevice("bad name", "/", {}).status().aws_code(),
            "ValidationError");
}

TEST_F(MfaDevicesTest, SeedIsStoredWrapped) {
  NewVirtualMfaDevice d = Create();
  std::string raw = *Base32Decode(d.base32_seed);
  ASSERT_TRUE(db_->Scan("meta", store::Range::All(),
                        [&](std::string_view, std::string_view v) {
                          EXPECT_EQ(v.find(d.base32_seed), std::string_view::npos);
                          EXPECT_EQ(v.find(raw), std::string_view::npos);
                          EXPECT_EQ(v.find(Base64Encode(raw)), std::string_view::npos);
                          return true;
                        })
                  .ok());
}

TEST_F(MfaDevicesTest, EnableNeedsTwoConsecutiveCodes) {
  NewVirtualMfaDevice d = Create();
  const std::string& serial = d.device.serial_number;
  Status wrong = identities_.EnableMfaDevice("alice", serial, Code(d, 0), Code(d, -1));
  EXPECT_EQ(wrong.aws_code(), "InvalidAuthenticationCode");
  wrong = identities_.EnableMfaDevice("alice", serial, Code(d, -3), Code(d, -2));  // too old
  EXPECT_EQ(wrong.aws_code(), "InvalidAuthenticationCode");
  EXPECT_EQ(identities_.EnableMfaDevice("alice", serial, "12345", "123456").aws_code(),
            "ValidationError");
  EXPECT_EQ(identities_.EnableMfaDevice("alice", serial, "12a456", "123456").aws_code(),
            "ValidationError");
  ASSERT_TRUE(identities_.EnableMfaDevice("alice", serial, Code(d, -1), Code(d, 0)).ok());

  auto mine = identities_.ListMfaDevices("alice");
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].serial_number, serial);
  EXPECT_EQ((*mine)[0].user_name, "alice");
  EXPECT_TRUE((*mine)[0].enable_date.has_value());
  // Assigned once only.
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  clock_.Advance(std::chrono::seconds(60));
  EXPECT_EQ(identities_.EnableMfaDevice("bob", serial, Code(d, -1), Code(d, 0)).code(),
            Code::kAlreadyExists);
}

TEST_F(MfaDevicesTest, UnknownUserOrDeviceIsNoSuchEntity) {
  NewVirtualMfaDevice d = Create();
  EXPECT_EQ(
      identities_.EnableMfaDevice("nobody", d.device.serial_number, Code(d, -1), Code(d)).code(),
      Code::kNotFound);
  EXPECT_EQ(
      identities_
          .EnableMfaDevice("alice", "arn:aws:iam::111122223333:mfa/none", Code(d, -1), Code(d))
          .code(),
      Code::kNotFound);
  // Another account's ARN names no device here.
  EXPECT_EQ(identities_
                .EnableMfaDevice("alice", "arn:aws:iam::999999999999:mfa/alice-phone", Code(d, -1),
                                 Code(d))
                .code(),
            Code::kNotFound);
}

TEST_F(MfaDevicesTest, SignInCodesWorkOnceAndNotBeforeTheEnableCodes) {
  NewVirtualMfaDevice d = Create();
  ASSERT_TRUE(
      identities_.EnableMfaDevice("alice", d.device.serial_number, Code(d, -1), Code(d)).ok());
  // The enable codes are spent.
  EXPECT_EQ(*identities_.VerifyMfaCode("alice", Code(d)), std::nullopt);
  EXPECT_EQ(*identities_.VerifyMfaCode("alice", Code(d, -1)), std::nullopt);
  // The next step's code (within the window) is good once.
  auto used = identities_.VerifyMfaCode("alice", Code(d, 1));
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(*used, d.device.serial_number);
  EXPECT_EQ(*identities_.VerifyMfaCode("alice", Code(d, 1)), std::nullopt);
  // Later steps work again; codes two steps away never do.
  clock_.Advance(std::chrono::seconds(60));
  EXPECT_EQ(*identities_.VerifyMfaCode("alice", Code(d, 2)), std::nullopt);
  EXPECT_EQ(*identities_.VerifyMfaCode("alice", Code(d)), d.device.serial_number);
}

TEST_F(MfaDevicesTest, UserWithoutDevicesVerifiesNothing) {
  auto result = identities_.VerifyMfaCode("alice", "123456");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, std::nullopt);
  EXPECT_EQ(identities_.VerifyMfaCode("nobody", "123456").status().code(), Code::kNotFound);
}

TEST_F(MfaDevicesTest, DeactivateThenDelete) {
  NewVirtualMfaDevice d = Create();
  const std::string& serial = d.device.serial_number;
  ASSERT_TRUE(identities_.EnableMfaDevice("alice", serial, Code(d, -1), Code(d)).ok());
  EXPECT_EQ(identities_.DeleteVirtualMfaDevice(serial).code(), Code::kConflict);
  EXPECT_EQ(identities_.DeleteUser("alice").code(), Code::kConflict);
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  EXPECT_EQ(identities_.DeactivateMfaDevice("bob", serial).code(), Code::kNotFound);
  ASSERT_TRUE(identities_.DeactivateMfaDevice("alice", serial).ok());
  EXPECT_TRUE(identities_.ListMfaDevices("alice")->empty());
  auto all = identities_.ListVirtualMfaDevices();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE((*all)[0].user_name.empty());
  EXPECT_FALSE((*all)[0].enable_date.has_value());
  ASSERT_TRUE(identities_.DeleteVirtualMfaDevice(serial).ok());
  EXPECT_EQ(identities_.DeleteVirtualMfaDevice(serial).code(), Code::kNotFound);
  EXPECT_TRUE(identities_.ListVirtualMfaDevices()->empty());
  EXPECT_TRUE(identities_.DeleteUser("alice").ok());
}

TEST_F(MfaDevicesTest, ResyncChecksTheOwnersCodes) {
  NewVirtualMfaDevice d = Create();
  const std::string& serial = d.device.serial_number;
  ASSERT_TRUE(identities_.EnableMfaDevice("alice", serial, Code(d, -1), Code(d)).ok());
  clock_.Advance(std::chrono::seconds(90));
  ASSERT_TRUE(identities_.CreateUser("bob", "/", {}).ok());
  EXPECT_EQ(identities_.ResyncMfaDevice("bob", serial, Code(d, -1), Code(d)).code(),
            Code::kNotFound);
  EXPECT_EQ(identities_.ResyncMfaDevice("alice", serial, Code(d), Code(d, -1)).aws_code(),
            "InvalidAuthenticationCode");
  EXPECT_TRUE(identities_.ResyncMfaDevice("alice", serial, Code(d, -1), Code(d)).ok());
  // The resync codes are spent as well.
  EXPECT_EQ(*identities_.VerifyMfaCode("alice", Code(d)), std::nullopt);
}

TEST_F(MfaDevicesTest, AtMostEightDevicesPerUser) {
  for (int i = 0; i < 9; ++i) {
    NewVirtualMfaDevice d = Create("device-" + std::to_string(i));
    Status s = identities_.EnableMfaDevice("alice", d.device.serial_number, Code(d, -1), Code(d));
    if (i < 8) {
      EXPECT_TRUE(s.ok()) << i << " " << s.ToString();
    } else {
      EXPECT_EQ(s.code(), Code::kLimitExceeded);
    }
  }
  EXPECT_EQ(identities_.ListMfaDevices("alice")->size(), 8u);
}

TEST_F(MfaDevicesTest, DevicesFollowARenamedUser) {
  NewVirtualMfaDevice d = Create();
  ASSERT_TRUE(
      identities_.EnableMfaDevice("alice", d.device.serial_number, Code(d, -1), Code(d)).ok());
  ASSERT_TRUE(identities_.UpdateUser("alice", std::string("alicia"), std::nullopt).ok());
  auto mine = identities_.ListMfaDevices("alicia");
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].user_name, "alicia");
  EXPECT_EQ(*identities_.VerifyMfaCode("alicia", Code(d, 1)), d.device.serial_number);
}

TEST_F(MfaDevicesTest, RootConsoleLoginIsCreatedOnce) {
  ASSERT_TRUE(root_login_.has_value());
  EXPECT_EQ(root_login_->email, "owner@example.com");
  EXPECT_EQ(root_login_->password.size(), 24u);
  EXPECT_EQ(*identities_.RootEmail(), "owner@example.com");
  EXPECT_TRUE(*identities_.CheckRootConsolePassword(root_login_->password));
  EXPECT_FALSE(*identities_.CheckRootConsolePassword(root_login_->password + "x"));
  auto again = identities_.Bootstrap({});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->root_console_login.has_value());  // the password is shown once
  EXPECT_EQ(*identities_.RootEmail(), "owner@example.com");
}

}  // namespace
}  // namespace kiroku::iam
