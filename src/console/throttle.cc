#include "console/throttle.h"

#include <algorithm>

namespace kiroku::console {

FailureThrottle::FailureThrottle(const Clock& clock, ThrottleOptions options)
    : clock_(clock), options_(options) {}

void FailureThrottle::Prune(Entry& entry, TimePoint now) const {
  while (!entry.failures.empty() && now - entry.failures.front() >= options_.window) {
    entry.failures.pop_front();
  }
}

std::chrono::seconds FailureThrottle::RetryAfter(const std::string& key) {
  TimePoint now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until <= now) return std::chrono::seconds(0);
  // Round up: a client told "0" would retry while still locked.
  auto left = std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
  return std::max(left, std::chrono::seconds(1));
}

bool FailureThrottle::RecordFailure(const std::string& key) {
  TimePoint now = clock_.Now();
  std::lock_guard lock(mu_);
  if (entries_.size() >= options_.max_keys && !entries_.contains(key)) Evict(now);
  Entry& entry = entries_[key];
  Prune(entry, now);
  entry.failures.push_back(now);
  if (entry.failures.size() < options_.max_failures) return false;
  entry.failures.clear();  // the cool-down answers for these; afterwards the count restarts
  entry.locked_until = now + options_.cooldown;
  return true;
}

void FailureThrottle::RecordSuccess(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

void FailureThrottle::Evict(TimePoint now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    Prune(it->second, now);
    bool idle = it->second.failures.empty() && it->second.locked_until <= now;
    it = idle ? entries_.erase(it) : std::next(it);
  }
  // Still full of active keys (a flood from many addresses): drop the oldest ones. Throttling of
  // a dropped key restarts from zero, which only costs the attacker's own keys their history.
  while (entries_.size() >= options_.max_keys) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      TimePoint ta = a.second.failures.empty() ? a.second.locked_until : a.second.failures.back();
      TimePoint tb = b.second.failures.empty() ? b.second.locked_until : b.second.failures.back();
      return ta < tb;
    });
    entries_.erase(oldest);
  }
}

}  // namespace kiroku::console
