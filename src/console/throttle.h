// FailureThrottle: counts failed console sign-ins per key (the console uses user name + source
// IP) in a sliding window; once a key reaches the limit it must wait out a cool-down before its
// next attempt is even checked. State lives in memory (a restart forgets it) and is bounded:
// keys with no recent failure are dropped first.
//
// Thread-safe: every method may be called concurrently.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"

namespace kiroku::console {

struct ThrottleOptions {
  size_t max_failures = 5;               // failures within `window` that start a cool-down
  std::chrono::seconds window{300};
  std::chrono::seconds cooldown{300};    // counted from the failure that reached the limit
  size_t max_keys = 100000;              // memory bound
};

class FailureThrottle {
 public:
  // `clock` must outlive the throttle.
  explicit FailureThrottle(const Clock& clock, ThrottleOptions options = {});

  // How long `key` must still wait before an attempt is checked; zero when it may try now.
  std::chrono::seconds RetryAfter(const std::string& key);
  // Counts a failure; returns true when it started a cool-down.
  bool RecordFailure(const std::string& key);
  // A success forgets the key's failures.
  void RecordSuccess(const std::string& key);

 private:
  struct Entry {
    std::deque<TimePoint> failures;  // within the window, oldest first
    TimePoint locked_until{};
  };
  void Prune(Entry& entry, TimePoint now) const;
  void Evict(TimePoint now);  // keeps the map within max_keys; needs mu_

  const Clock& clock_;
  const ThrottleOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
};

}  // namespace kiroku::console
