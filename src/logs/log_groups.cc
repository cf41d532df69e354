// Log groups: create (with the first data key), delete (with streams, metric filters and
// chunks), describe, retention, KMS association, tags.
#include <algorithm>
#include <boost/json.hpp>
#include <cstring>

#include "crypto/hash.h"
#include "logs/log_store.h"
#include "logs/log_store_internal.h"
#include "store/keys.h"

namespace kiroku::logs {
namespace json = boost::json;
using namespace internal;  // NOLINT: logs' own record helpers

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
  MutexLock lock(cache_mu_);
  cache_[std::to_string(r.uid) + ":1"] =
      CachedKey{std::make_shared<const crypto::SecretBytes>(std::move(generated.plaintext)),
                std::chrono::steady_clock::now() + options_.data_key_cache};
  return Status::Ok();
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

}  // namespace kiroku::logs
