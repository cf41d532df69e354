// LogStore: CloudWatch Logs log groups, log streams and their events for every (account,
// region), persisted in store::Db (key tables: docs/storage-keys.md, format: docs/logs.md).
//
// Events are stored in chunks: one accepted PutLogEvents batch becomes one chunk (events sorted
// by timestamp, zstd-compressed, AES-256-GCM-encrypted with the group's data key, the chunk's
// key bound as additional data). A small plaintext index entry per chunk (stream, time range,
// count, sizes, data key id) lets time-bounded reads skip chunks without decrypting them. No
// event text is ever written in plaintext; a write is acknowledged only after Db::Write
// (fsynced) returned.
//
// Every event has a unique 64-bit id (`eid`, assigned at ingestion) and is ordered by
// (timestamp, eid): that order is the reading order of GetLogEvents and FilterLogEvents, and
// their tokens name a position in it, so a token stays valid while new events arrive and while
// the compactor merges chunks.
//
// Data keys come from DataKeys (backed by KMS in services/logs/): each group keeps the wrapped
// copies of its data keys; the plaintext is cached for Options::data_key_cache and decrypted
// again (a KMS call, so a disabled or deleted key is noticed) when the cache entry expires.
// Chunks stay under the data key they were written with: associating another KMS key only
// affects new data.
//
// Thread-safe: every method may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/scope.h"
#include "common/status.h"
#include "crypto/secret.h"
#include "store/db.h"

namespace kiroku::logs {

// AWS quotas and rules of the data plane (docs/logs.md).
inline constexpr size_t kMaxEventsPerBatch = 10000;
inline constexpr size_t kMaxBatchBytes = 1048576;
inline constexpr size_t kEventOverheadBytes = 26;
inline constexpr int64_t kMaxBatchSpanMs = 24LL * 3600 * 1000;
inline constexpr int64_t kMaxFutureMs = 2LL * 3600 * 1000;
inline constexpr int64_t kMaxAgeMs = 14LL * 24 * 3600 * 1000;
inline constexpr size_t kMaxResponseBytes = 1048576;
inline constexpr int kMaxEventsPerPage = 10000;
inline constexpr int kMaxMetricFiltersPerGroup = 100;
inline constexpr int kMaxResourcePolicies = 10;

using Tags = std::map<std::string, std::string>;

// arn:aws:logs:<region>:<account>:log-group:<name> (no ":*").
std::string GroupArn(const Scope& scope, std::string_view group);
// ...:log-group:<name>:log-stream:<stream>
std::string StreamArn(const Scope& scope, std::string_view group, std::string_view stream);
// The retention periods AWS accepts (1, 3, 5, ... 3653 days).
bool IsAllowedRetention(int days);
// InvalidParameterException with AWS's validation text unless `name` is a valid group name
// (1-512 of [.-_/#A-Za-z0-9], not starting with "aws/") / stream name (1-512, no ':' or '*').
Status ValidateGroupName(std::string_view name, std::string_view member = "logGroupName");
Status ValidateStreamName(std::string_view name, std::string_view member = "logStreamName");

// --- data keys ------------------------------------------------------------------------------

// Which key protects a group's data key: the group's KMS key (`kms_key_id`, as the user named
// it) or, when empty, the service-owned key. `group_arn` is the encryption context.
struct KeyRef {
  std::string account;
  std::string region;
  std::string kms_key_id;
  std::string group_arn;
};

struct GeneratedDataKey {
  crypto::SecretBytes plaintext;  // 32 bytes
  std::string wrapped;            // opaque; given back to Decrypt
};

// Where data keys come from. Implementations call KMS as the logs service principal and map
// its failures to the errors CloudWatch Logs gives (AccessDeniedException "The specified KMS
// key does not exist or is not allowed to be used with Arn '<arn>'", the KMS state errors).
// Thread-safe.
class DataKeys {
 public:
  virtual ~DataKeys() = default;
  virtual Result<GeneratedDataKey> Generate(const KeyRef& ref) = 0;
  virtual Result<crypto::SecretBytes> Decrypt(const KeyRef& ref, std::string_view wrapped) = 0;
};

// --- records --------------------------------------------------------------------------------

struct LogGroup {
  std::string name;
  int64_t creation_time = 0;  // ms
  std::optional<int> retention_days;
  std::string kms_key_id;  // empty: service-owned key
  std::string log_group_class = "STANDARD";
  Tags tags;
  int64_t stored_bytes = 0;  // filled by DescribeLogGroups
  int metric_filter_count = 0;
};

struct LogStream {
  std::string name;
  int64_t creation_time = 0;
  std::optional<int64_t> first_event_timestamp;
  std::optional<int64_t> last_event_timestamp;
  std::optional<int64_t> last_ingestion_time;
  int64_t stored_bytes = 0;
};

struct GroupQuery {
  std::string prefix;              // logGroupNamePrefix
  std::string pattern;             // logGroupNamePattern: case-sensitive substring
  std::vector<std::string> names;  // logGroupIdentifiers (names)
  int limit = 50;
  std::string after;  // the last name of the previous page
};

struct GroupPage {
  std::vector<LogGroup> groups;
  std::optional<std::string> next;  // last name returned when more remain
};

enum class StreamOrder { kName, kLastEventTime };

struct StreamQuery {
  std::string prefix;
  StreamOrder order = StreamOrder::kName;
  bool descending = false;
  int limit = 50;
  size_t offset = 0;  // position in the ordered listing (the page token)
};

struct StreamPage {
  std::vector<LogStream> streams;
  std::optional<size_t> next_offset;
};

// --- events ---------------------------------------------------------------------------------

struct InputEvent {
  int64_t timestamp = 0;  // ms
  std::string_view message;
};

struct PutResult {
  std::optional<size_t> too_new_start;  // tooNewLogEventStartIndex (inclusive)
  std::optional<size_t> too_old_end;    // tooOldLogEventEndIndex (exclusive)
  std::optional<size_t> expired_end;    // expiredLogEventEndIndex (exclusive)
  size_t accepted = 0;
};

// A position in a stream's or group's event order: (timestamp, eid).
struct Position {
  int64_t timestamp = 0;
  uint64_t eid = 0;
  auto operator<=>(const Position&) const = default;
  static Position Min() { return {INT64_MIN, 0}; }
  static Position Max() { return {INT64_MAX, UINT64_MAX}; }
};

struct OutputEvent {
  std::string stream;
  int64_t timestamp = 0;
  int64_t ingestion_time = 0;
  uint64_t eid = 0;
  std::string message;
};

struct GetQuery {
  std::optional<int64_t> start_time;  // inclusive
  std::optional<int64_t> end_time;    // exclusive
  int limit = kMaxEventsPerPage;
  bool forward = false;  // startFromHead, or a forward token
  // Forward: return events after this position; backward: before it.
  std::optional<Position> from;
};

struct GetResult {
  std::vector<OutputEvent> events;  // ascending
  Position forward;   // next forward token: after the last event (or where the read started)
  Position backward;  // next backward token: before the first event
};

struct FilterQuery {
  std::string pattern;
  std::vector<std::string> stream_names;
  std::string stream_prefix;
  std::optional<int64_t> start_time;  // inclusive
  std::optional<int64_t> end_time;    // inclusive (AWS)
  int limit = kMaxEventsPerPage;
  std::optional<Position> after;  // the nextToken
};

struct FilterResult {
  std::vector<OutputEvent> events;
  std::optional<Position> next;  // set when the page stopped before the end
  uint64_t scanned_bytes = 0;    // event bytes decrypted and matched (benchmarks)
};

// --- metric filters, resource policies ----------------------------------------------------

struct MetricTransformation {
  std::string metric_name;
  std::string metric_namespace;
  std::string metric_value;
  std::optional<double> default_value;
  std::map<std::string, std::string> dimensions;
  std::string unit;
};

struct MetricFilter {
  std::string filter_name;
  std::string filter_pattern;
  std::vector<MetricTransformation> transformations;
  int64_t creation_time = 0;
  std::string log_group_name;
  bool apply_on_transformed_logs = false;
};

struct MetricFilterQuery {
  std::string group;  // empty: every group
  std::string name_prefix;
  std::string metric_name;
  std::string metric_namespace;
  int limit = 50;
  std::string after;  // "<group>\n<filter>" of the previous page's last filter
};

struct ResourcePolicy {
  std::string name;
  std::string document;
  int64_t last_updated_time = 0;
};

class LogStore {
 public:
  struct Options {
    // How long a decrypted data key is used before KMS is asked again.
    std::chrono::seconds data_key_cache{300};
    // Chunks below this many event bytes are merged by Compact().
    size_t small_chunk_bytes = 256 * 1024;
    // Merged chunks grow up to about this many event bytes.
    size_t target_chunk_bytes = 4 * 1024 * 1024;
  };

  // `db`, `clock` and `keys` must outlive this object.
  LogStore(store::Db& db, const Clock& clock, DataKeys& keys, Options options);
  LogStore(store::Db& db, const Clock& clock, DataKeys& keys)
      : LogStore(db, clock, keys, Options()) {}
  ~LogStore();

  // Groups. Errors: InvalidArgument (InvalidParameterException) for bad names or values,
  // AlreadyExists (ResourceAlreadyExistsException), NotFound (ResourceNotFoundException), and
  // the DataKeys errors when a KMS key is named.
  Status CreateLogGroup(const Scope& scope, std::string_view name, const std::string& kms_key_id,
                        const Tags& tags, const std::string& log_group_class);
  // Deletes the group, its streams, chunks and metric filters.
  Status DeleteLogGroup(const Scope& scope, std::string_view name);
  Result<LogGroup> GetLogGroup(const Scope& scope, std::string_view name) const;
  Result<GroupPage> DescribeLogGroups(const Scope& scope, const GroupQuery& query) const;
  // nullopt removes the retention (never expire).
  Status PutRetentionPolicy(const Scope& scope, std::string_view name, std::optional<int> days);
  // New data is encrypted under `kms_key_id` (checked through DataKeys); existing chunks stay
  // under their keys.
  Status AssociateKmsKey(const Scope& scope, std::string_view name, const std::string& kms_key_id);
  Status DisassociateKmsKey(const Scope& scope, std::string_view name);
  Status TagLogGroup(const Scope& scope, std::string_view name, const Tags& tags);
  Status UntagLogGroup(const Scope& scope, std::string_view name,
                       const std::vector<std::string>& keys);

  // Streams.
  Status CreateLogStream(const Scope& scope, std::string_view group, std::string_view stream);
  Status DeleteLogStream(const Scope& scope, std::string_view group, std::string_view stream);
  Result<StreamPage> DescribeLogStreams(const Scope& scope, std::string_view group,
                                        const StreamQuery& query) const;

  // Events. PutLogEvents validates every AWS rule (InvalidArgument for a batch that breaks
  // one), reports too-new / too-old / expired events in the result and stores the rest as one
  // chunk, durably, before returning.
  Result<PutResult> PutLogEvents(const Scope& scope, std::string_view group,
                                 std::string_view stream, std::span<const InputEvent> events);
  Result<GetResult> GetLogEvents(const Scope& scope, std::string_view group,
                                 std::string_view stream, const GetQuery& query);
  // InvalidArgument for a pattern that does not compile.
  Result<FilterResult> FilterLogEvents(const Scope& scope, std::string_view group,
                                       const FilterQuery& query);

  // Metric filters (at most 100 per group).
  Status PutMetricFilter(const Scope& scope, const MetricFilter& filter);
  Status DeleteMetricFilter(const Scope& scope, std::string_view group, std::string_view name);
  Result<std::pair<std::vector<MetricFilter>, std::optional<std::string>>> DescribeMetricFilters(
      const Scope& scope, const MetricFilterQuery& query) const;

  // Account-level resource policies (at most 10 per region).
  Result<ResourcePolicy> PutResourcePolicy(const Scope& scope, std::string_view name,
                                           std::string_view document);
  Status DeleteResourcePolicy(const Scope& scope, std::string_view name);
  Result<std::vector<ResourcePolicy>> DescribeResourcePolicies(const Scope& scope) const;

  // Background work (app/ runs it periodically). Deletes every chunk whose newest event is
  // older than its group's retention; returns the number of chunks deleted.
  Result<size_t> SweepRetention();
  // Merges runs of small chunks of one stream written under the same data key; returns the
  // number of chunks removed by merging.
  Result<size_t> Compact();

  // Forgets every cached data key (tests).
  void DropKeyCache();

 private:
  struct GroupRecord;
  struct ChunkMeta;
  class Merger;

  Result<GroupRecord> ReadGroup(const Scope& scope, std::string_view name) const;
  Status UpdateGroup(const Scope& scope, std::string_view name,
                     const std::function<Status(GroupRecord&)>& change);
  Result<std::string> StreamValue(const Scope& scope, std::string_view group,
                                  std::string_view stream) const;
  Result<std::vector<ChunkMeta>> ChunkIndex(uint64_t uid) const;
  Result<std::shared_ptr<const crypto::SecretBytes>> DataKey(const Scope& scope,
                                                             const GroupRecord& group,
                                                             uint32_t key_id);
  uint64_t ReserveEids(size_t n);
  Status DeleteChunks(uint64_t uid, const std::function<bool(const ChunkMeta&)>& which,
                      size_t* deleted);
  Result<size_t> CompactGroup(const Scope& scope, const GroupRecord& group);

  store::Db& db_;
  const Clock& clock_;
  DataKeys& keys_;
  Options options_;

  Mutex eid_mu_;
  uint64_t last_eid_ GUARDED_BY(eid_mu_) = 0;

  struct CachedKey {
    std::shared_ptr<const crypto::SecretBytes> key;
    std::chrono::steady_clock::time_point expires;
  };
  Mutex cache_mu_;
  std::unordered_map<std::string, CachedKey> cache_ GUARDED_BY(cache_mu_);
};

}  // namespace kiroku::logs
