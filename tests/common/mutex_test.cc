#include "common/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace kiroku {
namespace {

// The pattern the annotations are for: a counter touched only under its mutex, and a waiter
// that loops over its condition.
class Counter {
 public:
  void Add() {
    MutexLock lock(mu_);
    ++count_;
    changed_.NotifyAll();
  }
  int WaitFor(int target) {
    MutexLock lock(mu_);
    while (count_ < target) changed_.Wait(mu_);
    return count_;
  }
  // Whether `target` was reached before `timeout`.
  bool WaitUntil(int target, std::chrono::milliseconds timeout) {
    MutexLock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (count_ < target && changed_.WaitUntil(mu_, deadline)) {
    }
    return count_ >= target;
  }
  // Drops the lock while `work` runs, as a worker loop does.
  int AddAround(void (*work)()) {
    MutexLock lock(mu_);
    ++count_;
    lock.Unlock();
    work();
    lock.Lock();
    return ++count_;
  }

 private:
  Mutex mu_;
  CondVar changed_;
  int count_ GUARDED_BY(mu_) = 0;
};

TEST(MutexTest, WaitersSeeEveryIncrement) {
  Counter counter;
  std::vector<std::thread> adders;
  for (int i = 0; i < 8; ++i) adders.emplace_back([&counter] { counter.Add(); });
  EXPECT_EQ(counter.WaitFor(8), 8);
  for (std::thread& t : adders) t.join();
}

TEST(MutexTest, WaitUntilGivesUpAtTheDeadline) {
  Counter counter;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(counter.WaitUntil(1, std::chrono::milliseconds(50)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  counter.Add();
  EXPECT_TRUE(counter.WaitUntil(1, std::chrono::milliseconds(0)));
}

TEST(MutexTest, MutexLockRelocks) {
  Counter counter;
  EXPECT_EQ(counter.AddAround([] {}), 2);
}

TEST(MutexTest, TryLockFailsWhileHeld) {
  Mutex mu;
  {
    MutexLock lock(mu);
    std::thread other([&mu] {
      bool got = mu.TryLock();
      if (got) mu.Unlock();
      EXPECT_FALSE(got);
    });
    other.join();
  }
  if (mu.TryLock()) {
    mu.Unlock();
  } else {
    ADD_FAILURE() << "TryLock failed on a free mutex";
  }
}

struct Shared {
  SharedMutex mu;
  int value GUARDED_BY(mu) = 0;
};

TEST(SharedMutexTest, ReadersShareWritersExclude) {
  Shared shared;
  {
    ReaderMutexLock read(shared.mu);
    // A second reader does not wait for the first.
    std::thread other([&shared] {
      ReaderMutexLock also(shared.mu);
      EXPECT_EQ(shared.value, 0);
    });
    other.join();
  }
  {
    WriterMutexLock write(shared.mu);
    shared.value = 1;
  }
  ReaderMutexLock read(shared.mu);
  EXPECT_EQ(shared.value, 1);
}

}  // namespace
}  // namespace kiroku
