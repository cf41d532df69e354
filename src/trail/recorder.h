// Recorder: takes CloudTrail records off the request path. Record() queues a record and returns
// at once; a writer thread writes queued records in batches: their event-history entries and
// the trails' delivery-queue entries in one atomic batch, so history and trails never disagree.
// When the bounded queue is full, Record() writes the caller's record itself, so nothing is
// dropped. Flush() waits for everything queued so far. Thread-safe.
#pragma once

#include <deque>
#include <thread>

#include "common/mutex.h"
#include "store/db.h"
#include "trail/delivery_queue.h"
#include "trail/event_history.h"

namespace kiroku::trail {

class Recorder {
 public:
  // All must outlive the recorder; `trails` may be null (no trail delivery).
  Recorder(store::Db& db, EventHistory& history, DeliveryQueue* trails, size_t capacity = 65536);
  ~Recorder();  // flushes, then stops the writer
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  void Record(ApiCallRecord record);
  void Flush();

 private:
  void Run();
  void Write(const std::vector<ApiCallRecord>& records);

  store::Db& db_;
  EventHistory& history_;
  DeliveryQueue* trails_;
  const size_t capacity_;
  Mutex mu_;
  CondVar wake_;     // the writer: work arrived or stop
  CondVar drained_;  // Flush: a batch was written
  std::deque<ApiCallRecord> queue_ GUARDED_BY(mu_);
  uint64_t queued_ GUARDED_BY(mu_) = 0;   // records ever queued
  uint64_t written_ GUARDED_BY(mu_) = 0;  // records written (or failed)
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread writer_;  // last: starts after the members it uses
};

}  // namespace kiroku::trail
