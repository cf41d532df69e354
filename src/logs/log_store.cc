// LogStore's shared plumbing: the key builders and record helpers of log_store_internal.h,
// the public name and ARN helpers, the group record and chunk index encodings, reads and
// compare-and-set updates of group records, data keys and their cache, event ids.
#include "logs/log_store.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstring>

#include "common/arn.h"
#include "common/encoding.h"
#include "logs/log_store_internal.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::logs {
namespace json = boost::json;

namespace internal {

Status InvalidParameter(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidParameterException");
}
Status GroupNotFound() {
  return Status::NotFound("The specified log group does not exist.")
      .WithAwsCode("ResourceNotFoundException");
}
Status StreamNotFound() {
  return Status::NotFound("The specified log stream does not exist.")
      .WithAwsCode("ResourceNotFoundException");
}

namespace {

// Keys of one account and region's records of a kind: 'g' groups, 's' streams, 'm' metric
// filters, 'p' resource policies (docs/storage-keys.md).
store::KeyBuilder ScopeKey(uint8_t kind, const Scope& s) {
  store::KeyBuilder key;
  key.Tag(kTag).Tag(kind).String(s.account).String(s.region);
  return key;
}

}  // namespace

std::string GroupKey(const Scope& s, std::string_view name) {
  return ScopeKey('g', s).String(name).Build();
}
std::string GroupsPrefix(const Scope& s) { return ScopeKey('g', s).Build(); }
std::string StreamKey(const Scope& s, std::string_view group, std::string_view stream) {
  return ScopeKey('s', s).String(group).String(stream).Build();
}
std::string StreamsPrefix(const Scope& s, std::string_view group) {
  return ScopeKey('s', s).String(group).Build();
}
std::string FilterKey(const Scope& s, std::string_view group, std::string_view name) {
  return ScopeKey('m', s).String(group).String(name).Build();
}
std::string FiltersPrefix(const Scope& s) { return ScopeKey('m', s).Build(); }
std::string FiltersPrefix(const Scope& s, std::string_view group) {
  return ScopeKey('m', s).String(group).Build();
}
std::string PolicyKey(const Scope& s, std::string_view name) {
  return ScopeKey('p', s).String(name).Build();
}
std::string PoliciesPrefix(const Scope& s) { return ScopeKey('p', s).Build(); }
std::string IndexPrefix(uint64_t uid) {
  return store::KeyBuilder().Tag(kTag).Tag('c').U64(uid).Build();
}
std::string IndexKey(uint64_t uid, int64_t min_ts, uint64_t first_eid) {
  return store::KeyBuilder().Tag(kTag).Tag('c').U64(uid).I64(min_ts).U64(first_eid).Build();
}
std::string ChunkKey(uint64_t uid, uint64_t first_eid) {
  return store::KeyBuilder().Tag(kTag).U64(uid).U64(first_eid).Build();
}

json::object TagsJson(const Tags& tags) {
  json::object o;
  for (const auto& [k, v] : tags) o[k] = v;
  return o;
}

Tags TagsOf(const json::value* v) {
  Tags tags;
  if (v != nullptr && v->is_object()) {
    for (const auto& [k, val] : v->as_object()) {
      if (val.is_string()) tags[std::string(k)] = std::string(val.as_string());
    }
  }
  return tags;
}

std::string S(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}
int64_t I(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v != nullptr && v->is_number() ? v->to_number<int64_t>() : 0;
}

}  // namespace internal

using namespace internal;  // NOLINT: logs' own record helpers

namespace {

template <typename T>
void Put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}
template <typename T>
T Get(std::string_view& in) {
  T v{};
  if (in.size() < sizeof(T)) {
    in = {};
    return v;
  }
  std::memcpy(&v, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return v;
}

Status ValidateName(std::string_view name, std::string_view member, bool group) {
  auto bad = [&](std::string constraint) {
    return InvalidParameter("1 validation error detected: Value '" + std::string(name) + "' at '" +
                            std::string(member) + "' failed to satisfy constraint: " + constraint);
  };
  if (name.empty()) return bad("Member must have length greater than or equal to 1");
  if (name.size() > 512) return bad("Member must have length less than or equal to 512");
  for (char c : name) {
    if (group) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_' || c == '/' || c == '#';
      if (!ok) return bad("Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
    } else if (c == ':' || c == '*') {
      return bad("Member must satisfy regular expression pattern: [^:*]*");
    }
  }
  if (group && name.starts_with("aws/")) {
    return InvalidParameter("Log group names starting with 'aws/' are reserved for AWS.");
  }
  return Status::Ok();
}

}  // namespace

std::string GroupArn(const Scope& scope, std::string_view group) {
  return Arn::Logs(scope.region, scope.account, "log-group:" + std::string(group)).ToString();
}

std::string StreamArn(const Scope& scope, std::string_view group, std::string_view stream) {
  return GroupArn(scope, group) + ":log-stream:" + std::string(stream);
}

bool IsAllowedRetention(int days) {
  static constexpr int kAllowed[] = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                     365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};
  return std::find(std::begin(kAllowed), std::end(kAllowed), days) != std::end(kAllowed);
}

Status ValidateGroupName(std::string_view name, std::string_view member) {
  return ValidateName(name, member, true);
}
Status ValidateStreamName(std::string_view name, std::string_view member) {
  return ValidateName(name, member, false);
}

// --- records --------------------------------------------------------------------------------

std::string LogStore::GroupRecord::Serialize() const {
  json::array ks;
  for (const Key& k : keys) {
    ks.push_back(json::object{{"id", k.id},
                              {"kms", k.kms},
                              {"wrapped", Base64Encode(k.wrapped)},
                              {"created", k.created}});
  }
  json::object o{{"name", group.name},
                 {"account", account},
                 {"region", region},
                 {"created", group.creation_time},
                 {"uid", uid},
                 {"kms", group.kms_key_id},
                 {"class", group.log_group_class},
                 {"tags", TagsJson(group.tags)},
                 {"keys", std::move(ks)}};
  if (group.retention_days) o["retention"] = *group.retention_days;
  return json::serialize(o);
}

Result<LogStore::GroupRecord> LogStore::GroupRecord::Parse(std::string raw) {
  ASSIGN_OR_RETURN(json::object o, store::ReadJsonRecord(raw, "log group"));
  GroupRecord r;
  r.raw = std::move(raw);
  r.account = S(o, "account");
  r.region = S(o, "region");
  r.group.name = S(o, "name");
  r.group.creation_time = I(o, "created");
  if (const json::value* v = o.if_contains("uid"); v != nullptr && v->is_number()) {
    r.uid = v->to_number<uint64_t>();
  }
  r.group.kms_key_id = S(o, "kms");
  r.group.log_group_class = S(o, "class");
  r.group.tags = TagsOf(o.if_contains("tags"));
  if (o.contains("retention")) r.group.retention_days = static_cast<int>(I(o, "retention"));
  if (const json::value* v = o.if_contains("keys"); v != nullptr && v->is_array()) {
    for (const json::value& kv : v->as_array()) {
      if (!kv.is_object()) continue;
      const json::object& ko = kv.as_object();
      Key k;
      k.id = static_cast<uint32_t>(I(ko, "id"));
      k.kms = S(ko, "kms");
      k.wrapped = Base64Decode(S(ko, "wrapped")).value_or("");
      k.created = I(ko, "created");
      r.keys.push_back(std::move(k));
    }
  }
  if (r.keys.empty()) return Status::Internal("logs: group record without a data key");
  return r;
}

KeyRef LogStore::GroupRecord::RefFor(const Key& k) const {
  return KeyRef{account, region, k.kms, GroupArn(Scope{account, region}, group.name)};
}

std::string LogStore::ChunkMeta::Encode() const {
  std::string out;
  out.push_back(1);
  Put<int64_t>(out, max_ts);
  Put<uint32_t>(out, count);
  Put<uint32_t>(out, key_id);
  Put<int64_t>(out, max_ingestion);
  Put<uint64_t>(out, raw_bytes);
  Put<uint64_t>(out, sealed_bytes);
  out.append(stream);
  return out;
}

std::optional<LogStore::ChunkMeta> LogStore::ChunkMeta::Decode(std::string_view key,
                                                               std::string_view value) {
  ChunkMeta m;
  m.index_key = std::string(key);
  m.index_value = std::string(value);
  store::KeyReader r(key);
  if (r.Tag() != kTag || r.Tag() != 'c' || !r.U64()) return std::nullopt;
  auto min_ts = r.I64();
  auto eid = r.U64();
  if (!min_ts || !eid || value.empty() || value[0] != 1) return std::nullopt;
  m.min_ts = *min_ts;
  m.first_eid = *eid;
  value.remove_prefix(1);
  m.max_ts = Get<int64_t>(value);
  m.count = Get<uint32_t>(value);
  m.key_id = Get<uint32_t>(value);
  m.max_ingestion = Get<int64_t>(value);
  m.raw_bytes = Get<uint64_t>(value);
  m.sealed_bytes = Get<uint64_t>(value);
  m.stream = std::string(value);
  return m;
}

LogStore::LogStore(store::Db& db, const Clock& clock, DataKeys& keys, Options options)
    : db_(db), clock_(clock), keys_(keys), options_(options) {}

LogStore::~LogStore() = default;

void LogStore::DropKeyCache() {
  MutexLock lock(cache_mu_);
  cache_.clear();
}

Result<LogStore::GroupRecord> LogStore::ReadGroup(const Scope& scope, std::string_view name) const {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, db_.Get(kMeta, GroupKey(scope, name)));
  if (!raw) return GroupNotFound();
  return GroupRecord::Parse(std::move(*raw));
}

Status LogStore::UpdateGroup(const Scope& scope, std::string_view name,
                             const std::function<Status(GroupRecord&)>& change) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    ASSIGN_OR_RETURN(GroupRecord record, ReadGroup(scope, name));
    std::string before = record.raw;
    RETURN_IF_ERROR(change(record));
    Status s = db_.CompareAndSet(kMeta, GroupKey(scope, name), before, record.Serialize());
    if (s.code() != Code::kConflict) return s;
  }
  return Status::Conflict("Multiple concurrent modifications of the log group; try again.")
      .WithAwsCode("OperationAbortedException");
}

Result<std::string> LogStore::StreamValue(const Scope& scope, std::string_view group,
                                          std::string_view stream) const {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, db_.Get(kMeta, StreamKey(scope, group, stream)));
  if (!raw) return StreamNotFound();
  return std::move(*raw);
}

Result<std::vector<LogStore::ChunkMeta>> LogStore::ChunkIndex(uint64_t uid) const {
  std::vector<ChunkMeta> out;
  Status s = db_.Scan(kMeta, store::Range::Prefix(IndexPrefix(uid)),
                      [&](std::string_view k, std::string_view v) {
                        if (auto m = ChunkMeta::Decode(k, v)) out.push_back(std::move(*m));
                        return true;
                      });
  RETURN_IF_ERROR(s);
  return out;
}

Result<std::shared_ptr<const crypto::SecretBytes>> LogStore::DataKey(const Scope& scope,
                                                                     const GroupRecord& group,
                                                                     uint32_t key_id) {
  (void)scope;
  const GroupRecord::Key* entry = nullptr;
  for (const auto& k : group.keys) {
    if (k.id == key_id) entry = &k;
  }
  if (entry == nullptr) return Status::Internal("logs: chunk names an unknown data key");
  std::string cache_key = std::to_string(group.uid) + ":" + std::to_string(key_id);
  auto now = std::chrono::steady_clock::now();
  {
    MutexLock lock(cache_mu_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end() && it->second.expires > now) return it->second.key;
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes plain, keys_.Decrypt(group.RefFor(*entry), entry->wrapped));
  auto key = std::make_shared<const crypto::SecretBytes>(std::move(plain));
  MutexLock lock(cache_mu_);
  cache_[cache_key] = CachedKey{key, now + options_.data_key_cache};
  return key;
}

uint64_t LogStore::ReserveEids(size_t n) {
  // Ids are (microseconds since the epoch << 12) + a counter, so they keep growing across
  // restarts as long as the clock does.
  uint64_t now = static_cast<uint64_t>(clock_.NowMillis()) * 1000 << 12;
  MutexLock lock(eid_mu_);
  uint64_t first = std::max(last_eid_ + 1, now);
  last_eid_ = first + n - 1;
  return first;
}

}  // namespace kiroku::logs
