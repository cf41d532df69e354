// Managed-policy attachments of users, groups and roles (kept in both directions, written in one
// batch), and permissions boundaries of users and roles.
#include <algorithm>

#include "common/encoding.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

// AWS's default quota of managed policies attached to one entity.
constexpr size_t kMaxAttachedPolicies = 10;

const char* QuotaName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kUser:
      return "PoliciesPerUser";
    case EntityKind::kGroup:
      return "PoliciesPerGroup";
    case EntityKind::kRole:
      return "PoliciesPerRole";
  }
  return "";
}

Status NotAttachable(std::string_view arn) {
  return Status::NotFound("Policy " + std::string(arn) + " does not exist or is not attachable.");
}

// The path of a policy ARN: "/" for arn:…:policy/name, "/a/b/" for arn:…:policy/a/b/name.
std::string PolicyPathOf(std::string_view arn) {
  size_t start = arn.find(":policy/");
  if (start == std::string_view::npos) return "/";
  std::string_view rest = arn.substr(start + 7);
  return std::string(rest.substr(0, rest.rfind('/') + 1));
}

}  // namespace

Status IdentityStore::AttachPolicy(EntityKind kind, std::string_view entity,
                                   std::string_view policy_arn) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(std::string name, EntityName(*this, kind, entity));
  Result<ManagedPolicy> policy = GetPolicy(policy_arn);
  if (!policy.ok()) {
    return policy.status().code() == Code::kNotFound ? NotAttachable(policy_arn) : policy.status();
  }
  std::string key = AttachKey(kind, name, policy->arn);
  ASSIGN_OR_RETURN(auto already, db_.Get(kCf, key));
  if (already) return Status::Ok();
  size_t attached = 0;
  RETURN_IF_ERROR(ScanPrefix(db_, AttachPrefix(kind, name),
                             [&](std::string_view, std::string_view) { ++attached; }));
  if (attached >= kMaxAttachedPolicies) {
    return Status::LimitExceeded("Cannot exceed quota for " + std::string(QuotaName(kind)) + ": " +
                                 std::to_string(kMaxAttachedPolicies));
  }
  store::WriteBatch batch;
  batch.Put(kCf, key, policy->name);
  batch.Put(kCf, AttachedToKey(policy->arn, kind, name), name);
  return db_.Write(batch);
}

Status IdentityStore::DetachPolicy(EntityKind kind, std::string_view entity,
                                   std::string_view policy_arn) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(std::string name, EntityName(*this, kind, entity));
  std::string key = AttachKey(kind, name, policy_arn);
  ASSIGN_OR_RETURN(auto attached, db_.Get(kCf, key));
  if (!attached) return NoSuchPolicy(policy_arn);
  store::WriteBatch batch;
  batch.Delete(kCf, key);
  batch.Delete(kCf, AttachedToKey(policy_arn, kind, name));
  return db_.Write(batch);
}

Result<std::vector<AttachedPolicy>> IdentityStore::ListAttachedPolicies(
    EntityKind kind, std::string_view entity, std::string_view path_prefix) const {
  ASSIGN_OR_RETURN(std::string name, EntityName(*this, kind, entity));
  std::vector<AttachedPolicy> out;
  std::string prefix = AttachPrefix(kind, name);
  RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view k, std::string_view v) {
    std::string arn = LastString(k, prefix);
    if (PolicyPathOf(arn).starts_with(path_prefix)) out.push_back({std::string(v), arn});
  }));
  return out;
}

Result<std::vector<PolicyEntity>> IdentityStore::ListEntitiesForPolicy(std::string_view policy_arn,
                                                                       PolicyUsage usage) const {
  ASSIGN_OR_RETURN(ManagedPolicy policy, GetPolicy(policy_arn));
  std::vector<std::pair<EntityKind, std::string>> names;
  auto collect = [&](const std::string& prefix) {
    return ScanPrefix(db_, prefix, [&](std::string_view k, std::string_view v) {
      store::KeyReader reader(k.substr(prefix.size()));
      std::optional<uint8_t> tag = reader.Tag();
      std::pair<EntityKind, std::string> entry(static_cast<EntityKind>(tag.value_or(0)), v);
      if (tag && std::find(names.begin(), names.end(), entry) == names.end()) {
        names.push_back(std::move(entry));
      }
    });
  };
  if (usage != PolicyUsage::kPermissionsBoundary) {
    RETURN_IF_ERROR(collect(AttachedToPrefix(policy.arn)));
  }
  if (usage != PolicyUsage::kPermissionsPolicy) {
    RETURN_IF_ERROR(collect(BoundaryOfPrefix(policy.arn)));
  }
  std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) {
    return AsciiLower(a.second) < AsciiLower(b.second);
  });
  std::vector<PolicyEntity> out;
  for (EntityKind kind : {EntityKind::kUser, EntityKind::kGroup, EntityKind::kRole}) {
    for (const auto& [k, name] : names) {
      if (k != kind) continue;
      std::string id, path;
      if (kind == EntityKind::kUser) {
        if (auto u = GetUser(name); u.ok()) id = u->id, path = u->path;
      } else if (kind == EntityKind::kGroup) {
        if (auto g = GetGroup(name); g.ok()) id = g->id, path = g->path;
      } else {
        if (auto r = GetRole(name); r.ok()) id = r->id, path = r->path;
      }
      if (!id.empty()) out.push_back({kind, name, id, path});
    }
  }
  return out;
}

namespace {

std::string RecordKey(const User& u) { return UserKey(u.name); }
std::string RecordKey(const Role& r) { return RoleKey(r.name); }
json::object Record(const User& u) { return UserToJson(u); }
json::object Record(const Role& r) { return RoleToJson(r); }

// Gives the user or role `e` the permissions boundary `arn` ("" for none): its record and the
// boundaries' back references. NotFound when removing a boundary it does not have.
template <typename Entity>
Status SetBoundary(Entity e, EntityKind kind, const std::string& arn, store::WriteBatch& batch) {
  if (arn.empty() && e.permissions_boundary.empty()) {
    return Status::NotFound("The " + std::string(EntityKindName(kind)) + " with name " + e.name +
                            " does not have a permissions boundary.");
  }
  const std::string old = e.permissions_boundary;
  e.permissions_boundary = arn;
  batch.Put(kCf, RecordKey(e), json::serialize(Record(e)));
  if (!old.empty()) batch.Delete(kCf, BoundaryOfKey(old, kind, e.name));
  if (!arn.empty()) batch.Put(kCf, BoundaryOfKey(arn, kind, e.name), e.name);
  return Status::Ok();
}

}  // namespace

Status IdentityStore::PutPermissionsBoundary(EntityKind kind, std::string_view entity,
                                             std::string_view policy_arn) {
  if (kind == EntityKind::kGroup) return Status::InvalidArgument("groups have no boundary");
  MutexLock lock(write_mu_);
  Result<ManagedPolicy> policy = GetPolicy(policy_arn);
  if (!policy.ok()) {
    return policy.status().code() == Code::kNotFound ? NotAttachable(policy_arn) : policy.status();
  }
  store::WriteBatch batch;
  if (kind == EntityKind::kUser) {
    ASSIGN_OR_RETURN(User user, GetUser(entity));
    RETURN_IF_ERROR(SetBoundary(std::move(user), kind, policy->arn, batch));
  } else {
    ASSIGN_OR_RETURN(Role role, GetRole(entity));
    RETURN_IF_ERROR(SetBoundary(std::move(role), kind, policy->arn, batch));
  }
  return db_.Write(batch);
}

Status IdentityStore::DeletePermissionsBoundary(EntityKind kind, std::string_view entity) {
  if (kind == EntityKind::kGroup) return Status::InvalidArgument("groups have no boundary");
  MutexLock lock(write_mu_);
  store::WriteBatch batch;
  if (kind == EntityKind::kUser) {
    ASSIGN_OR_RETURN(User user, GetUser(entity));
    RETURN_IF_ERROR(SetBoundary(std::move(user), kind, "", batch));
  } else {
    ASSIGN_OR_RETURN(Role role, GetRole(entity));
    RETURN_IF_ERROR(SetBoundary(std::move(role), kind, "", batch));
  }
  return db_.Write(batch);
}

}  // namespace kiroku::iam
