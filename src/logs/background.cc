#include "logs/background.h"

#include "common/logging.h"

namespace kiroku::logs {

Background::Background(LogStore& store, std::chrono::seconds period)
    : store_(store), period_(period), thread_([this] { Run(); }) {}

Background::~Background() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.NotifyAll();
  thread_.join();
}

void Background::Run() {
  MutexLock lock(mu_);
  while (!stop_) {
    lock.Unlock();
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
    lock.Lock();
    const auto deadline = std::chrono::steady_clock::now() + period_;
    while (!stop_ && cv_.WaitUntil(mu_, deadline)) {
    }
  }
}

}  // namespace kiroku::logs
