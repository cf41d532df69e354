// IAM roles: trust policies (parsed as PolicyKind::kTrustPolicy), session limits, updates.
#include "common/arn.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

constexpr int kMinSessionDuration = 3600;
constexpr int kMaxSessionDuration = 43200;

Status ValidateSessionDuration(int seconds) {
  if (seconds < kMinSessionDuration) {
    return ValidationError(std::to_string(seconds), "maxSessionDuration",
                           "Member must have value greater than or equal to 3600");
  }
  if (seconds > kMaxSessionDuration) {
    return ValidationError(std::to_string(seconds), "maxSessionDuration",
                           "Member must have value less than or equal to 43200");
  }
  return Status::Ok();
}

Status ValidateDescription(std::string_view description) {
  if (description.size() > 1000) {
    return ValidationError(description, "description",
                           "Member must have length less than or equal to 1000");
  }
  return Status::Ok();
}

// The same-account user and role ARNs a trust policy names as AWS principals.
std::vector<std::string> NamedLocalPrincipals(std::string_view document, std::string_view account) {
  std::vector<std::string> arns;
  boost::system::error_code ec;
  json::value doc = json::parse(document, ec);  // valid: ParsePolicy accepted it
  if (ec || !doc.is_object()) return arns;
  const json::value* statements = doc.as_object().if_contains("Statement");
  if (statements == nullptr) return arns;
  std::vector<const json::value*> list;
  if (statements->is_array()) {
    for (const json::value& st : statements->as_array()) list.push_back(&st);
  } else {
    list.push_back(statements);
  }
  std::string user_prefix = Arn::Iam(account, "user/").ToString();
  std::string role_prefix = Arn::Iam(account, "role/").ToString();
  auto add = [&](const json::value& v) {
    if (!v.is_string()) return;
    std::string_view arn = v.as_string();
    bool wildcard = arn.find_first_of("*?") != std::string_view::npos;
    if (!wildcard && (arn.starts_with(user_prefix) || arn.starts_with(role_prefix))) {
      arns.emplace_back(arn);
    }
  };
  for (const json::value* st : list) {
    if (!st->is_object()) continue;
    const json::value* principal = st->as_object().if_contains("Principal");
    if (principal == nullptr || !principal->is_object()) continue;
    const json::value* aws = principal->as_object().if_contains("AWS");
    if (aws == nullptr) continue;
    if (aws->is_array()) {
      for (const json::value& v : aws->as_array()) add(v);
    } else {
      add(*aws);
    }
  }
  return arns;
}

}  // namespace

// AWS refuses a trust policy naming a user or role of the account that does not exist.
static Status CheckTrustPrincipals(const IdentityStore& store, std::string_view document,
                                   std::string_view account, std::string_view self_arn) {
  for (const std::string& arn : NamedLocalPrincipals(document, account)) {
    if (arn == self_arn) continue;  // a role may trust itself
    bool exists = false;
    std::string_view rest = std::string_view(arn).substr(arn.find(':', 13) + 1);
    std::string_view name = rest.substr(rest.rfind('/') + 1);
    if (rest.starts_with("user/")) {
      Result<User> user = store.GetUser(name);
      exists = user.ok() && user->arn == arn;
    } else {
      Result<Role> role = store.GetRole(name);
      exists = role.ok() && role->arn == arn;
    }
    if (!exists) {
      return Status::InvalidArgument("Invalid principal in policy: \"AWS\":\"" + arn + "\"")
          .WithAwsCode("MalformedPolicyDocument");
    }
  }
  return Status::Ok();
}

Result<Role> IdentityStore::CreateRole(std::string_view name,
                                       std::string_view trust_policy_document,
                                       const RoleOptions& options) {
  RETURN_IF_ERROR(ValidateName(name, "roleName", 64));
  RETURN_IF_ERROR(ValidatePath(options.path));
  RETURN_IF_ERROR(ValidateSessionDuration(options.max_session_duration));
  RETURN_IF_ERROR(ValidateDescription(options.description));
  RETURN_IF_ERROR(ValidateTags(options.tags));
  RETURN_IF_ERROR(ValidatePolicyDocument(trust_policy_document, policy::PolicyKind::kTrustPolicy));
  ASSIGN_OR_RETURN(std::string account, AccountId());
  if (!options.permissions_boundary.empty()) {
    Result<ManagedPolicy> boundary = GetPolicy(options.permissions_boundary);
    if (!boundary.ok()) return boundary.status();
  }
  RETURN_IF_ERROR(CheckTrustPrincipals(*this, trust_policy_document, account,
                                       EntityArn(account, "role", options.path, name)));
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(auto existing, GetRecord(db_, RoleKey(name)));
  if (existing) {
    return Status::AlreadyExists("Role with name " + std::string(name) + " already exists.");
  }
  Role role;
  role.name = std::string(name);
  role.id = NewUniqueId("AROA");
  role.path = options.path;
  role.create_date = NowSeconds(clock_);
  role.trust_policy_document = std::string(trust_policy_document);
  role.description = options.description;
  role.max_session_duration = options.max_session_duration;
  role.tags = options.tags;
  role.permissions_boundary = options.permissions_boundary;
  json::object record = RoleToJson(role);
  store::WriteBatch batch;
  batch.Put(kCf, RoleKey(name), json::serialize(record));
  if (!role.permissions_boundary.empty()) {
    batch.Put(kCf, BoundaryOfKey(role.permissions_boundary, EntityKind::kRole, name), role.name);
  }
  RETURN_IF_ERROR(db_.WriteIf({{std::string(kCf), RoleKey(name), std::nullopt}}, batch));
  return RoleFromJson(record, account);
}

Result<Role> IdentityStore::GetRole(std::string_view name) const {
  RETURN_IF_ERROR(ValidateName(name, "roleName", 64));
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, RoleKey(name)));
  if (!record) return NoSuchEntity(EntityKind::kRole, name);
  ASSIGN_OR_RETURN(std::string account, AccountId());
  return RoleFromJson(*record, account);
}

Result<Role> IdentityStore::GetRoleByArn(std::string_view arn) const {
  ASSIGN_OR_RETURN(std::string account, AccountId());
  std::string prefix = Arn::Iam(account, "role/").ToString();
  auto not_found = [&] {
    return Status::NotFound("Role " + std::string(arn) + " cannot be found.");
  };
  if (!arn.starts_with(prefix)) return not_found();
  std::string_view rest = arn.substr(prefix.size() - 1);  // "/<path…>/name"
  std::string_view name = rest.substr(rest.rfind('/') + 1);
  if (name.empty() || !ValidateName(name, "roleName", 64).ok()) return not_found();
  Result<Role> role = GetRole(name);
  if (!role.ok()) return role.status().code() == Code::kNotFound ? not_found() : role.status();
  // ARNs compare exactly: another path or another case of the name is another role.
  if (role->arn != arn) return not_found();
  return role;
}

Result<std::vector<Role>> IdentityStore::ListRoles(std::string_view path_prefix) const {
  ASSIGN_OR_RETURN(std::string account, AccountId());
  std::vector<Role> roles;
  RETURN_IF_ERROR(ScanRecords(db_, KindPrefix('r'), "role record", [&](const json::object& o) {
    ASSIGN_OR_RETURN(Role role, RoleFromJson(o, account));
    if (role.path.starts_with(path_prefix)) roles.push_back(std::move(role));
    return Status::Ok();
  }));
  return roles;
}

Status IdentityStore::UpdateRole(std::string_view name,
                                 const std::optional<std::string>& description,
                                 std::optional<int> max_session_duration) {
  if (max_session_duration) RETURN_IF_ERROR(ValidateSessionDuration(*max_session_duration));
  if (description) RETURN_IF_ERROR(ValidateDescription(*description));
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(Role role, GetRole(name));
  if (description) role.description = *description;
  if (max_session_duration) role.max_session_duration = *max_session_duration;
  return db_.Put(kCf, RoleKey(name), json::serialize(RoleToJson(role)));
}

Status IdentityStore::UpdateAssumeRolePolicy(std::string_view name,
                                             std::string_view trust_policy_document) {
  RETURN_IF_ERROR(ValidatePolicyDocument(trust_policy_document, policy::PolicyKind::kTrustPolicy));
  ASSIGN_OR_RETURN(std::string account, AccountId());
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(Role role, GetRole(name));
  RETURN_IF_ERROR(CheckTrustPrincipals(*this, trust_policy_document, account, role.arn));
  role.trust_policy_document = std::string(trust_policy_document);
  return db_.Put(kCf, RoleKey(name), json::serialize(RoleToJson(role)));
}

Status IdentityStore::DeleteRole(std::string_view name) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(Role role, GetRole(name));
  if (HasAnyUnder(db_, InlinePrefix(EntityKind::kRole, name))) {
    return Status::Conflict("Cannot delete entity, must delete policies first.");
  }
  if (HasAnyUnder(db_, AttachPrefix(EntityKind::kRole, name))) {
    return Status::Conflict("Cannot delete entity, must detach all policies first.");
  }
  store::WriteBatch batch;
  batch.Delete(kCf, RoleKey(name));
  if (!role.permissions_boundary.empty()) {
    batch.Delete(kCf, BoundaryOfKey(role.permissions_boundary, EntityKind::kRole, name));
  }
  return db_.Write(batch);
}

}  // namespace kiroku::iam
