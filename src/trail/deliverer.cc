#include "trail/deliverer.h"

#include <algorithm>

#include "common/encoding.h"
#include "common/logging.h"
#include "crypto/hash.h"
#include "trail/gzip.h"

namespace kiroku::trail {
namespace {

// PutLogEvents' limits: 10,000 events, 1,048,576 bytes counting 26 bytes per event, and a
// batch spanning at most 24 hours.
constexpr size_t kMaxBatchEvents = 10000;
constexpr size_t kMaxBatchBytes = 1048576;
constexpr size_t kEventOverhead = 26;
constexpr auto kMaxBatchSpan = std::chrono::hours(24);

std::string ErrorText(const Status& s) { return s.aws_code().empty() ? s.message() : s.aws_code(); }

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

Deliverer::Deliverer(TrailStore& trails, DeliveryQueue& queue, LogFileSink& s3,
                     CloudWatchLogsSink& cwl, const Clock& clock, DeliveryOptions options)
    : trails_(trails), queue_(queue), s3_(s3), cwl_(cwl), clock_(clock), options_(options) {}

Deliverer::~Deliverer() { Stop(); }

void Deliverer::Start() {
  worker_ = std::thread([this] { Run(); });
}

void Deliverer::Stop() {
  stop_ = true;
  queue_.Stop();
  if (worker_.joinable()) worker_.join();
}

std::string Deliverer::LogFileKey(const TrailConfig& trail, const std::string& region,
                                  uint64_t first_seq) {
  TimePoint at{
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(first_seq))};
  // 16 characters derived from the queue position: stable across a retry of the same file.
  std::string id =
      HexEncode(crypto::Sha256(trail.Arn() + "/" + region + "/" + std::to_string(first_seq)))
          .substr(0, 16);
  std::string prefix = trail.s3_key_prefix.empty() ? "" : trail.s3_key_prefix + "/";
  return prefix + "AWSLogs/" + trail.account_id + "/CloudTrail/" + region + "/" +
         FormatUtc(at, "%Y/%m/%d/") + trail.account_id + "_CloudTrail_" + region + "_" +
         FormatUtc(at, "%Y%m%dT%H%MZ") + "_" + id + ".json.gz";
}

void Deliverer::Run() {
  // Wake on new records (CloudWatch Logs is near real time) and at least every 100 ms for the
  // S3 interval and retries.
  while (!stop_) {
    queue_.WaitForWork(clock_.Now() + std::chrono::milliseconds(100));
    if (stop_) break;
    RunOnce(false);
  }
}

std::string Deliverer::StateKey(const QueueId& id) const {
  return id.account + '\0' + id.home_region + '\0' + id.name + '\0' +
         static_cast<char>(id.destination);
}

void Deliverer::Failed(QueueState& state) {
  state.backoff = state.backoff.count() == 0 ? std::chrono::milliseconds(1000)
                                             : std::min(state.backoff * 2, options_.max_backoff);
  state.next_attempt = clock_.Now() + state.backoff;
}

void Deliverer::RunOnce(bool force) {
  MutexLock lock(run_mu_);
  auto queues = queue_.NonEmpty();
  if (!queues.ok()) {
    spdlog::error("trail delivery: cannot list queues: {}", queues.status().ToString());
    return;
  }
  for (const QueueId& id : *queues) {
    if (stop_) return;
    auto trail = trails_.Get(id.account, id.home_region, id.name);
    if (!trail.ok()) {
      if (trail.status().code() == Code::kNotFound) {
        // The trail was deleted: its undelivered records go with it, as on AWS.
        (void)queue_.Drop(id);
        states_.erase(StateKey(id));
      }
      continue;
    }
    QueueState& state = states_[StateKey(id)];
    if (clock_.Now() < state.next_attempt) continue;
    if (id.destination == Destination::kS3) {
      DeliverS3(*trail, id, state, force);
    } else if (trail->cloudwatch_logs_log_group_arn.empty()) {
      (void)queue_.Drop(id);  // CloudWatch Logs was turned off: those records stay in S3 only
    } else {
      DeliverCloudWatchLogs(*trail, id, state, force);
    }
  }
}

void Deliverer::DeliverS3(const TrailConfig& trail, const QueueId& id, QueueState& state,
                          bool force) {
  TimePoint now = clock_.Now();
  if (state.first_seen == TimePoint{}) state.first_seen = now;
  if (!force && now - state.first_seen < options_.s3_interval) return;
  auto records = queue_.Peek(id, options_.max_records_per_file * 4, 64 << 20);
  if (!records.ok() || records->empty()) return;
  // One file per source region, records in queue order.
  std::map<std::string, std::vector<QueuedRecord>> by_region;
  for (QueuedRecord& r : *records) {
    auto& list = by_region[r.region];
    if (list.size() < options_.max_records_per_file) list.push_back(std::move(r));
  }
  bool all_ok = true;
  for (auto& [region, list] : by_region) {
    std::string body = "{\"Records\":[";
    for (size_t i = 0; i < list.size(); ++i) {
      if (i > 0) body += ',';
      body += list[i].json;
    }
    body += "]}";
    auto gz = Gzip(body);
    std::string key = LogFileKey(trail, region, list.front().seq);
    Status s = gz.ok() ? s3_.PutLogFile(trail, key, *gz) : gz.status();
    TimePoint at = clock_.Now();
    if (!s.ok()) {
      all_ok = false;
      spdlog::warn("trail {}: log file delivery to s3://{}/{} failed: {}", trail.name,
                   trail.s3_bucket, key, s.ToString());
      (void)trails_.UpdateStatus(trail, [&](TrailStatus& st) {
        st.latest_delivery_attempt_time = at;
        st.latest_delivery_error = ErrorText(s);
      });
      break;
    }
    store::WriteBatch observed;
    if (observer_ != nullptr) {
      DeliveredLogFile file{trail,
                            region,
                            key,
                            HexEncode(crypto::Sha256(body)),
                            list.front().event_time,
                            list.front().event_time};
      for (const QueuedRecord& r : list) {
        file.oldest_event = std::min(file.oldest_event, r.event_time);
        file.newest_event = std::max(file.newest_event, r.event_time);
      }
      observer_->OnLogFile(file, observed);
    }
    if (Status r = queue_.Remove(list, std::move(observed)); !r.ok()) {
      spdlog::error("trail {}: cannot remove delivered records: {}", trail.name, r.ToString());
    }
    (void)trails_.UpdateStatus(trail, [&](TrailStatus& st) {
      st.latest_delivery_attempt_time = at;
      st.latest_delivery_time = at;
      st.latest_delivery_error.clear();
    });
    spdlog::debug("trail {}: delivered {} records to s3://{}/{}", trail.name, list.size(),
                  trail.s3_bucket, key);
  }
  if (all_ok) {
    state.backoff = std::chrono::milliseconds(0);
    state.first_seen = TimePoint{};
  } else {
    Failed(state);
  }
}

void Deliverer::DeliverCloudWatchLogs(const TrailConfig& trail, const QueueId& id,
                                      QueueState& state, bool force) {
  TimePoint now = clock_.Now();
  if (state.first_seen == TimePoint{}) state.first_seen = now;
  if (!force && now - state.first_seen < options_.cloudwatch_logs_delay) return;
  while (!stop_) {
    auto records = queue_.Peek(id, kMaxBatchEvents, kMaxBatchBytes);
    if (!records.ok() || records->empty()) break;
    // Timestamp order, within one 24-hour span; oversized records are dropped from the batch
    // (and from the queue) without being sent.
    std::vector<QueuedRecord*> sorted;
    for (QueuedRecord& r : *records) sorted.push_back(&r);
    std::stable_sort(
        sorted.begin(), sorted.end(),
        [](const QueuedRecord* a, const QueuedRecord* b) { return a->event_time < b->event_time; });
    std::vector<CloudWatchLogsSink::Event> events;
    std::vector<QueuedRecord> done;
    size_t bytes = 0;
    for (QueuedRecord* r : sorted) {
      if (r->json.size() > kMaxCloudWatchLogsEventBytes) {
        done.push_back(*r);
        continue;
      }
      if (!events.empty() && (bytes + r->json.size() + kEventOverhead > kMaxBatchBytes ||
                              r->event_time - sorted.front()->event_time > kMaxBatchSpan)) {
        break;
      }
      bytes += r->json.size() + kEventOverhead;
      events.push_back({Millis(r->event_time), r->json});
      done.push_back(*r);
    }
    Status s = events.empty() ? Status::Ok() : cwl_.PutEvents(trail, events);
    TimePoint at = clock_.Now();
    if (!s.ok()) {
      spdlog::warn("trail {}: CloudWatch Logs delivery to {} failed: {}", trail.name,
                   trail.LogGroupArn(), s.ToString());
      (void)trails_.UpdateStatus(
          trail, [&](TrailStatus& st) { st.latest_cloudwatch_logs_delivery_error = ErrorText(s); });
      Failed(state);
      return;
    }
    if (Status r = queue_.Remove(done); !r.ok()) {
      spdlog::error("trail {}: cannot remove delivered records: {}", trail.name, r.ToString());
      break;
    }
    if (!events.empty()) {
      (void)trails_.UpdateStatus(trail, [&](TrailStatus& st) {
        st.latest_cloudwatch_logs_delivery_time = at;
        st.latest_cloudwatch_logs_delivery_error.clear();
      });
      spdlog::debug("trail {}: delivered {} records to {}", trail.name, events.size(),
                    trail.LogGroupArn());
    }
    if (records->size() < kMaxBatchEvents && done.size() == records->size()) break;
  }
  state.backoff = std::chrono::milliseconds(0);
  state.first_seen = TimePoint{};
}

}  // namespace kiroku::trail
