#include "console/sessions.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace kiroku::console {
namespace {

ConsoleSession Alice() {
  ConsoleSession s;
  s.account_id = "111122223333";
  s.identity_type = "IAMUser";
  s.user_name = "alice";
  s.region = "ap-northeast-1";
  return s;
}

TEST(SessionTableTest, TokensFindTheirSessionUntilExpiry) {
  kiroku::testing::FakeClock clock;
  SessionTable table(clock);
  std::string token = table.Create(Alice());
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(table.Create(Alice()), token);
  auto found = table.Find(token);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->user_name, "alice");
  EXPECT_EQ(found->expires - found->created, kSessionLifetime);
  EXPECT_FALSE(table.Find(token.substr(1)).has_value());
  EXPECT_FALSE(table.Find("").has_value());
  clock.Advance(kSessionLifetime - std::chrono::seconds(1));
  EXPECT_TRUE(table.Find(token).has_value());
  clock.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(table.Find(token).has_value());
}

TEST(SessionTableTest, RemoveEndsTheSession) {
  kiroku::testing::FakeClock clock;
  SessionTable table(clock);
  std::string token = table.Create(Alice());
  table.Remove(token);
  EXPECT_FALSE(table.Find(token).has_value());
}

TEST(SessionTableTest, AtMostMaxSessionsLive) {
  kiroku::testing::FakeClock clock;
  SessionTable table(clock, std::chrono::hours(1), 2);
  std::string first = table.Create(Alice());
  clock.Advance(std::chrono::seconds(1));
  std::string second = table.Create(Alice());
  clock.Advance(std::chrono::seconds(1));
  std::string third = table.Create(Alice());
  EXPECT_FALSE(table.Find(first).has_value());  // closest to expiry
  EXPECT_TRUE(table.Find(second).has_value());
  EXPECT_TRUE(table.Find(third).has_value());
}

}  // namespace
}  // namespace kiroku::console
