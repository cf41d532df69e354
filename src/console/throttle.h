// FailureThrottle: counts failed console sign-ins per key (the console uses user name + source
// IP) in a sliding window; once a key reaches the limit it must wait out a cool-down before its
// next attempt is even checked. An attempt takes its place in the count when it is admitted,
// before its password is checked, so parallel attempts cannot get more checks than the limit:
// failures in the window plus attempts being checked never exceed max_failures. State lives in
// memory (a restart forgets it) and is bounded: keys with no recent failure are dropped first.
//
// Thread-safe: every method may be called concurrently; a Ticket belongs to one thread.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/mutex.h"

namespace kiroku::console {

struct ThrottleOptions {
  size_t max_failures = 5;  // failures within `window` that start a cool-down
  std::chrono::seconds window{300};
  std::chrono::seconds cooldown{300};  // counted from the failure that reached the limit
  size_t max_keys = 100000;            // memory bound
};

// How long a client whose key's places are all taken by attempts still being checked is asked
// to wait (a check takes well under a second).
inline constexpr std::chrono::seconds kBusyRetryAfter{1};

class FailureThrottle {
 public:
  // One admitted attempt. It holds one of its key's max_failures places until it ends: Failed
  // (the place becomes a counted failure), Succeeded (the key's failures are forgotten), or
  // destroyed without either (the attempt was not checked, e.g. a store error: nothing counted).
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();
    // Returns true when this failure started a cool-down.
    bool Failed();
    void Succeeded();

   private:
    friend class FailureThrottle;
    Ticket(FailureThrottle* throttle, std::string key)
        : throttle_(throttle), key_(std::move(key)) {}
    FailureThrottle* throttle_;  // null once ended
    std::string key_;
  };

  struct Admission {
    std::optional<Ticket> ticket;         // set when the attempt may be checked
    std::chrono::seconds retry_after{0};  // otherwise: how long to wait (at least 1 s)
  };

  // `clock` must outlive the throttle, and the throttle every Ticket.
  explicit FailureThrottle(const Clock& clock, ThrottleOptions options = {});

  // Admits one attempt for `key`, or says how long it must wait: during a cool-down, or while
  // the key's failures in the window plus its attempts being checked reach max_failures.
  Admission Admit(const std::string& key);
  // How long `key` must still wait for its cool-down to end; zero when none is running.
  std::chrono::seconds RetryAfter(const std::string& key);

 private:
  struct Entry {
    std::deque<TimePoint> failures;  // within the window, oldest first
    TimePoint locked_until{};
    size_t checking = 0;  // admitted attempts not yet ended
    TimePoint touched{};  // last admission
  };
  enum class End { kFailure, kSuccess, kUnchecked };
  // A Ticket's end; true when a cool-down began.
  bool Finish(const std::string& key, End end) EXCLUDES(mu_);
  void Prune(Entry& entry, TimePoint now) const;
  void Evict(TimePoint now) REQUIRES(mu_);  // keeps the map within max_keys

  const Clock& clock_;
  const ThrottleOptions options_;
  Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ GUARDED_BY(mu_);
};

}  // namespace kiroku::console
