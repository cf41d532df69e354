// Evaluate(): the AWS single-account authorization decision for one request, given every policy
// that applies to it. Order (IAM user guide, evaluation logic):
//   1. an applicable Deny in any policy (identity, resource, boundary, session) -> explicit deny;
//   2. otherwise Allow when an identity-based policy allows (and the permissions boundary and
//      session policies, when present, allow too), or when a same-account resource-based policy
//      allows the caller; resource grants naming a user or role-session ARN are not limited by
//      boundaries or session policies, grants naming the role ARN or "*" are;
//   3. KMS key policies and role trust policies must allow explicitly: an identity-based allow
//      counts only when the key/trust policy names the account (arn:aws:iam::<acct>:root);
//   4. otherwise implicit deny.
// Service principals (logs.<region>.amazonaws.com) have no identity policies: only resource
// policies naming them (or "*") grant anything. The root user is allowed unless denied, except
// that KMS key and trust policies must still name the account.
// Pure functions of their arguments; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "policy/context.h"
#include "policy/policy.h"

namespace kiroku::policy {

// The slot a policy occupies in an evaluation; also what AccessDenied messages name.
enum class PolicyType {
  kIdentity,             // "identity-based"
  kResource,             // "resource-based" (resource policies and KMS key policies)
  kRoleTrust,            // "role trust"
  kPermissionsBoundary,  // "permissions boundary"
  kSession,              // "session"
};
const char* PolicyTypeName(PolicyType type);

// Every policy that applies to one request. Policies are shared values (cheap copies).
struct PolicySet {
  std::vector<Policy> identity;  // the user's (inline, attached, groups') or the role's
  std::optional<Policy> permissions_boundary;
  std::vector<Policy> session;  // session policies; empty = the session has none
  // The resource's own policy: kind kResource, kKeyPolicy or kTrustPolicy (its kind decides
  // the rules above). nullopt = the resource has no policy, or it was not supplied (simulator).
  std::optional<Policy> resource;
  // The account that owns the resource. Empty = the caller's account. If it differs, both an
  // identity allow and a resource allow are needed (cross-account).
  std::string resource_account;
};

enum class EvalDecision { kAllowed, kExplicitDeny, kImplicitDeny };
// "allowed", "explicitDeny", "implicitDeny" (the simulator's EvalDecision values).
const char* EvalDecisionName(EvalDecision decision);

// One statement of one policy.
struct StatementRef {
  PolicyType type = PolicyType::kIdentity;
  std::string policy_name;  // Policy::name()
  std::string policy_id;    // the document's Id element
  size_t index = 0;         // 0-based position in the Statement list
  std::string sid;
  TextPosition start;  // the statement's place in its document
  TextPosition end;

  bool operator==(const StatementRef&) const = default;
};

struct Decision {
  EvalDecision decision = EvalDecision::kImplicitDeny;
  // The Deny that won, or the Allow that granted; nullopt for implicit denies (and for the root
  // user allowed without any statement).
  std::optional<StatementRef> deciding;
  // For denials: the policy type the AccessDenied message names ("no identity-based policy
  // allows …", "with an explicit deny in a resource-based policy").
  PolicyType denied_by = PolicyType::kIdentity;
  // With EvalOptions::collect_matched: every statement that applied (action, resource,
  // principal and conditions all matched), in evaluation order.
  std::vector<StatementRef> matched;
  // With EvalOptions::collect_missing_keys: condition keys (and policy-variable keys) used by
  // statements whose action matched but absent from the request context, in first-use order.
  std::vector<std::string> missing_context_keys;

  bool allowed() const { return decision == EvalDecision::kAllowed; }
};

struct EvalOptions {
  bool collect_matched = false;       // fill Decision::matched (simulator)
  bool collect_missing_keys = false;  // fill Decision::missing_context_keys (simulator)
};

// Decides `request` against `policies`. Never fails: malformed input was rejected by
// ParsePolicy(), and unknown or absent context keys follow the documented absent-key rules.
Decision Evaluate(const PolicySet& policies, const RequestContext& request,
                  const EvalOptions& options = {});

// AWS's AccessDenied message for a denied `decision`:
//   User: <arn> is not authorized to perform: <action> on resource: <resource> because no
//   identity-based policy allows the <action> action
//   User: <arn> is not authorized to perform: <action> on resource: <resource> with an explicit
//   deny in an identity-based policy
// The policy type comes from decision.denied_by; "on resource: …" is left out when the resource
// is empty or "*". Services are named by their service principal, anonymous callers as
// "anonymous".
std::string AccessDeniedMessage(const RequestContext& request, const Decision& decision);

// Status::AccessDenied carrying AccessDeniedMessage(); aws/errors.cc picks the wire code
// (AccessDenied for query services, AccessDeniedException for JSON services).
Status AccessDeniedError(const RequestContext& request, const Decision& decision);

}  // namespace kiroku::policy
