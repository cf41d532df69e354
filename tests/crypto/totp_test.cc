#include "crypto/totp.h"

#include <gtest/gtest.h>

namespace kiroku::crypto {
namespace {

constexpr std::string_view kRfcKey = "12345678901234567890";  // RFC 4226/6238 SHA-1 secret

TimePoint At(int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

TEST(TotpTest, HotpMatchesRfc4226AppendixD) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(Hotp(kRfcKey, counter), expected[counter]) << counter;
  }
}

TEST(TotpTest, TotpMatchesRfc6238AppendixBSha1) {
  const std::pair<int64_t, std::string_view> cases[] = {{59, "94287082"},
                                                        {1111111109, "07081804"},
                                                        {1111111111, "14050471"},
                                                        {1234567890, "89005924"},
                                                        {2000000000, "69279037"}};
  for (const auto& [seconds, code] : cases) {
    EXPECT_EQ(Totp(kRfcKey, At(seconds), 8), code) << seconds;
  }
  // T = 20000000000 is past what a nanosecond system_clock can hold: check its step directly.
  EXPECT_EQ(Hotp(kRfcKey, 20000000000 / 30, 8), "65353130");
}

TEST(TotpTest, StepsAreThirtySeconds) {
  EXPECT_EQ(TotpStep(At(0)), 0u);
  EXPECT_EQ(TotpStep(At(29)), 0u);
  EXPECT_EQ(TotpStep(At(30)), 1u);
  EXPECT_EQ(TotpStep(At(1111111109)), 37037036u);
  EXPECT_EQ(TotpStep(At(-5)), 0u);
}

TEST(TotpTest, MatchAcceptsOneStepEitherSide) {
  SecretBytes key(kRfcKey);
  TimePoint now = At(1'800'000'000);
  uint64_t step = TotpStep(now);
  EXPECT_EQ(MatchTotp(key, Hotp(kRfcKey, step), now), step);
  EXPECT_EQ(MatchTotp(key, Hotp(kRfcKey, step - 1), now), step - 1);
  EXPECT_EQ(MatchTotp(key, Hotp(kRfcKey, step + 1), now), step + 1);
  EXPECT_EQ(MatchTotp(key, Hotp(kRfcKey, step - 2), now), std::nullopt);
  EXPECT_EQ(MatchTotp(key, Hotp(kRfcKey, step + 2), now), std::nullopt);
  EXPECT_EQ(MatchTotp(key, Hotp(kRfcKey, step + 2), now, 2), step + 2);
}

TEST(TotpTest, MatchRejectsMalformedCodes) {
  SecretBytes key(kRfcKey);
  TimePoint now = At(1'800'000'000);
  std::string good = Totp(kRfcKey, now);
  std::string spaced = good;
  spaced[0] = ' ';
  for (const std::string& bad :
       {std::string(), good.substr(0, 5), good + "0", std::string("12a456"), spaced}) {
    EXPECT_EQ(MatchTotp(key, bad, now), std::nullopt) << bad;
  }
  // A different key does not produce the code (with overwhelming probability for 3 steps).
  EXPECT_EQ(MatchTotp(SecretBytes(std::string_view("another secret key!!")), good, now),
            std::nullopt);
}

}  // namespace
}  // namespace kiroku::crypto
