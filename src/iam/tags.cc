// Tags of users, roles and customer managed policies (TagUser/UntagUser/…).
#include "common/encoding.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

// Adds `add` to `tags`; a key equal ignoring case replaces the existing one.
Status MergeTags(Tags& tags, const Tags& add) {
  RETURN_IF_ERROR(ValidateTags(add));
  for (const auto& [k, v] : add) {
    for (auto it = tags.begin(); it != tags.end();) {
      it = AsciiLower(it->first) == AsciiLower(k) ? tags.erase(it) : std::next(it);
    }
    tags[k] = v;
  }
  if (tags.size() > 50) return Status::LimitExceeded("Cannot exceed quota for TagsPerResource: 50");
  return Status::Ok();
}

void RemoveTags(Tags& tags, const std::vector<std::string>& keys) {
  for (const std::string& k : keys) {
    for (auto it = tags.begin(); it != tags.end();) {
      it = AsciiLower(it->first) == AsciiLower(k) ? tags.erase(it) : std::next(it);
    }
  }
}

}  // namespace

Status IdentityStore::TagEntity(EntityKind kind, std::string_view name, const Tags& tags) {
  MutexLock lock(write_mu_);
  if (kind == EntityKind::kUser) {
    ASSIGN_OR_RETURN(User user, GetUser(name));
    RETURN_IF_ERROR(MergeTags(user.tags, tags));
    return db_.Put(kCf, UserKey(user.name), json::serialize(UserToJson(user)));
  }
  if (kind == EntityKind::kRole) {
    ASSIGN_OR_RETURN(Role role, GetRole(name));
    RETURN_IF_ERROR(MergeTags(role.tags, tags));
    return db_.Put(kCf, RoleKey(role.name), json::serialize(RoleToJson(role)));
  }
  return Status::InvalidArgument("groups cannot be tagged").WithAwsCode("InvalidInput");
}

Status IdentityStore::UntagEntity(EntityKind kind, std::string_view name,
                                  const std::vector<std::string>& keys) {
  MutexLock lock(write_mu_);
  if (kind == EntityKind::kUser) {
    ASSIGN_OR_RETURN(User user, GetUser(name));
    RemoveTags(user.tags, keys);
    return db_.Put(kCf, UserKey(user.name), json::serialize(UserToJson(user)));
  }
  if (kind == EntityKind::kRole) {
    ASSIGN_OR_RETURN(Role role, GetRole(name));
    RemoveTags(role.tags, keys);
    return db_.Put(kCf, RoleKey(role.name), json::serialize(RoleToJson(role)));
  }
  return Status::InvalidArgument("groups cannot be tagged").WithAwsCode("InvalidInput");
}

Result<Tags> IdentityStore::ListEntityTags(EntityKind kind, std::string_view name) const {
  if (kind == EntityKind::kUser) {
    ASSIGN_OR_RETURN(User user, GetUser(name));
    return user.tags;
  }
  if (kind == EntityKind::kRole) {
    ASSIGN_OR_RETURN(Role role, GetRole(name));
    return role.tags;
  }
  return Status::InvalidArgument("groups cannot be tagged").WithAwsCode("InvalidInput");
}

Status IdentityStore::TagPolicy(std::string_view policy_arn, const Tags& tags) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(ManagedPolicy p, GetPolicy(policy_arn));
  if (p.aws_managed) {
    return Status::InvalidArgument("Policy " + p.arn + " is AWS managed and cannot be tagged.")
        .WithAwsCode("InvalidInput");
  }
  RETURN_IF_ERROR(MergeTags(p.tags, tags));
  return db_.Put(kCf, PolicyKey(p.name), json::serialize(PolicyToJson(p)));
}

Status IdentityStore::UntagPolicy(std::string_view policy_arn,
                                  const std::vector<std::string>& keys) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(ManagedPolicy p, GetPolicy(policy_arn));
  if (p.aws_managed) {
    return Status::InvalidArgument("Policy " + p.arn + " is AWS managed and cannot be tagged.")
        .WithAwsCode("InvalidInput");
  }
  RemoveTags(p.tags, keys);
  return db_.Put(kCf, PolicyKey(p.name), json::serialize(PolicyToJson(p)));
}

}  // namespace kiroku::iam
