// IAM users: create, read, list, delete (with AWS's DeleteConflict rules).
#include "common/encoding.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

Result<User> IdentityStore::CreateUser(std::string_view name, std::string_view path,
                                       const Tags& tags, std::string_view permissions_boundary) {
  RETURN_IF_ERROR(ValidateName(name, "userName", 64));
  RETURN_IF_ERROR(ValidatePath(path));
  RETURN_IF_ERROR(ValidateTags(tags));
  ASSIGN_OR_RETURN(std::string account, AccountId());
  if (!permissions_boundary.empty()) {
    Result<ManagedPolicy> boundary = GetPolicy(permissions_boundary);
    if (!boundary.ok()) return boundary.status();
  }
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(auto existing, GetRecord(db_, UserKey(name)));
  if (existing) {
    return Status::AlreadyExists("User with name " + std::string(name) + " already exists.");
  }
  User user;
  user.name = std::string(name);
  user.id = NewUniqueId("AIDA");
  user.path = std::string(path);
  user.arn = EntityArn(account, "user", user.path, user.name);
  user.create_date = NowSeconds(clock_);
  user.tags = tags;
  user.permissions_boundary = std::string(permissions_boundary);
  store::WriteBatch batch;
  batch.Put(kCf, UserKey(name), json::serialize(UserToJson(user)));
  if (!user.permissions_boundary.empty()) {
    batch.Put(kCf, BoundaryOfKey(user.permissions_boundary, EntityKind::kUser, name), user.name);
  }
  RETURN_IF_ERROR(db_.WriteIf({{std::string(kCf), UserKey(name), std::nullopt}}, batch));
  return user;
}

Result<User> IdentityStore::GetUser(std::string_view name) const {
  RETURN_IF_ERROR(ValidateName(name, "userName", 128));
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, UserKey(name)));
  if (!record) return NoSuchEntity(EntityKind::kUser, name);
  ASSIGN_OR_RETURN(std::string account, AccountId());
  return UserFromJson(*record, account);
}

Result<std::vector<User>> IdentityStore::ListUsers(std::string_view path_prefix) const {
  ASSIGN_OR_RETURN(std::string account, AccountId());
  std::vector<User> users;
  RETURN_IF_ERROR(ScanRecords(db_, KindPrefix('u'), "user record", [&](const json::object& o) {
    User user = UserFromJson(o, account);
    if (user.path.starts_with(path_prefix)) users.push_back(std::move(user));
    return Status::Ok();
  }));
  return users;
}

Status IdentityStore::UpdateUser(std::string_view name, const std::optional<std::string>& new_name,
                                 const std::optional<std::string>& new_path) {
  if (new_name) RETURN_IF_ERROR(ValidateName(*new_name, "newUserName", 64));
  if (new_path) RETURN_IF_ERROR(ValidatePath(*new_path, "newPath"));
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(User user, GetUser(name));
  const std::string old_name = user.name;
  if (new_path) user.path = *new_path;
  if (new_name) {
    RETURN_IF_ERROR(CheckNewNameFree(db_, "User", old_name, *new_name, UserKey(*new_name)));
    user.name = *new_name;
  }
  // Every record keyed or labelled by the name moves.
  RenameBatch batch;
  auto move = [&](const std::string& from, const std::string& to, std::string_view value) {
    batch.Move(from, to, value);
  };
  move(UserKey(old_name), UserKey(user.name), json::serialize(UserToJson(user)));
  RETURN_IF_ERROR(MoveEntityPolicies(db_, EntityKind::kUser, old_name, user.name, batch));
  if (!user.permissions_boundary.empty()) {
    move(BoundaryOfKey(user.permissions_boundary, EntityKind::kUser, old_name),
         BoundaryOfKey(user.permissions_boundary, EntityKind::kUser, user.name), user.name);
  }
  std::string prefix = MembershipPrefix(old_name);
  RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view k, std::string_view group) {
    move(std::string(k), MembershipKey(user.name, group), group);
    move(MembersKey(group, old_name), MembersKey(group, user.name), user.name);
  }));
  std::vector<std::string> key_ids;
  prefix = UserAccessKeysPrefix(old_name);
  RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view k, std::string_view) {
    key_ids.push_back(LastString(k, prefix));
  }));
  for (const std::string& id : key_ids) {
    move(UserAccessKeyKey(old_name, id), UserAccessKeyKey(user.name, id), "");
    ASSIGN_OR_RETURN(auto record, GetRecord(db_, AccessKeyRecordKey(id)));
    if (!record) continue;
    (*record)["userName"] = user.name;
    batch.Put(AccessKeyRecordKey(id), json::serialize(*record));
  }
  ASSIGN_OR_RETURN(auto login, db_.Get(kCf, LoginProfileKey(old_name)));
  if (login) move(LoginProfileKey(old_name), LoginProfileKey(user.name), *login);
  std::vector<std::string> devices;
  prefix = UserMfaPrefix(old_name);
  RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view k, std::string_view) {
    devices.push_back(LastString(k, prefix));
  }));
  for (const std::string& device : devices) {
    move(UserMfaKey(old_name, device), UserMfaKey(user.name, device), "");
    ASSIGN_OR_RETURN(auto record, GetRecord(db_, MfaDeviceKey(device)));
    if (!record) continue;
    (*record)["userName"] = user.name;
    batch.Put(MfaDeviceKey(device), json::serialize(*record));
  }
  return db_.Write(batch.Build());
}

Status IdentityStore::DeleteUser(std::string_view name) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(User user, GetUser(name));
  if (HasAnyUnder(db_, UserAccessKeysPrefix(name))) {
    return Status::Conflict("Cannot delete entity, must delete access keys first.");
  }
  if (HasAnyUnder(db_, InlinePrefix(EntityKind::kUser, name))) {
    return Status::Conflict("Cannot delete entity, must delete policies first.");
  }
  if (HasAnyUnder(db_, AttachPrefix(EntityKind::kUser, name))) {
    return Status::Conflict("Cannot delete entity, must detach all policies first.");
  }
  if (HasAnyUnder(db_, MembershipPrefix(name))) {
    return Status::Conflict("Cannot delete entity, must remove users from group first.");
  }
  ASSIGN_OR_RETURN(auto login, db_.Get(kCf, LoginProfileKey(name)));
  if (login) return Status::Conflict("Cannot delete entity, must delete login profile first.");
  if (HasAnyUnder(db_, UserMfaPrefix(name))) {
    return Status::Conflict("Cannot delete entity, must delete MFA device first.");
  }
  store::WriteBatch batch;
  batch.Delete(kCf, UserKey(name));
  if (!user.permissions_boundary.empty()) {
    batch.Delete(kCf, BoundaryOfKey(user.permissions_boundary, EntityKind::kUser, name));
  }
  return db_.Write(batch);
}

}  // namespace kiroku::iam
