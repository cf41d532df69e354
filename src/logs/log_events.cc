// Log events: PutLogEvents (one batch, one chunk), the Merger that reads chunks in
// (timestamp, eid) order, GetLogEvents and FilterLogEvents.
#include <algorithm>
#include <boost/json.hpp>
#include <deque>
#include <future>

#include "filter/filter_pattern.h"
#include "logs/chunk.h"
#include "logs/log_store.h"
#include "logs/log_store_internal.h"
#include "store/keys.h"

namespace kiroku::logs {
namespace json = boost::json;
using namespace internal;  // NOLINT: logs' own record helpers

namespace {

// Per event in a response, besides its message: JSON member names, numbers, the stream name.
constexpr size_t kResponseEventOverhead = 120;

}  // namespace

// --- events ---------------------------------------------------------------------------------

Result<PutResult> LogStore::PutLogEvents(const Scope& scope, std::string_view group,
                                         std::string_view stream,
                                         std::span<const InputEvent> events) {
  if (events.empty() || events.size() > kMaxEventsPerBatch) {
    return InvalidParameter(
        "1 validation error detected: Value at 'logEvents' failed to satisfy "
        "constraint: Member must have length between 1 and 10000");
  }
  size_t bytes = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const InputEvent& e = events[i];
    if (e.message.empty()) {
      return InvalidParameter("1 validation error detected: Value '' at 'logEvents." +
                              std::to_string(i + 1) +
                              ".member.message' failed to satisfy "
                              "constraint: Member must have length greater than or equal to 1");
    }
    if (e.timestamp < 0) {
      return InvalidParameter("1 validation error detected: Value '" + std::to_string(e.timestamp) +
                              "' at 'logEvents." + std::to_string(i + 1) +
                              ".member.timestamp' "
                              "failed to satisfy constraint: Member must have value greater "
                              "than or equal to 0");
    }
    if (e.message.size() + kEventOverheadBytes > kMaxBatchBytes) {
      return InvalidParameter(
          "Log event too large: the maximum size of a log event is 1048576 "
          "bytes including 26 bytes of overhead.");
    }
    if (i > 0 && e.timestamp < events[i - 1].timestamp) {
      return InvalidParameter(
          "Log events in a single PutLogEvents request must be in "
          "chronological order.");
    }
    bytes += e.message.size() + kEventOverheadBytes;
  }
  if (bytes > kMaxBatchBytes) {
    return InvalidParameter("Upload too large: " + std::to_string(bytes) +
                            " bytes exceeds limit of 1048576");
  }
  ASSIGN_OR_RETURN(GroupRecord r, ReadGroup(scope, group));
  ASSIGN_OR_RETURN(std::string stream_value, StreamValue(scope, group, stream));

  int64_t now = clock_.NowMillis();
  PutResult result;
  size_t begin = 0;
  size_t end = events.size();
  while (begin < end && events[begin].timestamp < now - kMaxAgeMs) ++begin;
  if (begin > 0) result.too_old_end = begin;
  if (r.group.retention_days) {
    int64_t cutoff = now - *r.group.retention_days * kDayMs;
    size_t expired = 0;
    while (expired < events.size() && events[expired].timestamp < cutoff) ++expired;
    if (expired > 0) result.expired_end = expired;
    begin = std::max(begin, expired);
  }
  while (end > begin && events[end - 1].timestamp > now + kMaxFutureMs) --end;
  if (end < events.size()) {
    size_t first_new = events.size();
    while (first_new > 0 && events[first_new - 1].timestamp > now + kMaxFutureMs) --first_new;
    result.too_new_start = first_new;
  }
  if (begin >= end) return result;
  if (events[end - 1].timestamp - events[begin].timestamp > kMaxBatchSpanMs) {
    return InvalidParameter(
        "The batch of log events in a single PutLogEvents request cannot "
        "span more than 24 hours.");
  }

  const GroupRecord::Key& current = r.keys.back();
  ASSIGN_OR_RETURN(auto key, DataKey(scope, r, current.id));
  size_t n = end - begin;
  uint64_t first_eid = ReserveEids(n);
  std::vector<ChunkEvent> chunk(n);
  ChunkMeta meta;
  meta.count = static_cast<uint32_t>(n);
  meta.key_id = current.id;
  meta.max_ingestion = now;
  meta.first_eid = first_eid;
  meta.min_ts = events[begin].timestamp;
  meta.max_ts = events[end - 1].timestamp;
  meta.stream = std::string(stream);
  for (size_t i = 0; i < n; ++i) {
    const InputEvent& e = events[begin + i];
    chunk[i] = ChunkEvent{e.timestamp, now, first_eid + i, e.message};
    meta.raw_bytes += e.message.size();
  }
  std::string chunk_key = ChunkKey(r.uid, first_eid);
  ASSIGN_OR_RETURN(std::string sealed, internal::SealChunk(*key, chunk_key, chunk));
  meta.sealed_bytes = sealed.size();
  store::WriteBatch batch;
  batch.Put(kEvents, chunk_key, sealed);
  batch.Put(kMeta, IndexKey(r.uid, meta.min_ts, first_eid), meta.Encode());
  store::Expectation stream_exists{std::string(kMeta), StreamKey(scope, group, stream),
                                   stream_value};
  Status s = db_.WriteIf({stream_exists}, batch);
  if (s.code() == Code::kConflict) return StreamNotFound();
  RETURN_IF_ERROR(s);
  result.accepted = n;
  return result;
}

// Reads events of chunks in (timestamp, eid) order — ascending or descending — merging chunks
// whose time ranges overlap. Chunks are decoded only when the merge reaches their time range,
// a few at a time in parallel.
class LogStore::Merger {
 public:
  // Decides which events of a decoded chunk are candidates (pattern, window, position).
  using Select = std::function<void(const ChunkMeta&, const DecodedChunk&, std::vector<uint32_t>&)>;

  Merger(LogStore& store, const Scope& scope, const GroupRecord& group,
         std::vector<ChunkMeta> chunks, bool forward, Select select)
      : store_(store),
        scope_(scope),
        group_(group),
        chunks_(std::move(chunks)),
        forward_(forward),
        select_(std::move(select)) {
    if (forward_) {
      std::stable_sort(chunks_.begin(), chunks_.end(),
                       [](const ChunkMeta& a, const ChunkMeta& b) { return a.min_ts < b.min_ts; });
    } else {
      std::stable_sort(chunks_.begin(), chunks_.end(),
                       [](const ChunkMeta& a, const ChunkMeta& b) { return a.max_ts > b.max_ts; });
    }
  }

  struct Item {
    Position pos;
    const ChunkEvent* event;
    const ChunkMeta* meta;
  };

  // The next event in order, nullopt at the end; errors from KMS or a corrupt chunk.
  Result<std::optional<Item>> Next() {
    while (true) {
      bool need = next_ < chunks_.size() &&
                  (heap_.empty() || (forward_ ? chunks_[next_].min_ts <= Top().pos.timestamp
                                              : chunks_[next_].max_ts >= Top().pos.timestamp));
      if (!need) break;
      RETURN_IF_ERROR(LoadNext());
    }
    if (heap_.empty()) return std::optional<Item>();
    Item top = Top();
    std::pop_heap(heap_.begin(), heap_.end(), Cmp{forward_});
    heap_.pop_back();
    return std::optional<Item>(top);
  }

  uint64_t scanned_bytes() const { return scanned_bytes_; }

 private:
  struct Cmp {
    bool forward;
    bool operator()(const Item& a, const Item& b) const {
      return forward ? a.pos > b.pos : a.pos < b.pos;
    }
  };
  const Item& Top() const { return heap_.front(); }

  Result<DecodedChunk> Decode(const ChunkMeta& m) {
    ASSIGN_OR_RETURN(auto key, store_.DataKey(scope_, group_, m.key_id));
    std::string chunk_key = ChunkKey(group_.uid, m.first_eid);
    ASSIGN_OR_RETURN(std::optional<std::string> sealed, store_.db_.Get(kEvents, chunk_key));
    if (!sealed) return Status::NotFound("chunk vanished");  // deleted meanwhile
    return internal::OpenChunk(*key, chunk_key, *sealed);
  }

  // Decodes chunks_[next_] (and, in parallel, the few after it) and queues their candidates.
  Status LoadNext() {
    constexpr size_t kWindow = 4;
    if (ready_.empty()) {
      size_t n = std::min(kWindow, chunks_.size() - next_);
      std::vector<std::future<std::pair<Result<DecodedChunk>, std::vector<uint32_t>>>> jobs;
      for (size_t i = 0; i < n; ++i) {
        const ChunkMeta* m = &chunks_[next_ + i];
        auto job = [this, m]() {
          Result<DecodedChunk> d = Decode(*m);
          std::vector<uint32_t> picked;
          if (d.ok()) select_(*m, *d, picked);
          return std::make_pair(std::move(d), std::move(picked));
        };
        if (i + 1 < n) {
          jobs.push_back(std::async(std::launch::async, job));
        } else {
          std::promise<std::pair<Result<DecodedChunk>, std::vector<uint32_t>>> p;
          p.set_value(job());
          jobs.push_back(p.get_future());
        }
      }
      for (auto& j : jobs) ready_.push_back(j.get());
    }
    auto [decoded, picked] = std::move(ready_.front());
    ready_.pop_front();
    const ChunkMeta& m = chunks_[next_++];
    if (!decoded.ok()) {
      if (decoded.status().code() == Code::kNotFound) return Status::Ok();
      return decoded.status();
    }
    scanned_bytes_ += m.raw_bytes;
    if (picked.empty()) return Status::Ok();
    auto chunk = std::make_shared<DecodedChunk>();
    if (picked.size() * 4 >= decoded->events.size()) {
      *chunk = std::move(*decoded);
    } else {
      // A selective read keeps only the picked events, not the whole decoded chunk.
      size_t bytes = 0;
      for (uint32_t i : picked) bytes += decoded->events[i].message.size();
      chunk->plain.reserve(bytes);
      for (uint32_t i : picked) chunk->plain.append(decoded->events[i].message);
      size_t offset = 0;
      for (uint32_t& i : picked) {
        ChunkEvent e = decoded->events[i];
        e.message = std::string_view(chunk->plain.data() + offset, e.message.size());
        offset += e.message.size();
        i = static_cast<uint32_t>(chunk->events.size());
        chunk->events.push_back(e);
      }
    }
    held_.push_back(chunk);
    for (uint32_t i : picked) {
      const ChunkEvent& e = chunk->events[i];
      heap_.push_back(Item{Position{e.timestamp, e.eid}, &e, &m});
      std::push_heap(heap_.begin(), heap_.end(), Cmp{forward_});
    }
    return Status::Ok();
  }

  LogStore& store_;
  const Scope& scope_;
  const GroupRecord& group_;
  std::vector<ChunkMeta> chunks_;
  bool forward_;
  Select select_;
  size_t next_ = 0;
  std::deque<std::pair<Result<DecodedChunk>, std::vector<uint32_t>>> ready_;
  std::vector<Item> heap_;
  std::vector<std::shared_ptr<DecodedChunk>> held_;
  uint64_t scanned_bytes_ = 0;
};

Result<GetResult> LogStore::GetLogEvents(const Scope& scope, std::string_view group,
                                         std::string_view stream, const GetQuery& query) {
  ASSIGN_OR_RETURN(GroupRecord r, ReadGroup(scope, group));
  RETURN_IF_ERROR(StreamValue(scope, group, stream).status());
  bool forward = query.forward;
  Position from = query.from.value_or(forward ? Position::Min() : Position::Max());
  int64_t lo = query.start_time.value_or(INT64_MIN);
  int64_t hi = query.end_time.value_or(INT64_MAX);  // exclusive
  ASSIGN_OR_RETURN(std::vector<ChunkMeta> index, ChunkIndex(r.uid));
  std::vector<ChunkMeta> chunks;
  for (ChunkMeta& m : index) {
    if (m.stream != stream || m.max_ts < lo || m.min_ts >= hi) continue;
    if (forward ? m.max_ts < from.timestamp : m.min_ts > from.timestamp) continue;
    chunks.push_back(std::move(m));
  }
  Merger merger(*this, scope, r, std::move(chunks), forward,
                [&](const ChunkMeta&, const DecodedChunk& d, std::vector<uint32_t>& picked) {
                  for (uint32_t i = 0; i < d.events.size(); ++i) {
                    const ChunkEvent& e = d.events[i];
                    if (e.timestamp < lo || e.timestamp >= hi) continue;
                    Position p{e.timestamp, e.eid};
                    if (forward ? p <= from : p >= from) continue;
                    picked.push_back(i);
                  }
                });
  GetResult result;
  size_t bytes = 0;
  int limit = std::clamp(query.limit, 1, kMaxEventsPerPage);
  while (static_cast<int>(result.events.size()) < limit) {
    ASSIGN_OR_RETURN(std::optional<Merger::Item> item, merger.Next());
    if (!item) break;
    size_t size = item->event->message.size() + kResponseEventOverhead;
    if (bytes + size > kMaxResponseBytes && !result.events.empty()) break;
    bytes += size;
    result.events.push_back(OutputEvent{std::string(stream), item->event->timestamp,
                                        item->event->ingestion_time, item->event->eid,
                                        std::string(item->event->message)});
  }
  if (!forward) std::reverse(result.events.begin(), result.events.end());
  if (result.events.empty()) {
    result.forward = forward ? from : Position::Min();
    result.backward = forward ? from : from;
    if (!query.from && !forward) result.backward = Position::Max();
  } else {
    result.forward = Position{result.events.back().timestamp, result.events.back().eid};
    result.backward = Position{result.events.front().timestamp, result.events.front().eid};
  }
  return result;
}

Result<FilterResult> LogStore::FilterLogEvents(const Scope& scope, std::string_view group,
                                               const FilterQuery& query) {
  ASSIGN_OR_RETURN(filter::FilterPattern pattern, filter::FilterPattern::Compile(query.pattern));
  ASSIGN_OR_RETURN(GroupRecord r, ReadGroup(scope, group));
  int64_t lo = query.start_time.value_or(INT64_MIN);
  int64_t hi = query.end_time.value_or(INT64_MAX);  // inclusive
  Position after = query.after.value_or(Position::Min());
  std::vector<std::string> names = query.stream_names;
  std::sort(names.begin(), names.end());
  auto stream_wanted = [&](const std::string& s) {
    if (!names.empty()) return std::binary_search(names.begin(), names.end(), s);
    return s.starts_with(query.stream_prefix);
  };
  ASSIGN_OR_RETURN(std::vector<ChunkMeta> index, ChunkIndex(r.uid));
  std::vector<ChunkMeta> chunks;
  for (ChunkMeta& m : index) {
    if (m.max_ts < lo || m.min_ts > hi || m.max_ts < after.timestamp) continue;
    if (!stream_wanted(m.stream)) continue;
    chunks.push_back(std::move(m));
  }
  bool match_all = pattern.kind() == filter::PatternKind::kMatchAll;
  auto keep = [&](const ChunkEvent& e) {
    return e.timestamp >= lo && e.timestamp <= hi && Position{e.timestamp, e.eid} > after;
  };
  Merger merger(*this, scope, r, std::move(chunks), true,
                [&](const ChunkMeta&, const DecodedChunk& d, std::vector<uint32_t>& picked) {
                  if (match_all) {
                    for (uint32_t i = 0; i < d.events.size(); ++i) {
                      if (keep(d.events[i])) picked.push_back(i);
                    }
                  } else if (d.line_safe) {
                    // The bulk path: one scan over the newline-separated message area.
                    const char* base = d.lines.data();
                    pattern.ScanLines(d.lines, [&](std::string_view line) {
                      const char* at = line.data();
                      auto it = std::lower_bound(
                          d.events.begin(), d.events.end(), at,
                          [&](const ChunkEvent& e, const char* p) { return e.message.data() < p; });
                      if (it == d.events.end() || it->message.data() != at) return;
                      (void)base;
                      if (keep(*it)) picked.push_back(static_cast<uint32_t>(it - d.events.begin()));
                    });
                  } else {
                    for (uint32_t i = 0; i < d.events.size(); ++i) {
                      if (keep(d.events[i]) && pattern.Matches(d.events[i].message))
                        picked.push_back(i);
                    }
                  }
                });
  FilterResult result;
  size_t bytes = 0;
  int limit = std::clamp(query.limit, 1, kMaxEventsPerPage);
  while (true) {
    ASSIGN_OR_RETURN(std::optional<Merger::Item> item, merger.Next());
    if (!item) break;
    size_t size = item->event->message.size() + item->meta->stream.size() + kResponseEventOverhead;
    if (static_cast<int>(result.events.size()) == limit ||
        (bytes + size > kMaxResponseBytes && !result.events.empty())) {
      result.next = Position{result.events.back().timestamp, result.events.back().eid};
      break;
    }
    bytes += size;
    result.events.push_back(OutputEvent{item->meta->stream, item->event->timestamp,
                                        item->event->ingestion_time, item->event->eid,
                                        std::string(item->event->message)});
  }
  result.scanned_bytes = merger.scanned_bytes();
  return result;
}

}  // namespace kiroku::logs
