#include "console/throttle.h"

#include <algorithm>
#include <utility>

namespace kiroku::console {

FailureThrottle::Ticket::Ticket(Ticket&& other) noexcept
    : throttle_(std::exchange(other.throttle_, nullptr)), key_(std::move(other.key_)) {}

FailureThrottle::Ticket::~Ticket() {
  if (throttle_ != nullptr) throttle_->Finish(key_, End::kUnchecked);
}

bool FailureThrottle::Ticket::Failed() {
  if (throttle_ == nullptr) return false;
  return std::exchange(throttle_, nullptr)->Finish(key_, End::kFailure);
}

void FailureThrottle::Ticket::Succeeded() {
  if (throttle_ != nullptr) std::exchange(throttle_, nullptr)->Finish(key_, End::kSuccess);
}

FailureThrottle::FailureThrottle(const Clock& clock, ThrottleOptions options)
    : clock_(clock), options_(options) {}

void FailureThrottle::Prune(Entry& entry, TimePoint now) const {
  while (!entry.failures.empty() && now - entry.failures.front() >= options_.window) {
    entry.failures.pop_front();
  }
}

FailureThrottle::Admission FailureThrottle::Admit(const std::string& key) {
  TimePoint now = clock_.Now();
  Admission admission;
  MutexLock lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    Entry& entry = it->second;
    if (entry.locked_until > now) {
      // Round up: a client told "0" would retry while still locked.
      auto left = std::chrono::ceil<std::chrono::seconds>(entry.locked_until - now);
      admission.retry_after = std::max(left, std::chrono::seconds(1));
      return admission;
    }
    Prune(entry, now);
    if (entry.failures.size() + entry.checking >= options_.max_failures) {
      admission.retry_after = kBusyRetryAfter;
      return admission;
    }
  } else if (entries_.size() >= options_.max_keys) {
    Evict(now);
  }
  Entry& entry = entries_[key];
  ++entry.checking;
  entry.touched = now;
  admission.ticket.emplace(Ticket(this, key));
  return admission;
}

std::chrono::seconds FailureThrottle::RetryAfter(const std::string& key) {
  TimePoint now = clock_.Now();
  MutexLock lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until <= now) return std::chrono::seconds(0);
  auto left = std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
  return std::max(left, std::chrono::seconds(1));
}

bool FailureThrottle::Finish(const std::string& key, End end) {
  TimePoint now = clock_.Now();
  MutexLock lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    // Evicted while being checked (a flood filled the map): only a failure is worth a new entry.
    if (end != End::kFailure) return false;
    if (entries_.size() >= options_.max_keys) Evict(now);
    it = entries_.emplace(key, Entry{}).first;
  }
  Entry& entry = it->second;
  if (entry.checking > 0) --entry.checking;
  switch (end) {
    case End::kUnchecked:
      break;
    case End::kSuccess:
      entry.failures.clear();
      entry.locked_until = TimePoint{};
      break;
    case End::kFailure:
      Prune(entry, now);
      entry.failures.push_back(now);
      if (entry.failures.size() >= options_.max_failures) {
        entry.failures.clear();  // the cool-down answers for these; afterwards the count restarts
        entry.locked_until = now + options_.cooldown;
        return true;
      }
      return false;
  }
  if (entry.checking == 0 && entry.failures.empty() && entry.locked_until <= now) {
    entries_.erase(it);
  }
  return false;
}

void FailureThrottle::Evict(TimePoint now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    Prune(it->second, now);
    bool idle =
        it->second.failures.empty() && it->second.locked_until <= now && it->second.checking == 0;
    it = idle ? entries_.erase(it) : std::next(it);
  }
  // Still full of active keys (a flood from many addresses): drop the least recently active
  // ones. Throttling of a dropped key restarts from zero, which only costs the attacker's own
  // keys their history.
  auto latest = [](const Entry& e) {
    TimePoint t = std::max(e.locked_until, e.touched);
    return e.failures.empty() ? t : std::max(t, e.failures.back());
  };
  while (entries_.size() >= options_.max_keys) {
    auto oldest = std::min_element(
        entries_.begin(), entries_.end(),
        [&](const auto& a, const auto& b) { return latest(a.second) < latest(b.second); });
    entries_.erase(oldest);
  }
}

}  // namespace kiroku::console
