// PoliciesFor: the identity-side policies of a principal, assembled from the entity records on
// every authorization (so a change applies to the very next request) with compiled documents
// shared through a small cache keyed by their text.
#include "common/arn.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

constexpr size_t kMaxCachedPolicies = 4096;

}  // namespace

Result<policy::Policy> IdentityStore::CachedPolicy(const std::string& name,
                                                   const std::string& document,
                                                   policy::PolicyKind kind) const {
  std::string key = name;
  key.push_back('\0');
  key.push_back(static_cast<char>(kind));
  key += document;
  {
    MutexLock lock(cache_mu_);
    if (auto it = policy_cache_.find(key); it != policy_cache_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(policy::Policy parsed, policy::ParsePolicy(document, {kind, name}));
  MutexLock lock(cache_mu_);
  if (policy_cache_.size() >= kMaxCachedPolicies) policy_cache_.clear();
  policy_cache_.emplace(std::move(key), parsed);
  return parsed;
}

Status IdentityStore::AddEntityPolicies(EntityKind kind, const std::string& name,
                                        std::vector<policy::Policy>& out) const {
  auto compile = [this](const std::string& policy_name, const std::string& document) {
    return CachedPolicy(policy_name, document, policy::PolicyKind::kIdentity);
  };
  std::vector<std::pair<std::string, std::string>> inline_docs;
  RETURN_IF_ERROR(
      ScanPrefix(db_, InlinePrefix(kind, name), [&](std::string_view, std::string_view v) {
        Result<json::object> record = ReadJsonRecord(v, "inline policy");
        if (!record.ok()) return;  // an unreadable record grants nothing
        inline_docs.emplace_back(std::string(record->at("name").as_string()),
                                 std::string(record->at("document").as_string()));
      }));
  for (const auto& [policy_name, document] : inline_docs) {
    ASSIGN_OR_RETURN(policy::Policy p, compile(name + "/inline/" + policy_name, document));
    out.push_back(std::move(p));
  }
  std::vector<std::string> arns;
  std::string prefix = AttachPrefix(kind, name);
  RETURN_IF_ERROR(ScanPrefix(db_, prefix, [&](std::string_view k, std::string_view) {
    arns.push_back(LastString(k, prefix));
  }));
  for (const std::string& arn : arns) {
    Result<std::string> document = DefaultPolicyDocument(arn);
    if (!document.ok()) {
      if (document.status().code() == Code::kNotFound) continue;  // deleted concurrently
      return document.status();
    }
    ASSIGN_OR_RETURN(policy::Policy p, compile(arn, *document));
    out.push_back(std::move(p));
  }
  return Status::Ok();
}

Result<policy::PolicySet> IdentityStore::PoliciesFor(const Principal& principal) const {
  auto compile = [this](const std::string& name, const std::string& document) {
    return CachedPolicy(name, document, policy::PolicyKind::kIdentity);
  };
  auto boundary_of = [&](const std::string& arn) -> Result<std::optional<policy::Policy>> {
    if (arn.empty()) return std::optional<policy::Policy>();
    Result<std::string> document = DefaultPolicyDocument(arn);
    // A boundary that no longer exists cannot allow anything: keep an empty policy in its slot.
    if (!document.ok()) {
      if (document.status().code() != Code::kNotFound) return document.status();
      return std::optional<policy::Policy>(policy::Policy());
    }
    ASSIGN_OR_RETURN(policy::Policy p, compile(arn, *document));
    return std::optional<policy::Policy>(std::move(p));
  };

  policy::PolicySet set;
  switch (principal.type) {
    case PrincipalType::kRoot:
    case PrincipalType::kService:
    case PrincipalType::kAnonymous:
      return set;
    case PrincipalType::kUser: {
      Result<User> user = GetUser(principal.user_name);
      if (!user.ok()) {
        if (user.status().code() == Code::kNotFound) return set;
        return user.status();
      }
      RETURN_IF_ERROR(AddEntityPolicies(EntityKind::kUser, user->name, set.identity));
      std::vector<std::string> groups;
      RETURN_IF_ERROR(
          ScanPrefix(db_, MembershipPrefix(user->name),
                     [&](std::string_view, std::string_view v) { groups.emplace_back(v); }));
      for (const std::string& group : groups) {
        RETURN_IF_ERROR(AddEntityPolicies(EntityKind::kGroup, group, set.identity));
      }
      ASSIGN_OR_RETURN(set.permissions_boundary, boundary_of(user->permissions_boundary));
      return set;
    }
    case PrincipalType::kAssumedRole: {
      // By name: a session's role_arn may have been built without the role's path.
      std::string_view role_arn = principal.role_arn;
      if (!role_arn.starts_with(Arn::Iam(principal.account, "role/").ToString())) return set;
      Result<Role> role = GetRole(role_arn.substr(role_arn.rfind('/') + 1));
      if (!role.ok()) {
        if (role.status().code() == Code::kNotFound) return set;
        return role.status();
      }
      RETURN_IF_ERROR(AddEntityPolicies(EntityKind::kRole, role->name, set.identity));
      ASSIGN_OR_RETURN(set.permissions_boundary, boundary_of(role->permissions_boundary));
      return set;
    }
    case PrincipalType::kFederatedUser:
      return set;
  }
  return set;
}

}  // namespace kiroku::iam
