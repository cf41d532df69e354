// Deliverer: empties the trails' delivery queues into their destinations.
//
// - S3: every `s3_interval`, each trail's queued records are grouped by source region and
//   written as CloudTrail log files, `[<prefix>/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
//   <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz` holding
//   `{"Records":[...]}`. The name derives from the file's first queue entry, so a file rewritten
//   after a crash (written, but not yet removed from the queue) replaces itself instead of
//   duplicating records.
// - CloudWatch Logs: `cloudwatch_logs_delay` after records arrive, they are sent as one event
//   each (the record's compact JSON, timestamp = eventTime), records over 256 KB skipped as AWS
//   does, in batches within PutLogEvents' limits.
//
// Entries leave the queue only after the destination accepted them. A failure is written to
// the trail's status (LatestDeliveryError / LatestCloudWatchLogsDeliveryError) and retried with
// exponential backoff up to `max_backoff`; a success clears the error and sets the delivery
// time. The destinations are interfaces (sinks): app/ plugs in implementations that call S3
// and CloudWatch Logs as CloudTrail would (services/cloudtrail/sinks.h).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/status.h"
#include "trail/delivery_queue.h"
#include "trail/trail_store.h"

namespace kiroku::trail {

// Writes one log file to the trail's bucket.
class LogFileSink {
 public:
  virtual ~LogFileSink() = default;
  // Errors carry the S3 error code (AccessDenied, NoSuchBucket, ...).
  virtual Status PutLogFile(const TrailConfig& trail, const std::string& key,
                            const std::string& body) = 0;
};

// Writes one digest file (log file integrity validation) to the trail's bucket, with
// `metadata` as x-amz-meta-* headers (names without the prefix: "signature", ...).
class DigestFileSink {
 public:
  virtual ~DigestFileSink() = default;
  // Errors as for LogFileSink.
  virtual Status PutDigestFile(const TrailConfig& trail, const std::string& key,
                               const std::string& body,
                               const std::map<std::string, std::string>& metadata) = 0;
};

// Appends events to the trail's log group, in the stream trail.LogStreamName().
class CloudWatchLogsSink {
 public:
  struct Event {
    int64_t timestamp_ms;
    std::string message;
  };
  virtual ~CloudWatchLogsSink() = default;
  // `events` are in timestamp order and within PutLogEvents' limits. Errors carry the code of
  // the failing call (AccessDeniedException, ResourceNotFoundException, ...).
  virtual Status PutEvents(const TrailConfig& trail, const std::vector<Event>& events) = 0;
};

// Called after a log file was written (log file integrity validation builds digests from it).
struct DeliveredLogFile {
  TrailConfig trail;
  std::string region;
  std::string key;
  std::string sha256_hex;  // of the uncompressed content (what validate-logs compares)
  TimePoint oldest_event, newest_event;
};
class LogFileObserver {
 public:
  virtual ~LogFileObserver() = default;
  // Adds the observer's writes to `batch`, which the Deliverer commits atomically with the
  // removal of the file's records from the queue: a file is observed exactly when it leaves the
  // queue, even across a crash.
  virtual void OnLogFile(const DeliveredLogFile& file, store::WriteBatch& batch) = 0;
};

struct DeliveryOptions {
  std::chrono::milliseconds s3_interval{5000};
  std::chrono::milliseconds cloudwatch_logs_delay{200};
  std::chrono::milliseconds max_backoff{60000};
  size_t max_records_per_file = 5000;
};

// CloudTrail's per-event limit for CloudWatch Logs (aws-behavior.md §1.5).
inline constexpr size_t kMaxCloudWatchLogsEventBytes = 256 * 1024;

class Deliverer {
 public:
  // All must outlive the deliverer. Start() launches the worker thread.
  Deliverer(TrailStore& trails, DeliveryQueue& queue, LogFileSink& s3, CloudWatchLogsSink& cwl,
            const Clock& clock, DeliveryOptions options = {});
  ~Deliverer();  // Stop()
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  void SetObserver(LogFileObserver* observer) { observer_ = observer; }
  void Start();
  void Stop();

  // One pass over every queue, delivering what is due (`force`: everything, ignoring the
  // intervals but not the backoff). Returns when the pass is done. Used by the worker and by
  // tests.
  void RunOnce(bool force);

  // The S3 key of a log file (exposed for tests).
  static std::string LogFileKey(const TrailConfig& trail, const std::string& region,
                                uint64_t first_seq);

 private:
  struct QueueState {
    TimePoint next_attempt{};  // backoff: no attempt before this
    std::chrono::milliseconds backoff{0};
    TimePoint first_seen{};  // when the current backlog was first noticed
  };
  void Run();
  void DeliverS3(const TrailConfig& trail, const QueueId& id, QueueState& state, bool force);
  void DeliverCloudWatchLogs(const TrailConfig& trail, const QueueId& id, QueueState& state,
                             bool force);
  void Failed(QueueState& state);
  std::string StateKey(const QueueId& id) const;

  TrailStore& trails_;
  DeliveryQueue& queue_;
  LogFileSink& s3_;
  CloudWatchLogsSink& cwl_;
  const Clock& clock_;
  DeliveryOptions options_;
  LogFileObserver* observer_ = nullptr;
  Mutex run_mu_;  // one pass at a time
  std::map<std::string, QueueState> states_ GUARDED_BY(run_mu_);
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

}  // namespace kiroku::trail
