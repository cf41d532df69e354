// Customer managed policies and their versions; AWS managed policies are read-only data
// (aws_managed_policies.cc) that share the read paths.
#include <algorithm>
#include <cctype>

#include "common/arn.h"
#include "common/encoding.h"
#include "iam/aws_managed_policies.h"
#include "iam/identity_store.h"
#include "iam/records.h"

namespace kiroku::iam {
namespace json = boost::json;
using namespace internal;  // NOLINT: iam's own record helpers

namespace {

constexpr size_t kMaxManagedPolicySize = 6144;

// arn:aws:iam::aws:policy/…, whether or not kiroku ships the policy.
bool IsAwsManagedArn(std::string_view arn) {
  return arn.starts_with(Arn::Iam("aws", "policy/").ToString());
}

Status CheckPolicySize(std::string_view document) {
  size_t size = std::count_if(document.begin(), document.end(),
                              [](char c) { return !std::isspace(static_cast<unsigned char>(c)); });
  if (size > kMaxManagedPolicySize) {
    return Status::LimitExceeded("Cannot exceed quota for PolicySize: 6144");
  }
  return Status::Ok();
}

Status NoSuchVersion(std::string_view arn, std::string_view version_id) {
  return Status::NotFound("Policy " + std::string(arn) + " version " + std::string(version_id) +
                          " does not exist or is not attachable.");
}

Status Unmodifiable(std::string_view arn) {
  return Status::InvalidArgument("Policy " + std::string(arn) +
                                 " is an AWS managed policy and cannot be modified.")
      .WithAwsCode("UnmodifiableEntity");
}

size_t CountUnder(const store::Db& db, std::string_view prefix) {
  size_t n = 0;
  (void)ScanPrefix(db, prefix, [&](std::string_view, std::string_view) { ++n; });
  return n;
}

}  // namespace

// The customer managed policy named by `arn` in this account: its record name, or an error.
// InvalidInput for something that is not a policy ARN.
static Result<std::string> LocalPolicyName(std::string_view account, std::string_view arn) {
  std::string prefix = Arn::Iam(account, "policy/").ToString();
  if (!arn.starts_with(prefix)) {
    std::optional<Arn> parsed = Arn::Parse(arn);
    bool iam =
        parsed && parsed->partition == "aws" && parsed->service == "iam" && parsed->region.empty();
    if (iam && arn.find(":policy/") != std::string_view::npos) {
      return NoSuchPolicy(arn);
    }
    return Status::InvalidArgument("ARN " + std::string(arn) + " is not valid.")
        .WithAwsCode("InvalidInput");
  }
  std::string_view name = arn.substr(arn.rfind('/') + 1);
  if (name.empty()) {
    return Status::InvalidArgument("ARN " + std::string(arn) + " is not valid.")
        .WithAwsCode("InvalidInput");
  }
  return std::string(name);
}

Result<ManagedPolicy> IdentityStore::CreatePolicy(std::string_view name, std::string_view path,
                                                  std::string_view document,
                                                  std::string_view description, const Tags& tags) {
  RETURN_IF_ERROR(ValidateName(name, "policyName", 128));
  RETURN_IF_ERROR(ValidatePath(path));
  RETURN_IF_ERROR(ValidateTags(tags));
  if (description.size() > 1000) {
    return ValidationError(description, "description",
                           "Member must have length less than or equal to 1000");
  }
  RETURN_IF_ERROR(ValidatePolicyDocument(document, policy::PolicyKind::kIdentity));
  RETURN_IF_ERROR(CheckPolicySize(document));
  ASSIGN_OR_RETURN(std::string account, AccountId());
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(auto existing, GetRecord(db_, PolicyKey(name)));
  if (existing) {
    return Status::AlreadyExists("A policy called " + std::string(name) +
                                 " already exists. Duplicate names are not allowed.");
  }
  ManagedPolicy p;
  p.name = std::string(name);
  p.id = NewUniqueId("ANPA");
  p.path = std::string(path);
  p.arn = EntityArn(account, "policy", p.path, p.name);
  p.description = std::string(description);
  p.create_date = p.update_date = NowSeconds(clock_);
  p.tags = tags;
  p.default_version_id = "v1";
  p.last_version_number = 1;
  p.versions.push_back(PolicyVersion{"v1", std::string(document), true, p.create_date});
  store::WriteBatch batch;
  batch.Put(kCf, PolicyKey(name), json::serialize(PolicyToJson(p)));
  RETURN_IF_ERROR(db_.WriteIf({{std::string(kCf), PolicyKey(name), std::nullopt}}, batch));
  return p;
}

Result<ManagedPolicy> IdentityStore::GetPolicy(std::string_view arn) const {
  ManagedPolicy p;
  if (const ManagedPolicy* aws = FindAwsManagedPolicy(arn)) {
    p = *aws;
  } else {
    if (IsAwsManagedArn(arn)) return NoSuchPolicy(arn);
    ASSIGN_OR_RETURN(std::string account, AccountId());
    ASSIGN_OR_RETURN(std::string name, LocalPolicyName(account, arn));
    ASSIGN_OR_RETURN(auto record, GetRecord(db_, PolicyKey(name)));
    if (!record) return NoSuchPolicy(arn);
    p = PolicyFromJson(*record, account);
    if (p.arn != arn) return NoSuchPolicy(arn);  // another path or another case
  }
  p.attachment_count = static_cast<int>(CountUnder(db_, AttachedToPrefix(p.arn)));
  p.permissions_boundary_usage = static_cast<int>(CountUnder(db_, BoundaryOfPrefix(p.arn)));
  return p;
}

Result<std::string> IdentityStore::DefaultPolicyDocument(std::string_view arn) const {
  if (const ManagedPolicy* aws = FindAwsManagedPolicy(arn)) return aws->DefaultVersion()->document;
  if (IsAwsManagedArn(arn)) return NoSuchPolicy(arn);
  ASSIGN_OR_RETURN(std::string account, AccountId());
  ASSIGN_OR_RETURN(std::string name, LocalPolicyName(account, arn));
  ASSIGN_OR_RETURN(auto record, GetRecord(db_, PolicyKey(name)));
  if (!record) return NoSuchPolicy(arn);
  ManagedPolicy p = PolicyFromJson(*record, account);
  if (p.arn != arn) return NoSuchPolicy(arn);
  const PolicyVersion* version = p.DefaultVersion();
  if (version == nullptr) return Status::Internal("policy " + p.arn + " has no default version");
  return version->document;
}

Result<std::vector<ManagedPolicy>> IdentityStore::ListPolicies(PolicyScope scope,
                                                               bool only_attached,
                                                               std::string_view path_prefix) const {
  ASSIGN_OR_RETURN(std::string account, AccountId());
  std::vector<ManagedPolicy> policies;
  if (scope != PolicyScope::kLocal) {
    for (const ManagedPolicy& p : AwsManagedPolicies()) {
      if (p.path.starts_with(path_prefix)) policies.push_back(p);
    }
  }
  if (scope != PolicyScope::kAws) {
    RETURN_IF_ERROR(
        ScanRecords(db_, KindPrefix('p'), "policy record", [&](const json::object& record) {
          ManagedPolicy p = PolicyFromJson(record, account);
          if (p.path.starts_with(path_prefix)) policies.push_back(std::move(p));
          return Status::Ok();
        }));
  }
  std::vector<ManagedPolicy> out;
  for (ManagedPolicy& p : policies) {
    p.attachment_count = static_cast<int>(CountUnder(db_, AttachedToPrefix(p.arn)));
    p.permissions_boundary_usage = static_cast<int>(CountUnder(db_, BoundaryOfPrefix(p.arn)));
    if (only_attached && p.attachment_count == 0) continue;
    out.push_back(std::move(p));
  }
  std::stable_sort(out.begin(), out.end(), [](const ManagedPolicy& a, const ManagedPolicy& b) {
    return AsciiLower(a.name) < AsciiLower(b.name);
  });
  return out;
}

Status IdentityStore::DeletePolicy(std::string_view arn) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(ManagedPolicy p, GetPolicy(arn));
  if (p.aws_managed) return Unmodifiable(arn);
  if (p.attachment_count > 0 || p.permissions_boundary_usage > 0) {
    return Status::Conflict("Cannot delete a policy attached to entities.");
  }
  if (p.versions.size() > 1) {
    return Status::Conflict(
        "This policy has more than one version. Before you delete a policy, you must delete the "
        "policy's versions. The default version is deleted with the policy.");
  }
  return db_.Delete(kCf, PolicyKey(p.name));
}

Result<PolicyVersion> IdentityStore::CreatePolicyVersion(std::string_view arn,
                                                         std::string_view document,
                                                         bool set_as_default) {
  RETURN_IF_ERROR(ValidatePolicyDocument(document, policy::PolicyKind::kIdentity));
  RETURN_IF_ERROR(CheckPolicySize(document));
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(ManagedPolicy p, GetPolicy(arn));
  if (p.aws_managed) return Unmodifiable(arn);
  if (p.versions.size() >= kMaxPolicyVersions) {
    return Status::LimitExceeded(
        "A managed policy can have up to 5 versions. Before you create a new version, you must "
        "delete an existing version.");
  }
  PolicyVersion version;
  version.version_id = "v" + std::to_string(++p.last_version_number);
  version.document = std::string(document);
  version.create_date = NowSeconds(clock_);
  if (set_as_default) {
    p.default_version_id = version.version_id;
    p.update_date = version.create_date;
  }
  version.is_default = set_as_default;
  p.versions.insert(p.versions.begin(), version);
  RETURN_IF_ERROR(db_.Put(kCf, PolicyKey(p.name), json::serialize(PolicyToJson(p))));
  return version;
}

// The customer managed policy `arn` and the position of its version `version_id`:
// Unmodifiable for an AWS managed policy, NoSuchEntity for an unknown version.
static Result<std::pair<ManagedPolicy, size_t>> ModifiableVersion(const IdentityStore& store,
                                                                  std::string_view arn,
                                                                  std::string_view version_id) {
  ASSIGN_OR_RETURN(ManagedPolicy p, store.GetPolicy(arn));
  if (p.aws_managed) return Unmodifiable(arn);
  auto it = std::find_if(p.versions.begin(), p.versions.end(),
                         [&](const PolicyVersion& v) { return v.version_id == version_id; });
  if (it == p.versions.end()) return NoSuchVersion(arn, version_id);
  size_t index = it - p.versions.begin();
  return std::pair<ManagedPolicy, size_t>(std::move(p), index);
}

Result<PolicyVersion> IdentityStore::GetPolicyVersion(std::string_view arn,
                                                      std::string_view version_id) const {
  ASSIGN_OR_RETURN(ManagedPolicy p, GetPolicy(arn));
  for (const PolicyVersion& v : p.versions) {
    if (v.version_id == version_id) return v;
  }
  return NoSuchVersion(arn, version_id);
}

Status IdentityStore::SetDefaultPolicyVersion(std::string_view arn, std::string_view version_id) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(auto found, ModifiableVersion(*this, arn, version_id));
  ManagedPolicy& p = found.first;
  p.default_version_id = std::string(version_id);
  p.update_date = NowSeconds(clock_);
  return db_.Put(kCf, PolicyKey(p.name), json::serialize(PolicyToJson(p)));
}

Status IdentityStore::DeletePolicyVersion(std::string_view arn, std::string_view version_id) {
  MutexLock lock(write_mu_);
  ASSIGN_OR_RETURN(auto found, ModifiableVersion(*this, arn, version_id));
  ManagedPolicy& p = found.first;
  if (p.versions[found.second].version_id == p.default_version_id) {
    return Status::Conflict("Cannot delete the default version of a policy.");
  }
  p.versions.erase(p.versions.begin() + found.second);
  return db_.Put(kCf, PolicyKey(p.name), json::serialize(PolicyToJson(p)));
}

}  // namespace kiroku::iam
