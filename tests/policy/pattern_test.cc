#include "policy/pattern.h"

#include <gtest/gtest.h>

#include <string_view>
#include <tuple>

#include "policy/values.h"

namespace kiroku::policy {
namespace {

TEST(policy_PatternTest, GlobMatching) {
  const std::tuple<std::string_view, std::string_view, bool> cases[] = {
      {"*", "", true},
      {"*", "anything", true},
      {"abc", "abc", true},
      {"abc", "abcd", false},
      {"a*", "a", true},
      {"a*", "b", false},
      {"a?c", "abc", true},
      {"a?c", "ac", false},
      {"*AccessKey*", "ListAccessKeys", true},
      {"*AccessKey*", "CreateUser", false},
      {"a*b*c", "aXXbYYbZZc", true},
      {"a*b*c", "aXXbYYc", true},
      {"a*b*c", "aXXcYYb", false},
      {"**x", "x", true},
      {"*/test/*", "1/2/test/3", true},
      {"*/test/*", "1-test/3", false},
      {"?*", "", false},
      {"*aaa*", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true},
      {"a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
  };
  for (const auto& [pattern, text, want] : cases) {
    EXPECT_EQ(Pattern::FromGlob(pattern).Matches(text), want) << pattern << " vs " << text;
  }
}

TEST(policy_PatternTest, IgnoreCaseNeedsLowerCasePattern) {
  Pattern p = Pattern::FromGlob("IAM:List*Keys");
  p.LowerCase();
  EXPECT_TRUE(p.Matches("iam:ListAccessKeys", true));
  EXPECT_FALSE(p.Matches("iam:ListAccessKeys", false));
}

TEST(policy_PatternTest, LiteralPiecesAreNotWildcards) {
  Pattern p = Pattern::FromLiteral("build*");
  EXPECT_TRUE(p.Matches("build*"));
  EXPECT_FALSE(p.Matches("build-1"));
  p.AppendStar();
  EXPECT_TRUE(p.Matches("build*-1"));
  EXPECT_FALSE(p.Matches("build-1"));
}

TEST(policy_PatternTest, ArnPartsAreMatchedSeparately) {
  const std::tuple<std::string_view, std::string_view, bool> cases[] = {
      {"arn:aws:sns:*:111122223333:*", "arn:aws:sns:us-east-1:111122223333:t", true},
      {"arn:aws:sns:*:111122223333:*", "arn:aws:sns:us-east-1:999:111122223333:t", false},
      {"arn:aws:logs:*:*:log-group:g:*", "arn:aws:logs:r:1:log-group:g:log-stream:s", true},
      {"arn:aws:s3:::b/*", "arn:aws:s3:::b/x/y", true},
      {"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
      {"arn:*", "arn:aws:s3:::b", true},  // fewer than five colons: whole-string match
      {"arn:aws:s3:::b", "*", false},
  };
  for (const auto& [pattern, text, want] : cases) {
    EXPECT_EQ(Pattern::FromGlob(pattern).MatchesArn(text), want) << pattern << " vs " << text;
  }
}

TEST(policy_ValuesTest, Dates) {
  EXPECT_EQ(ParseDateMillis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseDateMillis("1970-01-02"), 86400000);
  EXPECT_EQ(ParseDateMillis("2020-04-01T09:00:00+09:00"), ParseDateMillis("2020-04-01T00:00:00Z"));
  EXPECT_EQ(ParseDateMillis("2020-04-01T00:00:00-0130"), ParseDateMillis("2020-04-01T01:30:00Z"));
  EXPECT_EQ(ParseDateMillis("2020-01-01T00:00:00.250Z").value() % 1000, 250);
  EXPECT_EQ(ParseDateMillis("1600000000"), 1600000000000);
  EXPECT_EQ(ParseDateMillis("2024-02-29T12:00:00Z"), 1709208000000);
  EXPECT_EQ(ParseDateMillis("2020"), 2020000);  // digits only: epoch seconds
  for (std::string_view bad : {"", "2020-1-01", "2020-01-01T", "2020-01-01T25:00:00Z",
                               "2020-01-01T00:00:00+", "2020-01-01X", "tomorrow", "-"}) {
    EXPECT_FALSE(ParseDateMillis(bad).has_value()) << bad;
  }
}

TEST(policy_ValuesTest, Numbers) {
  EXPECT_EQ(ParseNumber("10"), 10.0);
  EXPECT_EQ(ParseNumber("-1.5"), -1.5);
  EXPECT_EQ(ParseNumber("+3e2"), 300.0);
  for (std::string_view bad : {"", "1x", "ten", "1 ", "inf", "nan"}) {
    EXPECT_FALSE(ParseNumber(bad).has_value()) << bad;
  }
}

TEST(policy_ValuesTest, IpNetworks) {
  auto contains = [](std::string_view net, std::string_view ip) {
    return ParseIpNet(net)->Contains(*ParseIpNet(ip));
  };
  EXPECT_TRUE(contains("203.0.113.0/24", "203.0.113.255"));
  EXPECT_FALSE(contains("203.0.113.0/24", "203.0.114.0"));
  EXPECT_TRUE(contains("0.0.0.0/0", "198.51.100.1"));
  EXPECT_TRUE(contains("10.0.0.1", "10.0.0.1"));
  EXPECT_FALSE(contains("10.0.0.1", "10.0.0.2"));
  EXPECT_TRUE(contains("2001:DB8::/32", "2001:db8:ffff::1"));
  EXPECT_FALSE(contains("2001:db8::/32", "2001:db9::1"));
  EXPECT_FALSE(contains("::/0", "10.0.0.1"));  // families never mix
  for (std::string_view bad : {"", "10.0.0", "10.0.0.0/", "10.0.0.0/x", "::1/129", "1.2.3.4/33"}) {
    EXPECT_FALSE(ParseIpNet(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace kiroku::policy
