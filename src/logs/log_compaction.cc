// Background work on chunks: deleting a group's chunks, the retention sweep and the compactor
// (which merges a stream's small chunks under the same data key).
#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "logs/chunk.h"
#include "logs/log_store.h"
#include "logs/log_store_internal.h"
#include "store/keys.h"

namespace kiroku::logs {
namespace json = boost::json;
using namespace internal;  // NOLINT: logs' own record helpers

Status LogStore::DeleteChunks(uint64_t uid, const std::function<bool(const ChunkMeta&)>& which,
                              size_t* deleted) {
  ASSIGN_OR_RETURN(std::vector<ChunkMeta> index, ChunkIndex(uid));
  store::WriteBatch batch;
  for (const ChunkMeta& m : index) {
    if (!which(m)) continue;
    batch.Delete(kMeta, m.index_key);
    batch.Delete(kEvents, ChunkKey(uid, m.first_eid));
    if (deleted != nullptr) ++*deleted;
    if (batch.size() >= 2000) {
      RETURN_IF_ERROR(db_.Write(batch));
      batch.Clear();
    }
  }
  return db_.Write(batch);
}

// --- background work ------------------------------------------------------------------------

Result<size_t> LogStore::SweepRetention() {
  std::vector<GroupRecord> groups;
  RETURN_IF_ERROR(db_.Scan(kMeta,
                           store::Range::Prefix(store::KeyBuilder().Tag(kTag).Tag('g').Build()),
                           [&](std::string_view, std::string_view v) {
                             if (auto r = GroupRecord::Parse(std::string(v)); r.ok()) {
                               if (r->group.retention_days) groups.push_back(std::move(*r));
                             }
                             return true;
                           }));
  size_t deleted = 0;
  int64_t now = clock_.NowMillis();
  for (const GroupRecord& g : groups) {
    int64_t cutoff = now - *g.group.retention_days * kDayMs;
    RETURN_IF_ERROR(DeleteChunks(
        g.uid, [&](const ChunkMeta& m) { return m.max_ts < cutoff; }, &deleted));
  }
  return deleted;
}

Result<size_t> LogStore::CompactGroup(const Scope& scope, const GroupRecord& r) {
  ASSIGN_OR_RETURN(std::vector<ChunkMeta> index, ChunkIndex(r.uid));
  std::map<std::pair<std::string, uint32_t>, std::vector<const ChunkMeta*>> small;
  for (const ChunkMeta& m : index) {
    if (m.raw_bytes < options_.small_chunk_bytes) small[{m.stream, m.key_id}].push_back(&m);
  }
  size_t removed = 0;
  for (auto& [stream_key, list] : small) {
    size_t i = 0;
    while (i + 1 < list.size()) {
      std::vector<const ChunkMeta*> run;
      size_t bytes = 0;
      while (i < list.size() &&
             (run.empty() || bytes + list[i]->raw_bytes <= options_.target_chunk_bytes)) {
        bytes += list[i]->raw_bytes;
        run.push_back(list[i++]);
      }
      if (run.size() < 2) continue;
      Result<std::shared_ptr<const crypto::SecretBytes>> key = DataKey(scope, r, stream_key.second);
      if (!key.ok()) return removed;  // the key is unusable now: leave the group as it is
      std::vector<DecodedChunk> decoded;
      std::vector<ChunkEvent> events;
      ChunkMeta merged;
      merged.stream = stream_key.first;
      merged.key_id = stream_key.second;
      merged.min_ts = INT64_MAX;
      merged.max_ts = INT64_MIN;
      merged.first_eid = UINT64_MAX;
      bool vanished = false;
      for (const ChunkMeta* m : run) {
        std::string ck = ChunkKey(r.uid, m->first_eid);
        ASSIGN_OR_RETURN(std::optional<std::string> sealed, db_.Get(kEvents, ck));
        if (!sealed) {
          vanished = true;
          break;
        }
        ASSIGN_OR_RETURN(DecodedChunk d, internal::OpenChunk(**key, ck, *sealed));
        decoded.push_back(std::move(d));
        merged.min_ts = std::min(merged.min_ts, m->min_ts);
        merged.max_ts = std::max(merged.max_ts, m->max_ts);
        merged.first_eid = std::min(merged.first_eid, m->first_eid);
        merged.max_ingestion = std::max(merged.max_ingestion, m->max_ingestion);
        merged.raw_bytes += m->raw_bytes;
        merged.count += m->count;
      }
      if (vanished) continue;
      for (const DecodedChunk& d : decoded)
        events.insert(events.end(), d.events.begin(), d.events.end());
      std::sort(events.begin(), events.end(), [](const ChunkEvent& a, const ChunkEvent& b) {
        return std::tie(a.timestamp, a.eid) < std::tie(b.timestamp, b.eid);
      });
      std::string chunk_key = ChunkKey(r.uid, merged.first_eid);
      ASSIGN_OR_RETURN(std::string sealed, internal::SealChunk(**key, chunk_key, events));
      merged.sealed_bytes = sealed.size();
      store::WriteBatch batch;
      std::vector<store::Expectation> expect;
      for (const ChunkMeta* m : run) {
        batch.Delete(kMeta, m->index_key);
        batch.Delete(kEvents, ChunkKey(r.uid, m->first_eid));
        expect.push_back({std::string(kMeta), m->index_key, m->index_value});
      }
      batch.Put(kEvents, chunk_key, sealed);
      batch.Put(kMeta, IndexKey(r.uid, merged.min_ts, merged.first_eid), merged.Encode());
      ASSIGN_OR_RETURN(std::string stream_value, StreamValue(scope, r.group.name, merged.stream));
      expect.push_back(
          {std::string(kMeta), StreamKey(scope, r.group.name, merged.stream), stream_value});
      Status s = db_.WriteIf(expect, batch);
      if (s.code() == Code::kConflict) continue;  // changed meanwhile: next round
      RETURN_IF_ERROR(s);
      removed += run.size() - 1;
    }
  }
  return removed;
}

Result<size_t> LogStore::Compact() {
  std::vector<GroupRecord> groups;
  RETURN_IF_ERROR(db_.Scan(kMeta,
                           store::Range::Prefix(store::KeyBuilder().Tag(kTag).Tag('g').Build()),
                           [&](std::string_view, std::string_view v) {
                             if (auto r = GroupRecord::Parse(std::string(v)); r.ok()) {
                               groups.push_back(std::move(*r));
                             }
                             return true;
                           }));
  size_t removed = 0;
  for (const GroupRecord& g : groups) {
    Result<size_t> n = CompactGroup(Scope{g.account, g.region}, g);
    if (n.status().code() == Code::kNotFound) continue;  // a stream was deleted meanwhile
    if (!n.ok()) return n.status();
    removed += *n;
  }
  return removed;
}

}  // namespace kiroku::logs
