// IdentityStore: the account and its IAM entities (users, groups, roles, inline and managed
// policies, access keys, login profiles, virtual MFA devices, account settings), persisted in the
// "meta" column family (docs/storage-keys.md). Secret access keys are stored wrapped (AES-256-GCM)
// by the master key and unwrapped only to verify signatures; they never appear in logs. MFA seeds
// are wrapped the same way; passwords (IAM users' and the root user's) are kept as scrypt hashes.
//
// Errors follow IAM: NotFound (NoSuchEntity), AlreadyExists (EntityAlreadyExists),
// LimitExceeded, Conflict (DeleteConflict), InvalidArgument with the AWS code ValidationError,
// InvalidInput or MalformedPolicyDocument; messages are worded as AWS words them.
// Entity names are unique ignoring case, and looked up ignoring case.
//
// Thread-safe: every method may be called concurrently. Mutations are serialised by one mutex
// and each writes one atomic batch.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/status.h"
#include "crypto/secret.h"
#include "iam/entities.h"
#include "iam/principal.h"
#include "policy/evaluator.h"
#include "store/db.h"

namespace kiroku::iam {

struct RootKeyPair {
  std::string access_key_id;
  std::string secret_access_key;
};

// The root user's console sign-in: its email address and password.
struct RootConsoleLogin {
  std::string email;
  std::string password;
};

inline constexpr std::string_view kDefaultRootEmail = "root@kiroku.localhost";

struct BootstrapOptions {
  std::optional<std::string> account_id;                    // 12 digits; random when absent
  std::optional<RootKeyPair> root_key;                      // generated when absent
  std::string root_email = std::string(kDefaultRootEmail);  // used when the login is created
};

struct BootstrapResult {
  std::string account_id;
  RootKeyPair root_key;  // the key named in options, else the first root key
  bool created = false;  // true when this call created the account
  // Set only by the call that created the root user's console login (with a fresh random
  // password, stored as an scrypt hash only): the one chance to show the password.
  std::optional<RootConsoleLogin> root_console_login;
};

// What a valid access key resolves to.
struct AccessKey {
  std::string access_key_id;
  crypto::SecretBytes secret;
  Principal principal;
  bool active = true;
};

class IdentityStore {
 public:
  // The column family this store uses; the Db must have been opened with it.
  static constexpr std::string_view kColumnFamily = "meta";

  // `db`, `master_key` and `clock` must outlive this object.
  IdentityStore(store::Db& db, const crypto::SecretBytes& master_key, const Clock& clock);

  // Creates the account and a root access key on an empty store; on a bootstrapped store,
  // returns the existing account (InvalidArgument if `options.account_id` names another one)
  // and adds `options.root_key` as a root key if it is new. InvalidArgument for a malformed
  // account id or key pair.
  Result<BootstrapResult> Bootstrap(const BootstrapOptions& options);

  // NotFound before Bootstrap.
  Result<std::string> AccountId() const;
  // When the account was created (seconds since the epoch); NotFound before Bootstrap.
  Result<int64_t> AccountCreateDate() const;

  // The key and its principal: the root user, or an IAM user (kUser with arn, user_id AIDA…,
  // user_name, account and the user's tags). `active` is false for an Inactive key. NotFound
  // when no such key exists.
  Result<AccessKey> LookupAccessKey(std::string_view access_key_id) const;

  // The principal of IAM user `user_name` as it is now (arn, user id, tags): what the user's
  // access keys and console sessions act as. NotFound when there is no such user.
  Result<Principal> UserPrincipal(std::string_view user_name) const;

  // Every identity-side policy that applies to `principal` (PolicySet::resource and ::session
  // are left for the caller). kUser: the user's inline and attached managed policies (default
  // versions), those of its groups, and its permissions boundary. kAssumedRole (role_arn set):
  // the role's inline and attached policies and its boundary. The root user, services and
  // anonymous callers have none. A user or role deleted since the credentials were issued has
  // none either (everything is implicitly denied).
  Result<policy::PolicySet> PoliciesFor(const Principal& principal) const;

  // ---- users (users.cc) ----
  // EntityAlreadyExists, ValidationError for a bad name or path; NotFound for an unknown
  // permissions boundary.
  Result<User> CreateUser(std::string_view name, std::string_view path, const Tags& tags,
                          std::string_view permissions_boundary = {});
  Result<User> GetUser(std::string_view name) const;
  // Sorted by name (ignoring case); only paths starting with `path_prefix`.
  Result<std::vector<User>> ListUsers(std::string_view path_prefix = "/") const;
  // Renames and/or moves the user; its policies, groups, keys and login profile follow it (one
  // atomic batch). EntityAlreadyExists when `new_name` is taken by another user.
  Status UpdateUser(std::string_view name, const std::optional<std::string>& new_name,
                    const std::optional<std::string>& new_path);
  // DeleteConflict while the user has access keys, a login profile, inline or attached
  // policies, or groups.
  Status DeleteUser(std::string_view name);

  // ---- groups (groups.cc) ----
  Result<Group> CreateGroup(std::string_view name, std::string_view path);
  Result<Group> GetGroup(std::string_view name) const;
  Result<std::vector<Group>> ListGroups(std::string_view path_prefix = "/") const;
  // Renames and/or moves the group; its policies and members follow it (one atomic batch).
  Status UpdateGroup(std::string_view name, const std::optional<std::string>& new_name,
                     const std::optional<std::string>& new_path);
  // DeleteConflict while the group has members or policies.
  Status DeleteGroup(std::string_view name);
  Status AddUserToGroup(std::string_view group, std::string_view user);
  Status RemoveUserFromGroup(std::string_view group, std::string_view user);
  Result<std::vector<Group>> ListGroupsForUser(std::string_view user) const;
  Result<std::vector<User>> ListUsersInGroup(std::string_view group) const;

  // ---- roles (roles.cc) ----
  // MalformedPolicyDocument for a bad trust policy; ValidationError for a bad name, path or
  // MaxSessionDuration outside 3600..43200.
  Result<Role> CreateRole(std::string_view name, std::string_view trust_policy_document,
                          const RoleOptions& options);
  // NotFound: "The role with name <name> cannot be found."
  Result<Role> GetRole(std::string_view name) const;
  // The role named by arn:aws:iam::<acct>:role/<path><name>; NotFound unless the account, the
  // path and the name all match a role.
  Result<Role> GetRoleByArn(std::string_view arn) const;
  Result<std::vector<Role>> ListRoles(std::string_view path_prefix = "/") const;
  // Either argument may be nullopt (unchanged).
  Status UpdateRole(std::string_view name, const std::optional<std::string>& description,
                    std::optional<int> max_session_duration);
  Status UpdateAssumeRolePolicy(std::string_view name, std::string_view trust_policy_document);
  // DeleteConflict while the role has inline or attached policies.
  Status DeleteRole(std::string_view name);

  // ---- tags of users, roles and customer managed policies (tags.cc) ----
  // `name` is the user or role name; for policies use the *PolicyTags functions.
  Status TagEntity(EntityKind kind, std::string_view name, const Tags& tags);
  Status UntagEntity(EntityKind kind, std::string_view name, const std::vector<std::string>& keys);
  Result<Tags> ListEntityTags(EntityKind kind, std::string_view name) const;
  Status TagPolicy(std::string_view policy_arn, const Tags& tags);
  Status UntagPolicy(std::string_view policy_arn, const std::vector<std::string>& keys);

  // ---- inline policies (inline_policies.cc) ----
  // Creates or replaces; MalformedPolicyDocument with the engine's message.
  Status PutInlinePolicy(EntityKind kind, std::string_view entity, std::string_view policy_name,
                         std::string_view document);
  Result<InlinePolicy> GetInlinePolicy(EntityKind kind, std::string_view entity,
                                       std::string_view policy_name) const;
  // Policy names, sorted.
  Result<std::vector<std::string>> ListInlinePolicies(EntityKind kind,
                                                      std::string_view entity) const;
  Status DeleteInlinePolicy(EntityKind kind, std::string_view entity, std::string_view policy_name);

  // ---- managed policies (managed_policies.cc) ----
  Result<ManagedPolicy> CreatePolicy(std::string_view name, std::string_view path,
                                     std::string_view document, std::string_view description,
                                     const Tags& tags);
  // Customer managed or AWS managed. NotFound: "Policy <arn> was not found."
  Result<ManagedPolicy> GetPolicy(std::string_view arn) const;
  Result<std::vector<ManagedPolicy>> ListPolicies(PolicyScope scope, bool only_attached,
                                                  std::string_view path_prefix = "/") const;
  // DeleteConflict while attached, used as a boundary, or holding non-default versions.
  Status DeletePolicy(std::string_view arn);
  // LimitExceeded at kMaxPolicyVersions versions.
  Result<PolicyVersion> CreatePolicyVersion(std::string_view arn, std::string_view document,
                                            bool set_as_default);
  Result<PolicyVersion> GetPolicyVersion(std::string_view arn, std::string_view version_id) const;
  Status SetDefaultPolicyVersion(std::string_view arn, std::string_view version_id);
  // DeleteConflict for the default version.
  Status DeletePolicyVersion(std::string_view arn, std::string_view version_id);

  // ---- attachments and permissions boundaries (attachments.cc) ----
  // NotFound "Policy <arn> does not exist or is not attachable." for an unknown policy.
  // Attaching twice is a no-op; detaching what is not attached is NotFound.
  Status AttachPolicy(EntityKind kind, std::string_view entity, std::string_view policy_arn);
  Status DetachPolicy(EntityKind kind, std::string_view entity, std::string_view policy_arn);
  Result<std::vector<AttachedPolicy>> ListAttachedPolicies(
      EntityKind kind, std::string_view entity, std::string_view path_prefix = "/") const;
  // Users, groups and roles that use the policy (attached, as a boundary, or both per
  // `usage`), in that order, each sorted by name.
  Result<std::vector<PolicyEntity>> ListEntitiesForPolicy(
      std::string_view policy_arn, PolicyUsage usage = PolicyUsage::kAll) const;
  // `kind` is kUser or kRole.
  Status PutPermissionsBoundary(EntityKind kind, std::string_view entity,
                                std::string_view policy_arn);
  Status DeletePermissionsBoundary(EntityKind kind, std::string_view entity);

  // ---- access keys of users and of the root user (access_keys.cc) ----
  // `user` empty = the root user's keys. LimitExceeded beyond two keys. The secret is returned
  // only here.
  Result<NewAccessKey> CreateAccessKey(std::string_view user);
  Result<std::vector<AccessKeyInfo>> ListAccessKeys(std::string_view user) const;
  // `status` is "Active" or "Inactive"; NotFound unless the key belongs to `user`.
  Status UpdateAccessKey(std::string_view user, std::string_view access_key_id,
                         std::string_view status);
  Status DeleteAccessKey(std::string_view user, std::string_view access_key_id);
  // Remembers that the key signed a request for `service` in `region` (persisted at most once
  // a minute per key, so it adds no write to most requests).
  Status NoteAccessKeyUsed(std::string_view access_key_id, std::string_view service,
                           std::string_view region);
  Result<AccessKeyLastUsed> GetAccessKeyLastUsed(std::string_view access_key_id) const;

  // ---- console passwords (login_profiles.cc) ----
  // PasswordPolicyViolation when `password` breaks the account's policy (or AWS's default rules
  // when none is set). Passwords are stored as scrypt hashes only.
  Result<LoginProfile> CreateLoginProfile(std::string_view user, std::string_view password,
                                          bool password_reset_required);
  Result<LoginProfile> GetLoginProfile(std::string_view user) const;
  Status UpdateLoginProfile(std::string_view user, const std::optional<std::string>& password,
                            std::optional<bool> password_reset_required);
  Status DeleteLoginProfile(std::string_view user);
  // Whether `password` is the user's console password (NotFound without a login profile).
  Result<bool> CheckConsolePassword(std::string_view user, std::string_view password) const;
  // The root user's sign-in email (NotFound before Bootstrap), and whether `password` is its
  // console password.
  Result<std::string> RootEmail() const;
  Result<bool> CheckRootConsolePassword(std::string_view password) const;

  // ---- virtual MFA devices (mfa_devices.cc) ----
  // A new unassigned device with a fresh 40-byte seed. EntityAlreadyExists for a name taken at
  // the same path; ValidationError for a bad name or path.
  Result<NewVirtualMfaDevice> CreateVirtualMfaDevice(std::string_view name, std::string_view path,
                                                     const Tags& tags);
  // Assigns the device to `user` once `code1` and `code2` are its codes for two consecutive time
  // steps, the second within one step of now. NotFound for an unknown user or device;
  // EntityAlreadyExists when the device is assigned already; LimitExceeded beyond
  // kMaxMfaDevicesPerUser; InvalidAuthenticationCode when the codes do not match.
  Status EnableMfaDevice(std::string_view user, std::string_view serial_number,
                         std::string_view code1, std::string_view code2);
  // Checks two consecutive codes again (the device stays assigned). Errors as EnableMfaDevice.
  Status ResyncMfaDevice(std::string_view user, std::string_view serial_number,
                         std::string_view code1, std::string_view code2);
  // Unassigns the device from `user`; NotFound unless it is assigned to that user.
  Status DeactivateMfaDevice(std::string_view user, std::string_view serial_number);
  // DeleteConflict while the device is assigned.
  Status DeleteVirtualMfaDevice(std::string_view serial_number);
  // Every virtual device, sorted by serial number.
  Result<std::vector<VirtualMfaDevice>> ListVirtualMfaDevices() const;
  // The devices assigned to `user` (NotFound for an unknown user), sorted by serial number.
  Result<std::vector<VirtualMfaDevice>> ListMfaDevices(std::string_view user) const;
  // Sign-in: the serial number of the user's device for which `code` is valid now (one step
  // either side), or nullopt. A code is accepted once: the device then refuses codes of that
  // time step and earlier ones (RFC 6238 section 5.2).
  Result<std::optional<std::string>> VerifyMfaCode(std::string_view user, std::string_view code);

  // ---- account settings (account_settings.cc) ----
  // ValidationError for values outside AWS's ranges.
  Status UpdateAccountPasswordPolicy(const PasswordPolicy& policy);
  // NotFound when no policy was set.
  Result<PasswordPolicy> GetAccountPasswordPolicy() const;
  Status DeleteAccountPasswordPolicy();
  // OK when `password` satisfies the policy (or the default rules); PasswordPolicyViolation
  // otherwise.
  Status CheckPasswordPolicy(std::string_view password) const;
  // An account has at most one alias; creating another replaces it.
  Status CreateAccountAlias(std::string_view alias);
  Result<std::vector<std::string>> ListAccountAliases() const;
  Status DeleteAccountAlias(std::string_view alias);

 private:
  Status PutRootKey(const std::string& account_id, const RootKeyPair& key);
  // Creates the root console login when there is none; returns it (with its password) only then.
  Result<std::optional<RootConsoleLogin>> EnsureRootConsoleLogin(std::string_view email);
  // Enable (`assign`) or Resync (the device must belong to `user`): checks two consecutive
  // codes and stores the device's new last-used step (mfa_devices.cc).
  Status CheckConsecutiveCodes(std::string_view user, std::string_view serial_number,
                               std::string_view code1, std::string_view code2, bool assign);
  // The default version's document of a managed policy, without the usage counts GetPolicy
  // adds (the authorization path). NotFound like GetPolicy.
  Result<std::string> DefaultPolicyDocument(std::string_view arn) const;
  // Appends the inline and attached policies of one user, group or role to `out`.
  Status AddEntityPolicies(EntityKind kind, const std::string& name,
                           std::vector<policy::Policy>& out) const;
  // Parses `document` once; later calls with the same name and text share the compiled form.
  Result<policy::Policy> CachedPolicy(const std::string& name, const std::string& document,
                                      policy::PolicyKind kind) const;

  store::Db& db_;
  const crypto::SecretBytes& master_key_;
  const Clock& clock_;
  Mutex write_mu_;  // serialises read-check-write sequences of entity mutations
  mutable Mutex account_mu_;
  mutable std::string account_id_ GUARDED_BY(account_mu_);  // set once bootstrapped
  mutable Mutex usage_mu_;
  // access key id -> when its last use was persisted (seconds)
  mutable std::unordered_map<std::string, int64_t> usage_written_ GUARDED_BY(usage_mu_);
  mutable Mutex cache_mu_;
  mutable std::unordered_map<std::string, policy::Policy> policy_cache_ GUARDED_BY(cache_mu_);
};

// Fresh identifiers in AWS's shapes.
std::string NewConsolePassword();  // 24 characters: letters, digits and symbols
std::string NewAccessKeyId(std::string_view prefix = "AKIA");  // prefix + 16 base32 chars
std::string NewSecretAccessKey();                              // 40 characters
std::string NewAccountId();                                    // 12 digits
std::string NewUniqueId(std::string_view prefix);  // prefix + 17 of [A-Z0-9]: AIDA…, AROA…

}  // namespace kiroku::iam
