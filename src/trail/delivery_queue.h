// DeliveryQueue: the durable per-trail queues between recording and delivery, in the "queue"
// column family. The Recorder writes a record's queue entries in the same atomic batch as its
// event-history entry, so a record acknowledged to the history is never lost to a trail, even
// across kill -9. The Deliverer reads entries from the head and removes them only after the
// destination (S3, CloudWatch Logs) acknowledged them.
//
// Which trails get an entry: every trail that is logging and Selects() the record, one entry
// per destination (S3 always; CloudWatch Logs when the trail has a log group). The trail list
// is cached and reloaded when TrailStore::generation() changes.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/status.h"
#include "store/db.h"
#include "trail/record.h"
#include "trail/trail_store.h"

namespace kiroku::trail {

enum class Destination : uint8_t { kS3 = 's', kCloudWatchLogs = 'c' };

// Names one queue: a trail (account, home region, name) and a destination.
struct QueueId {
  std::string account, home_region, name;
  Destination destination = Destination::kS3;
  bool operator==(const QueueId&) const = default;
};

struct QueuedRecord {
  std::string key;     // the entry's key (to remove it)
  uint64_t seq = 0;    // enqueue order; nanoseconds since the epoch at enqueue, made unique
  std::string region;  // the record's awsRegion
  TimePoint event_time;
  std::string json;  // the record, compact JSON
};

class DeliveryQueue {
 public:
  static constexpr std::string_view kColumnFamily = "queue";

  // All must outlive the queue.
  DeliveryQueue(store::Db& db, const TrailStore& trails, const Clock& clock);

  // Adds an entry to `batch` for each (trail, destination) that receives each record.
  // Returns how many entries were added.
  Result<size_t> AddTo(store::WriteBatch& batch, const std::vector<ApiCallRecord>& records);

  // Wakes WaitForWork (call after the batch of AddTo was written).
  void Notify();
  // Waits until Notify() or `deadline`; returns whether work was announced.
  bool WaitForWork(TimePoint deadline);
  void Stop();  // wakes waiters for good

  // The oldest entries of `queue`, at most `max_count` and about `max_bytes` of JSON (at least
  // one entry when the queue is not empty).
  Result<std::vector<QueuedRecord>> Peek(const QueueId& queue, size_t max_count,
                                         size_t max_bytes) const;
  // Removes delivered entries, atomically with the writes already in `batch`.
  Status Remove(const std::vector<QueuedRecord>& records, store::WriteBatch batch = {});
  // Every queue that has entries.
  Result<std::vector<QueueId>> NonEmpty() const;
  // Removes every entry of `queue` (its trail was deleted); returns how many.
  Result<size_t> Drop(const QueueId& queue);

 private:
  uint64_t NextSeq() REQUIRES(mu_);
  Status Reload() REQUIRES(mu_);

  store::Db& db_;
  const TrailStore& trails_;
  const Clock& clock_;
  Mutex mu_;
  uint64_t last_seq_ GUARDED_BY(mu_) = 0;
  uint64_t generation_ GUARDED_BY(mu_) = 0;  // of the cached list
  std::vector<TrailConfig> logging_ GUARDED_BY(mu_);
  Mutex wake_mu_;
  CondVar wake_;  // work_ or stopped_ was set
  bool work_ GUARDED_BY(wake_mu_) = false;
  bool stopped_ GUARDED_BY(wake_mu_) = false;
};

}  // namespace kiroku::trail
