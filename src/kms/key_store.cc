// Keys: the stored records and their keys, create, resolve (id, ARN, alias), the key-state
// machine, key policy, rotation, tags, deletion, and envelope cryptography. Aliases and grants
// are in key_aliases.cc and key_grants.cc.
#include "kms/key_store.h"

#include <boost/json.hpp>
#include <cctype>
#include <chrono>

#include "common/arn.h"
#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "kms/key_store_internal.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::kms {
namespace json = boost::json;

namespace internal {

namespace {
constexpr uint8_t kKeyTag = 'M';
constexpr uint8_t kAliasTag = 'N';
constexpr uint8_t kGrantTag = 'O';
}  // namespace

int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint FromSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

std::string KeyRecordKey(const Scope& s, std::string_view key_id) {
  return store::KeyBuilder().Tag(kKeyTag).String(s.account).String(s.region).String(key_id).Build();
}
std::string KeyPrefix(const Scope& s) {
  return store::KeyBuilder().Tag(kKeyTag).String(s.account).String(s.region).Build();
}
std::string AllKeysPrefix() { return store::KeyBuilder().Tag(kKeyTag).Build(); }
std::string AliasRecordKey(const Scope& s, std::string_view name) {
  return store::KeyBuilder().Tag(kAliasTag).String(s.account).String(s.region).String(name).Build();
}
std::string AliasPrefix(const Scope& s) {
  return store::KeyBuilder().Tag(kAliasTag).String(s.account).String(s.region).Build();
}
std::string GrantRecordKey(const Scope& s, std::string_view key_id, std::string_view grant_id) {
  return store::KeyBuilder()
      .Tag(kGrantTag)
      .String(s.account)
      .String(s.region)
      .String(key_id)
      .String(grant_id)
      .Build();
}
std::string GrantPrefix(const Scope& s, std::string_view key_id) {
  return store::KeyBuilder()
      .Tag(kGrantTag)
      .String(s.account)
      .String(s.region)
      .String(key_id)
      .Build();
}

std::string KeyArn(const Scope& s, std::string_view key_id) {
  return Arn::Kms(s.region, s.account, "key/" + std::string(key_id)).ToString();
}
std::string AliasArn(const Scope& s, std::string_view name) {
  return Arn::Kms(s.region, s.account, name).ToString();
}

Status NotFound(std::string message) {
  return Status::NotFound(std::move(message)).WithAwsCode("NotFoundException");
}
Status InvalidState(std::string message) {
  return Status::Conflict(std::move(message)).WithAwsCode("KMSInvalidStateException");
}
Status Validation(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("ValidationException");
}

json::object StringMapJson(const std::map<std::string, std::string>& map) {
  json::object o;
  for (const auto& [k, v] : map) o[k] = v;
  return o;
}
std::map<std::string, std::string> StringMapOf(const json::value& v) {
  std::map<std::string, std::string> map;
  if (v.is_object()) {
    for (const auto& [k, val] : v.as_object()) map[std::string(k)] = std::string(val.as_string());
  }
  return map;
}

Status ScanRecords(const store::Db& db, const store::Range& range, std::string_view what,
                   const std::function<bool(std::string_view key, const json::object&)>& fn) {
  Status corrupt;
  RETURN_IF_ERROR(db.Scan(kColumnFamily, range, [&](std::string_view key, std::string_view value) {
    Result<json::object> record = store::ReadJsonRecord(value, what);
    if (!record.ok()) {
      corrupt = record.status();
      return false;
    }
    return fn(key, *record);
  }));
  return corrupt;
}

}  // namespace internal

using namespace internal;  // NOLINT: this file implements them

namespace {

constexpr uint8_t kBlobFormat = 0x01;
constexpr size_t kBlobHeader = 1 + 16 + 4;  // format, key id (UUID bytes), version
constexpr size_t kMaxPlaintext = 4096;
constexpr int kMaxAttempts = 8;

Status BadCiphertext() {
  return Status::InvalidArgument("").WithAwsCode("InvalidCiphertextException");
}

bool IsUuid(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !std::isxdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  return true;
}

std::string UuidBytes(std::string_view uuid) {
  std::string hex;
  for (char c : uuid) {
    if (c != '-') hex.push_back(c);
  }
  return HexDecode(hex).value_or(std::string(16, '\0'));
}

std::string UuidFromBytes(std::string_view bytes) {
  std::string hex = HexEncode(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace

const char* KeyStateName(KeyState state) {
  switch (state) {
    case KeyState::kEnabled:
      return "Enabled";
    case KeyState::kDisabled:
      return "Disabled";
    case KeyState::kPendingDeletion:
      return "PendingDeletion";
  }
  return "Unavailable";
}

std::string CanonicalEncryptionContext(const EncryptionContext& context) {
  std::string out;
  for (const auto& [k, v] : context) {  // std::map: sorted by key
    uint32_t kl = static_cast<uint32_t>(k.size()), vl = static_cast<uint32_t>(v.size());
    for (uint32_t n : {kl}) out.append({char(n >> 24), char(n >> 16), char(n >> 8), char(n)});
    out += k;
    for (uint32_t n : {vl}) out.append({char(n >> 24), char(n >> 16), char(n >> 8), char(n)});
    out += v;
  }
  return out;
}

json::object KeyStore::Record::ToJson() const {
  json::array versions_json;
  for (const Version& v : versions) {
    versions_json.push_back({{"material", Base64Encode(v.wrapped_material)},
                             {"materialId", v.material_id},
                             {"created", Seconds(v.created)},
                             {"rotationType", v.rotation_type}});
  }
  json::object o{{"keyId", meta.key_id},
                 {"account", meta.account_id},
                 {"region", meta.region},
                 {"created", Seconds(meta.creation_date)},
                 {"description", meta.description},
                 {"state", KeyStateName(meta.state)},
                 {"keyUsage", meta.key_usage},
                 {"keySpec", meta.key_spec},
                 {"pendingWindowDays", meta.pending_window_days},
                 {"rotationEnabled", meta.rotation_enabled},
                 {"rotationPeriodDays", meta.rotation_period_days},
                 {"tags", StringMapJson(meta.tags)},
                 {"policy", policy},
                 {"versions", std::move(versions_json)}};
  if (meta.deletion_date) o["deletionDate"] = Seconds(*meta.deletion_date);
  if (meta.next_rotation_date) o["nextRotation"] = Seconds(*meta.next_rotation_date);
  return o;
}

Result<KeyStore::Record> KeyStore::Record::FromJson(std::string raw, std::string_view what) {
  ASSIGN_OR_RETURN(json::object o, store::ReadJsonRecord(raw, what));
  Record r;
  r.meta.key_id = std::string(o.at("keyId").as_string());
  r.meta.account_id = std::string(o.at("account").as_string());
  r.meta.region = std::string(o.at("region").as_string());
  r.meta.arn = KeyArn({r.meta.account_id, r.meta.region}, r.meta.key_id);
  r.meta.creation_date = FromSeconds(o.at("created").as_int64());
  r.meta.description = std::string(o.at("description").as_string());
  std::string_view state = o.at("state").as_string();
  r.meta.state = state == "Enabled"    ? KeyState::kEnabled
                 : state == "Disabled" ? KeyState::kDisabled
                                       : KeyState::kPendingDeletion;
  r.meta.key_usage = std::string(o.at("keyUsage").as_string());
  r.meta.key_spec = std::string(o.at("keySpec").as_string());
  r.meta.pending_window_days = static_cast<int>(o.at("pendingWindowDays").as_int64());
  r.meta.rotation_enabled = o.at("rotationEnabled").as_bool();
  r.meta.rotation_period_days = static_cast<int>(o.at("rotationPeriodDays").as_int64());
  r.meta.tags = StringMapOf(o.at("tags"));
  if (const json::value* d = o.if_contains("deletionDate"))
    r.meta.deletion_date = FromSeconds(d->as_int64());
  if (const json::value* n = o.if_contains("nextRotation"))
    r.meta.next_rotation_date = FromSeconds(n->as_int64());
  r.policy = std::string(o.at("policy").as_string());
  for (const json::value& jv : o.at("versions").as_array()) {
    const json::object& vo = jv.as_object();
    auto material = Base64Decode(vo.at("material").as_string());
    if (!material) return Status::Internal("corrupt KMS key material record");
    r.versions.push_back({*material, std::string(vo.at("materialId").as_string()),
                          FromSeconds(vo.at("created").as_int64()),
                          std::string(vo.at("rotationType").as_string())});
  }
  r.meta.current_key_material_id = r.versions.empty() ? "" : r.versions.back().material_id;
  r.raw = std::move(raw);
  return r;
}

KeyStore::KeyStore(store::Db& db, const crypto::SecretBytes& master_key, const Clock& clock)
    : db_(db), master_key_(master_key), clock_(clock) {}

std::string KeyStore::DefaultKeyPolicy(const std::string& account_id) {
  json::object statement{{"Sid", "Enable IAM User Permissions"},
                         {"Effect", "Allow"},
                         {"Principal", {{"AWS", Arn::AccountRoot(account_id).ToString()}}},
                         {"Action", "kms:*"},
                         {"Resource", "*"}};
  json::object policy{
      {"Version", "2012-10-17"}, {"Id", "key-default-1"}, {"Statement", json::array{statement}}};
  return json::serialize(policy);
}

Result<KeyMetadata> KeyStore::CreateKey(const Scope& scope, const CreateKeyOptions& options) {
  if (options.key_spec != "SYMMETRIC_DEFAULT" || options.key_usage != "ENCRYPT_DECRYPT") {
    return Status::InvalidArgument("KeySpec " + options.key_spec + " with KeyUsage " +
                                   options.key_usage +
                                   " is not supported: kiroku keys are "
                                   "SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT")
        .WithAwsCode("UnsupportedOperationException");
  }
  if (options.description.size() > 8192) return Validation("Description is longer than 8192");
  Record r;
  r.meta.account_id = scope.account;
  r.meta.region = scope.region;
  r.meta.key_id = crypto::RandomUuid();
  r.meta.arn = KeyArn(scope, r.meta.key_id);
  r.meta.creation_date = clock_.Now();
  r.meta.description = options.description;
  r.meta.tags = options.tags;
  r.policy = options.policy.value_or(DefaultKeyPolicy(scope.account));
  crypto::SecretBytes material = crypto::SecretBytes::Random(crypto::kAes256KeyBytes);
  ASSIGN_OR_RETURN(std::string wrapped, crypto::WrapKey(master_key_, material, r.meta.arn + "#1"));
  r.versions.push_back({wrapped, HexEncode(crypto::RandomBytes(32)), r.meta.creation_date, ""});
  r.meta.current_key_material_id = r.versions.back().material_id;
  RETURN_IF_ERROR(db_.CompareAndSet(kColumnFamily, KeyRecordKey(scope, r.meta.key_id), std::nullopt,
                                    json::serialize(r.ToJson())));
  return r.meta;
}

Result<std::string> KeyStore::ResolveKeyId(const Scope& scope, std::string_view key_ref) {
  std::string ref(key_ref);
  if (ref.empty()) return Validation("KeyId must not be empty");
  if (ref.starts_with("arn:")) {
    // arn:aws:kms:<region>:<account>:key/<id> or ...:alias/<name>
    std::string prefix = Arn::Kms(scope.region, scope.account, "").Prefix();
    if (!ref.starts_with(prefix)) {
      return NotFound(ref.find(":alias/") != std::string::npos
                          ? "Alias " + ref + " is not found."
                          : "Key '" + ref + "' does not exist");
    }
    ref = ref.substr(prefix.size());
    if (ref.starts_with("key/")) ref = ref.substr(4);
  }
  if (ref.starts_with("alias/")) {
    ASSIGN_OR_RETURN(std::optional<std::string> raw,
                     db_.Get(kColumnFamily, AliasRecordKey(scope, ref)));
    if (!raw) return NotFound("Alias " + AliasArn(scope, ref) + " is not found.");
    ASSIGN_OR_RETURN(json::object alias, store::ReadJsonRecord(*raw, "KMS " + ref));
    return std::string(alias.at("targetKeyId").as_string());
  }
  if (!IsUuid(ref)) return NotFound("Invalid keyId " + std::string(key_ref));
  return ref;
}

Result<KeyStore::Record> KeyStore::LoadById(const Scope& scope, const std::string& key_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw,
                   db_.Get(kColumnFamily, KeyRecordKey(scope, key_id)));
  if (!raw) return NotFound("Key '" + KeyArn(scope, key_id) + "' does not exist");
  ASSIGN_OR_RETURN(Record r, Record::FromJson(std::move(*raw), "KMS key " + key_id));
  TimePoint now = clock_.Now();
  if (r.meta.state == KeyState::kPendingDeletion && r.meta.deletion_date &&
      now >= *r.meta.deletion_date) {
    RETURN_IF_ERROR(EraseKey(scope, key_id));
    return NotFound("Key '" + r.meta.arn + "' does not exist");
  }
  if (r.meta.rotation_enabled && r.meta.state == KeyState::kEnabled && r.meta.next_rotation_date &&
      now >= *r.meta.next_rotation_date) {
    crypto::SecretBytes material = crypto::SecretBytes::Random(crypto::kAes256KeyBytes);
    ASSIGN_OR_RETURN(std::string wrapped,
                     crypto::WrapKey(master_key_, material,
                                     r.meta.arn + "#" + std::to_string(r.versions.size() + 1)));
    r.versions.push_back({wrapped, HexEncode(crypto::RandomBytes(32)), now, "AUTOMATIC"});
    r.meta.current_key_material_id = r.versions.back().material_id;
    r.meta.next_rotation_date = now + std::chrono::hours(24 * r.meta.rotation_period_days);
    Status saved = Save(r);
    if (saved.code() == Code::kConflict) return LoadById(scope, key_id);  // rotated elsewhere
    RETURN_IF_ERROR(saved);
    return LoadById(scope, key_id);
  }
  return r;
}

Result<KeyStore::Record> KeyStore::Load(const Scope& scope, std::string_view key_ref) {
  ASSIGN_OR_RETURN(std::string key_id, ResolveKeyId(scope, key_ref));
  return LoadById(scope, key_id);
}

Status KeyStore::Save(const Record& record) {
  return db_.CompareAndSet(
      kColumnFamily, KeyRecordKey({record.meta.account_id, record.meta.region}, record.meta.key_id),
      record.raw, json::serialize(record.ToJson()));
}

// Keys usable for cryptography: Enabled.
Result<KeyStore::Record> KeyStore::LoadUsable(const Scope& scope, std::string_view key_ref) {
  ASSIGN_OR_RETURN(Record r, Load(scope, key_ref));
  if (r.meta.state == KeyState::kDisabled) {
    return Status::Conflict(r.meta.arn + " is disabled.").WithAwsCode("DisabledException");
  }
  if (r.meta.state == KeyState::kPendingDeletion) {
    return InvalidState(r.meta.arn + " is pending deletion.");
  }
  return r;
}

Result<KeyMetadata> KeyStore::DescribeKey(const Scope& scope, std::string_view key_ref) {
  ASSIGN_OR_RETURN(Record r, Load(scope, key_ref));
  return r.meta;
}

Result<std::vector<KeyMetadata>> KeyStore::ListKeys(const Scope& scope, std::string_view marker,
                                                    size_t limit, bool* truncated) {
  std::vector<std::string> ids;
  std::string start = marker.empty() ? KeyPrefix(scope) : KeyRecordKey(scope, marker) + '\0';
  store::Range range{start, store::PrefixSuccessor(KeyPrefix(scope))};
  RETURN_IF_ERROR(ScanRecords(db_, range, "KMS key", [&](std::string_view, const json::object& o) {
    ids.emplace_back(o.at("keyId").as_string());
    return ids.size() <= limit;
  }));
  *truncated = ids.size() > limit;
  if (*truncated) ids.resize(limit);
  std::vector<KeyMetadata> keys;
  for (const std::string& id : ids) {
    Result<Record> r = LoadById(scope, id);
    if (r.ok())
      keys.push_back(r->meta);
    else if (r.status().code() != Code::kNotFound)
      return r.status();
  }
  return keys;
}

// Loads the freshest record, applies `change` (which may refuse with a Status), and stores
// it with compare-and-set; a concurrent change makes it start over.
template <typename Change>
Status KeyStore::Mutate(const Scope& scope, std::string_view key_ref, Change&& change) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    ASSIGN_OR_RETURN(Record r, Load(scope, key_ref));
    RETURN_IF_ERROR(change(r));
    Status saved = Save(r);
    if (saved.code() != Code::kConflict) return saved;
  }
  return Status::Unavailable("the key is being changed concurrently; try again");
}

Status KeyStore::EnableKey(const Scope& scope, std::string_view key_ref) {
  return Mutate(scope, key_ref, [&](Record& r) -> Status {
    if (r.meta.state == KeyState::kPendingDeletion) {
      return InvalidState(r.meta.arn + " is pending deletion.");
    }
    r.meta.state = KeyState::kEnabled;
    return Status::Ok();
  });
}

Status KeyStore::DisableKey(const Scope& scope, std::string_view key_ref) {
  return Mutate(scope, key_ref, [&](Record& r) -> Status {
    if (r.meta.state == KeyState::kPendingDeletion) {
      return InvalidState(r.meta.arn + " is pending deletion.");
    }
    r.meta.state = KeyState::kDisabled;
    return Status::Ok();
  });
}

Result<KeyMetadata> KeyStore::ScheduleKeyDeletion(const Scope& scope, std::string_view key_ref,
                                                  int days) {
  if (days < 7 || days > 30) {
    return Validation("PendingWindowInDays must be between 7 and 30, not " + std::to_string(days));
  }
  KeyMetadata out;
  RETURN_IF_ERROR(Mutate(scope, key_ref, [&](Record& r) -> Status {
    if (r.meta.state == KeyState::kPendingDeletion) {
      return InvalidState(r.meta.arn + " is pending deletion.");
    }
    r.meta.state = KeyState::kPendingDeletion;
    r.meta.pending_window_days = days;
    r.meta.deletion_date = clock_.Now() + std::chrono::hours(24 * days);
    out = r.meta;
    return Status::Ok();
  }));
  return out;
}

Result<KeyMetadata> KeyStore::CancelKeyDeletion(const Scope& scope, std::string_view key_ref) {
  KeyMetadata out;
  RETURN_IF_ERROR(Mutate(scope, key_ref, [&](Record& r) -> Status {
    if (r.meta.state != KeyState::kPendingDeletion) {
      return InvalidState(r.meta.arn + " is not pending deletion.");
    }
    r.meta.state = KeyState::kDisabled;
    r.meta.deletion_date.reset();
    r.meta.pending_window_days = 0;
    out = r.meta;
    return Status::Ok();
  }));
  return out;
}

Status KeyStore::UpdateKeyDescription(const Scope& scope, std::string_view key_ref,
                                      std::string description) {
  if (description.size() > 8192) return Validation("Description is longer than 8192");
  return Mutate(scope, key_ref, [&](Record& r) -> Status {
    if (r.meta.state == KeyState::kPendingDeletion) {
      return InvalidState(r.meta.arn + " is pending deletion.");
    }
    r.meta.description = description;
    return Status::Ok();
  });
}

Result<std::string> KeyStore::GetKeyPolicy(const Scope& scope, std::string_view key_ref) {
  ASSIGN_OR_RETURN(Record r, Load(scope, key_ref));
  return r.policy;
}

Status KeyStore::PutKeyPolicy(const Scope& scope, std::string_view key_ref, std::string policy) {
  return Mutate(scope, key_ref, [&](Record& r) -> Status {
    r.policy = policy;
    return Status::Ok();
  });
}

Status KeyStore::EnableKeyRotation(const Scope& scope, std::string_view key_ref,
                                   std::optional<int> period_days) {
  int period = period_days.value_or(365);
  if (period < 90 || period > 2560) {
    return Validation("RotationPeriodInDays must be between 90 and 2560, not " +
                      std::to_string(period));
  }
  return Mutate(scope, key_ref, [&](Record& r) -> Status {
    if (r.meta.state == KeyState::kDisabled) {
      return Status::Conflict(r.meta.arn + " is disabled.").WithAwsCode("DisabledException");
    }
    if (r.meta.state == KeyState::kPendingDeletion) {
      return InvalidState(r.meta.arn + " is pending deletion.");
    }
    r.meta.rotation_enabled = true;
    r.meta.rotation_period_days = period;
    r.meta.next_rotation_date = clock_.Now() + std::chrono::hours(24 * period);
    return Status::Ok();
  });
}

Status KeyStore::DisableKeyRotation(const Scope& scope, std::string_view key_ref) {
  return Mutate(scope, key_ref, [&](Record& r) -> Status {
    if (r.meta.state == KeyState::kDisabled) {
      return Status::Conflict(r.meta.arn + " is disabled.").WithAwsCode("DisabledException");
    }
    if (r.meta.state == KeyState::kPendingDeletion) {
      return InvalidState(r.meta.arn + " is pending deletion.");
    }
    r.meta.rotation_enabled = false;
    r.meta.next_rotation_date.reset();
    return Status::Ok();
  });
}

Result<KeyMetadata> KeyStore::RotateKeyOnDemand(const Scope& scope, std::string_view key_ref) {
  KeyMetadata out;
  RETURN_IF_ERROR(Mutate(scope, key_ref, [&](Record& r) -> Status {
    if (r.meta.state == KeyState::kDisabled) {
      return Status::Conflict(r.meta.arn + " is disabled.").WithAwsCode("DisabledException");
    }
    if (r.meta.state == KeyState::kPendingDeletion) {
      return InvalidState(r.meta.arn + " is pending deletion.");
    }
    crypto::SecretBytes material = crypto::SecretBytes::Random(crypto::kAes256KeyBytes);
    ASSIGN_OR_RETURN(std::string wrapped,
                     crypto::WrapKey(master_key_, material,
                                     r.meta.arn + "#" + std::to_string(r.versions.size() + 1)));
    r.versions.push_back({wrapped, HexEncode(crypto::RandomBytes(32)), clock_.Now(), "ON_DEMAND"});
    r.meta.current_key_material_id = r.versions.back().material_id;
    out = r.meta;
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<KeyRotation>> KeyStore::ListKeyRotations(const Scope& scope,
                                                            std::string_view key_ref) {
  ASSIGN_OR_RETURN(Record r, Load(scope, key_ref));
  std::vector<KeyRotation> rotations;
  for (const Record::Version& v : r.versions) {
    if (!v.rotation_type.empty()) rotations.push_back({v.material_id, v.created, v.rotation_type});
  }
  return rotations;
}

Status KeyStore::RotateDueKeys() {
  std::vector<std::pair<Scope, std::string>> keys;
  RETURN_IF_ERROR(ScanRecords(db_, store::Range::Prefix(AllKeysPrefix()), "KMS key",
                              [&](std::string_view, const json::object& o) {
                                keys.push_back({{std::string(o.at("account").as_string()),
                                                 std::string(o.at("region").as_string())},
                                                std::string(o.at("keyId").as_string())});
                                return true;
                              }));
  for (const auto& [scope, id] : keys) {
    Result<Record> r = LoadById(scope, id);  // rotates (or erases) what is due
    if (!r.ok() && r.status().code() != Code::kNotFound) return r.status();
  }
  return Status::Ok();
}

Status KeyStore::TagResource(const Scope& scope, std::string_view key_ref, const Tags& tags) {
  return Mutate(scope, key_ref, [&](Record& r) -> Status {
    if (r.meta.state == KeyState::kPendingDeletion) {
      return InvalidState(r.meta.arn + " is pending deletion.");
    }
    for (const auto& [k, v] : tags) r.meta.tags[k] = v;
    if (r.meta.tags.size() > 50) {
      return Status::LimitExceeded("A key may have at most 50 tags").WithAwsCode("TagException");
    }
    return Status::Ok();
  });
}

Status KeyStore::UntagResource(const Scope& scope, std::string_view key_ref,
                               const std::vector<std::string>& keys) {
  return Mutate(scope, key_ref, [&](Record& r) -> Status {
    if (r.meta.state == KeyState::kPendingDeletion) {
      return InvalidState(r.meta.arn + " is pending deletion.");
    }
    for (const std::string& k : keys) r.meta.tags.erase(k);
    return Status::Ok();
  });
}

Result<std::string> KeyStore::SealWithVersion(const Record& r, size_t version,
                                              std::string_view plaintext,
                                              const EncryptionContext& context) {
  ASSIGN_OR_RETURN(crypto::SecretBytes material,
                   crypto::UnwrapKey(master_key_, r.versions[version - 1].wrapped_material,
                                     r.meta.arn + "#" + std::to_string(version)));
  std::string header;
  header.push_back(static_cast<char>(kBlobFormat));
  header += UuidBytes(r.meta.key_id);
  for (int shift : {24, 16, 8, 0}) header.push_back(static_cast<char>(version >> shift));
  ASSIGN_OR_RETURN(
      std::string sealed,
      crypto::AeadSeal(material, plaintext, header + CanonicalEncryptionContext(context)));
  return header + sealed;
}

Result<std::string> KeyStore::Encrypt(const Scope& scope, std::string_view key_ref,
                                      std::string_view plaintext,
                                      const EncryptionContext& context) {
  if (plaintext.empty() || plaintext.size() > kMaxPlaintext) {
    return Validation(
        "1 validation error detected: Value at 'plaintext' failed to satisfy "
        "constraint: Member must have length less than or equal to 4096");
  }
  ASSIGN_OR_RETURN(Record r, LoadUsable(scope, key_ref));
  return SealWithVersion(r, r.versions.size(), plaintext, context);
}

Result<std::string> KeyStore::KeyArnOfCiphertext(const Scope& scope, std::string_view blob) {
  if (blob.size() < kBlobHeader + crypto::kAeadOverheadBytes ||
      static_cast<uint8_t>(blob[0]) != kBlobFormat) {
    return BadCiphertext();
  }
  return KeyArn(scope, UuidFromBytes(blob.substr(1, 16)));
}

Result<DecryptResult> KeyStore::Decrypt(const Scope& scope, std::string_view blob,
                                        const EncryptionContext& context,
                                        std::string_view key_ref) {
  ASSIGN_OR_RETURN(std::string blob_key_arn, KeyArnOfCiphertext(scope, blob));
  std::string blob_key_id = UuidFromBytes(blob.substr(1, 16));
  if (!key_ref.empty()) {
    ASSIGN_OR_RETURN(std::string named, ResolveKeyId(scope, key_ref));
    if (named != blob_key_id) {
      return Status::InvalidArgument(
                 "The key ID in the request does not identify a CMK that "
                 "can perform this operation.")
          .WithAwsCode("IncorrectKeyException");
    }
  }
  Result<Record> loaded = LoadUsable(scope, blob_key_id);
  if (!loaded.ok()) {
    if (loaded.status().code() == Code::kNotFound) return BadCiphertext();
    return loaded.status();
  }
  const Record& r = *loaded;
  uint32_t version = 0;
  for (size_t i = 17; i < 21; ++i) version = version << 8 | static_cast<uint8_t>(blob[i]);
  if (version < 1 || version > r.versions.size()) return BadCiphertext();
  ASSIGN_OR_RETURN(crypto::SecretBytes material,
                   crypto::UnwrapKey(master_key_, r.versions[version - 1].wrapped_material,
                                     r.meta.arn + "#" + std::to_string(version)));
  std::string aad = std::string(blob.substr(0, kBlobHeader)) + CanonicalEncryptionContext(context);
  Result<std::string> plaintext = crypto::AeadOpen(material, blob.substr(kBlobHeader), aad);
  if (!plaintext.ok()) return BadCiphertext();
  return DecryptResult{r.meta.arn, std::move(*plaintext), r.versions[version - 1].material_id};
}

Result<DataKey> KeyStore::GenerateDataKey(const Scope& scope, std::string_view key_ref,
                                          size_t bytes, const EncryptionContext& context,
                                          bool with_plaintext) {
  if (bytes < 1 || bytes > 1024) {
    return Validation("NumberOfBytes must be between 1 and 1024");
  }
  ASSIGN_OR_RETURN(Record r, LoadUsable(scope, key_ref));
  crypto::SecretBytes data_key = crypto::SecretBytes::Random(bytes);
  ASSIGN_OR_RETURN(std::string blob,
                   SealWithVersion(r, r.versions.size(), data_key.view(), context));
  DataKey out{r.meta.arn, with_plaintext ? std::string(data_key.view()) : std::string(),
              std::move(blob)};
  return out;
}

Status KeyStore::EraseKey(const Scope& scope, const std::string& key_id) {
  store::WriteBatch batch;
  batch.Delete(kColumnFamily, KeyRecordKey(scope, key_id));
  RETURN_IF_ERROR(ScanRecords(db_, store::Range::Prefix(AliasPrefix(scope)), "KMS alias",
                              [&](std::string_view key, const json::object& alias) {
                                if (alias.at("targetKeyId").as_string() == key_id) {
                                  batch.Delete(kColumnFamily, key);
                                }
                                return true;
                              }));
  RETURN_IF_ERROR(db_.Scan(kColumnFamily, store::Range::Prefix(GrantPrefix(scope, key_id)),
                           [&](std::string_view key, std::string_view) {
                             batch.Delete(kColumnFamily, key);
                             return true;
                           }));
  return db_.Write(batch);
}

Result<size_t> KeyStore::PurgeDeletedKeys() {
  std::vector<std::pair<Scope, std::string>> due;
  TimePoint now = clock_.Now();
  RETURN_IF_ERROR(ScanRecords(db_, store::Range::Prefix(AllKeysPrefix()), "KMS key",
                              [&](std::string_view, const json::object& o) {
                                const json::value* d = o.if_contains("deletionDate");
                                if (o.at("state").as_string() == "PendingDeletion" &&
                                    d != nullptr && now >= FromSeconds(d->as_int64())) {
                                  due.push_back({{std::string(o.at("account").as_string()),
                                                  std::string(o.at("region").as_string())},
                                                 std::string(o.at("keyId").as_string())});
                                }
                                return true;
                              }));
  for (const auto& [scope, id] : due) RETURN_IF_ERROR(EraseKey(scope, id));
  return due.size();
}

}  // namespace kiroku::kms
