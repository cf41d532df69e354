#include "iam/simulator.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "common/arn.h"
#include "common/encoding.h"

namespace kiroku::iam {
namespace {

Status InvalidInput(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidInput");
}

bool IsAccountId(std::string_view s) {
  return s.size() == 12 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<policy::Policy> Parse(const std::string& document, std::string name,
                             policy::PolicyKind kind = policy::PolicyKind::kIdentity) {
  return policy::ParsePolicy(document, {kind, std::move(name)});
}

// The account of an IAM ARN (arn:aws:iam::<account>:...).
std::string AccountOf(std::string_view arn) {
  std::optional<Arn> parsed = Arn::Parse(arn);
  return parsed ? parsed->account : "";
}

// Everything a simulation evaluates, by policy name (Policy::name() is the SourcePolicyId).
struct Simulation {
  policy::PolicySet base;                           // identity and boundary policies
  std::map<std::string, std::string> source_types;  // policy name -> SourcePolicyType
  std::optional<std::string> resource_policy_document;
  policy::Principal caller;
  policy::ContextKeys keys;
  size_t start = 0;
};

// PolicyInputList.N and PermissionsBoundaryPolicyInputList.N, named as AWS names them.
Status AddInputPolicies(const std::vector<std::string>& inputs,
                        const std::vector<std::string>& boundaries, Simulation& sim) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSIGN_OR_RETURN(policy::Policy p,
                     Parse(inputs[i], "PolicyInputList." + std::to_string(i + 1)));
    sim.base.identity.push_back(std::move(p));
  }
  if (boundaries.size() > 1) {
    return InvalidInput("PermissionsBoundaryPolicyInputList accepts only one policy.");
  }
  if (!boundaries.empty()) {
    ASSIGN_OR_RETURN(sim.base.permissions_boundary,
                     Parse(boundaries[0], "PermissionsBoundaryPolicyInputList.1"));
  }
  return Status::Ok();
}

// Resource policy, caller, owner, context entries and the marker, checked in that order.
Status ReadRequest(const SimulationRequest& in, std::string_view account, Simulation& sim) {
  if (in.resource_policy) {
    // Validate now (as a resource policy); it is re-read per resource kind when evaluated.
    RETURN_IF_ERROR(
        Parse(*in.resource_policy, "ResourcePolicy", policy::PolicyKind::kResource).status());
    sim.resource_policy_document = *in.resource_policy;
    if (!in.caller_arn) {
      return InvalidInput("CallerArn must be specified when a ResourcePolicy is provided.");
    }
  }
  if (in.caller_arn) {
    const std::string& arn = *in.caller_arn;
    Result<policy::Principal> caller = policy::PrincipalFromArn(arn);
    if (!caller.ok() || caller->type != policy::PrincipalType::kUser) {
      return InvalidInput("Invalid CallerArn " + arn +
                          ": only the ARN of an IAM user can be "
                          "the simulated caller.");
    }
    sim.caller = *caller;
  }
  if (in.resource_owner) {
    const std::string& owner = *in.resource_owner;
    std::string owner_account = owner;
    if (owner.starts_with("arn:")) {
      Result<policy::Principal> p = policy::PrincipalFromArn(owner);
      owner_account = p.ok() ? p->account : "";
    }
    if (!IsAccountId(owner_account)) {
      return InvalidInput("Invalid ResourceOwner " + owner +
                          ": give an account id or arn:aws:iam::<account>:root.");
    }
    sim.base.resource_account = owner_account;
  }
  if (sim.caller.account.empty()) sim.caller.account = std::string(account);
  if (sim.base.resource_account == sim.caller.account) sim.base.resource_account.clear();

  for (const SimulationContextEntry& entry : in.context_entries) {
    if (entry.name.empty()) return InvalidInput("A context entry needs a ContextKeyName.");
    Result<policy::ContextType> type = policy::ParseContextType(entry.type);
    if (!type.ok()) {
      return InvalidInput("Invalid ContextKeyType '" + entry.type + "' for context key " +
                          entry.name + ".");
    }
    sim.keys.Set(entry.name, *type, entry.values);
  }

  if (in.marker) {
    const std::string& marker = *in.marker;
    size_t start = 0;
    auto [end, ec] = std::from_chars(marker.data(), marker.data() + marker.size(), start);
    if (ec != std::errc() || end != marker.data() + marker.size() || start == 0) {
      return InvalidInput("Invalid Marker.");
    }
    sim.start = start;
  }
  return Status::Ok();
}

std::vector<MatchedStatement> Matched(const Simulation& sim, const policy::Decision& d) {
  std::vector<policy::StatementRef> refs;
  if (d.decision == policy::EvalDecision::kExplicitDeny) {
    // An explicit deny overrides every allow, so only the deny is reported.
    if (d.deciding) refs.push_back(*d.deciding);
  } else {
    refs = d.matched;
  }
  std::vector<MatchedStatement> out;
  for (const policy::StatementRef& ref : refs) {
    MatchedStatement statement{ref.policy_name, "", ref.start, ref.end};
    if (auto type = sim.source_types.find(ref.policy_name); type != sim.source_types.end()) {
      statement.source_policy_type = type->second;
    }
    out.push_back(std::move(statement));
  }
  return out;
}

// Runs every (action, resource) pair of one page.
Result<SimulationPage> Simulate(const SimulationRequest& in, Simulation& sim) {
  // The resource policy as its resource's kind reads it (KMS key policy or resource-based).
  std::optional<policy::Policy> as_resource, as_key_policy;
  if (sim.resource_policy_document) {
    ASSIGN_OR_RETURN(as_resource, Parse(*sim.resource_policy_document, "ResourcePolicy",
                                        policy::PolicyKind::kResource));
    ASSIGN_OR_RETURN(as_key_policy, Parse(*sim.resource_policy_document, "ResourcePolicy",
                                          policy::PolicyKind::kKeyPolicy));
    sim.source_types["ResourcePolicy"] = "resource";
  }
  SimulationPage page;
  page.per_resource = !in.resources.empty();
  const std::vector<std::string> resources =
      page.per_resource ? in.resources : std::vector<std::string>{"*"};
  const size_t total = in.actions.size() * resources.size();
  if (sim.start > total) return InvalidInput("Invalid Marker.");
  const size_t end = std::min(total, sim.start + in.max_items);

  policy::RequestContext request;
  request.principal = sim.caller;
  request.keys = sim.keys;
  const policy::EvalOptions options{.collect_matched = true, .collect_missing_keys = true};
  for (size_t i = sim.start; i < end; ++i) {
    request.action = in.actions[i / resources.size()];
    request.resource = resources[i % resources.size()];
    policy::PolicySet policies = sim.base;
    if (sim.resource_policy_document) {
      std::optional<Arn> target = Arn::Parse(request.resource);
      policies.resource = target && target->service == "kms" ? as_key_policy : as_resource;
    }
    policy::Decision d = policy::Evaluate(policies, request, options);
    SimulationResult result;
    result.action = request.action;
    result.resource = request.resource;
    result.decision = d.decision;
    result.matched = Matched(sim, d);
    result.missing_context_keys = std::move(d.missing_context_keys);
    if (policies.permissions_boundary) {
      // Whether the boundary alone allows the request (it is evaluated as the only policy).
      policy::PolicySet boundary_only;
      boundary_only.identity.push_back(*policies.permissions_boundary);
      policy::RequestContext as_user = request;
      as_user.principal.type = policy::PrincipalType::kUser;
      result.allowed_by_permissions_boundary = policy::Evaluate(boundary_only, as_user).allowed();
    }
    page.results.push_back(std::move(result));
  }
  if (end < total) page.marker = std::to_string(end);
  return page;
}

// The context keys of `policies`, in first-use order, without case-insensitive duplicates.
std::vector<std::string> ContextKeyNames(const std::vector<policy::Policy>& policies) {
  std::vector<std::string> seen_lower;
  std::vector<std::string> names;
  for (const policy::Policy& p : policies) {
    for (const std::string& key : policy::GetContextKeys(p)) {
      std::string lower = AsciiLower(key);
      if (std::find(seen_lower.begin(), seen_lower.end(), lower) != seen_lower.end()) continue;
      seen_lower.push_back(lower);
      names.push_back(key);
    }
  }
  return names;
}

// The default version of a managed policy, named by the policy's name.
Result<policy::Policy> DefaultVersion(const IdentityStore& identities, const std::string& arn,
                                      Simulation& sim) {
  ASSIGN_OR_RETURN(ManagedPolicy managed, identities.GetPolicy(arn));
  const PolicyVersion* version = managed.DefaultVersion();
  if (version == nullptr) return Status::Internal("policy " + arn + " has no default version");
  sim.source_types[managed.name] = managed.aws_managed ? "aws-managed" : "user-managed";
  return Parse(version->document, managed.name);
}

// Adds the inline and attached policies of `kind` `name` (tagged `inline_type`).
Status AddEntityPolicies(const IdentityStore& identities, EntityKind kind, const std::string& name,
                         const std::string& inline_type, Simulation& sim) {
  ASSIGN_OR_RETURN(std::vector<std::string> inline_names,
                   identities.ListInlinePolicies(kind, name));
  for (const std::string& policy_name : inline_names) {
    ASSIGN_OR_RETURN(InlinePolicy inline_policy,
                     identities.GetInlinePolicy(kind, name, policy_name));
    ASSIGN_OR_RETURN(policy::Policy p, Parse(inline_policy.document, policy_name));
    sim.source_types[policy_name] = inline_type;
    sim.base.identity.push_back(std::move(p));
  }
  ASSIGN_OR_RETURN(std::vector<AttachedPolicy> attached,
                   identities.ListAttachedPolicies(kind, name));
  for (const AttachedPolicy& a : attached) {
    ASSIGN_OR_RETURN(policy::Policy p, DefaultVersion(identities, a.arn, sim));
    sim.base.identity.push_back(std::move(p));
  }
  return Status::Ok();
}

Status AddBoundary(const IdentityStore& identities, const std::string& arn, Simulation& sim) {
  if (arn.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(sim.base.permissions_boundary, DefaultVersion(identities, arn, sim));
  return Status::Ok();
}

// The policies of the user, group or role `arn`; returns the principal it simulates.
Result<policy::Principal> AddPrincipalPolicies(const IdentityStore& identities,
                                               std::string_view arn_text, Simulation& sim) {
  const std::string arn(arn_text);
  // arn:aws:iam::<account>:<user|group|role>/<path><name>
  std::optional<Arn> parsed = Arn::Parse(arn);
  bool iam =
      parsed && parsed->partition == "aws" && parsed->service == "iam" && parsed->region.empty();
  std::string resource = iam ? parsed->resource : "";
  std::string name = resource.substr(resource.rfind('/') + 1);
  policy::Principal principal;
  if (!iam || name.empty() || resource.find('/') == std::string::npos) {
    return InvalidInput("Invalid PolicySourceArn " + arn +
                        ": give the ARN of an IAM user, group or role.");
  }
  auto not_found = [&](std::string_view what) {
    return Status::NotFound("The " + std::string(what) + " with name " + name +
                            " cannot be found.");
  };
  if (resource.starts_with("user/")) {
    ASSIGN_OR_RETURN(User user, identities.GetUser(name));
    if (user.arn != arn) return not_found("user");
    RETURN_IF_ERROR(AddEntityPolicies(identities, EntityKind::kUser, user.name, "user", sim));
    ASSIGN_OR_RETURN(std::vector<Group> groups, identities.ListGroupsForUser(user.name));
    for (const Group& g : groups) {
      RETURN_IF_ERROR(AddEntityPolicies(identities, EntityKind::kGroup, g.name, "group", sim));
    }
    RETURN_IF_ERROR(AddBoundary(identities, user.permissions_boundary, sim));
    ASSIGN_OR_RETURN(principal, policy::PrincipalFromArn(user.arn));
    principal.user_id = user.id;
  } else if (resource.starts_with("role/")) {
    ASSIGN_OR_RETURN(Role role, identities.GetRoleByArn(arn));
    RETURN_IF_ERROR(AddEntityPolicies(identities, EntityKind::kRole, role.name, "role", sim));
    RETURN_IF_ERROR(AddBoundary(identities, role.permissions_boundary, sim));
    // The role's sessions act with its policies; resource policies naming the role match.
    principal.type = policy::PrincipalType::kAssumedRole;
    principal.role_arn = role.arn;
    principal.account = AccountOf(role.arn);
  } else if (resource.starts_with("group/")) {
    ASSIGN_OR_RETURN(Group group, identities.GetGroup(name));
    if (group.arn != arn) return not_found("group");
    RETURN_IF_ERROR(AddEntityPolicies(identities, EntityKind::kGroup, group.name, "group", sim));
    // A group is simulated as an anonymous member.
    principal.type = policy::PrincipalType::kUser;
    principal.account = AccountOf(group.arn);
  } else {
    return InvalidInput("Invalid PolicySourceArn " + arn +
                        ": give the ARN of an IAM user, group or role.");
  }
  return principal;
}

}  // namespace

Result<SimulationPage> PolicySimulator::SimulateCustomPolicy(const SimulationRequest& request,
                                                             std::string_view account) const {
  Simulation sim;
  // Without a caller ARN the caller is an anonymous IAM user of the account: identity policies
  // apply to it, and no resource policy can name it.
  sim.caller.type = policy::PrincipalType::kUser;
  RETURN_IF_ERROR(AddInputPolicies(request.policy_inputs, request.boundary_inputs, sim));
  RETURN_IF_ERROR(ReadRequest(request, account, sim));
  return Simulate(request, sim);
}

Result<SimulationPage> PolicySimulator::SimulatePrincipalPolicy(std::string_view policy_source_arn,
                                                                const SimulationRequest& request,
                                                                std::string_view account) const {
  Simulation sim;
  ASSIGN_OR_RETURN(sim.caller, AddPrincipalPolicies(identities_, policy_source_arn, sim));
  std::optional<policy::Policy> entity_boundary = sim.base.permissions_boundary;
  RETURN_IF_ERROR(AddInputPolicies(request.policy_inputs, request.boundary_inputs, sim));
  // A boundary given in the request replaces the entity's own.
  if (!sim.base.permissions_boundary) sim.base.permissions_boundary = entity_boundary;
  RETURN_IF_ERROR(ReadRequest(request, account, sim));
  return Simulate(request, sim);
}

Result<std::vector<std::string>> PolicySimulator::ContextKeysForCustomPolicy(
    const std::vector<std::string>& policy_inputs) const {
  Simulation sim;
  RETURN_IF_ERROR(AddInputPolicies(policy_inputs, {}, sim));
  return ContextKeyNames(sim.base.identity);
}

Result<std::vector<std::string>> PolicySimulator::ContextKeysForPrincipalPolicy(
    std::string_view policy_source_arn, const std::vector<std::string>& policy_inputs) const {
  Simulation sim;
  RETURN_IF_ERROR(AddPrincipalPolicies(identities_, policy_source_arn, sim).status());
  RETURN_IF_ERROR(AddInputPolicies(policy_inputs, {}, sim));
  std::vector<policy::Policy> all = sim.base.identity;
  if (sim.base.permissions_boundary) all.push_back(*sim.base.permissions_boundary);
  return ContextKeyNames(all);
}

}  // namespace kiroku::iam
