// Internal to iam/: the keys of IAM entity records in the "meta" column family, their JSON
// encodings, name/path validation and the NoSuchEntity/EntityAlreadyExists wording shared by
// the entity files. Every IAM entity key starts with Tag('I') and a one-byte kind
// (docs/storage-keys.md).
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "iam/entities.h"
#include "store/db.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::iam {
class IdentityStore;
}  // namespace kiroku::iam

namespace kiroku::iam::internal {

using store::ReadJsonRecord;

inline constexpr std::string_view kCf = "meta";

// Entity names are unique ignoring case: keys use the lower-case form.

// Every key of one kind: 'u' users, 'g' groups, 'r' roles, 'p' customer managed policies,
// 'v' virtual MFA devices.
std::string KindPrefix(char kind);
std::string UserKey(std::string_view name);
std::string GroupKey(std::string_view name);
std::string RoleKey(std::string_view name);
std::string PolicyKey(std::string_view name);  // customer managed policy
std::string InlinePrefix(EntityKind kind, std::string_view entity);
std::string InlineKey(EntityKind kind, std::string_view entity, std::string_view policy_name);
std::string AttachPrefix(EntityKind kind, std::string_view entity);
std::string AttachKey(EntityKind kind, std::string_view entity, std::string_view policy_arn);
std::string AttachedToPrefix(std::string_view policy_arn);
std::string AttachedToKey(std::string_view policy_arn, EntityKind kind, std::string_view entity);
std::string BoundaryOfPrefix(std::string_view policy_arn);
std::string BoundaryOfKey(std::string_view policy_arn, EntityKind kind, std::string_view entity);
std::string MembershipPrefix(std::string_view user);  // the user's groups
std::string MembershipKey(std::string_view user, std::string_view group);
std::string MembersPrefix(std::string_view group);  // the group's users
std::string MembersKey(std::string_view group, std::string_view user);
std::string UserAccessKeysPrefix(std::string_view user);
std::string UserAccessKeyKey(std::string_view user, std::string_view access_key_id);
std::string LoginProfileKey(std::string_view user);
// Virtual MFA devices by lower-cased path + name, and each user's assigned devices.
std::string MfaDeviceKey(std::string_view path_and_name);
std::string UserMfaPrefix(std::string_view user);
std::string UserMfaKey(std::string_view user, std::string_view path_and_name);
std::string SettingKey(std::string_view setting);                // "alias", "password-policy"
std::string AccessKeyRecordKey(std::string_view access_key_id);  // Tag('K'), iam's older space

int64_t NowSeconds(const Clock& clock);

// The record at `key` as a JSON object; nullopt when absent; Internal when corrupt.
Result<std::optional<boost::json::object>> GetRecord(const store::Db& db, std::string_view key);
// Each record below `prefix` as a JSON object, in key order, until `fn` fails. A record that is
// not a JSON object is corruption: Internal naming `what` ("user record").
Status ScanRecords(const store::Db& db, std::string_view prefix, std::string_view what,
                   const std::function<Status(const boost::json::object&)>& fn);
// The keys below `prefix` (with their values), in order.
Status ScanPrefix(const store::Db& db, std::string_view prefix,
                  const std::function<void(std::string_view key, std::string_view value)>& fn);
bool HasAnyUnder(const store::Db& db, std::string_view prefix);
// The last String component of `key` (after the fixed prefix `prefix`).
std::string LastString(std::string_view key, std::string_view prefix);

boost::json::object TagsToJson(const Tags& tags);
Tags TagsFromJson(const boost::json::value* v);

boost::json::object UserToJson(const User& u);
User UserFromJson(const boost::json::object& o, std::string_view account);
boost::json::object GroupToJson(const Group& g);
Group GroupFromJson(const boost::json::object& o, std::string_view account);
boost::json::object RoleToJson(const Role& r);
// Parses the stored trust policy again (it was valid when stored).
Result<Role> RoleFromJson(const boost::json::object& o, std::string_view account);
boost::json::object PolicyToJson(const ManagedPolicy& p);
ManagedPolicy PolicyFromJson(const boost::json::object& o, std::string_view account);

// arn:aws:iam::<account>:<type><path><name> ("user", "/dev/", "alice").
std::string EntityArn(std::string_view account, std::string_view type, std::string_view path,
                      std::string_view name);

// The writes of renaming an entity: every delete of an old key comes before every put of a new
// one, so that a change of case only (the same keys) ends with the puts.
class RenameBatch {
 public:
  void Move(const std::string& from, const std::string& to, std::string_view value);
  void Put(const std::string& key, std::string_view value);
  store::WriteBatch Build() const;

 private:
  store::WriteBatch deletes_, puts_;
};
// AlreadyExists ("User with name x already exists.") when `new_name` is another entity's; a
// new case of `old_name` is not. `key` is the record key of `new_name`.
Status CheckNewNameFree(const store::Db& db, std::string_view noun, std::string_view old_name,
                        const std::string& new_name, const std::string& key);
// Moves the inline policies and the managed policy attachments of `kind` `old_name` to
// `new_name` (and the attachments' back references).
Status MoveEntityPolicies(const store::Db& db, EntityKind kind, std::string_view old_name,
                          std::string_view new_name, RenameBatch& batch);

// ValidationError in AWS's wording ("1 validation error detected: Value 'x' at 'userName'
// failed to satisfy constraint: …").
Status ValidationError(std::string_view value, std::string_view field, std::string_view constraint);
// [\w+=,.@-]+ of 1..max characters.
Status ValidateName(std::string_view name, std::string_view field, size_t max);
// "/" or "/a/b/", printable ASCII, at most 512 characters.
Status ValidatePath(std::string_view path, std::string_view field = "path");
Status ValidateTags(const Tags& tags);

Status NoSuchEntity(EntityKind kind,
                    std::string_view name);  // "The user with name x cannot be found."
Status NoSuchPolicy(std::string_view arn);   // "Policy <arn> was not found."

// The name of an existing user, group or role as stored (its own case); NoSuchEntity otherwise.
Result<std::string> EntityName(const IdentityStore& store, EntityKind kind, std::string_view name);

// Validates a policy document; MalformedPolicyDocument with the engine's message.
Status ValidatePolicyDocument(std::string_view document, policy::PolicyKind kind);

}  // namespace kiroku::iam::internal
