// Account-level resource policies: put, describe, delete (kiroku serves no per-group ones).
#include "services/logs/logs_service.h"
#include "services/logs/logs_service_internal.h"

namespace kiroku::services {
using api::RequestContext;
using namespace logs_internal;  // NOLINT: the helpers of this service

namespace {

json::object PolicyJson(const logs::ResourcePolicy& p) {
  return json::object{{"policyName", p.name},
                      {"policyDocument", p.document},
                      {"lastUpdatedTime", p.last_updated_time},
                      {"policyScope", "ACCOUNT"}};
}

}  // namespace

Result<json::value> LogsService::PutResourcePolicy(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, Required(ctx.input, "policyName"));
  ASSIGN_OR_RETURN(std::string document, Required(ctx.input, "policyDocument"));
  if (!Str(ctx.input, "resourceArn").empty()) {
    return InvalidParameter("kiroku serves account-level resource policies only (no resourceArn).");
  }
  ASSIGN_OR_RETURN(logs::ResourcePolicy p, store_.PutResourcePolicy(ScopeOf(ctx), name, document));
  return json::value{{"resourcePolicy", PolicyJson(p)}};
}

Result<json::value> LogsService::DescribeResourcePolicies(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::vector<logs::ResourcePolicy> all,
                   store_.DescribeResourcePolicies(ScopeOf(ctx)));
  json::array out;
  for (const logs::ResourcePolicy& p : all) out.push_back(PolicyJson(p));
  return json::value{{"resourcePolicies", std::move(out)}};
}

Result<json::value> LogsService::DeleteResourcePolicy(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(std::string name, Required(ctx.input, "policyName"));
  RETURN_IF_ERROR(store_.DeleteResourcePolicy(ScopeOf(ctx), name));
  return json::value(json::object());
}

}  // namespace kiroku::services
