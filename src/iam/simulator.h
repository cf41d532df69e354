// PolicySimulator: the engine of the IAM policy simulator (SimulateCustomPolicy,
// SimulatePrincipalPolicy, GetContextKeysForCustomPolicy, GetContextKeysForPrincipalPolicy). It
// evaluates with the same policy engine that authorizes every request (docs/sts.md, "Policy
// simulator"); reading and writing the wire shapes is src/services/iam/simulator.cc's.
//
// Simulator contract (the conventions of the shared IAM corpus):
//   - the request context is exactly the given context entries: no global keys are added, and a
//     key that is not given is absent (absent-key rules apply); key names ignore case;
//   - `date` values are ISO 8601 in UTC or epoch seconds; aws:EpochTime may be `numeric` too;
//   - a resource policy for an arn:aws:kms: resource is a KMS key policy (must allow
//     explicitly), otherwise a resource-based policy; a caller ARN (an IAM user) is required
//     with it;
//   - the resource owner (account id or arn:aws:iam::<account>:root) names the resource's
//     account.
//
// Thread-safe: keeps no state; IdentityStore is thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "iam/identity_store.h"
#include "policy/evaluator.h"

namespace kiroku::iam {

// One ContextEntries item as given: the type is the API's name ("string", "dateList", ...).
struct SimulationContextEntry {
  std::string name;
  std::string type;
  std::vector<std::string> values;
};

// What a Simulate* call evaluates, besides the policies of the simulated principal.
struct SimulationRequest {
  std::vector<std::string> policy_inputs;    // PolicyInputList: identity policy documents
  std::vector<std::string> boundary_inputs;  // PermissionsBoundaryPolicyInputList (at most one)
  std::vector<std::string> actions;
  std::vector<std::string> resources;  // empty: "*", and no per-resource results
  std::optional<std::string> resource_policy;
  std::optional<std::string> caller_arn;
  std::optional<std::string> resource_owner;
  std::vector<SimulationContextEntry> context_entries;
  size_t max_items = 100;             // 1..1000, checked by the caller
  std::optional<std::string> marker;  // a SimulationPage::marker of an earlier page
};

// A statement that decided (or took part in) a result, as MatchedStatements reports it.
struct MatchedStatement {
  std::string source_policy_id;    // the policy's name ("PolicyInputList.1", "ReadOnlyAccess")
  std::string source_policy_type;  // user, group, role, aws-managed, user-managed, resource;
                                   // empty for the simulation's own policy inputs
  policy::TextPosition start;
  policy::TextPosition end;
};

// The result of one (action, resource) pair.
struct SimulationResult {
  std::string action;
  std::string resource;
  policy::EvalDecision decision = policy::EvalDecision::kImplicitDeny;
  // Under an explicit deny only the deny; otherwise every matching statement.
  std::vector<MatchedStatement> matched;
  std::vector<std::string> missing_context_keys;
  // Set when a permissions boundary applies: whether it alone allows the request.
  std::optional<bool> allowed_by_permissions_boundary;
};

// One page of results, in (action, resource) order.
struct SimulationPage {
  std::vector<SimulationResult> results;
  bool per_resource = false;          // resources were given (ResourceSpecificResults)
  std::optional<std::string> marker;  // set when more results follow
};

class PolicySimulator {
 public:
  // `identities` must outlive this object.
  explicit PolicySimulator(const IdentityStore& identities) : identities_(identities) {}

  // Evaluates `request.policy_inputs` (and the boundary) for a caller in `account` (an
  // anonymous IAM user unless request.caller_arn names one). Errors: MalformedPolicyDocument
  // for a policy that does not parse; InvalidInput for more than one boundary, a resource
  // policy without caller ARN, a caller that is not an IAM user, a bad resource owner, context
  // entry or marker.
  Result<SimulationPage> SimulateCustomPolicy(const SimulationRequest& request,
                                              std::string_view account) const;
  // The same with the policies of the user, group or role `policy_source_arn` (a user's groups
  // too; its boundary unless the request gives one). Also NotFound for an unknown entity and
  // InvalidInput for an ARN that names none.
  Result<SimulationPage> SimulatePrincipalPolicy(std::string_view policy_source_arn,
                                                 const SimulationRequest& request,
                                                 std::string_view account) const;

  // The condition keys the policies use, in first-use order, without case-insensitive
  // duplicates.
  Result<std::vector<std::string>> ContextKeysForCustomPolicy(
      const std::vector<std::string>& policy_inputs) const;
  // ... of the entity's policies (and boundary) and `policy_inputs`.
  Result<std::vector<std::string>> ContextKeysForPrincipalPolicy(
      std::string_view policy_source_arn, const std::vector<std::string>& policy_inputs) const;

 private:
  const IdentityStore& identities_;
};

}  // namespace kiroku::iam
