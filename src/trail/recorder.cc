#include "trail/recorder.h"

#include "common/logging.h"

namespace kiroku::trail {
namespace {
constexpr size_t kMaxBatch = 1024;
}  // namespace

Recorder::Recorder(store::Db& db, EventHistory& history, DeliveryQueue* trails, size_t capacity)
    : db_(db), history_(history), trails_(trails), capacity_(capacity), writer_([this] { Run(); }) {}

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
  Write({std::move(record)});
}

void Recorder::Write(const std::vector<ApiCallRecord>& records) {
  store::WriteBatch batch;
  history_.AddTo(batch, records);
  if (trails_ != nullptr) {
    if (auto added = trails_->AddTo(batch, records); !added.ok()) {
      spdlog::error("cannot queue {} records for trails: {}", records.size(),
                    added.status().ToString());
    }
  }
  if (Status s = db_.Write(batch); !s.ok()) {
    spdlog::error("cannot record {} events: {}", records.size(), s.ToString());
    return;
  }
  if (trails_ != nullptr) trails_->Notify();
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
    Write(batch);
    lock.lock();
    written_ += batch.size();
    drained_.notify_all();
  }
}

}  // namespace kiroku::trail
