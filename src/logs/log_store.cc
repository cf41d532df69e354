#include "logs/log_store.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstring>
#include <future>
#include <queue>

#include "common/encoding.h"
#include "crypto/hash.h"
#include "filter/filter_pattern.h"
#include "logs/chunk.h"
#include "store/keys.h"

namespace kiroku::logs {
namespace json = boost::json;
using internal::ChunkEvent;
using internal::DecodedChunk;

namespace {

constexpr std::string_view kMeta = "meta";
constexpr std::string_view kEvents = "events";
constexpr uint8_t kTag = 'L';
constexpr int64_t kDayMs = 24LL * 3600 * 1000;
// Per event in a response, besides its message: JSON member names, numbers, the stream name.
constexpr size_t kResponseEventOverhead = 120;

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

// Keys of one account and region's records of a kind: 'g' groups, 's' streams, 'm' metric
// filters, 'p' resource policies (docs/storage-keys.md).
store::KeyBuilder ScopeKey(uint8_t kind, const Scope& s) {
  store::KeyBuilder key;
  key.Tag(kTag).Tag(kind).String(s.account).String(s.region);
  return key;
}

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

Result<json::object> ParseObject(std::string_view raw) {
  boost::system::error_code ec;
  json::value v = json::parse(raw, ec);
  if (ec || !v.is_object()) return Status::Internal("logs: corrupt record");
  return std::move(v.as_object());
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
  return "arn:aws:logs:" + scope.region + ":" + scope.account + ":log-group:" + std::string(group);
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

  std::string Serialize() const {
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

  static Result<GroupRecord> Parse(std::string raw) {
    ASSIGN_OR_RETURN(json::object o, ParseObject(raw));
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

  KeyRef RefFor(const Key& k) const {
    return KeyRef{account, region, k.kms, GroupArn(Scope{account, region}, group.name)};
  }
};

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

  std::string Encode() const {
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

  static std::optional<ChunkMeta> Decode(std::string_view key, std::string_view value) {
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
};

LogStore::LogStore(store::Db& db, const Clock& clock, DataKeys& keys, Options options)
    : db_(db), clock_(clock), keys_(keys), options_(options) {}

LogStore::~LogStore() = default;

void LogStore::DropKeyCache() {
  std::lock_guard lock(cache_mu_);
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
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end() && it->second.expires > now) return it->second.key;
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes plain, keys_.Decrypt(group.RefFor(*entry), entry->wrapped));
  auto key = std::make_shared<const crypto::SecretBytes>(std::move(plain));
  std::lock_guard lock(cache_mu_);
  cache_[cache_key] = CachedKey{key, now + options_.data_key_cache};
  return key;
}

uint64_t LogStore::ReserveEids(size_t n) {
  // Ids are (microseconds since the epoch << 12) + a counter, so they keep growing across
  // restarts as long as the clock does.
  uint64_t now = static_cast<uint64_t>(clock_.NowMillis()) * 1000 << 12;
  std::lock_guard lock(eid_mu_);
  uint64_t first = std::max(last_eid_ + 1, now);
  last_eid_ = first + n - 1;
  return first;
}

// --- groups ---------------------------------------------------------------------------------

Status LogStore::CreateLogGroup(const Scope& scope, std::string_view name,
                                const std::string& kms_key_id, const Tags& tags,
                                const std::string& log_group_class) {
  RETURN_IF_ERROR(ValidateGroupName(name));
  if (!log_group_class.empty() && log_group_class != "STANDARD" &&
      log_group_class != "INFREQUENT_ACCESS" && log_group_class != "DELIVERY") {
    return InvalidParameter("1 validation error detected: Value '" + log_group_class +
                            "' at 'logGroupClass' failed to satisfy constraint: Member must "
                            "satisfy enum value set: [DELIVERY, STANDARD, INFREQUENT_ACCESS]");
  }
  if (tags.size() > 50) return InvalidParameter("A log group can have at most 50 tags.");
  ASSIGN_OR_RETURN(std::optional<std::string> existing, db_.Get(kMeta, GroupKey(scope, name)));
  if (existing) {
    return Status::AlreadyExists("The specified log group already exists")
        .WithAwsCode("ResourceAlreadyExistsException");
  }
  GroupRecord r;
  r.account = scope.account;
  r.region = scope.region;
  r.group.name = std::string(name);
  r.group.creation_time = clock_.NowMillis();
  r.group.kms_key_id = kms_key_id;
  r.group.log_group_class = log_group_class.empty() ? "STANDARD" : log_group_class;
  r.group.tags = tags;
  std::string uid_bytes = crypto::RandomBytes(8);
  std::memcpy(&r.uid, uid_bytes.data(), 8);
  r.uid &= 0x7FFFFFFFFFFFFFFFULL;
  GroupRecord::Key first{1, kms_key_id, "", r.group.creation_time};
  ASSIGN_OR_RETURN(GeneratedDataKey generated, keys_.Generate(r.RefFor(first)));
  first.wrapped = std::move(generated.wrapped);
  r.keys.push_back(std::move(first));
  Status s = db_.CompareAndSet(kMeta, GroupKey(scope, name), std::nullopt, r.Serialize());
  if (s.code() == Code::kConflict) {
    return Status::AlreadyExists("The specified log group already exists")
        .WithAwsCode("ResourceAlreadyExistsException");
  }
  RETURN_IF_ERROR(s);
  std::lock_guard lock(cache_mu_);
  cache_[std::to_string(r.uid) + ":1"] =
      CachedKey{std::make_shared<const crypto::SecretBytes>(std::move(generated.plaintext)),
                std::chrono::steady_clock::now() + options_.data_key_cache};
  return Status::Ok();
}

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

Status LogStore::DeleteLogGroup(const Scope& scope, std::string_view name) {
  ASSIGN_OR_RETURN(GroupRecord r, ReadGroup(scope, name));
  store::WriteBatch batch;
  RETURN_IF_ERROR(db_.Scan(kMeta, store::Range::Prefix(StreamsPrefix(scope, name)),
                           [&](std::string_view k, std::string_view) {
                             batch.Delete(kMeta, k);
                             return true;
                           }));
  RETURN_IF_ERROR(db_.Scan(kMeta, store::Range::Prefix(FiltersPrefix(scope, name)),
                           [&](std::string_view k, std::string_view) {
                             batch.Delete(kMeta, k);
                             return true;
                           }));
  batch.Delete(kMeta, GroupKey(scope, name));
  store::Expectation same{std::string(kMeta), GroupKey(scope, name), r.raw};
  Status s = db_.WriteIf({same}, batch);
  if (s.code() == Code::kConflict) {
    return Status::Conflict("The log group was modified concurrently; try again.")
        .WithAwsCode("OperationAbortedException");
  }
  RETURN_IF_ERROR(s);
  // The group is gone for every reader; its chunks are now unreachable and deleted here.
  return DeleteChunks(
      r.uid, [](const ChunkMeta&) { return true; }, nullptr);
}

Result<LogGroup> LogStore::GetLogGroup(const Scope& scope, std::string_view name) const {
  ASSIGN_OR_RETURN(GroupRecord r, ReadGroup(scope, name));
  LogGroup g = r.group;
  ASSIGN_OR_RETURN(std::vector<ChunkMeta> index, ChunkIndex(r.uid));
  int64_t cutoff = g.retention_days ? clock_.NowMillis() - *g.retention_days * kDayMs : INT64_MIN;
  for (const ChunkMeta& m : index) {
    if (m.max_ts >= cutoff) g.stored_bytes += static_cast<int64_t>(m.raw_bytes);
  }
  RETURN_IF_ERROR(db_.Scan(kMeta, store::Range::Prefix(FiltersPrefix(scope, name)),
                           [&](std::string_view, std::string_view) {
                             ++g.metric_filter_count;
                             return true;
                           }));
  return g;
}

Result<GroupPage> LogStore::DescribeLogGroups(const Scope& scope, const GroupQuery& query) const {
  GroupPage page;
  std::vector<std::string> names;
  if (!query.names.empty()) {
    names = query.names;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
  }
  std::string start = GroupsPrefix(scope);
  std::string prefix_key = store::KeyBuilder(start).StringPrefix(query.prefix).Build();
  store::Range range = store::Range::Prefix(prefix_key);
  if (!query.after.empty()) {
    std::string after_key = GroupKey(scope, query.after);
    range.start = after_key + '\0';  // strictly after
  }
  std::vector<std::string> found;
  int want = query.limit + 1;
  RETURN_IF_ERROR(db_.Scan(kMeta, range, [&](std::string_view k, std::string_view) {
    store::KeyReader r(k);
    r.Tag();
    r.Tag();
    r.String();
    r.String();
    std::optional<std::string> name = r.String();
    if (!name) return true;
    if (!query.pattern.empty() && name->find(query.pattern) == std::string::npos) return true;
    if (!names.empty() && !std::binary_search(names.begin(), names.end(), *name)) return true;
    found.push_back(std::move(*name));
    return static_cast<int>(found.size()) < want;
  }));
  if (static_cast<int>(found.size()) > query.limit) {
    found.resize(query.limit);
    page.next = found.back();
  }
  for (const std::string& name : found) {
    Result<LogGroup> g = GetLogGroup(scope, name);
    if (g.status().code() == Code::kNotFound) continue;  // deleted meanwhile
    if (!g.ok()) return g.status();
    page.groups.push_back(std::move(*g));
  }
  return page;
}

Status LogStore::PutRetentionPolicy(const Scope& scope, std::string_view name,
                                    std::optional<int> days) {
  if (days && !IsAllowedRetention(*days)) {
    return InvalidParameter("1 validation error detected: Value '" + std::to_string(*days) +
                            "' at 'retentionInDays' failed to satisfy constraint: Member must "
                            "satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, "
                            "365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]");
  }
  return UpdateGroup(scope, name, [&](GroupRecord& r) {
    r.group.retention_days = days;
    return Status::Ok();
  });
}

Status LogStore::AssociateKmsKey(const Scope& scope, std::string_view name,
                                 const std::string& kms_key_id) {
  ASSIGN_OR_RETURN(GroupRecord current, ReadGroup(scope, name));
  GroupRecord::Key key{0, kms_key_id, "", clock_.NowMillis()};
  // Checks the key (as KMS's logs principal, with the group's context) before anything changes.
  ASSIGN_OR_RETURN(GeneratedDataKey generated, keys_.Generate(current.RefFor(key)));
  key.wrapped = std::move(generated.wrapped);
  return UpdateGroup(scope, name, [&](GroupRecord& r) {
    key.id = r.keys.back().id + 1;
    r.keys.push_back(key);
    r.group.kms_key_id = kms_key_id;
    return Status::Ok();
  });
}

Status LogStore::DisassociateKmsKey(const Scope& scope, std::string_view name) {
  ASSIGN_OR_RETURN(GroupRecord current, ReadGroup(scope, name));
  if (current.group.kms_key_id.empty()) {
    return InvalidParameter("The log group is not associated with a KMS key.");
  }
  GroupRecord::Key key{0, "", "", clock_.NowMillis()};
  ASSIGN_OR_RETURN(GeneratedDataKey generated, keys_.Generate(current.RefFor(key)));
  key.wrapped = std::move(generated.wrapped);
  return UpdateGroup(scope, name, [&](GroupRecord& r) {
    key.id = r.keys.back().id + 1;
    r.keys.push_back(key);
    r.group.kms_key_id.clear();
    return Status::Ok();
  });
}

Status LogStore::TagLogGroup(const Scope& scope, std::string_view name, const Tags& tags) {
  return UpdateGroup(scope, name, [&](GroupRecord& r) {
    Tags merged = r.group.tags;
    for (const auto& [k, v] : tags) merged[k] = v;
    if (merged.size() > 50) return InvalidParameter("A log group can have at most 50 tags.");
    r.group.tags = std::move(merged);
    return Status::Ok();
  });
}

Status LogStore::UntagLogGroup(const Scope& scope, std::string_view name,
                               const std::vector<std::string>& keys) {
  return UpdateGroup(scope, name, [&](GroupRecord& r) {
    for (const std::string& k : keys) r.group.tags.erase(k);
    return Status::Ok();
  });
}

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
        if (auto o = ParseObject(v); o.ok()) s.creation_time = I(*o, "created");
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

// --- metric filters and resource policies -------------------------------------------------

namespace {

json::object FilterJson(const MetricFilter& f) {
  json::array ts;
  for (const MetricTransformation& t : f.transformations) {
    json::object o{{"metricName", t.metric_name},
                   {"metricNamespace", t.metric_namespace},
                   {"metricValue", t.metric_value}};
    if (t.default_value) o["defaultValue"] = *t.default_value;
    if (!t.dimensions.empty()) o["dimensions"] = TagsJson(t.dimensions);
    if (!t.unit.empty()) o["unit"] = t.unit;
    ts.push_back(std::move(o));
  }
  return json::object{{"filterName", f.filter_name},
                      {"filterPattern", f.filter_pattern},
                      {"metricTransformations", std::move(ts)},
                      {"creationTime", f.creation_time},
                      {"logGroupName", f.log_group_name},
                      {"applyOnTransformedLogs", f.apply_on_transformed_logs}};
}

MetricFilter FilterFromJson(const json::object& o) {
  MetricFilter f;
  f.filter_name = S(o, "filterName");
  f.filter_pattern = S(o, "filterPattern");
  f.creation_time = I(o, "creationTime");
  f.log_group_name = S(o, "logGroupName");
  if (const json::value* v = o.if_contains("applyOnTransformedLogs"); v && v->is_bool()) {
    f.apply_on_transformed_logs = v->as_bool();
  }
  if (const json::value* v = o.if_contains("metricTransformations"); v && v->is_array()) {
    for (const json::value& tv : v->as_array()) {
      if (!tv.is_object()) continue;
      const json::object& t = tv.as_object();
      MetricTransformation m;
      m.metric_name = S(t, "metricName");
      m.metric_namespace = S(t, "metricNamespace");
      m.metric_value = S(t, "metricValue");
      if (const json::value* d = t.if_contains("defaultValue"); d && d->is_number()) {
        m.default_value = d->to_number<double>();
      }
      m.dimensions = TagsOf(t.if_contains("dimensions"));
      m.unit = S(t, "unit");
      f.transformations.push_back(std::move(m));
    }
  }
  return f;
}

}  // namespace

Status LogStore::PutMetricFilter(const Scope& scope, const MetricFilter& input) {
  ASSIGN_OR_RETURN(filter::FilterPattern compiled,
                   filter::FilterPattern::Compile(input.filter_pattern));
  if (input.transformations.size() != 1) {
    return InvalidParameter(
        "1 validation error detected: Value at 'metricTransformations' failed "
        "to satisfy constraint: Member must have length less than or equal to 1");
  }
  for (const MetricTransformation& t : input.transformations) {
    if (!t.dimensions.empty() && !compiled.supports_dimensions()) {
      return InvalidParameter(
          "Dimensions are supported only for JSON and space-delimited filter patterns.");
    }
    if (t.dimensions.size() > 3)
      return InvalidParameter("A metric filter can have at most 3 dimensions.");
    if (t.default_value && !t.dimensions.empty()) {
      return InvalidParameter("A metric filter with dimensions cannot have a default value.");
    }
    const std::string& v = t.metric_value;
    if (v.starts_with("$")) {
      if (Result<std::optional<std::string>> probe = compiled.ExtractValue("", v); !probe.ok()) {
        return InvalidParameter("Invalid metric value: " + v);
      }
    } else {
      char* endp = nullptr;
      std::strtod(v.c_str(), &endp);
      if (v.empty() || endp == nullptr || *endp != '\0') {
        return InvalidParameter("Invalid metric value: " + v);
      }
    }
  }
  ASSIGN_OR_RETURN(GroupRecord r, ReadGroup(scope, input.log_group_name));
  std::string key = FilterKey(scope, input.log_group_name, input.filter_name);
  ASSIGN_OR_RETURN(std::optional<std::string> existing, db_.Get(kMeta, key));
  int count = 0;
  int regexes = compiled.has_regex() ? 1 : 0;
  RETURN_IF_ERROR(db_.Scan(kMeta, store::Range::Prefix(FiltersPrefix(scope, input.log_group_name)),
                           [&](std::string_view k, std::string_view v) {
                             if (k == key) return true;
                             ++count;
                             if (auto o = ParseObject(v); o.ok()) {
                               auto p = filter::FilterPattern::Compile(S(*o, "filterPattern"));
                               if (p.ok() && p->has_regex()) ++regexes;
                             }
                             return true;
                           }));
  if (count >= kMaxMetricFiltersPerGroup) {
    return Status::LimitExceeded("Resource limit exceeded.").WithAwsCode("LimitExceededException");
  }
  if (regexes > filter::kMaxRegexPatternsPerLogGroup) {
    return Status::LimitExceeded(
               "A log group can have at most 5 filter patterns with regular expressions.")
        .WithAwsCode("LimitExceededException");
  }
  MetricFilter f = input;
  f.creation_time = clock_.NowMillis();
  if (existing) {
    if (auto o = ParseObject(*existing); o.ok()) f.creation_time = I(*o, "creationTime");
  }
  (void)r;
  return db_.Put(kMeta, key, json::serialize(FilterJson(f)));
}

Status LogStore::DeleteMetricFilter(const Scope& scope, std::string_view group,
                                    std::string_view name) {
  RETURN_IF_ERROR(ReadGroup(scope, group).status());
  std::string key = FilterKey(scope, group, name);
  ASSIGN_OR_RETURN(std::optional<std::string> existing, db_.Get(kMeta, key));
  if (!existing) {
    return Status::NotFound("The specified metric filter does not exist.")
        .WithAwsCode("ResourceNotFoundException");
  }
  return db_.Delete(kMeta, key);
}

Result<std::pair<std::vector<MetricFilter>, std::optional<std::string>>>
LogStore::DescribeMetricFilters(const Scope& scope, const MetricFilterQuery& query) const {
  if (!query.group.empty()) RETURN_IF_ERROR(ReadGroup(scope, query.group).status());
  std::string prefix = query.group.empty() ? FiltersPrefix(scope)
                                           : store::KeyBuilder(FiltersPrefix(scope, query.group))
                                                 .StringPrefix(query.name_prefix)
                                                 .Build();
  std::vector<MetricFilter> out;
  std::optional<std::string> next;
  RETURN_IF_ERROR(
      db_.Scan(kMeta, store::Range::Prefix(prefix), [&](std::string_view, std::string_view v) {
        auto o = ParseObject(v);
        if (!o.ok()) return true;
        MetricFilter f = FilterFromJson(*o);
        if (!f.filter_name.starts_with(query.name_prefix)) return true;
        std::string position = f.log_group_name + "\n" + f.filter_name;
        if (!query.after.empty() && position <= query.after) return true;
        bool metric_ok = query.metric_name.empty() && query.metric_namespace.empty();
        for (const MetricTransformation& t : f.transformations) {
          if ((query.metric_name.empty() || t.metric_name == query.metric_name) &&
              (query.metric_namespace.empty() || t.metric_namespace == query.metric_namespace)) {
            metric_ok = true;
          }
        }
        if (!metric_ok) return true;
        if (static_cast<int>(out.size()) == query.limit) {
          next = out.back().log_group_name + "\n" + out.back().filter_name;
          return false;
        }
        out.push_back(std::move(f));
        return true;
      }));
  return std::make_pair(std::move(out), next);
}

Result<ResourcePolicy> LogStore::PutResourcePolicy(const Scope& scope, std::string_view name,
                                                   std::string_view document) {
  if (name.empty()) return InvalidParameter("policyName is required");
  boost::system::error_code ec;
  json::value doc = json::parse(document, ec);
  if (ec || !doc.is_object()) {
    return InvalidParameter("Policy document is not valid JSON.");
  }
  if (document.size() > 5120) {
    return InvalidParameter(
        "1 validation error detected: Value at 'policyDocument' failed to "
        "satisfy constraint: Member must have length less than or equal to 5120");
  }
  std::string key = PolicyKey(scope, name);
  ASSIGN_OR_RETURN(std::optional<std::string> existing, db_.Get(kMeta, key));
  if (!existing) {
    ASSIGN_OR_RETURN(std::vector<ResourcePolicy> all, DescribeResourcePolicies(scope));
    if (static_cast<int>(all.size()) >= kMaxResourcePolicies) {
      return Status::LimitExceeded("Resource limit exceeded.")
          .WithAwsCode("LimitExceededException");
    }
  }
  ResourcePolicy p{std::string(name), std::string(document), clock_.NowMillis()};
  json::object o{{"name", p.name}, {"document", p.document}, {"updated", p.last_updated_time}};
  RETURN_IF_ERROR(db_.Put(kMeta, key, json::serialize(o)));
  return p;
}

Status LogStore::DeleteResourcePolicy(const Scope& scope, std::string_view name) {
  std::string key = PolicyKey(scope, name);
  ASSIGN_OR_RETURN(std::optional<std::string> existing, db_.Get(kMeta, key));
  if (!existing) {
    return Status::NotFound("Policy with name [" + std::string(name) + "] does not exist")
        .WithAwsCode("ResourceNotFoundException");
  }
  return db_.Delete(kMeta, key);
}

Result<std::vector<ResourcePolicy>> LogStore::DescribeResourcePolicies(const Scope& scope) const {
  std::vector<ResourcePolicy> out;
  RETURN_IF_ERROR(db_.Scan(kMeta, store::Range::Prefix(PoliciesPrefix(scope)),
                           [&](std::string_view, std::string_view v) {
                             if (auto o = ParseObject(v); o.ok()) {
                               out.push_back({S(*o, "name"), S(*o, "document"), I(*o, "updated")});
                             }
                             return true;
                           }));
  return out;
}

}  // namespace kiroku::logs
