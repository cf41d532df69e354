// Internal to logs/: what the files of LogStore share — the column families, the keys of its
// records (docs/storage-keys.md), the JSON record helpers, the error wording, and the layouts
// of a group record and of a chunk's index entry. One concept per file: `log_store.cc`
// (records, data keys, event ids), `log_groups.cc`, `log_streams.cc`, `log_events.cc` (puts,
// the merger, reads), `log_compaction.cc` (retention sweep, compactor), `metric_filters.cc`,
// `resource_policies.cc`.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "logs/log_store.h"

namespace kiroku::logs::internal {

inline constexpr std::string_view kMeta = "meta";
inline constexpr std::string_view kEvents = "events";
inline constexpr uint8_t kTag = 'L';
inline constexpr int64_t kDayMs = 24LL * 3600 * 1000;

Status InvalidParameter(std::string message);
Status GroupNotFound();
Status StreamNotFound();

// Keys of one account and region's records of a kind: 'g' groups, 's' streams, 'm' metric
// filters, 'p' resource policies; 'c' the chunk index of a group; chunks by group uid.
std::string GroupKey(const Scope& s, std::string_view name);
std::string GroupsPrefix(const Scope& s);
std::string StreamKey(const Scope& s, std::string_view group, std::string_view stream);
std::string StreamsPrefix(const Scope& s, std::string_view group);
std::string FilterKey(const Scope& s, std::string_view group, std::string_view name);
std::string FiltersPrefix(const Scope& s);
std::string FiltersPrefix(const Scope& s, std::string_view group);
std::string PolicyKey(const Scope& s, std::string_view name);
std::string PoliciesPrefix(const Scope& s);
std::string IndexPrefix(uint64_t uid);
std::string IndexKey(uint64_t uid, int64_t min_ts, uint64_t first_eid);
std::string ChunkKey(uint64_t uid, uint64_t first_eid);

boost::json::object TagsJson(const Tags& tags);
Tags TagsOf(const boost::json::value* v);

// Member `k` of `o` as a string / integer; empty / 0 when absent or of another type.
std::string S(const boost::json::object& o, std::string_view k);
int64_t I(const boost::json::object& o, std::string_view k);

}  // namespace kiroku::logs::internal

namespace kiroku::logs {

// A log group as stored under GroupKey: the group, its uid (which names its chunks) and the
// wrapped copies of its data keys.
struct LogStore::GroupRecord {
  std::string raw;  // as stored (for compare-and-set)
  std::string account, region;
  LogGroup group;
  uint64_t uid = 0;
  struct Key {
    uint32_t id = 0;
    std::string kms;      // empty: service-owned
    std::string wrapped;  // binary
    int64_t created = 0;
  };
  std::vector<Key> keys;  // the last one encrypts new data

  std::string Serialize() const;
  static Result<GroupRecord> Parse(std::string raw);
  KeyRef RefFor(const Key& k) const;
};

// A chunk's plaintext index entry (under IndexKey).
struct LogStore::ChunkMeta {
  std::string index_key;
  std::string index_value;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint64_t first_eid = 0;
  uint32_t count = 0;
  uint32_t key_id = 0;
  int64_t max_ingestion = 0;
  uint64_t raw_bytes = 0;
  uint64_t sealed_bytes = 0;
  std::string stream;

  std::string Encode() const;
  static std::optional<ChunkMeta> Decode(std::string_view key, std::string_view value);
};

}  // namespace kiroku::logs
