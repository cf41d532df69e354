#include "console/throttle.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace kiroku::console {
namespace {

using std::chrono::seconds;

class ThrottleTest : public ::testing::Test {
 protected:
  kiroku::testing::FakeClock clock_;
  FailureThrottle throttle_{clock_, ThrottleOptions{5, seconds(300), seconds(300), 1000}};
};

TEST_F(ThrottleTest, FifthFailureInTheWindowStartsACoolDown) {
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(throttle_.RecordFailure("alice\n10.0.0.1"));
    EXPECT_EQ(throttle_.RetryAfter("alice\n10.0.0.1"), seconds(0));
    clock_.Advance(seconds(10));
  }
  EXPECT_TRUE(throttle_.RecordFailure("alice\n10.0.0.1"));
  EXPECT_EQ(throttle_.RetryAfter("alice\n10.0.0.1"), seconds(300));
  // Other users and other addresses are not affected.
  EXPECT_EQ(throttle_.RetryAfter("alice\n10.0.0.2"), seconds(0));
  EXPECT_EQ(throttle_.RetryAfter("bob\n10.0.0.1"), seconds(0));
  clock_.Advance(seconds(299));
  EXPECT_EQ(throttle_.RetryAfter("alice\n10.0.0.1"), seconds(1));
  clock_.Advance(seconds(1));
  EXPECT_EQ(throttle_.RetryAfter("alice\n10.0.0.1"), seconds(0));
  // The count restarted: one more failure does not lock again.
  EXPECT_FALSE(throttle_.RecordFailure("alice\n10.0.0.1"));
}

TEST_F(ThrottleTest, OldFailuresLeaveTheWindow) {
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(throttle_.RecordFailure("k"));
  clock_.Advance(seconds(300));
  EXPECT_FALSE(throttle_.RecordFailure("k"));  // the first four are out of the window
  EXPECT_EQ(throttle_.RetryAfter("k"), seconds(0));
}

TEST_F(ThrottleTest, SuccessForgetsFailures) {
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(throttle_.RecordFailure("k"));
  throttle_.RecordSuccess("k");
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(throttle_.RecordFailure("k"));
  EXPECT_TRUE(throttle_.RecordFailure("k"));
}

TEST_F(ThrottleTest, KeysAreBounded) {
  FailureThrottle small(clock_, ThrottleOptions{2, seconds(300), seconds(300), 3});
  EXPECT_FALSE(small.RecordFailure("a"));
  EXPECT_TRUE(small.RecordFailure("a"));  // locked
  EXPECT_FALSE(small.RecordFailure("b"));
  EXPECT_FALSE(small.RecordFailure("c"));
  clock_.Advance(seconds(1));
  EXPECT_FALSE(small.RecordFailure("d"));  // evicts the oldest active key
  EXPECT_GT(small.RetryAfter("a").count(), 0);  // "a" was the newest by its lock
}

}  // namespace
}  // namespace kiroku::console
