#include "console/sign_in.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "common/encoding.h"
#include "crypto/totp.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"
#include "trail/event_history.h"

namespace kiroku::console {
namespace {

namespace json = boost::json;
constexpr std::string_view kAccount = "111122223333";
constexpr std::string_view kPassword = "Example-Passw0rd!";

class SignInTest : public ::testing::Test {
 protected:
  SignInTest()
      : db_(*store::RocksStore::Open(dir_.path() + "/db", {"meta", "history"})),
        master_(crypto::SecretBytes::Random(32)),
        identities_(*db_, master_, clock_),
        history_(*db_, clock_),
        recorder_(*db_, history_, nullptr) {
    iam::BootstrapOptions options;
    options.account_id = std::string(kAccount);
    options.root_email = "Owner@Example.com";
    root_password_ = identities_.Bootstrap(options)->root_console_login->password;
    KIROKU_CHECK(identities_.CreateUser("console-user", "/", {}).ok());
    KIROKU_CHECK(identities_.CreateLoginProfile("console-user", kPassword, false).ok());
    sign_in_ = std::make_unique<SignIn>(identities_, recorder_, clock_);
  }

  SignInResult Attempt(std::string username, std::string password, std::string region,
                       std::string mfa_code = "", std::string ip = "203.0.113.10") {
    SignInRequest request{std::move(username), std::move(password), std::move(mfa_code),
                          std::move(region),   std::move(ip),       "Mozilla/5.0 (test)"};
    Result<SignInResult> result = sign_in_->Attempt(request);
    KIROKU_CHECK(result.ok());
    clock_.Advance(std::chrono::milliseconds(1));  // history orders records by millisecond
    return *result;
  }

  // The ConsoleLogin records of `region`, newest first.
  std::vector<json::object> Records(std::string region) {
    recorder_.Flush();
    trail::LookupQuery q;
    q.account_id = std::string(kAccount);
    q.region = std::move(region);
    q.attribute = std::make_pair(std::string("EventName"), std::string("ConsoleLogin"));
    auto page = history_.Lookup(q);
    KIROKU_CHECK(page.ok());
    return page->records;
  }

  static std::string Str(const json::value& v, std::string_view key) {
    const json::value* member = v.as_object().if_contains(key);
    return member != nullptr && member->is_string() ? std::string(member->as_string()) : "<absent>";
  }

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  kiroku::testing::FakeClock clock_;
  iam::IdentityStore identities_;
  trail::EventHistory history_;
  trail::Recorder recorder_;
  std::unique_ptr<SignIn> sign_in_;
  std::string root_password_;
};

TEST_F(SignInTest, IamUserSuccessIsRecordedInTheRequestedRegion) {
  SignInResult result = Attempt("console-user", std::string(kPassword), "ap-northeast-3");
  ASSERT_EQ(result.outcome, SignInOutcome::kSuccess);
  EXPECT_EQ(result.session.user_name, "console-user");
  EXPECT_EQ(result.session.region, "ap-northeast-3");
  iam::User user = *identities_.GetUser("console-user");

  auto records = Records("ap-northeast-3");
  ASSERT_EQ(records.size(), 1u);
  const json::object& r = records[0];
  EXPECT_EQ(Str(r, "eventID"), result.event_id);
  EXPECT_EQ(Str(r, "eventSource"), "signin.amazonaws.com");
  EXPECT_EQ(Str(r, "eventName"), "ConsoleLogin");
  EXPECT_EQ(Str(r, "eventType"), "AwsConsoleSignIn");
  EXPECT_EQ(Str(r, "eventCategory"), "Management");
  EXPECT_EQ(Str(r, "awsRegion"), "ap-northeast-3");
  EXPECT_EQ(Str(r, "sourceIPAddress"), "203.0.113.10");
  EXPECT_EQ(Str(r, "userAgent"), "Mozilla/5.0 (test)");
  EXPECT_EQ(Str(r, "recipientAccountId"), kAccount);
  EXPECT_TRUE(r.at("requestParameters").is_null());
  EXPECT_EQ(r.at("responseElements"), (json::object{{"ConsoleLogin", "Success"}}));
  EXPECT_EQ(r.at("additionalEventData"),
            (json::object{{"LoginTo",
                           "https://ap-northeast-3.console.aws.amazon.com/console/home?region="
                           "ap-northeast-3&state=hashArgs%23&isauthcode=true"},
                          {"MobileVersion", "No"},
                          {"MFAUsed", "No"}}));
  EXPECT_EQ(r.at("readOnly"), false);
  EXPECT_EQ(r.at("managementEvent"), true);
  EXPECT_FALSE(r.contains("requestID"));
  EXPECT_FALSE(r.contains("errorMessage"));
  EXPECT_EQ(r.at("userIdentity"), (json::object{{"type", "IAMUser"},
                                                {"principalId", user.id},
                                                {"arn", user.arn},
                                                {"accountId", kAccount},
                                                {"userName", "console-user"}}));
  EXPECT_TRUE(Records("us-east-1").empty());
}

TEST_F(SignInTest, WrongPasswordIsAFailureWithoutArn) {
  SignInResult result = Attempt("console-user", "wrong-password", "ap-northeast-1");
  EXPECT_EQ(result.outcome, SignInOutcome::kFailure);
  auto records = Records("ap-northeast-1");
  ASSERT_EQ(records.size(), 1u);
  const json::object& r = records[0];
  EXPECT_EQ(Str(r, "errorMessage"), "Failed authentication");
  EXPECT_EQ(r.at("responseElements"), (json::object{{"ConsoleLogin", "Failure"}}));
  const json::object& id = r.at("userIdentity").as_object();
  EXPECT_FALSE(id.contains("arn"));
  EXPECT_EQ(Str(id, "accessKeyId"), "");
  EXPECT_EQ(Str(id, "userName"), "console-user");
  EXPECT_EQ(Str(id, "principalId"), identities_.GetUser("console-user")->id);
}

TEST_F(SignInTest, UnknownUserNameIsHidden) {
  EXPECT_EQ(Attempt("nobody", "whatever", "ap-northeast-1").outcome, SignInOutcome::kFailure);
  auto records = Records("ap-northeast-1");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(Str(records[0], "errorMessage"), "No username found in supplied account");
  const json::object& id = records[0].at("userIdentity").as_object();
  EXPECT_EQ(Str(id, "userName"), "HIDDEN_DUE_TO_SECURITY_REASONS");
  EXPECT_EQ(Str(id, "type"), "IAMUser");
  EXPECT_FALSE(id.contains("arn"));
}

TEST_F(SignInTest, UserWithoutLoginProfileCannotSignIn) {
  ASSERT_TRUE(identities_.CreateUser("api-only", "/", {}).ok());
  EXPECT_EQ(Attempt("api-only", "", "us-west-2").outcome, SignInOutcome::kFailure);
  EXPECT_EQ(Str(Records("us-west-2")[0], "errorMessage"), "Failed authentication");
}

TEST_F(SignInTest, RootSignsInByEmailAndIsRecordedInUsEast1) {
  ASSERT_TRUE(identities_.CreateAccountAlias("my-company-alias").ok());
  SignInResult result = Attempt("owner@example.COM", root_password_, "ap-northeast-1");
  ASSERT_EQ(result.outcome, SignInOutcome::kSuccess);
  EXPECT_EQ(result.session.identity_type, "Root");
  EXPECT_TRUE(Records("ap-northeast-1").empty());
  auto records = Records("us-east-1");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("userIdentity"), (json::object{{"type", "Root"},
                                                         {"principalId", kAccount},
                                                         {"arn", "arn:aws:iam::111122223333:root"},
                                                         {"accountId", kAccount},
                                                         {"accessKeyId", ""},
                                                         {"userName", "my-company-alias"}}));
  EXPECT_EQ(Str(records[0], "awsRegion"), "us-east-1");

  EXPECT_EQ(Attempt("owner@example.com", "wrong", "ap-northeast-1").outcome,
            SignInOutcome::kFailure);
  records = Records("us-east-1");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(Str(records[0], "errorMessage"), "Failed authentication");
  EXPECT_EQ(Str(records[0].at("userIdentity"), "type"), "Root");
}

TEST_F(SignInTest, UserWithMfaNeedsAValidUnusedCode) {
  auto device = identities_.CreateVirtualMfaDevice("console-user-phone", "/", {});
  ASSERT_TRUE(device.ok());
  std::string seed = *Base32Decode(device->base32_seed);
  uint64_t step = crypto::TotpStep(clock_.Now());
  ASSERT_TRUE(identities_
                  .EnableMfaDevice("console-user", device->device.serial_number,
                                   crypto::Hotp(seed, step - 1), crypto::Hotp(seed, step))
                  .ok());
  clock_.Advance(std::chrono::seconds(30));
  std::string code = crypto::Totp(seed, clock_.Now());
  std::string wrong = code == "000000" ? "111111" : "000000";

  EXPECT_EQ(Attempt("console-user", std::string(kPassword), "ap-northeast-1").outcome,
            SignInOutcome::kFailure);
  EXPECT_EQ(Attempt("console-user", std::string(kPassword), "ap-northeast-1", wrong).outcome,
            SignInOutcome::kFailure);
  SignInResult ok = Attempt("console-user", std::string(kPassword), "ap-northeast-1", code);
  ASSERT_EQ(ok.outcome, SignInOutcome::kSuccess);
  EXPECT_EQ(ok.session.mfa_serial_number, device->device.serial_number);
  // The code is spent.
  EXPECT_EQ(Attempt("console-user", std::string(kPassword), "ap-northeast-1", code).outcome,
            SignInOutcome::kFailure);

  auto records = Records("ap-northeast-1");  // newest first
  ASSERT_EQ(records.size(), 4u);
  const json::object& success = records[1];
  EXPECT_EQ(Str(success.at("responseElements"), "ConsoleLogin"), "Success");
  EXPECT_EQ(Str(success.at("additionalEventData"), "MFAUsed"), "Yes");
  EXPECT_EQ(Str(success.at("additionalEventData"), "MFAIdentifier"), device->device.serial_number);
  EXPECT_EQ(Str(records[2].at("additionalEventData"), "MFAUsed"), "Yes");  // wrong code
  EXPECT_EQ(Str(records[3].at("additionalEventData"), "MFAUsed"), "No");   // no code
  EXPECT_EQ(Str(records[3], "errorMessage"), "Failed authentication");
  EXPECT_FALSE(records[2].at("additionalEventData").as_object().contains("MFAIdentifier"));
}

TEST_F(SignInTest, RepeatedFailuresAreThrottledPerUserAndAddress) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Attempt("console-user", "wrong", "ap-northeast-1").outcome, SignInOutcome::kFailure);
  }
  SignInResult throttled = Attempt("console-user", std::string(kPassword), "ap-northeast-1");
  EXPECT_EQ(throttled.outcome, SignInOutcome::kThrottled);
  EXPECT_EQ(throttled.retry_after, std::chrono::seconds(300));
  EXPECT_TRUE(throttled.event_id.empty());
  EXPECT_EQ(Records("ap-northeast-1").size(), 5u);  // the throttled attempt is not recorded
  // Another address, or the same address for another user, is not throttled.
  EXPECT_EQ(
      Attempt("console-user", std::string(kPassword), "ap-northeast-1", "", "198.51.100.7").outcome,
      SignInOutcome::kSuccess);
  EXPECT_EQ(Attempt("nobody", "x", "ap-northeast-1").outcome, SignInOutcome::kFailure);
  clock_.Advance(std::chrono::seconds(300));
  EXPECT_EQ(Attempt("console-user", std::string(kPassword), "ap-northeast-1").outcome,
            SignInOutcome::kSuccess);
}

TEST_F(SignInTest, ParallelWrongPasswordsGetAtMostFiveChecks) {
  // Issue 15 item 9: the attempt is counted before its password is checked, so 30 attempts at
  // once cannot all pass the throttle while the first checks are still running.
  std::vector<SignInOutcome> outcomes(30);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    threads.emplace_back([&, i] {
      SignInRequest request{"console-user", "wrong-" + std::to_string(i), "", "ap-northeast-1",
                            "203.0.113.10", "Mozilla/5.0 (test)"};
      Result<SignInResult> result = sign_in_->Attempt(request);
      KIROKU_CHECK(result.ok());
      outcomes[i] = result->outcome;
    });
  }
  for (std::thread& t : threads) t.join();
  size_t failures = std::count(outcomes.begin(), outcomes.end(), SignInOutcome::kFailure);
  size_t throttled = std::count(outcomes.begin(), outcomes.end(), SignInOutcome::kThrottled);
  EXPECT_LE(failures, 5u);
  EXPECT_GE(failures, 1u);
  EXPECT_EQ(failures + throttled, outcomes.size());
  EXPECT_EQ(Records("ap-northeast-1").size(), failures);  // only checked attempts are recorded
}

TEST_F(SignInTest, PasswordResetRequiredStillSignsIn) {
  ASSERT_TRUE(identities_.UpdateLoginProfile("console-user", std::nullopt, true).ok());
  SignInResult result = Attempt("console-user", std::string(kPassword), "eu-west-1");
  ASSERT_EQ(result.outcome, SignInOutcome::kSuccess);
  EXPECT_TRUE(result.session.password_reset_required);
}

TEST(RegionNameTest, AcceptsAwsRegionShapesOnly) {
  for (std::string_view good : {"us-east-1", "ap-northeast-3", "us-gov-west-1", "eu-central-2",
                                "cn-northwest-1", "il-central-1"}) {
    EXPECT_TRUE(IsRegionName(good)) << good;
  }
  for (std::string_view bad :
       {"", "us-east", "useast1", "US-EAST-1", "us-east-1a", "u-east-1", "us--1", "us-east-",
        "-us-east-1", "us-east-1/../x", "us-east-1<script>"}) {
    EXPECT_FALSE(IsRegionName(bad)) << bad;
  }
}

}  // namespace
}  // namespace kiroku::console
