#include "console/throttle.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "testing/fake_clock.h"

namespace kiroku::console {
namespace {

using std::chrono::seconds;

class ThrottleTest : public ::testing::Test {
 protected:
  // Admits one attempt for `key` and ends it as a failure; returns whether a cool-down began.
  // Fails the test when the attempt is not admitted.
  bool Fail(FailureThrottle& throttle, const std::string& key) {
    FailureThrottle::Admission a = throttle.Admit(key);
    EXPECT_TRUE(a.ticket.has_value()) << key;
    return a.ticket ? a.ticket->Failed() : false;
  }
  bool Fail(const std::string& key) { return Fail(throttle_, key); }
  bool Admitted(const std::string& key) { return throttle_.Admit(key).ticket.has_value(); }

  kiroku::testing::FakeClock clock_;
  FailureThrottle throttle_{clock_, ThrottleOptions{5, seconds(300), seconds(300), 1000}};
};

TEST_F(ThrottleTest, FifthFailureInTheWindowStartsACoolDown) {
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(Fail("alice\n10.0.0.1"));
    EXPECT_EQ(throttle_.RetryAfter("alice\n10.0.0.1"), seconds(0));
    clock_.Advance(seconds(10));
  }
  EXPECT_TRUE(Fail("alice\n10.0.0.1"));
  EXPECT_EQ(throttle_.RetryAfter("alice\n10.0.0.1"), seconds(300));
  FailureThrottle::Admission refused = throttle_.Admit("alice\n10.0.0.1");
  EXPECT_FALSE(refused.ticket.has_value());
  EXPECT_EQ(refused.retry_after, seconds(300));
  // Other users and other addresses are not affected.
  EXPECT_TRUE(Admitted("alice\n10.0.0.2"));
  EXPECT_TRUE(Admitted("bob\n10.0.0.1"));
  clock_.Advance(seconds(299));
  EXPECT_EQ(throttle_.Admit("alice\n10.0.0.1").retry_after, seconds(1));
  clock_.Advance(seconds(1));
  EXPECT_EQ(throttle_.RetryAfter("alice\n10.0.0.1"), seconds(0));
  // The count restarted: one more failure does not lock again.
  EXPECT_FALSE(Fail("alice\n10.0.0.1"));
}

TEST_F(ThrottleTest, AttemptsBeingCheckedTakeTheirPlaceBeforeTheCheck) {
  // Five attempts admitted at once (none ended yet): the sixth waits, before any failure.
  std::vector<FailureThrottle::Ticket> checking;
  for (int i = 0; i < 5; ++i) {
    FailureThrottle::Admission a = throttle_.Admit("k");
    ASSERT_TRUE(a.ticket.has_value()) << i;
    checking.push_back(std::move(*a.ticket));
  }
  FailureThrottle::Admission sixth = throttle_.Admit("k");
  EXPECT_FALSE(sixth.ticket.has_value());
  EXPECT_EQ(sixth.retry_after, kBusyRetryAfter);
  EXPECT_TRUE(Admitted("other-key"));
  // They fail: the fifth failure starts the cool-down.
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(checking[i].Failed());
  EXPECT_TRUE(checking[4].Failed());
  EXPECT_EQ(throttle_.Admit("k").retry_after, seconds(300));
}

TEST_F(ThrottleTest, AnUncheckedAttemptFreesItsPlaceAndCountsNothing) {
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(Fail("k"));
  {
    FailureThrottle::Admission a = throttle_.Admit("k");
    ASSERT_TRUE(a.ticket.has_value());
    EXPECT_FALSE(throttle_.Admit("k").ticket.has_value());  // 4 failures + 1 being checked
  }                        // destroyed without Failed/Succeeded: e.g. a store error
  EXPECT_TRUE(Fail("k"));  // the fifth failure, not the sixth
}

TEST_F(ThrottleTest, ParallelAttemptsGetAtMostTheLimitOfChecks) {
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 30; ++i) {
    threads.emplace_back([&] {
      FailureThrottle::Admission a = throttle_.Admit("alice\n10.0.0.1");
      if (!a.ticket) {
        ++refused;
        return;
      }
      ++admitted;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the password check
      a.ticket->Failed();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(admitted.load(), 5);
  EXPECT_EQ(admitted.load() + refused.load(), 30);
}

TEST_F(ThrottleTest, OldFailuresLeaveTheWindow) {
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(Fail("k"));
  clock_.Advance(seconds(300));
  EXPECT_FALSE(Fail("k"));  // the first four are out of the window
  EXPECT_EQ(throttle_.RetryAfter("k"), seconds(0));
}

TEST_F(ThrottleTest, SuccessForgetsFailures) {
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(Fail("k"));
  FailureThrottle::Admission a = throttle_.Admit("k");
  ASSERT_TRUE(a.ticket.has_value());
  a.ticket->Succeeded();
  a.ticket->Succeeded();  // a ticket ends once
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(Fail("k"));
  EXPECT_TRUE(Fail("k"));
}

TEST_F(ThrottleTest, KeysAreBounded) {
  FailureThrottle small(clock_, ThrottleOptions{2, seconds(300), seconds(300), 3});
  EXPECT_FALSE(Fail(small, "a"));
  EXPECT_TRUE(Fail(small, "a"));  // locked
  EXPECT_FALSE(Fail(small, "b"));
  EXPECT_FALSE(Fail(small, "c"));
  clock_.Advance(seconds(1));
  EXPECT_FALSE(Fail(small, "d"));               // evicts the oldest active key
  EXPECT_GT(small.RetryAfter("a").count(), 0);  // "a" was the newest by its lock
}

TEST_F(ThrottleTest, AKeyEvictedWhileBeingCheckedStillCountsItsFailure) {
  FailureThrottle small(clock_, ThrottleOptions{2, seconds(300), seconds(300), 1});
  EXPECT_FALSE(Fail(small, "a"));
  FailureThrottle::Admission a = small.Admit("a");
  ASSERT_TRUE(a.ticket.has_value());
  clock_.Advance(seconds(1));
  EXPECT_FALSE(Fail(small, "b"));    // the map holds one key: "a" is dropped
  EXPECT_FALSE(a.ticket->Failed());  // counted again from zero, no crash
}

}  // namespace
}  // namespace kiroku::console
