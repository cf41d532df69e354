// IAM groups and their members.
#include "common/encoding.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

Result<Group> IdentityStore::CreateGroup(std::string_view name, std::string_view path) {
  RETURN_IF_ERROR(ValidateName(name, "groupName", 128));
  RETURN_IF_ERROR(ValidatePath(path));
  ASSIGN_OR_RETURN(std::string account, AccountId());
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(auto existing, GetRecord(db_, GroupKey(name)));
  if (existing) {
    return Status::AlreadyExists("Group with name " + std::string(name) + " already exists.");
  }
  Group group;
  group.name = std::string(name);
  group.id = NewUniqueId("AGPA");
  group.path = std::string(path);
  group.arn = EntityArn(account, "group", group.path, group.name);
  group.create_date = NowSeconds(clock_);
  store::WriteBatch batch;
  batch.Put(kCf, GroupKey(name), json::serialize(GroupToJson(group)));
  RETURN_IF_ERROR(db_.WriteIf({{std::string(kCf), GroupKey(name), std::nullopt}}, batch));
  return group;
}

Result<Group> IdentityStore::GetGroup(std::string_view name) const {
  RETURN_IF_ERROR(ValidateName(name, "groupName", 128));
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, GroupKey(name)));
  if (!record) return NoSuchEntity(EntityKind::kGroup, name);
  ASSIGN_OR_RETURN(std::string account, AccountId());
  return GroupFromJson(*record, account);
}

Result<std::vector<Group>> IdentityStore::ListGroups(std::string_view path_prefix) const {
  ASSIGN_OR_RETURN(std::string account, AccountId());
  std::vector<Group> groups;
  RETURN_IF_ERROR(ScanRecords(db_, KindPrefix('g'), "group record", [&](const json::object& o) {
    Group group = GroupFromJson(o, account);
    if (group.path.starts_with(path_prefix)) groups.push_back(std::move(group));
    return Status::Ok();
  }));
  return groups;
}

Status IdentityStore::DeleteGroup(std::string_view name) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(Group group, GetGroup(name));
  if (HasAnyUnder(db_, MembersPrefix(name))) {
    return Status::Conflict("Cannot delete entity, must remove users from group first.");
  }
  if (HasAnyUnder(db_, InlinePrefix(EntityKind::kGroup, name))) {
    return Status::Conflict("Cannot delete entity, must delete policies first.");
  }
  if (HasAnyUnder(db_, AttachPrefix(EntityKind::kGroup, name))) {
    return Status::Conflict("Cannot delete entity, must detach all policies first.");
  }
  return db_.Delete(kCf, GroupKey(name));
}

Status IdentityStore::UpdateGroup(std::string_view name, const std::optional<std::string>& new_name,
                                  const std::optional<std::string>& new_path) {
  if (new_name) RETURN_IF_ERROR(ValidateName(*new_name, "newGroupName", 128));
  if (new_path) RETURN_IF_ERROR(ValidatePath(*new_path, "newPath"));
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(Group group, GetGroup(name));
  const std::string old_name = group.name;
  if (new_path) group.path = *new_path;
  if (new_name) {
    RETURN_IF_ERROR(CheckNewNameFree(db_, "Group", old_name, *new_name, GroupKey(*new_name)));
    group.name = *new_name;
  }
  // Every record keyed or labelled by the name moves.
  RenameBatch batch;
  batch.Move(GroupKey(old_name), GroupKey(group.name), json::serialize(GroupToJson(group)));
  RETURN_IF_ERROR(MoveEntityPolicies(db_, EntityKind::kGroup, old_name, group.name, batch));
  std::string prefix = MembersPrefix(old_name);
  RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view k, std::string_view user) {
    batch.Move(std::string(k), MembersKey(group.name, user), user);
    batch.Move(MembershipKey(user, old_name), MembershipKey(user, group.name), group.name);
  }));
  return db_.Write(batch.Build());
}

Status IdentityStore::AddUserToGroup(std::string_view group_name, std::string_view user_name) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(Group group, GetGroup(group_name));
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  store::WriteBatch batch;
  batch.Put(kCf, MembershipKey(user.name, group.name), group.name);
  batch.Put(kCf, MembersKey(group.name, user.name), user.name);
  return db_.Write(batch);
}

Status IdentityStore::RemoveUserFromGroup(std::string_view group_name, std::string_view user_name) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(Group group, GetGroup(group_name));
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  ASSIGN_OR_RETURN(auto member, db_.Get(kCf, MembershipKey(user.name, group.name)));
  if (!member) {
    return Status::NotFound("The user with name " + user.name + " cannot be found in group " +
                            group.name + ".");
  }
  store::WriteBatch batch;
  batch.Delete(kCf, MembershipKey(user.name, group.name));
  batch.Delete(kCf, MembersKey(group.name, user.name));
  return db_.Write(batch);
}

Result<std::vector<Group>> IdentityStore::ListGroupsForUser(std::string_view user_name) const {
  ASSIGN_OR_RETURN(User user, GetUser(user_name));
  std::vector<std::string> names;
  RETURN_IF_ERROR(ScanPrefix(db_, MembershipPrefix(user.name),
                             [&](std::string_view, std::string_view v) { names.emplace_back(v); }));
  std::vector<Group> groups;
  for (const std::string& name : names) {
    Result<Group> group = GetGroup(name);
    if (group.ok()) groups.push_back(std::move(*group));
  }
  return groups;
}

Result<std::vector<User>> IdentityStore::ListUsersInGroup(std::string_view group_name) const {
  ASSIGN_OR_RETURN(Group group, GetGroup(group_name));
  std::vector<std::string> names;
  RETURN_IF_ERROR(ScanPrefix(db_, MembersPrefix(group.name),
                             [&](std::string_view, std::string_view v) { names.emplace_back(v); }));
  std::vector<User> users;
  for (const std::string& name : names) {
    Result<User> user = GetUser(name);
    if (user.ok()) users.push_back(std::move(*user));
  }
  return users;
}

}  // namespace kiroku::iam
