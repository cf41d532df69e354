#include "trail/recorder.h"

#include "common/logging.h"

namespace kiroku::trail {
namespace {
constexpr size_t kMaxBatch = 1024;
}  // namespace

Recorder::Recorder(EventHistory& history, size_t capacity)
    : history_(history), capacity_(capacity), writer_([this] { Run(); }) {}

Recorder::~Recorder() {
  Flush();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void Recorder::Record(ApiCallRecord record) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() < capacity_) {
      queue_.push_back(std::move(record));
      ++queued_;
      wake_.notify_one();
      return;
    }
  }
  // Backpressure instead of loss: the caller persists its own record.
  if (Status s = history_.Append({record}); !s.ok()) {
    spdlog::error("cannot record {} event: {}", record.event_name, s.ToString());
  }
}

void Recorder::Flush() {
  std::unique_lock lock(mu_);
  uint64_t target = queued_;
  drained_.wait(lock, [&] { return written_ >= target; });
}

void Recorder::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) return;
    std::vector<ApiCallRecord> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    if (Status s = history_.Append(batch); !s.ok()) {
      spdlog::error("cannot record {} events: {}", batch.size(), s.ToString());
    }
    lock.lock();
    written_ += batch.size();
    drained_.notify_all();
  }
}

}  // namespace kiroku::trail
