// The IAM entities IdentityStore keeps: users, groups, roles, inline and managed policies,
// access keys, login profiles and account settings. Plain values; times are whole seconds since
// the Unix epoch (as IAM reports them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"

namespace kiroku::iam {

// Tag key -> value. IAM tag keys are unique ignoring case; the map keeps the case as given.
using Tags = std::map<std::string, std::string>;

// Which kind of identity an inline policy, attachment or boundary belongs to.
enum class EntityKind : char { kUser = 'u', kGroup = 'g', kRole = 'r' };
const char* EntityKindName(EntityKind kind);  // "user", "group", "role"

struct User {
  std::string name;
  std::string id;  // AIDA…
  std::string arn;
  std::string path = "/";
  int64_t create_date = 0;
  Tags tags;
  std::string permissions_boundary;  // policy ARN, or empty
};

struct Group {
  std::string name;
  std::string id;  // AGPA…
  std::string arn;
  std::string path = "/";
  int64_t create_date = 0;
};

struct Role {
  std::string name;
  std::string id;  // AROA…
  std::string arn;
  std::string path = "/";
  int64_t create_date = 0;
  std::string trust_policy_document;  // as given (AssumeRolePolicyDocument)
  policy::Policy trust_policy;        // parsed as PolicyKind::kTrustPolicy
  std::string description;
  int max_session_duration = 3600;  // seconds, 3600..43200
  Tags tags;
  std::string permissions_boundary;  // policy ARN, or empty
};

struct RoleOptions {
  std::string path = "/";
  std::string description;
  int max_session_duration = 3600;
  Tags tags;
  std::string permissions_boundary;
};

struct PolicyVersion {
  std::string version_id;  // "v1", "v2", …
  std::string document;
  bool is_default = false;
  int64_t create_date = 0;
};

// A managed policy: customer managed (arn:aws:iam::<acct>:policy/…) or AWS managed
// (arn:aws:iam::aws:policy/…).
struct ManagedPolicy {
  std::string name;
  std::string id;  // ANPA…
  std::string arn;
  std::string path = "/";
  std::string description;
  std::string default_version_id;
  int64_t create_date = 0;
  int64_t update_date = 0;
  int attachment_count = 0;            // filled by reads
  int permissions_boundary_usage = 0;  // filled by reads
  bool aws_managed = false;
  Tags tags;
  std::vector<PolicyVersion> versions;  // newest first
  int last_version_number = 0;          // the highest "v<n>" ever issued (ids are never reused)

  const PolicyVersion* DefaultVersion() const;
};

// Managed policies per account may have at most this many versions.
inline constexpr size_t kMaxPolicyVersions = 5;

enum class PolicyScope { kAll, kAws, kLocal };
// How a managed policy is used: attached (PermissionsPolicy) or as a permissions boundary.
enum class PolicyUsage { kAll, kPermissionsPolicy, kPermissionsBoundary };

struct InlinePolicy {
  std::string name;
  std::string document;
  std::string entity;  // the owner's name as stored
};

// An attached managed policy as ListAttached*Policies reports it.
struct AttachedPolicy {
  std::string name;
  std::string arn;
};

// Who a managed policy is attached to (ListEntitiesForPolicy).
struct PolicyEntity {
  EntityKind kind;
  std::string name;
  std::string id;
  std::string path;
};

struct AccessKeyInfo {
  std::string user_name;
  std::string access_key_id;
  std::string status;  // "Active" or "Inactive"
  int64_t create_date = 0;
};

// The answer to CreateAccessKey: the only time the secret is shown.
struct NewAccessKey {
  AccessKeyInfo info;
  std::string secret_access_key;
};

struct AccessKeyLastUsed {
  std::string user_name;
  std::optional<int64_t> last_used_date;
  std::string service_name = "N/A";
  std::string region = "N/A";
};

struct LoginProfile {
  std::string user_name;
  int64_t create_date = 0;
  bool password_reset_required = false;
};

// A virtual MFA device (CreateVirtualMFADevice). Its seed is stored wrapped by the master key
// and is shown only once, by CreateVirtualMfaDevice.
struct VirtualMfaDevice {
  std::string serial_number;  // arn:aws:iam::<acct>:mfa/<path><name>
  std::string name;
  std::string path = "/";
  int64_t create_date = 0;
  std::string user_name;               // empty while no user has enabled it
  std::optional<int64_t> enable_date;  // set while assigned
  Tags tags;
};

// The answer to CreateVirtualMfaDevice: the only time the seed is seen.
struct NewVirtualMfaDevice {
  VirtualMfaDevice device;
  std::string base32_seed;  // RFC 4648 base32 of the 40-byte seed, no padding (64 characters)
};

// A user may enable at most this many MFA devices (AWS's quota since 2022).
inline constexpr size_t kMaxMfaDevicesPerUser = 8;

// UpdateAccountPasswordPolicy's settings. Absent policy: AWS's default rules apply (at least
// 8 characters, three of the four character classes).
struct PasswordPolicy {
  int minimum_password_length = 6;
  bool require_symbols = false;
  bool require_numbers = false;
  bool require_uppercase_characters = false;
  bool require_lowercase_characters = false;
  bool allow_users_to_change_password = false;
  int max_password_age = 0;           // days; 0 = passwords never expire
  int password_reuse_prevention = 0;  // 0 = not set
  bool hard_expiry = false;
};

}  // namespace kiroku::iam
