#include "trail/event_history.h"

#include "common/encoding.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::trail {
namespace json = boost::json;
namespace {

constexpr uint8_t kEventTag = 'E';

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string ScopePrefix(std::string_view account, std::string_view region) {
  return store::KeyBuilder().Tag(kEventTag).String(account).String(region).Build();
}

std::string EventKey(std::string_view account, std::string_view region, TimePoint t,
                     std::string_view event_id) {
  return store::KeyBuilder(ScopePrefix(account, region))
      .U64(static_cast<uint64_t>(std::max<int64_t>(0, Millis(t))))
      .String(event_id)
      .Build();
}

Status Invalid(std::string code, std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode(std::move(code));
}

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Whether `record` has the attribute value LookupEvents asks for.
bool Matches(const json::object& record, const std::string& key, const std::string& value) {
  if (key == "EventId") return Text(record, "eventID") == value;
  if (key == "EventName") return Text(record, "eventName") == value;
  if (key == "EventSource") return Text(record, "eventSource") == value;
  if (key == "ReadOnly") {
    const json::value* v = record.if_contains("readOnly");
    return v != nullptr && v->is_bool() && (v->as_bool() ? "true" : "false") == value;
  }
  const json::object* identity =
      record.contains("userIdentity") ? record.at("userIdentity").if_object() : nullptr;
  if (key == "AccessKeyId") return identity != nullptr && Text(*identity, "accessKeyId") == value;
  if (key == "Username") {
    if (identity == nullptr) return false;
    std::string name = Text(*identity, "userName");
    if (name.empty() && identity->contains("sessionContext")) {
      // Role sessions are looked up by session name (the ARN's last part).
      std::string arn = Text(*identity, "arn");
      name = arn.substr(arn.rfind('/') + 1);
    }
    if (name.empty() && Text(*identity, "type") == "Root") name = "root";
    return name == value;
  }
  if (key == "ResourceType" || key == "ResourceName") {
    const json::value* resources = record.if_contains("resources");
    if (resources == nullptr || !resources->is_array()) return false;
    for (const json::value& r : resources->as_array()) {
      const json::object& ro = r.as_object();
      if (key == "ResourceType" ? Text(ro, "type") == value : Text(ro, "ARN") == value) return true;
    }
  }
  return false;
}

}  // namespace

EventHistory::EventHistory(store::Db& db, const Clock& clock) : db_(db), clock_(clock) {}

void EventHistory::AddTo(store::WriteBatch& batch,
                         const std::vector<ApiCallRecord>& records) const {
  for (const ApiCallRecord& r : records) {
    if (!r.management_event) continue;
    batch.Put(kColumnFamily,
              EventKey(r.recipient_account_id, r.aws_region, r.event_time, r.event_id),
              json::serialize(r.ToJson()));
  }
}

Status EventHistory::Append(const std::vector<ApiCallRecord>& records) {
  store::WriteBatch batch;
  AddTo(batch, records);
  return db_.Write(batch);
}

Result<LookupPage> EventHistory::Lookup(const LookupQuery& q) const {
  static const std::array<std::string_view, 8> kKeys = {
      "EventId",      "EventName",    "ReadOnly",    "Username",
      "ResourceType", "ResourceName", "EventSource", "AccessKeyId"};
  if (q.attribute) {
    const auto& [key, value] = *q.attribute;
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      return Invalid(
          "InvalidLookupAttributesException",
          "Invalid attribute key: " + key +
              ". Valid keys are EventId, EventName, "
              "ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId");
    }
    if (value.empty() || value.size() > 2000) {
      return Invalid("InvalidLookupAttributesException",
                     "AttributeValue must be between 1 and 2000 characters");
    }
  }
  if (q.max_results < 1 || q.max_results > 50) {
    return Invalid("InvalidMaxResultsException", "MaxResults must be between 1 and 50");
  }
  TimePoint now = clock_.Now();
  TimePoint start = q.start_time.value_or(now - kHistoryRetention);
  TimePoint end = q.end_time.value_or(now);
  if (start > end) {
    return Invalid("InvalidTimeRangeException",
                   "Start time must be earlier than or equal to end time");
  }
  std::string prefix = ScopePrefix(q.account_id, q.region);
  std::string low = store::KeyBuilder(prefix)
                        .U64(static_cast<uint64_t>(std::max<int64_t>(0, Millis(start))))
                        .Build();
  std::string high = store::KeyBuilder(prefix).U64(static_cast<uint64_t>(Millis(end) + 1)).Build();
  if (!q.next_token.empty()) {
    // The token is the key of the last event returned: continue just below it.
    auto last = Base64Decode(q.next_token);
    if (!last || !last->starts_with(prefix) || *last < low || *last >= high) {
      return Invalid("InvalidNextTokenException", "Invalid NextToken");
    }
    high = *last;
  }
  LookupPage page;
  std::string last_key;
  Status scan =
      db_.Scan(kColumnFamily, store::Range::Between(low, high), store::Direction::kReverse,
               [&](std::string_view key, std::string_view value) {
                 auto record = store::ReadJsonRecord(value, "event");
                 if (!record.ok()) return true;  // unreadable: skip, never fail a lookup
                 if (q.attribute && !Matches(*record, q.attribute->first, q.attribute->second)) {
                   return true;
                 }
                 if (page.records.size() == q.max_results) {
                   page.next_token = Base64Encode(last_key);
                   return false;
                 }
                 page.records.push_back(std::move(*record));
                 last_key = std::string(key);
                 return true;
               });
  RETURN_IF_ERROR(scan);
  return page;
}

Result<size_t> EventHistory::PurgeExpired() {
  int64_t cutoff = Millis(clock_.Now() - kHistoryRetention);
  store::WriteBatch batch;
  RETURN_IF_ERROR(
      db_.Scan(kColumnFamily, store::Range::All(), [&](std::string_view key, std::string_view) {
        store::KeyReader reader(key);
        std::optional<uint8_t> tag = reader.Tag();
        std::optional<std::string> account = reader.String();
        std::optional<std::string> region = reader.String();
        std::optional<uint64_t> millis = reader.U64();
        if (tag && millis && static_cast<int64_t>(*millis) < cutoff) {
          batch.Delete(kColumnFamily, key);
        }
        return true;
      }));
  size_t purged = batch.size();
  RETURN_IF_ERROR(db_.Write(batch));
  return purged;
}

}  // namespace kiroku::trail
