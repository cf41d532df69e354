// Access keys of IAM users (and of the root user when no user is named). The records share
// the 'K' key space with the bootstrap root keys, so LookupAccessKey serves both; a user's keys
// are also indexed under the user for listing and DeleteConflict checks.
#include "common/encoding.h"
#include "crypto/aead.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

constexpr size_t kMaxAccessKeysPerUser = 2;
constexpr int64_t kUsageWriteInterval = 60;  // seconds

Status NoSuchKey(std::string_view id) {
  return Status::NotFound("The Access Key with id " + std::string(id) + " cannot be found.");
}

AccessKeyInfo InfoFromRecord(const json::object& record) {
  AccessKeyInfo info;
  if (const json::value* u = record.if_contains("userName"); u && u->is_string()) {
    info.user_name = std::string(u->as_string());
  }
  info.access_key_id = std::string(record.at("accessKeyId").as_string());
  info.status = std::string(record.at("status").as_string());
  if (const json::value* d = record.if_contains("createDate"); d && d->is_int64()) {
    info.create_date = d->as_int64();
  }
  return info;
}

bool OwnedBy(const json::object& record, std::string_view user) {
  if (user.empty()) return record.at("owner").as_string() == "root";
  const json::value* u = record.if_contains("userName");
  return record.at("owner").as_string() == "user" && u != nullptr && u->is_string() &&
         AsciiLower(u->as_string()) == AsciiLower(user);
}

}  // namespace

Result<NewAccessKey> IdentityStore::CreateAccessKey(std::string_view user_name) {
  ASSIGN_OR_RETURN(std::string account, AccountId());
  MutexLock lock(write_mu_);
  std::string owner_name;
  if (!user_name.empty()) {
    ASSIGN_OR_RETURN(User user, GetUser(user_name));
    owner_name = user.name;
  }
  ASSIGN_OR_RETURN(std::vector<AccessKeyInfo> existing, ListAccessKeys(owner_name));
  if (existing.size() >= kMaxAccessKeysPerUser) {
    return Status::LimitExceeded("Cannot exceed quota for AccessKeysPerUser: 2");
  }
  NewAccessKey key;
  key.info.user_name = owner_name;
  key.info.access_key_id = NewAccessKeyId();
  key.info.status = "Active";
  key.info.create_date = NowSeconds(clock_);
  key.secret_access_key = NewSecretAccessKey();
  if (owner_name.empty()) {
    RETURN_IF_ERROR(PutRootKey(account, {key.info.access_key_id, key.secret_access_key}));
    return key;
  }
  crypto::SecretBytes secret(key.secret_access_key);
  ASSIGN_OR_RETURN(std::string wrapped,
                   crypto::WrapKey(master_key_, secret, key.info.access_key_id));
  json::object record{{"accessKeyId", key.info.access_key_id},
                      {"accountId", account},
                      {"owner", "user"},
                      {"userName", owner_name},
                      {"status", "Active"},
                      {"createDate", key.info.create_date},
                      {"secret", Base64Encode(wrapped)}};
  store::WriteBatch batch;
  batch.Put(kCf, AccessKeyRecordKey(key.info.access_key_id), json::serialize(record));
  batch.Put(kCf, UserAccessKeyKey(owner_name, key.info.access_key_id), "");
  RETURN_IF_ERROR(db_.WriteIf(
      {{std::string(kCf), AccessKeyRecordKey(key.info.access_key_id), std::nullopt}}, batch));
  return key;
}

Result<std::vector<AccessKeyInfo>> IdentityStore::ListAccessKeys(std::string_view user_name) const {
  std::vector<AccessKeyInfo> keys;
  std::vector<std::string> ids;
  if (user_name.empty()) {
    // The root user's keys: the few 'K' records owned by root.
    RETURN_IF_ERROR(ScanPrefix(db_, AccessKeyRecordKey("").substr(0, 1),
                               [&](std::string_view, std::string_view v) {
                                 // An unreadable record is not listed.
                                 Result<json::object> record = ReadJsonRecord(v, "access key");
                                 if (record.ok() && OwnedBy(*record, "")) {
                                   keys.push_back(InfoFromRecord(*record));
                                 }
                               }));
    return keys;
  }
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  std::string prefix = UserAccessKeysPrefix(user.name);
  RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view k, std::string_view) {
    ids.push_back(LastString(k, prefix));
  }));
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(auto record, GetRecord(db_, AccessKeyRecordKey(id)));
    if (record) keys.push_back(InfoFromRecord(*record));
  }
  return keys;
}

Status IdentityStore::UpdateAccessKey(std::string_view user_name, std::string_view access_key_id,
                                      std::string_view status) {
  if (status != "Active" && status != "Inactive") {
    return ValidationError(status, "status",
                           "Member must satisfy enum value set: [Active, Inactive]");
  }
  MutexLock lock(write_mu_);
  if (!user_name.empty()) RETURN_IF_ERROR(GetUser(user_name).status());
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, AccessKeyRecordKey(access_key_id)));
  if (!record || !OwnedBy(*record, user_name)) return NoSuchKey(access_key_id);
  (*record)["status"] = status;
  return db_.Put(kCf, AccessKeyRecordKey(access_key_id), json::serialize(*record));
}

Status IdentityStore::DeleteAccessKey(std::string_view user_name, std::string_view access_key_id) {
  MutexLock lock(write_mu_);
  std::string owner_name;
  if (!user_name.empty()) {
    ASSIGN_OR_RETURN(User user, GetUser(user_name));
    owner_name = user.name;
  }
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, AccessKeyRecordKey(access_key_id)));
  if (!record || !OwnedBy(*record, owner_name)) return NoSuchKey(access_key_id);
  store::WriteBatch batch;
  batch.Delete(kCf, AccessKeyRecordKey(access_key_id));
  if (!owner_name.empty()) batch.Delete(kCf, UserAccessKeyKey(owner_name, access_key_id));
  return db_.Write(batch);
}

Status IdentityStore::NoteAccessKeyUsed(std::string_view access_key_id, std::string_view service,
                                        std::string_view region) {
  int64_t now = NowSeconds(clock_);
  {
    MutexLock lock(usage_mu_);
    auto it = usage_written_.find(std::string(access_key_id));
    if (it != usage_written_.end() && now - it->second < kUsageWriteInterval) return Status::Ok();
    usage_written_[std::string(access_key_id)] = now;
  }
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, AccessKeyRecordKey(access_key_id)));
  if (!record) return Status::Ok();  // a session key, or deleted meanwhile
  (*record)["lastUsed"] = json::object{{"date", now}, {"service", service}, {"region", region}};
  return db_.Put(kCf, AccessKeyRecordKey(access_key_id), json::serialize(*record));
}

Result<AccessKeyLastUsed> IdentityStore::GetAccessKeyLastUsed(
    std::string_view access_key_id) const {
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, AccessKeyRecordKey(access_key_id)));
  if (!record) return NoSuchKey(access_key_id);
  AccessKeyLastUsed used;
  used.user_name = InfoFromRecord(*record).user_name;
  if (const json::value* last = record->if_contains("lastUsed"); last && last->is_object()) {
    const json::object& o = last->as_object();
    used.last_used_date = o.at("date").as_int64();
    used.service_name = std::string(o.at("service").as_string());
    used.region = std::string(o.at("region").as_string());
  }
  return used;
}

}  // namespace kiroku::iam
