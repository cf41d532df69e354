// The IAM policy simulator's wire side: SimulateCustomPolicy, SimulatePrincipalPolicy,
// GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy read their input into an
// iam::SimulationRequest and write iam::PolicySimulator's results as IAM answers them
// (src/iam/simulator.h holds the simulator's contract).
#include "common/encoding.h"
#include "services/iam/iam_service.h"
#include "services/iam/iam_service_internal.h"

namespace kiroku::services {
using namespace iam_internal;

namespace {

constexpr int64_t kMaxMaxItems = 1000;

Status NotNull(std::string_view member) {
  return Status::InvalidArgument("1 validation error detected: Value null at '" +
                                 LowerFirst(member) +
                                 "' failed to satisfy constraint: Member must not be null")
      .WithAwsCode("ValidationError");
}

std::optional<std::string> Member(const json::object& in, std::string_view name) {
  if (!in.contains(name)) return std::nullopt;
  return Str(in, name);
}

// Actions, resources, resource policy, caller, owner, context entries and paging. ActionNames
// and MaxItems are checked here; everything else is the simulator's to check.
Result<iam::SimulationRequest> ReadRequest(const json::object& in) {
  iam::SimulationRequest request;
  request.policy_inputs = InputStrings(in, "PolicyInputList");
  request.boundary_inputs = InputStrings(in, "PermissionsBoundaryPolicyInputList");
  if (!in.contains("ActionNames")) return NotNull("ActionNames");
  request.actions = InputStrings(in, "ActionNames");
  request.resources = InputStrings(in, "ResourceArns");
  request.resource_policy = Member(in, "ResourcePolicy");
  request.caller_arn = Member(in, "CallerArn");
  request.resource_owner = Member(in, "ResourceOwner");
  if (const json::value* entries = in.if_contains("ContextEntries");
      entries != nullptr && entries->is_array()) {
    for (const json::value& e : entries->as_array()) {
      if (!e.is_object()) continue;
      const json::object& entry = e.as_object();
      request.context_entries.push_back({Str(entry, "ContextKeyName"), Str(entry, "ContextKeyType"),
                                         InputStrings(entry, "ContextKeyValues")});
    }
  }
  if (const json::value* max = in.if_contains("MaxItems"); max != nullptr && max->is_number()) {
    boost::system::error_code ec;
    int64_t max_items = max->to_number<int64_t>(ec);
    if (ec) max_items = 0;  // reported as out of range below
    if (max_items < 1 || max_items > kMaxMaxItems) {
      return Status::InvalidArgument(
                 "1 validation error detected: Value '" + std::to_string(max_items) +
                 "' at 'maxItems' failed to satisfy constraint: Member must have value " +
                 (max_items < 1 ? "greater than or equal to 1"
                                : "less than or equal to " + std::to_string(kMaxMaxItems)))
          .WithAwsCode("ValidationError");
    }
    request.max_items = static_cast<size_t>(max_items);
  }
  request.marker = Member(in, "Marker");
  return request;
}

json::object Position(policy::TextPosition p) { return {{"Line", p.line}, {"Column", p.column}}; }

json::array MatchedStatements(const std::vector<iam::MatchedStatement>& matched) {
  json::array out;
  for (const iam::MatchedStatement& m : matched) {
    json::object statement{{"SourcePolicyId", m.source_policy_id},
                           {"StartPosition", Position(m.start)},
                           {"EndPosition", Position(m.end)}};
    if (!m.source_policy_type.empty()) statement["SourcePolicyType"] = m.source_policy_type;
    out.push_back(std::move(statement));
  }
  return out;
}

json::array Strings(const std::vector<std::string>& values) {
  json::array out;
  for (const std::string& v : values) out.emplace_back(v);
  return out;
}

json::value PageJson(const iam::SimulationPage& page) {
  json::array results;
  for (const iam::SimulationResult& r : page.results) {
    const char* decision = policy::EvalDecisionName(r.decision);
    json::array matched = MatchedStatements(r.matched);
    json::array missing = Strings(r.missing_context_keys);
    json::object result{{"EvalActionName", r.action},
                        {"EvalResourceName", r.resource},
                        {"EvalDecision", decision},
                        {"MatchedStatements", matched},
                        {"MissingContextValues", missing}};
    std::optional<json::object> boundary_detail;
    if (r.allowed_by_permissions_boundary) {
      boundary_detail =
          json::object{{"AllowedByPermissionsBoundary", *r.allowed_by_permissions_boundary}};
      result["PermissionsBoundaryDecisionDetail"] = *boundary_detail;
    }
    if (page.per_resource) {
      json::object specific{{"EvalResourceName", r.resource},
                            {"EvalResourceDecision", decision},
                            {"MatchedStatements", std::move(matched)},
                            {"MissingContextValues", std::move(missing)}};
      if (boundary_detail) specific["PermissionsBoundaryDecisionDetail"] = *boundary_detail;
      result["ResourceSpecificResults"] = json::array{std::move(specific)};
    }
    results.push_back(std::move(result));
  }
  json::object out{{"EvaluationResults", std::move(results)},
                   {"IsTruncated", page.marker.has_value()}};
  if (page.marker) out["Marker"] = *page.marker;
  return json::value(std::move(out));
}

json::value ContextKeysJson(const std::vector<std::string>& names) {
  return json::value{{"ContextKeyNames", Strings(names)}};
}

}  // namespace

IamService::Json IamService::SimulateCustomPolicy(RequestContext& ctx) const {
  if (!ctx.input.contains("PolicyInputList")) return NotNull("PolicyInputList");
  ASSIGN_OR_RETURN(iam::SimulationRequest request, ReadRequest(ctx.input));
  ASSIGN_OR_RETURN(iam::SimulationPage page,
                   simulator_.SimulateCustomPolicy(request, ctx.principal.account));
  return PageJson(page);
}

IamService::Json IamService::SimulatePrincipalPolicy(RequestContext& ctx) const {
  if (!ctx.input.contains("PolicySourceArn")) return NotNull("PolicySourceArn");
  ASSIGN_OR_RETURN(iam::SimulationRequest request, ReadRequest(ctx.input));
  ASSIGN_OR_RETURN(iam::SimulationPage page,
                   simulator_.SimulatePrincipalPolicy(Str(ctx.input, "PolicySourceArn"), request,
                                                      ctx.principal.account));
  return PageJson(page);
}

IamService::Json IamService::GetContextKeysForCustomPolicy(RequestContext& ctx) const {
  if (!ctx.input.contains("PolicyInputList")) return NotNull("PolicyInputList");
  ASSIGN_OR_RETURN(std::vector<std::string> names, simulator_.ContextKeysForCustomPolicy(
                                                       InputStrings(ctx.input, "PolicyInputList")));
  return ContextKeysJson(names);
}

IamService::Json IamService::GetContextKeysForPrincipalPolicy(RequestContext& ctx) const {
  if (!ctx.input.contains("PolicySourceArn")) return NotNull("PolicySourceArn");
  ASSIGN_OR_RETURN(std::vector<std::string> names, simulator_.ContextKeysForPrincipalPolicy(
                                                       Str(ctx.input, "PolicySourceArn"),
                                                       InputStrings(ctx.input, "PolicyInputList")));
  return ContextKeysJson(names);
}

}  // namespace kiroku::services
