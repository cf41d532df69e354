#include "trail/recorder.h"

#include "common/logging.h"

namespace kiroku::trail {
namespace {
constexpr size_t kMaxBatch = 1024;
}  // namespace

Recorder::Recorder(store::Db& db, EventHistory& history, DeliveryQueue* trails, size_t capacity)
    : db_(db), history_(history), trails_(trails), capacity_(capacity), writer_([this] {
        Run();
      }) {}

Recorder::~Recorder() {
  Flush();
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.NotifyAll();
  writer_.join();
}

void Recorder::Record(ApiCallRecord record) {
  {
    MutexLock lock(mu_);
    if (queue_.size() < capacity_) {
      queue_.push_back(std::move(record));
      ++queued_;
      wake_.NotifyOne();
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
  MutexLock lock(mu_);
  uint64_t target = queued_;
  while (written_ < target) drained_.Wait(mu_);
}

void Recorder::Run() {
  MutexLock lock(mu_);
  while (true) {
    while (!stop_ && queue_.empty()) wake_.Wait(mu_);
    if (queue_.empty() && stop_) return;
    std::vector<ApiCallRecord> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.Unlock();
    Write(batch);
    lock.Lock();
    written_ += batch.size();
    drained_.NotifyAll();
  }
}

}  // namespace kiroku::trail
