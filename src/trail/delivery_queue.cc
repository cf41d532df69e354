#include "trail/delivery_queue.h"

#include "common/encoding.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::trail {
namespace json = boost::json;
namespace {

constexpr uint8_t kQueueTag = 'Q';

std::string QueuePrefix(const QueueId& q) {
  return store::KeyBuilder()
      .Tag(kQueueTag)
      .String(q.account)
      .String(q.home_region)
      .String(q.name)
      .Tag(static_cast<uint8_t>(q.destination))
      .Build();
}

std::optional<QueueId> ParseQueueId(std::string_view key, uint64_t* seq) {
  store::KeyReader reader(key);
  QueueId q;
  auto tag = reader.Tag();
  auto account = reader.String();
  auto region = reader.String();
  auto name = reader.String();
  auto destination = reader.Tag();
  auto s = reader.U64();
  if (!tag || *tag != kQueueTag || !account || !region || !name || !destination || !s) {
    return std::nullopt;
  }
  q.account = std::move(*account);
  q.home_region = std::move(*region);
  q.name = std::move(*name);
  q.destination = static_cast<Destination>(*destination);
  if (seq != nullptr) *seq = *s;
  return q;
}

}  // namespace

DeliveryQueue::DeliveryQueue(store::Db& db, const TrailStore& trails, const Clock& clock)
    : db_(db), trails_(trails), clock_(clock) {}

uint64_t DeliveryQueue::NextSeq() {
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.Now().time_since_epoch());
  last_seq_ = std::max(last_seq_ + 1, static_cast<uint64_t>(std::max<int64_t>(0, now.count())));
  return last_seq_;
}

Status DeliveryQueue::Reload() {
  uint64_t generation = trails_.generation();
  if (generation == generation_) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<TrailConfig> all, trails_.ListAll());
  std::vector<TrailConfig> logging;
  for (TrailConfig& t : all) {
    ASSIGN_OR_RETURN(TrailStatus status, trails_.GetStatus(t));
    if (status.is_logging) logging.push_back(std::move(t));
  }
  logging_ = std::move(logging);
  generation_ = generation;
  return Status::Ok();
}

Result<size_t> DeliveryQueue::AddTo(store::WriteBatch& batch,
                                    const std::vector<ApiCallRecord>& records) {
  MutexLock lock(mu_);
  RETURN_IF_ERROR(Reload());
  size_t added = 0;
  for (const ApiCallRecord& record : records) {
    std::string text;  // serialised once, only if some trail wants the record
    for (const TrailConfig& trail : logging_) {
      if (!Selects(trail, record)) continue;
      if (text.empty()) text = json::serialize(record.ToJson());
      QueueId q{trail.account_id, trail.home_region, trail.name, Destination::kS3};
      batch.Put(kColumnFamily, store::KeyBuilder(QueuePrefix(q)).U64(NextSeq()).Build(), text);
      ++added;
      if (!trail.cloudwatch_logs_log_group_arn.empty()) {
        q.destination = Destination::kCloudWatchLogs;
        batch.Put(kColumnFamily, store::KeyBuilder(QueuePrefix(q)).U64(NextSeq()).Build(), text);
        ++added;
      }
    }
  }
  return added;
}

void DeliveryQueue::Notify() {
  {
    MutexLock lock(wake_mu_);
    work_ = true;
  }
  wake_.NotifyAll();
}

bool DeliveryQueue::WaitForWork(TimePoint deadline) {
  MutexLock lock(wake_mu_);
  // The deadline is on the injectable clock; waits use the steady clock for the same span.
  auto span = deadline - clock_.Now();
  if (span > std::chrono::nanoseconds::zero()) {
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::ceil<std::chrono::steady_clock::duration>(span);
    while (!work_ && !stopped_ && wake_.WaitUntil(wake_mu_, until)) {
    }
  }
  bool had = work_;
  work_ = false;
  return had;
}

void DeliveryQueue::Stop() {
  {
    MutexLock lock(wake_mu_);
    stopped_ = true;
  }
  wake_.NotifyAll();
}

Result<std::vector<QueuedRecord>> DeliveryQueue::Peek(const QueueId& queue, size_t max_count,
                                                      size_t max_bytes) const {
  std::vector<QueuedRecord> out;
  size_t bytes = 0;
  Status error;
  RETURN_IF_ERROR(db_.Scan(
      kColumnFamily, store::Range::Prefix(QueuePrefix(queue)),
      [&](std::string_view key, std::string_view value) {
        if (out.size() >= max_count || (!out.empty() && bytes + value.size() > max_bytes)) {
          return false;
        }
        QueuedRecord r;
        r.key = std::string(key);
        if (!ParseQueueId(key, &r.seq)) {
          error = Status::Internal("corrupt delivery queue key");
          return false;
        }
        auto record = store::ReadJsonRecord(value, "delivery queue entry");
        if (!record.ok()) {
          error = record.status();
          return false;
        }
        const json::object& o = *record;
        if (const json::value* region = o.if_contains("awsRegion"); region && region->is_string()) {
          r.region = std::string(region->as_string());
        }
        if (const json::value* t = o.if_contains("eventTime"); t && t->is_string()) {
          if (auto tp = ParseIso8601(t->as_string())) r.event_time = *tp;
        }
        r.json = std::string(value);
        bytes += value.size();
        out.push_back(std::move(r));
        return true;
      }));
  RETURN_IF_ERROR(error);
  return out;
}

Status DeliveryQueue::Remove(const std::vector<QueuedRecord>& records, store::WriteBatch batch) {
  for (const QueuedRecord& r : records) batch.Delete(kColumnFamily, r.key);
  return db_.Write(batch);
}

Result<std::vector<QueueId>> DeliveryQueue::NonEmpty() const {
  std::vector<QueueId> out;
  std::string start = store::KeyBuilder().Tag(kQueueTag).Build();
  const std::string end = store::PrefixSuccessor(start);
  while (true) {
    std::optional<QueueId> found;
    RETURN_IF_ERROR(db_.Scan(kColumnFamily, store::Range::Between(start, end),
                             [&](std::string_view key, std::string_view) {
                               found = ParseQueueId(key, nullptr);
                               return false;
                             }));
    if (!found) break;
    start = store::PrefixSuccessor(QueuePrefix(*found));
    out.push_back(std::move(*found));
  }
  return out;
}

Result<size_t> DeliveryQueue::Drop(const QueueId& queue) {
  store::WriteBatch batch;
  RETURN_IF_ERROR(db_.Scan(kColumnFamily, store::Range::Prefix(QueuePrefix(queue)),
                           [&](std::string_view key, std::string_view) {
                             batch.Delete(kColumnFamily, key);
                             return batch.size() < 100000;
                           }));
  RETURN_IF_ERROR(db_.Write(batch));
  return batch.size();
}

}  // namespace kiroku::trail
