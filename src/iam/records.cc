#include "iam/records.h"

#include <algorithm>
#include <cctype>

#include "common/arn.h"
#include "common/encoding.h"
#include "iam/identity_store.h"
#include "store/json_record.h"

namespace kiroku::iam::internal {
namespace json = boost::json;
namespace {

constexpr uint8_t kEntityTag = 'I';
constexpr uint8_t kAccessKeyTag = 'K';

store::KeyBuilder Space(char kind) {
  return std::move(store::KeyBuilder().Tag(kEntityTag).Tag(kind));
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t Int(const json::object& o, std::string_view key, int64_t fallback = 0) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->as_int64() : fallback;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '=' ||
         c == ',' || c == '.' || c == '@' || c == '-';
}

}  // namespace

namespace {

// `prefix` then the lower-cased `name` (entity and policy names are unique ignoring case).
std::string Named(std::string prefix, std::string_view name) {
  return store::KeyBuilder(std::move(prefix)).String(AsciiLower(name)).Build();
}
// Space `space`, the entity kind, then the entity's lower-cased name.
std::string OfEntity(char space, EntityKind kind, std::string_view entity) {
  return Space(space).Tag(static_cast<uint8_t>(kind)).String(AsciiLower(entity)).Build();
}
// Below a policy's prefix: the kind and lower-cased name of an entity using it.
std::string UsedBy(std::string prefix, EntityKind kind, std::string_view entity) {
  return store::KeyBuilder(std::move(prefix))
      .Tag(static_cast<uint8_t>(kind))
      .String(AsciiLower(entity))
      .Build();
}

}  // namespace

std::string KindPrefix(char kind) { return Space(kind).Build(); }
std::string UserKey(std::string_view name) { return Named(KindPrefix('u'), name); }
std::string GroupKey(std::string_view name) { return Named(KindPrefix('g'), name); }
std::string RoleKey(std::string_view name) { return Named(KindPrefix('r'), name); }
std::string PolicyKey(std::string_view name) { return Named(KindPrefix('p'), name); }
std::string InlinePrefix(EntityKind kind, std::string_view entity) {
  return OfEntity('i', kind, entity);
}
std::string InlineKey(EntityKind kind, std::string_view entity, std::string_view policy_name) {
  return Named(InlinePrefix(kind, entity), policy_name);
}
std::string AttachPrefix(EntityKind kind, std::string_view entity) {
  return OfEntity('a', kind, entity);
}
std::string AttachKey(EntityKind kind, std::string_view entity, std::string_view policy_arn) {
  return store::KeyBuilder(AttachPrefix(kind, entity)).String(policy_arn).Build();
}
std::string AttachedToPrefix(std::string_view policy_arn) {
  return Space('e').String(policy_arn).Build();
}
std::string AttachedToKey(std::string_view policy_arn, EntityKind kind, std::string_view entity) {
  return UsedBy(AttachedToPrefix(policy_arn), kind, entity);
}
std::string BoundaryOfPrefix(std::string_view policy_arn) {
  return Space('b').String(policy_arn).Build();
}
std::string BoundaryOfKey(std::string_view policy_arn, EntityKind kind, std::string_view entity) {
  return UsedBy(BoundaryOfPrefix(policy_arn), kind, entity);
}
std::string MembershipPrefix(std::string_view user) { return Named(KindPrefix('m'), user); }
std::string MembershipKey(std::string_view user, std::string_view group) {
  return Named(MembershipPrefix(user), group);
}
std::string MembersPrefix(std::string_view group) { return Named(KindPrefix('n'), group); }
std::string MembersKey(std::string_view group, std::string_view user) {
  return Named(MembersPrefix(group), user);
}
std::string UserAccessKeysPrefix(std::string_view user) { return Named(KindPrefix('k'), user); }
std::string UserAccessKeyKey(std::string_view user, std::string_view access_key_id) {
  return store::KeyBuilder(UserAccessKeysPrefix(user)).String(access_key_id).Build();
}
std::string LoginProfileKey(std::string_view user) { return Named(KindPrefix('l'), user); }
std::string MfaDeviceKey(std::string_view path_and_name) {
  return Named(KindPrefix('v'), path_and_name);
}
std::string UserMfaPrefix(std::string_view user) { return Named(KindPrefix('d'), user); }
std::string UserMfaKey(std::string_view user, std::string_view path_and_name) {
  return Named(UserMfaPrefix(user), path_and_name);
}
std::string SettingKey(std::string_view setting) { return Space('s').String(setting).Build(); }
std::string AccessKeyRecordKey(std::string_view access_key_id) {
  return store::KeyBuilder().Tag(kAccessKeyTag).String(access_key_id).Build();
}

int64_t NowSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
}

Result<std::optional<json::object>> GetRecord(const store::Db& db, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, db.Get(kCf, key));
  if (!value) return std::optional<json::object>();
  ASSIGN_OR_RETURN(json::object record, store::ReadJsonRecord(*value, "IAM record"));
  return std::optional<json::object>(std::move(record));
}

Status ScanRecords(const store::Db& db, std::string_view prefix, std::string_view what,
                   const std::function<Status(const json::object&)>& fn) {
  Status failed;
  RETURN_IF_ERROR(
      db.Scan(kCf, store::Range::Prefix(prefix), [&](std::string_view, std::string_view value) {
        Result<json::object> record = store::ReadJsonRecord(value, what);
        failed = record.ok() ? fn(*record) : record.status();
        return failed.ok();
      }));
  return failed;
}

Status ScanPrefix(const store::Db& db, std::string_view prefix,
                  const std::function<void(std::string_view, std::string_view)>& fn) {
  return db.Scan(kCf, store::Range::Prefix(prefix), [&](std::string_view k, std::string_view v) {
    fn(k, v);
    return true;
  });
}

bool HasAnyUnder(const store::Db& db, std::string_view prefix) {
  bool any = false;
  Status s = db.Scan(kCf, store::Range::Prefix(prefix), [&](std::string_view, std::string_view) {
    any = true;
    return false;
  });
  return any || !s.ok();  // an unreadable store must not let a delete through
}

std::string LastString(std::string_view key, std::string_view prefix) {
  store::KeyReader reader(key.substr(prefix.size()));
  std::optional<std::string> s = reader.String();
  return s.value_or("");
}

json::object TagsToJson(const Tags& tags) {
  json::object o;
  for (const auto& [k, v] : tags) o[k] = v;
  return o;
}

Tags TagsFromJson(const json::value* v) {
  Tags tags;
  if (v == nullptr || !v->is_object()) return tags;
  for (const auto& [k, value] : v->as_object()) {
    if (value.is_string()) tags[std::string(k)] = std::string(value.as_string());
  }
  return tags;
}

std::string EntityArn(std::string_view account, std::string_view type, std::string_view path,
                      std::string_view name) {
  return Arn::Iam(account, std::string(type) + std::string(path) + std::string(name)).ToString();
}

void RenameBatch::Move(const std::string& from, const std::string& to, std::string_view value) {
  deletes_.Delete(kCf, from);
  puts_.Put(kCf, to, value);
}

void RenameBatch::Put(const std::string& key, std::string_view value) {
  puts_.Put(kCf, key, value);
}

store::WriteBatch RenameBatch::Build() const {
  store::WriteBatch batch = deletes_;
  for (const auto& op : puts_.ops()) batch.Put(op.cf, op.key, op.value);
  return batch;
}

Status CheckNewNameFree(const store::Db& db, std::string_view noun, std::string_view old_name,
                        const std::string& new_name, const std::string& key) {
  if (AsciiLower(new_name) == AsciiLower(old_name)) return Status::Ok();
  ASSIGN_OR_RETURN(auto taken, db.Get(kCf, key));
  if (taken) {
    return Status::AlreadyExists(std::string(noun) + " with name " + new_name + " already exists.");
  }
  return Status::Ok();
}

Status MoveEntityPolicies(const store::Db& db, EntityKind kind, std::string_view old_name,
                          std::string_view new_name, RenameBatch& batch) {
  std::string prefix = InlinePrefix(kind, old_name);
  RETURN_IF_ERROR(ScanPrefix(db, prefix, [&](std::string_view k, std::string_view v) {
    batch.Move(std::string(k), InlineKey(kind, new_name, LastString(k, prefix)), v);
  }));
  prefix = AttachPrefix(kind, old_name);
  return ScanPrefix(db, prefix, [&](std::string_view k, std::string_view v) {
    std::string arn = LastString(k, prefix);
    batch.Move(std::string(k), AttachKey(kind, new_name, arn), v);
    batch.Move(AttachedToKey(arn, kind, old_name), AttachedToKey(arn, kind, new_name), new_name);
  });
}

namespace {

// The members every user, group, role and managed policy record has.
template <typename Entity>
json::object EntityJson(const Entity& e) {
  return json::object{
      {"name", e.name}, {"id", e.id}, {"path", e.path}, {"createDate", e.create_date}};
}

template <typename Entity>
void EntityFromJson(const json::object& o, std::string_view account, std::string_view type,
                    Entity& e) {
  e.name = Str(o, "name");
  e.id = Str(o, "id");
  e.path = Str(o, "path");
  e.arn = EntityArn(account, type, e.path, e.name);
  e.create_date = Int(o, "createDate");
}

}  // namespace

json::object UserToJson(const User& u) {
  json::object o = EntityJson(u);
  if (!u.tags.empty()) o["tags"] = TagsToJson(u.tags);
  if (!u.permissions_boundary.empty()) o["boundary"] = u.permissions_boundary;
  return o;
}

User UserFromJson(const json::object& o, std::string_view account) {
  User u;
  EntityFromJson(o, account, "user", u);
  u.tags = TagsFromJson(o.if_contains("tags"));
  u.permissions_boundary = Str(o, "boundary");
  return u;
}

json::object GroupToJson(const Group& g) { return EntityJson(g); }

Group GroupFromJson(const json::object& o, std::string_view account) {
  Group g;
  EntityFromJson(o, account, "group", g);
  return g;
}

json::object RoleToJson(const Role& r) {
  json::object o = EntityJson(r);
  o["trustPolicy"] = r.trust_policy_document;
  o["maxSessionDuration"] = r.max_session_duration;
  if (!r.description.empty()) o["description"] = r.description;
  if (!r.tags.empty()) o["tags"] = TagsToJson(r.tags);
  if (!r.permissions_boundary.empty()) o["boundary"] = r.permissions_boundary;
  return o;
}

Result<Role> RoleFromJson(const json::object& o, std::string_view account) {
  Role r;
  EntityFromJson(o, account, "role", r);
  r.trust_policy_document = Str(o, "trustPolicy");
  r.max_session_duration = static_cast<int>(Int(o, "maxSessionDuration", 3600));
  r.description = Str(o, "description");
  r.tags = TagsFromJson(o.if_contains("tags"));
  r.permissions_boundary = Str(o, "boundary");
  policy::ParseOptions options{policy::PolicyKind::kTrustPolicy, r.arn + "/trust-policy"};
  ASSIGN_OR_RETURN(r.trust_policy, policy::ParsePolicy(r.trust_policy_document, options));
  return r;
}

json::object PolicyToJson(const ManagedPolicy& p) {
  json::array versions;
  for (const PolicyVersion& v : p.versions) {
    versions.push_back(json::object{
        {"versionId", v.version_id}, {"document", v.document}, {"createDate", v.create_date}});
  }
  json::object o = EntityJson(p);
  o["defaultVersionId"] = p.default_version_id;
  o["updateDate"] = p.update_date;
  o["lastVersion"] = p.last_version_number;
  o["versions"] = std::move(versions);
  if (!p.description.empty()) o["description"] = p.description;
  if (!p.tags.empty()) o["tags"] = TagsToJson(p.tags);
  return o;
}

ManagedPolicy PolicyFromJson(const json::object& o, std::string_view account) {
  ManagedPolicy p;
  EntityFromJson(o, account, "policy", p);
  p.default_version_id = Str(o, "defaultVersionId");
  p.update_date = Int(o, "updateDate");
  p.description = Str(o, "description");
  p.tags = TagsFromJson(o.if_contains("tags"));
  p.last_version_number = static_cast<int>(Int(o, "lastVersion"));
  if (const json::value* versions = o.if_contains("versions"); versions && versions->is_array()) {
    for (const json::value& v : versions->as_array()) {
      const json::object& vo = v.as_object();
      PolicyVersion version;
      version.version_id = Str(vo, "versionId");
      version.document = Str(vo, "document");
      version.create_date = Int(vo, "createDate");
      version.is_default = version.version_id == p.default_version_id;
      p.versions.push_back(std::move(version));
    }
  }
  return p;
}

Status ValidationError(std::string_view value, std::string_view field,
                       std::string_view constraint) {
  return Status::InvalidArgument("1 validation error detected: Value '" + std::string(value) +
                                 "' at '" + std::string(field) +
                                 "' failed to satisfy constraint: " + std::string(constraint))
      .WithAwsCode("ValidationError");
}

Status ValidateName(std::string_view name, std::string_view field, size_t max) {
  if (name.empty() || name.size() > max) {
    return ValidationError(name, field,
                           "Member must have length less than or equal to " + std::to_string(max) +
                               " and greater than or equal to 1");
  }
  if (!std::all_of(name.begin(), name.end(), IsNameChar)) {
    return ValidationError(name, field,
                           "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
  }
  return Status::Ok();
}

Status ValidatePath(std::string_view path, std::string_view field) {
  bool chars_ok =
      std::all_of(path.begin(), path.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
  if (path.empty() || path.size() > 512 || path.front() != '/' || path.back() != '/' || !chars_ok) {
    return ValidationError(path, field,
                           "Member must satisfy regular expression pattern: "
                           "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  }
  return Status::Ok();
}

Status ValidateTags(const Tags& tags) {
  if (tags.size() > 50) {
    return Status::LimitExceeded("Cannot exceed quota for TagsPerResource: 50");
  }
  std::map<std::string, int> seen;
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > 128) {
      return ValidationError(k, "tags.key",
                             "Member must have length less than or equal to 128 and greater than "
                             "or equal to 1");
    }
    if (v.size() > 256) {
      return ValidationError(v, "tags.value", "Member must have length less than or equal to 256");
    }
    if (++seen[AsciiLower(k)] > 1) {
      return Status::InvalidArgument(
                 "Duplicate tag keys found. Please note that Tag keys are "
                 "case insensitive.")
          .WithAwsCode("InvalidInput");
    }
  }
  return Status::Ok();
}

Status NoSuchEntity(EntityKind kind, std::string_view name) {
  return Status::NotFound("The " + std::string(EntityKindName(kind)) + " with name " +
                          std::string(name) + " cannot be found.");
}

Status NoSuchPolicy(std::string_view arn) {
  return Status::NotFound("Policy " + std::string(arn) + " was not found.");
}

Result<std::string> EntityName(const IdentityStore& store, EntityKind kind, std::string_view name) {
  switch (kind) {
    case EntityKind::kUser: {
      ASSIGN_OR_RETURN(User u, store.GetUser(name));
      return u.name;
    }
    case EntityKind::kGroup: {
      ASSIGN_OR_RETURN(Group g, store.GetGroup(name));
      return g.name;
    }
    case EntityKind::kRole: {
      ASSIGN_OR_RETURN(Role r, store.GetRole(name));
      return r.name;
    }
  }
  return Status::Internal("unknown entity kind");
}

Status ValidatePolicyDocument(std::string_view document, policy::PolicyKind kind) {
  Result<policy::Policy> parsed = policy::ParsePolicy(document, {kind, ""});
  if (!parsed.ok()) {
    return Status::InvalidArgument(parsed.status().message())
        .WithAwsCode("MalformedPolicyDocument");
  }
  return Status::Ok();
}

}  // namespace kiroku::iam::internal

namespace kiroku::iam {

const char* EntityKindName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kUser:
      return "user";
    case EntityKind::kGroup:
      return "group";
    case EntityKind::kRole:
      return "role";
  }
  return "entity";
}

const PolicyVersion* ManagedPolicy::DefaultVersion() const {
  for (const PolicyVersion& v : versions) {
    if (v.version_id == default_version_id) return &v;
  }
  return nullptr;
}

}  // namespace kiroku::iam
