// SessionStore: temporary security credentials (STS sessions), persisted in the "meta" column
// family. A session is an ASIA… access key id, a secret (stored wrapped by the master key, like
// every secret), an opaque random session token of which only the SHA-256 digest is kept, an
// expiration, the principal it acts as, and its session policies and tags.
//
// Expired sessions stay readable for kRetention, so a client using them is told ExpiredToken
// (rather than that the key is unknown); Create() purges older ones as it goes.
//
// Thread-safe: every method may be called concurrently.
#pragma once

#include <chrono>
#include <map>
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
#include "policy/policy.h"
#include "store/db.h"

namespace kiroku::iam {

enum class SessionKind {
  kAssumedRole,   // sts:AssumeRole: acts as an assumed-role principal
  kSessionToken,  // sts:GetSessionToken: acts as the IAM user (or root) that asked for it
  kConsole,       // a console sign-in's credentials for the browser: acts as the signed-in
                  // IAM user (or root); its calls are recorded as sessionCredentialFromConsole
};

// One session policy: an inline document (name "inline") or a managed policy resolved at issue
// time (name = its ARN). Session policies can only narrow what the principal may do.
struct SessionPolicy {
  std::string name;
  std::string document;
};

// What Create() issues a session for.
struct NewSession {
  SessionKind kind = SessionKind::kAssumedRole;
  Principal principal;
  std::chrono::seconds duration{3600};
  std::vector<SessionPolicy> policies;
  std::map<std::string, std::string> tags;  // session tags
  // Set once (AssumeRole SourceIdentity) and carried into chained sessions: aws:SourceIdentity.
  std::optional<std::string> source_identity;
  int packed_policy_size = 0;  // percent, as AssumeRole reports it
  // kAssumedRole: the unique id (AROA…) of the role the session was issued for. The session
  // only acts while a role of that id exists (CheckSessionPrincipal).
  std::string role_id;
};

// The answer to Create(): the only time the secret and the token are seen.
struct IssuedCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  TimePoint expiration;
};

// A stored session, as authentication needs it.
struct Session {
  std::string access_key_id;
  SessionKind kind = SessionKind::kAssumedRole;
  crypto::SecretBytes secret;
  std::string token_sha256;  // SHA-256 of the session token: 32 raw bytes
  TimePoint issued;
  TimePoint expiration;
  Principal principal;
  std::vector<policy::Policy> policies;  // parsed session policies (kind kIdentity)
  std::map<std::string, std::string> tags;
  std::optional<std::string> source_identity;
  int packed_policy_size = 0;
  // kAssumedRole: the issuing role's unique id (AROA…). Sessions stored before the id was kept
  // in its own field take it from the principal's user id, "<role id>:<session name>", which
  // has always been built from the role's id.
  std::string role_id;
};

class IdentityStore;

// Whether a session may still be used: only while the identity it was issued for exists with
// the same unique id. A role session needs its role (found by the name in its role ARN) to
// have the id the session was issued for (`role_id`); a GetSessionToken session of an IAM user
// needs the user (found by name) to have the principal's user id (AIDA…). A role or user that
// was deleted, or deleted and re-created under the same name (a new identity, with a new id and
// maybe other permissions), lends nothing to the old sessions: Unauthenticated (AWS code
// InvalidClientTokenId), as for a session token that is not valid. Root sessions are always OK.
// Other errors are the store's.
Status CheckSessionPrincipal(const IdentityStore& identities, const Session& session);

// An AssumeRole request after its syntax was checked.
struct AssumeRoleParams {
  std::string session_name;  // RoleSessionName
  std::chrono::seconds duration{3600};
  std::vector<SessionPolicy> policies;      // Policy and the documents of PolicyArns
  std::map<std::string, std::string> tags;  // session tags
  std::vector<std::string> transitive_tag_keys;
  std::optional<std::string> external_id;
  std::optional<std::string> source_identity;
  int packed_policy_size = 0;
};

// The condition keys an AssumeRole request carries: sts:RoleSessionName, sts:ExternalId,
// sts:SourceIdentity, sts:TransitiveTagKeys, aws:RequestTag/<key> and aws:TagKeys.
void AddAssumeRoleKeys(const AssumeRoleParams& params, policy::ContextKeys& keys);

// The trust check of every role assumption, from the STS API and from services acting for
// themselves alike: sets `request`'s action (sts:AssumeRole) and resource (the role's ARN) and
// evaluates the caller's identity-side policies with the role's trust policy as the resource
// policy (a trust policy must allow explicitly: an identity-based allow counts only when the
// trust policy names the account). `request.principal` and `request.keys` describe the caller.
policy::Decision EvaluateAssumeRole(const policy::PolicySet& caller_policies,
                                    policy::RequestContext& request, const Role& role);

// A role session issued by AssumeRoleAs().
struct AssumedRole {
  IssuedCredentials credentials;
  Principal principal;                         // the assumed-role principal (AssumedRoleUser)
  std::optional<std::string> source_identity;  // the session's, given or inherited
};

class SessionStore {
 public:
  static constexpr std::string_view kColumnFamily = "meta";
  // How long an expired session is still recognised (and refused as expired).
  static constexpr std::chrono::hours kRetention{24};

  // `db`, `master_key` and `clock` must outlive this object.
  SessionStore(store::Db& db, const crypto::SecretBytes& master_key, const Clock& clock);

  // Issues a session that expires `session.duration` from now. InvalidArgument (with the AWS
  // code MalformedPolicyDocument) if a session policy does not parse; InvalidArgument for a
  // non-positive duration or a principal without an ARN.
  Result<IssuedCredentials> Create(const NewSession& session);

  // The session of `access_key_id`, expired or not (the caller compares the expiration).
  // NotFound when there is none (never issued, or purged).
  Result<Session> Lookup(std::string_view access_key_id) const;

  // Issues a session of `role` to `caller.principal` if EvaluateAssumeRole() allows it; this is
  // the only way role credentials are made. `caller.keys` holds the caller's request keys
  // (global keys, or aws:SourceArn/aws:SourceAccount for a service); the keys of `params` are
  // added. `caller_policies` are the caller's identity-side policies (identity, boundary and
  // its own session policies; none for services). Session tags need sts:TagSession and a source
  // identity needs sts:SetSourceIdentity from the same trust check; a caller whose own session
  // has a source identity (aws:SourceIdentity in `caller.keys`) passes it on unchanged.
  // Errors: AccessDenied (AWS's message) for the root user ("Roles may not be assumed by root
  // accounts."), a failed trust check, or a changed source identity; InvalidArgument
  // (ValidationError) for an invalid session name or a duration beyond the role's
  // MaxSessionDuration (one hour when a role session assumes a role); MalformedPolicyDocument
  // for a bad session policy.
  Result<AssumedRole> AssumeRoleAs(const policy::PolicySet& caller_policies,
                                   policy::RequestContext caller, const Role& role,
                                   const AssumeRoleParams& params);

  // Deletes the sessions that expired more than kRetention ago; returns how many.
  Result<size_t> PurgeExpired();

 private:
  // Parses the session policies of a record; every request made with session credentials reads
  // them, so each distinct document is compiled once.
  Result<std::vector<policy::Policy>> CompiledPolicies(
      const std::vector<SessionPolicy>& policies) const;

  static constexpr size_t kMaxCachedPolicies = 4096;

  store::Db& db_;
  const crypto::SecretBytes& master_key_;
  const Clock& clock_;
  mutable Mutex cache_mu_;
  // (name, document) -> compiled policy; cleared when it reaches kMaxCachedPolicies.
  mutable std::unordered_map<std::string, policy::Policy> policy_cache_ GUARDED_BY(cache_mu_);
};

// The principal of a session of role `role_name` (ARN `role_arn`, which carries the role's
// path, id `role_id`, AROA…) named `session_name` in `account`:
// arn:aws:sts::<account>:assumed-role/<role name>/<session name>, user id "<role id>:<session>".
Principal AssumedRolePrincipal(const std::string& account, const std::string& role_name,
                               const std::string& role_arn, const std::string& role_id,
                               const std::string& session_name);

// True when `name` is a valid RoleSessionName: 2-64 characters of [A-Za-z0-9_+=,.@-].
bool IsValidSessionName(std::string_view name);

}  // namespace kiroku::iam
