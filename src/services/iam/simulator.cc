#include "api/iam_simulator_service.h"
#include "api/json_members.h"

#include <charconv>
#include <map>
#include <memory>

#include "common/encoding.h"
#include "policy/evaluator.h"

namespace kiroku::api {
namespace json = boost::json;

namespace {

constexpr int64_t kDefaultMaxItems = 100;
constexpr int64_t kMaxMaxItems = 1000;

Status InvalidInput(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidInput");
}

Status NotNull(std::string_view member) {
  return Status::InvalidArgument("1 validation error detected: Value null at '" +
                                 LowerFirst(member) +
                                 "' failed to satisfy constraint: Member must not be null")
      .WithAwsCode("ValidationError");
}

std::vector<std::string> Strings(const json::object& o, std::string_view member) {
  std::vector<std::string> out;
  if (const json::value* v = o.if_contains(member); v != nullptr && v->is_array()) {
    for (const json::value& item : v->as_array()) {
      if (item.is_string()) out.emplace_back(item.as_string());
    }
  }
  return out;
}

bool IsAccountId(std::string_view s) {
  return s.size() == 12 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A policy taking part in a simulation, with the names MatchedStatements report.
struct SourcedPolicy {
  policy::Policy policy;
  std::string type;  // SourcePolicyType: user, group, role, aws-managed, user-managed, resource;
                     // empty for the simulation's own inputs
};

// Everything a simulation evaluates, by policy name (Policy::name() is the SourcePolicyId).
struct Simulation {
  std::vector<std::string> actions;
  std::vector<std::string> resources;               // empty: "*" without ResourceSpecificResults
  policy::PolicySet base;                           // identity and boundary policies
  std::map<std::string, std::string> source_types;  // policy name -> SourcePolicyType
  std::optional<std::string> resource_policy_document;
  policy::Principal caller;
  policy::ContextKeys keys;
  int64_t max_items = kDefaultMaxItems;
  size_t start = 0;
};

Result<policy::Policy> ParseInput(const std::string& document, std::string name,
                                  policy::PolicyKind kind = policy::PolicyKind::kIdentity) {
  return policy::ParsePolicy(document, {kind, std::move(name)});
}

// PolicyInputList.N and PermissionsBoundaryPolicyInputList.N, named as AWS names them.
Status AddInputPolicies(const json::object& in, Simulation& sim) {
  std::vector<std::string> inputs = Strings(in, "PolicyInputList");
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSIGN_OR_RETURN(policy::Policy p,
                     ParseInput(inputs[i], "PolicyInputList." + std::to_string(i + 1)));
    sim.base.identity.push_back(std::move(p));
  }
  std::vector<std::string> boundaries = Strings(in, "PermissionsBoundaryPolicyInputList");
  if (boundaries.size() > 1) {
    return InvalidInput("PermissionsBoundaryPolicyInputList accepts only one policy.");
  }
  if (!boundaries.empty()) {
    ASSIGN_OR_RETURN(sim.base.permissions_boundary,
                     ParseInput(boundaries[0], "PermissionsBoundaryPolicyInputList.1"));
  }
  return Status::Ok();
}

// Actions, resources, resource policy, caller, owner, context entries and paging.
Status ReadRequest(const json::object& in, const policy::Principal& api_caller, Simulation& sim) {
  if (!in.contains("ActionNames")) return NotNull("ActionNames");
  sim.actions = Strings(in, "ActionNames");
  sim.resources = Strings(in, "ResourceArns");

  if (in.contains("ResourcePolicy")) {
    std::string document = Str(in, "ResourcePolicy");
    // Validate now (as a resource policy); it is re-read per resource kind when evaluated.
    RETURN_IF_ERROR(ParseInput(document, "ResourcePolicy", policy::PolicyKind::kResource).status());
    sim.resource_policy_document = std::move(document);
    if (!in.contains("CallerArn")) {
      return InvalidInput("CallerArn must be specified when a ResourcePolicy is provided.");
    }
  }
  if (in.contains("CallerArn")) {
    std::string arn = Str(in, "CallerArn");
    Result<policy::Principal> caller = policy::PrincipalFromArn(arn);
    if (!caller.ok() || caller->type != policy::PrincipalType::kUser) {
      return InvalidInput("Invalid CallerArn " + arn +
                          ": only the ARN of an IAM user can be "
                          "the simulated caller.");
    }
    sim.caller = *caller;
  }
  if (in.contains("ResourceOwner")) {
    std::string owner = Str(in, "ResourceOwner");
    std::string account = owner;
    if (owner.starts_with("arn:")) {
      Result<policy::Principal> p = policy::PrincipalFromArn(owner);
      account = p.ok() ? p->account : "";
    }
    if (!IsAccountId(account)) {
      return InvalidInput("Invalid ResourceOwner " + owner +
                          ": give an account id or arn:aws:iam::<account>:root.");
    }
    sim.base.resource_account = account;
  }
  if (sim.caller.account.empty()) sim.caller.account = api_caller.account;
  if (sim.base.resource_account == sim.caller.account) sim.base.resource_account.clear();

  if (const json::value* entries = in.if_contains("ContextEntries");
      entries != nullptr && entries->is_array()) {
    for (const json::value& e : entries->as_array()) {
      if (!e.is_object()) continue;
      const json::object& entry = e.as_object();
      std::string name = Str(entry, "ContextKeyName");
      if (name.empty()) return InvalidInput("A context entry needs a ContextKeyName.");
      Result<policy::ContextType> type = policy::ParseContextType(Str(entry, "ContextKeyType"));
      if (!type.ok()) {
        return InvalidInput("Invalid ContextKeyType '" + Str(entry, "ContextKeyType") +
                            "' for context key " + name + ".");
      }
      sim.keys.Set(name, *type, Strings(entry, "ContextKeyValues"));
    }
  }

  if (const json::value* max = in.if_contains("MaxItems"); max != nullptr && max->is_number()) {
    boost::system::error_code ec;
    sim.max_items = max->to_number<int64_t>(ec);
    if (ec) sim.max_items = 0;  // reported as out of range below
    if (sim.max_items < 1 || sim.max_items > kMaxMaxItems) {
      return Status::InvalidArgument(
                 "1 validation error detected: Value '" + std::to_string(sim.max_items) +
                 "' at 'maxItems' failed to satisfy constraint: Member must have value " +
                 (sim.max_items < 1 ? "greater than or equal to 1"
                                    : "less than or equal to " + std::to_string(kMaxMaxItems)))
          .WithAwsCode("ValidationError");
    }
  }
  if (in.contains("Marker")) {
    std::string marker = Str(in, "Marker");
    size_t start = 0;
    auto [end, ec] = std::from_chars(marker.data(), marker.data() + marker.size(), start);
    if (ec != std::errc() || end != marker.data() + marker.size() || start == 0) {
      return InvalidInput("Invalid Marker.");
    }
    sim.start = start;
  }
  return Status::Ok();
}

json::object Position(policy::TextPosition p) { return {{"Line", p.line}, {"Column", p.column}}; }

json::array MatchedStatements(const Simulation& sim, const policy::Decision& d) {
  std::vector<policy::StatementRef> refs;
  if (d.decision == policy::EvalDecision::kExplicitDeny) {
    // An explicit deny overrides every allow, so only the deny is reported.
    if (d.deciding) refs.push_back(*d.deciding);
  } else {
    refs = d.matched;
  }
  json::array out;
  for (const policy::StatementRef& ref : refs) {
    json::object statement{{"SourcePolicyId", ref.policy_name},
                           {"StartPosition", Position(ref.start)},
                           {"EndPosition", Position(ref.end)}};
    auto type = sim.source_types.find(ref.policy_name);
    if (type != sim.source_types.end() && !type->second.empty()) {
      statement["SourcePolicyType"] = type->second;
    }
    out.push_back(std::move(statement));
  }
  return out;
}

json::array Strings(const std::vector<std::string>& values) {
  json::array out;
  for (const std::string& v : values) out.emplace_back(v);
  return out;
}

// Runs every (action, resource) pair; answers one page of EvaluationResults.
Result<json::value> Simulate(Simulation& sim) {
  // The resource policy as its resource's kind reads it (KMS key policy or resource-based).
  std::optional<policy::Policy> as_resource, as_key_policy;
  if (sim.resource_policy_document) {
    ASSIGN_OR_RETURN(as_resource, ParseInput(*sim.resource_policy_document, "ResourcePolicy",
                                             policy::PolicyKind::kResource));
    ASSIGN_OR_RETURN(as_key_policy, ParseInput(*sim.resource_policy_document, "ResourcePolicy",
                                               policy::PolicyKind::kKeyPolicy));
    sim.source_types["ResourcePolicy"] = "resource";
  }
  const bool per_resource = !sim.resources.empty();
  const std::vector<std::string> resources =
      per_resource ? sim.resources : std::vector<std::string>{"*"};
  const size_t total = sim.actions.size() * resources.size();
  if (sim.start > total) return InvalidInput("Invalid Marker.");
  const size_t end = std::min(total, sim.start + static_cast<size_t>(sim.max_items));

  policy::RequestContext request;
  request.principal = sim.caller;
  request.keys = sim.keys;
  const policy::EvalOptions options{.collect_matched = true, .collect_missing_keys = true};
  json::array results;
  for (size_t i = sim.start; i < end; ++i) {
    request.action = sim.actions[i / resources.size()];
    request.resource = resources[i % resources.size()];
    policy::PolicySet policies = sim.base;
    if (sim.resource_policy_document) {
      policies.resource =
          request.resource.starts_with("arn:aws:kms:") ? as_key_policy : as_resource;
    }
    policy::Decision d = policy::Evaluate(policies, request, options);
    const char* decision = policy::EvalDecisionName(d.decision);
    json::array matched = MatchedStatements(sim, d);
    json::array missing = Strings(d.missing_context_keys);

    json::object result{{"EvalActionName", request.action},
                        {"EvalResourceName", request.resource},
                        {"EvalDecision", decision},
                        {"MatchedStatements", matched},
                        {"MissingContextValues", missing}};
    std::optional<json::object> boundary_detail;
    if (policies.permissions_boundary) {
      // Whether the boundary alone allows the request (it is evaluated as the only policy).
      policy::PolicySet boundary_only;
      boundary_only.identity.push_back(*policies.permissions_boundary);
      policy::RequestContext as_user = request;
      as_user.principal.type = policy::PrincipalType::kUser;
      boundary_detail = json::object{
          {"AllowedByPermissionsBoundary", policy::Evaluate(boundary_only, as_user).allowed()}};
      result["PermissionsBoundaryDecisionDetail"] = *boundary_detail;
    }
    if (per_resource) {
      json::object specific{{"EvalResourceName", request.resource},
                            {"EvalResourceDecision", decision},
                            {"MatchedStatements", std::move(matched)},
                            {"MissingContextValues", std::move(missing)}};
      if (boundary_detail) specific["PermissionsBoundaryDecisionDetail"] = *boundary_detail;
      result["ResourceSpecificResults"] = json::array{std::move(specific)};
    }
    results.push_back(std::move(result));
  }
  json::object out{{"EvaluationResults", std::move(results)}, {"IsTruncated", end < total}};
  if (end < total) out["Marker"] = std::to_string(end);
  return json::value(std::move(out));
}

// The context keys of `policies`, in first-use order, without case-insensitive duplicates.
json::value ContextKeyNames(const std::vector<policy::Policy>& policies) {
  std::vector<std::string> seen_lower;
  json::array names;
  for (const policy::Policy& p : policies) {
    for (const std::string& key : policy::GetContextKeys(p)) {
      std::string lower = AsciiLower(key);
      if (std::find(seen_lower.begin(), seen_lower.end(), lower) != seen_lower.end()) continue;
      seen_lower.push_back(lower);
      names.emplace_back(key);
    }
  }
  return json::value{{"ContextKeyNames", std::move(names)}};
}

class Simulator {
 public:
  explicit Simulator(const iam::IdentityStore& identities) : identities_(identities) {}

  Result<json::value> SimulateCustomPolicy(RequestContext& ctx) const {
    if (!ctx.input.contains("PolicyInputList")) return NotNull("PolicyInputList");
    Simulation sim;
    // Without CallerArn the caller is an anonymous IAM user of the account: identity policies
    // apply to it, and no resource policy can name it.
    sim.caller.type = policy::PrincipalType::kUser;
    RETURN_IF_ERROR(AddInputPolicies(ctx.input, sim));
    RETURN_IF_ERROR(ReadRequest(ctx.input, ctx.principal, sim));
    return Simulate(sim);
  }

  Result<json::value> SimulatePrincipalPolicy(RequestContext& ctx) const {
    if (!ctx.input.contains("PolicySourceArn")) return NotNull("PolicySourceArn");
    Simulation sim;
    ASSIGN_OR_RETURN(sim.caller, AddPrincipalPolicies(Str(ctx.input, "PolicySourceArn"), sim));
    std::optional<policy::Policy> entity_boundary = sim.base.permissions_boundary;
    RETURN_IF_ERROR(AddInputPolicies(ctx.input, sim));
    // A boundary given in the request replaces the entity's own.
    if (!sim.base.permissions_boundary) sim.base.permissions_boundary = entity_boundary;
    RETURN_IF_ERROR(ReadRequest(ctx.input, ctx.principal, sim));
    return Simulate(sim);
  }

  Result<json::value> GetContextKeysForCustomPolicy(RequestContext& ctx) const {
    if (!ctx.input.contains("PolicyInputList")) return NotNull("PolicyInputList");
    Simulation sim;
    RETURN_IF_ERROR(AddInputPolicies(ctx.input, sim));
    return ContextKeyNames(sim.base.identity);
  }

  Result<json::value> GetContextKeysForPrincipalPolicy(RequestContext& ctx) const {
    if (!ctx.input.contains("PolicySourceArn")) return NotNull("PolicySourceArn");
    Simulation sim;
    RETURN_IF_ERROR(AddPrincipalPolicies(Str(ctx.input, "PolicySourceArn"), sim).status());
    RETURN_IF_ERROR(AddInputPolicies(ctx.input, sim));
    std::vector<policy::Policy> all = sim.base.identity;
    if (sim.base.permissions_boundary) all.push_back(*sim.base.permissions_boundary);
    return ContextKeyNames(all);
  }

 private:
  // Adds the inline and attached policies of `kind` `name` (tagged `inline_type`).
  Status AddEntityPolicies(iam::EntityKind kind, const std::string& name,
                           const std::string& inline_type, Simulation& sim) const {
    ASSIGN_OR_RETURN(std::vector<std::string> inline_names,
                     identities_.ListInlinePolicies(kind, name));
    for (const std::string& policy_name : inline_names) {
      ASSIGN_OR_RETURN(iam::InlinePolicy inline_policy,
                       identities_.GetInlinePolicy(kind, name, policy_name));
      ASSIGN_OR_RETURN(policy::Policy p, ParseInput(inline_policy.document, policy_name));
      sim.source_types[policy_name] = inline_type;
      sim.base.identity.push_back(std::move(p));
    }
    ASSIGN_OR_RETURN(std::vector<iam::AttachedPolicy> attached,
                     identities_.ListAttachedPolicies(kind, name));
    for (const iam::AttachedPolicy& a : attached) {
      ASSIGN_OR_RETURN(policy::Policy p, ManagedPolicy(a.arn, sim));
      sim.base.identity.push_back(std::move(p));
    }
    return Status::Ok();
  }

  // The default version of a managed policy, named by the policy's name.
  Result<policy::Policy> ManagedPolicy(const std::string& arn, Simulation& sim) const {
    ASSIGN_OR_RETURN(iam::ManagedPolicy managed, identities_.GetPolicy(arn));
    const iam::PolicyVersion* version = managed.DefaultVersion();
    if (version == nullptr) return Status::Internal("policy " + arn + " has no default version");
    sim.source_types[managed.name] = managed.aws_managed ? "aws-managed" : "user-managed";
    return ParseInput(version->document, managed.name);
  }

  Status AddBoundary(const std::string& arn, Simulation& sim) const {
    if (arn.empty()) return Status::Ok();
    ASSIGN_OR_RETURN(sim.base.permissions_boundary, ManagedPolicy(arn, sim));
    return Status::Ok();
  }

  // The policies of the user, group or role `arn`; returns the principal it simulates.
  Result<policy::Principal> AddPrincipalPolicies(const std::string& arn, Simulation& sim) const {
    // arn:aws:iam::<account>:<user|group|role>/<path><name>
    size_t colon = arn.rfind(':');
    std::string resource = colon == std::string::npos ? "" : arn.substr(colon + 1);
    std::string name = resource.substr(resource.rfind('/') + 1);
    policy::Principal principal;
    if (!arn.starts_with("arn:aws:iam::") || name.empty() ||
        resource.find('/') == std::string::npos) {
      return InvalidInput("Invalid PolicySourceArn " + arn +
                          ": give the ARN of an IAM user, group or role.");
    }
    auto not_found = [&](std::string_view what) {
      return Status::NotFound("The " + std::string(what) + " with name " + name +
                              " cannot be found.");
    };
    if (resource.starts_with("user/")) {
      ASSIGN_OR_RETURN(iam::User user, identities_.GetUser(name));
      if (user.arn != arn) return not_found("user");
      RETURN_IF_ERROR(AddEntityPolicies(iam::EntityKind::kUser, user.name, "user", sim));
      ASSIGN_OR_RETURN(std::vector<iam::Group> groups, identities_.ListGroupsForUser(user.name));
      for (const iam::Group& g : groups) {
        RETURN_IF_ERROR(AddEntityPolicies(iam::EntityKind::kGroup, g.name, "group", sim));
      }
      RETURN_IF_ERROR(AddBoundary(user.permissions_boundary, sim));
      ASSIGN_OR_RETURN(principal, policy::PrincipalFromArn(user.arn));
      principal.user_id = user.id;
    } else if (resource.starts_with("role/")) {
      ASSIGN_OR_RETURN(iam::Role role, identities_.GetRoleByArn(arn));
      RETURN_IF_ERROR(AddEntityPolicies(iam::EntityKind::kRole, role.name, "role", sim));
      RETURN_IF_ERROR(AddBoundary(role.permissions_boundary, sim));
      // The role's sessions act with its policies; resource policies naming the role match.
      principal.type = policy::PrincipalType::kAssumedRole;
      principal.role_arn = role.arn;
      principal.account = RoleAccount(role.arn);
    } else if (resource.starts_with("group/")) {
      ASSIGN_OR_RETURN(iam::Group group, identities_.GetGroup(name));
      if (group.arn != arn) return not_found("group");
      RETURN_IF_ERROR(AddEntityPolicies(iam::EntityKind::kGroup, group.name, "group", sim));
      // A group is simulated as an anonymous member.
      principal.type = policy::PrincipalType::kUser;
      principal.account = RoleAccount(group.arn);
    } else {
      return InvalidInput("Invalid PolicySourceArn " + arn +
                          ": give the ARN of an IAM user, group or role.");
    }
    return principal;
  }

  static std::string RoleAccount(const std::string& arn) {
    // arn:aws:iam::<account>:...
    size_t start = std::string("arn:aws:iam::").size();
    size_t end = arn.find(':', start);
    return end == std::string::npos ? "" : arn.substr(start, end - start);
  }

  const iam::IdentityStore& identities_;
};

Authorization Named(std::string action) {
  Authorization auth;
  auth.action = std::move(action);
  return auth;
}

Authorization OnPolicySource(std::string action) {
  Authorization auth = Named(std::move(action));
  auth.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    if (!ctx.input.contains("PolicySourceArn")) return NotNull("PolicySourceArn");
    return std::vector<std::string>{Str(ctx.input, "PolicySourceArn")};
  };
  return auth;
}

}  // namespace

void AddIamSimulatorOperations(OperationTable& table, const iam::IdentityStore& identities) {
  auto sim = std::make_shared<Simulator>(identities);
  table.Add("iam", "SimulateCustomPolicy",
            Operation{.handler = [sim](RequestContext& ctx) { return sim->SimulateCustomPolicy(ctx); },
                      .authorization = Named("iam:SimulateCustomPolicy")});
  table.Add("iam", "SimulatePrincipalPolicy",
            Operation{.handler = [sim](RequestContext& ctx) { return sim->SimulatePrincipalPolicy(ctx); },
                      .authorization = OnPolicySource("iam:SimulatePrincipalPolicy")});
  table.Add("iam", "GetContextKeysForCustomPolicy",
            Operation{.handler = [sim](RequestContext& ctx) { return sim->GetContextKeysForCustomPolicy(ctx); },
                      .authorization = Named("iam:GetContextKeysForCustomPolicy")});
  table.Add("iam", "GetContextKeysForPrincipalPolicy",
            Operation{.handler = [sim](RequestContext& ctx) { return sim->GetContextKeysForPrincipalPolicy(ctx); },
                      .authorization = OnPolicySource("iam:GetContextKeysForPrincipalPolicy")});
}

}  // namespace kiroku::api
