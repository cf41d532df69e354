#include "logs/background.h"

#include "common/logging.h"

namespace kiroku::logs {

Background::Background(LogStore& store, std::chrono::seconds period)
    : store_(store), period_(period), thread_([this] { Run(); }) {}

Background::~Background() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Background::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    if (auto swept = store_.SweepRetention(); !swept.ok()) {
      spdlog::warn("logs retention sweep failed: {}", swept.status().ToString());
    } else if (*swept > 0) {
      spdlog::info("logs retention: deleted {} expired chunk(s)", *swept);
    }
    if (auto merged = store_.Compact(); !merged.ok()) {
      spdlog::warn("logs compaction failed: {}", merged.status().ToString());
    } else if (*merged > 0) {
      spdlog::debug("logs compaction: merged away {} chunk(s)", *merged);
    }
    lock.lock();
    cv_.wait_for(lock, period_, [this] { return stop_; });
  }
}

}  // namespace kiroku::logs
