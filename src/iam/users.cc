// IAM users: create, read, list, delete (with AWS's DeleteConflict rules).
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
  std::lock_guard lock(write_mu_);
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
  std::string prefix = KindPrefix('u');
  Status corrupt;
  RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view, std::string_view value) {
    boost::system::error_code ec;
    json::value v = json::parse(value, ec);
    if (ec || !v.is_object()) {
      corrupt = Status::Internal("corrupt user record");
      return;
    }
    User user = UserFromJson(v.as_object(), account);
    if (user.path.starts_with(path_prefix)) users.push_back(std::move(user));
  }));
  RETURN_IF_ERROR(corrupt);
  return users;
}

Status IdentityStore::DeleteUser(std::string_view name) {
  std::lock_guard lock(write_mu_);
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
  store::WriteBatch batch;
  batch.Delete(kCf, UserKey(name));
  if (!user.permissions_boundary.empty()) {
    batch.Delete(kCf, BoundaryOfKey(user.permissions_boundary, EntityKind::kUser, name));
  }
  return db_.Write(batch);
}

}  // namespace kiroku::iam
