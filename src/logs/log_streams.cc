// Log streams: create, delete (with their chunks), describe (first/last event times from the
// chunk index).
#include <algorithm>
#include <boost/json.hpp>
#include <unordered_map>

#include "logs/log_store.h"
#include "logs/log_store_internal.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::logs {
namespace json = boost::json;
using namespace internal;  // NOLINT: logs' own record helpers

// --- streams --------------------------------------------------------------------------------

Status LogStore::CreateLogStream(const Scope& scope, std::string_view group,
                                 std::string_view stream) {
  RETURN_IF_ERROR(ValidateStreamName(stream));
  RETURN_IF_ERROR(ReadGroup(scope, group).status());
  json::object o{{"created", clock_.NowMillis()}};
  Status s =
      db_.CompareAndSet(kMeta, StreamKey(scope, group, stream), std::nullopt, json::serialize(o));
  if (s.code() == Code::kConflict) {
    return Status::AlreadyExists("The specified log stream already exists")
        .WithAwsCode("ResourceAlreadyExistsException");
  }
  return s;
}

Status LogStore::DeleteLogStream(const Scope& scope, std::string_view group,
                                 std::string_view stream) {
  ASSIGN_OR_RETURN(GroupRecord r, ReadGroup(scope, group));
  ASSIGN_OR_RETURN(std::string value, StreamValue(scope, group, stream));
  Status s = db_.CompareAndSet(kMeta, StreamKey(scope, group, stream), value, std::nullopt);
  if (s.code() == Code::kConflict) return StreamNotFound();
  RETURN_IF_ERROR(s);
  // Puts check the stream record atomically with their write, so no chunk of this stream can
  // appear after this point.
  std::string name(stream);
  return DeleteChunks(
      r.uid, [&](const ChunkMeta& m) { return m.stream == name; }, nullptr);
}

Result<StreamPage> LogStore::DescribeLogStreams(const Scope& scope, std::string_view group,
                                                const StreamQuery& query) const {
  ASSIGN_OR_RETURN(GroupRecord r, ReadGroup(scope, group));
  std::vector<LogStream> streams;
  std::string prefix =
      store::KeyBuilder(StreamsPrefix(scope, group)).StringPrefix(query.prefix).Build();
  RETURN_IF_ERROR(
      db_.Scan(kMeta, store::Range::Prefix(prefix), [&](std::string_view k, std::string_view v) {
        store::KeyReader rd(k);
        for (int i = 0; i < 2; ++i) rd.Tag();
        for (int i = 0; i < 3; ++i) rd.String();
        std::optional<std::string> name = rd.String();
        if (!name) return true;
        LogStream s;
        s.name = std::move(*name);
        if (auto o = store::ReadJsonRecord(v, "log stream"); o.ok()) {
          s.creation_time = I(*o, "created");
        }
        streams.push_back(std::move(s));
        return true;
      }));
  ASSIGN_OR_RETURN(std::vector<ChunkMeta> index, ChunkIndex(r.uid));
  std::unordered_map<std::string, LogStream*> by_name;
  for (LogStream& s : streams) by_name[s.name] = &s;
  for (const ChunkMeta& m : index) {
    auto it = by_name.find(m.stream);
    if (it == by_name.end()) continue;
    LogStream& s = *it->second;
    s.first_event_timestamp = std::min(s.first_event_timestamp.value_or(INT64_MAX), m.min_ts);
    s.last_event_timestamp = std::max(s.last_event_timestamp.value_or(INT64_MIN), m.max_ts);
    s.last_ingestion_time = std::max(s.last_ingestion_time.value_or(INT64_MIN), m.max_ingestion);
  }
  if (query.order == StreamOrder::kLastEventTime) {
    std::stable_sort(streams.begin(), streams.end(), [](const LogStream& a, const LogStream& b) {
      return a.last_event_timestamp.value_or(0) < b.last_event_timestamp.value_or(0);
    });
  }
  if (query.descending) std::reverse(streams.begin(), streams.end());
  StreamPage page;
  for (size_t i = query.offset; i < streams.size(); ++i) {
    if (static_cast<int>(page.streams.size()) == query.limit) {
      page.next_offset = i;
      break;
    }
    page.streams.push_back(std::move(streams[i]));
  }
  return page;
}

}  // namespace kiroku::logs
