// EventHistory: CloudTrail's per-region event history (LookupEvents), kept 90 days in the
// "history" column family, keyed by (account, region, event time, event id) so a lookup is a
// reverse range scan, newest first. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"
#include "trail/record.h"

namespace kiroku::trail {

inline constexpr std::chrono::hours kHistoryRetention{24 * 90};

struct LookupQuery {
  std::string account_id;
  std::string region;
  // At most one attribute, as LookupEvents allows: EventId, EventName, ReadOnly, Username,
  // ResourceType, ResourceName, EventSource, AccessKeyId.
  std::optional<std::pair<std::string, std::string>> attribute;
  std::optional<TimePoint> start_time;
  std::optional<TimePoint> end_time;
  size_t max_results = 50;
  std::string next_token;  // from the previous page; empty for the first
};

struct LookupPage {
  std::vector<boost::json::object> records;  // newest first
  std::string next_token;                    // empty on the last page
};

class EventHistory {
 public:
  static constexpr std::string_view kColumnFamily = "history";

  // `db` and `clock` must outlive this object.
  EventHistory(store::Db& db, const Clock& clock);

  // Appends management events (one atomic, fsynced batch). Data events are not kept.
  Status Append(const std::vector<ApiCallRecord>& records);
  // The puts Append would write, added to `batch` (the Recorder writes them together with the
  // trails' queue entries).
  void AddTo(store::WriteBatch& batch, const std::vector<ApiCallRecord>& records) const;

  // InvalidArgument with CloudTrail's codes (InvalidLookupAttributesException,
  // InvalidTimeRangeException, InvalidMaxResultsException, InvalidNextTokenException).
  Result<LookupPage> Lookup(const LookupQuery& query) const;

  // Deletes events older than the 90-day window; returns how many.
  Result<size_t> PurgeExpired();

 private:
  store::Db& db_;
  const Clock& clock_;
};

}  // namespace kiroku::trail
