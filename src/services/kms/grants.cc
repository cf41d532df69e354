// Grants: create (the token names the key and the grant), list, revoke, and retire — which the
// grant itself authorizes, not the policies.
#include <algorithm>

#include "common/arn.h"
#include "common/encoding.h"
#include "services/kms/kms_service.h"
#include "services/kms/kms_service_internal.h"

namespace kiroku::services {
using namespace kms_internal;  // NOLINT: the service's own helpers

using Json = Result<json::value>;

Json KmsService::CreateGrant(RequestContext& ctx) const {
  kms::Grant grant;
  grant.grantee_principal = Str(ctx.input, "GranteePrincipal");
  grant.retiring_principal = Str(ctx.input, "RetiringPrincipal");
  grant.name = Str(ctx.input, "Name");
  if (const json::value* ops = ctx.input.if_contains("Operations"); ops && ops->is_array()) {
    for (const json::value& o : ops->as_array()) grant.operations.emplace_back(o.as_string());
  }
  if (const json::value* c = ctx.input.if_contains("Constraints"); c && c->is_object()) {
    grant.context_equals = Context(c->as_object(), "EncryptionContextEquals");
    grant.context_subset = Context(c->as_object(), "EncryptionContextSubset");
  }
  ASSIGN_OR_RETURN(kms::Grant created,
                   keys_.CreateGrant(ScopeOf(ctx), Str(ctx.input, "KeyId"), grant));
  std::string token = Base64Encode(created.key_id + ":" + created.grant_id);
  return json::value{{"GrantId", created.grant_id}, {"GrantToken", token}};
}

Json KmsService::ListGrants(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(auto grants, keys_.ListGrants(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  std::string only_id = Str(ctx.input, "GrantId");
  std::string only_grantee = Str(ctx.input, "GranteePrincipal");
  json::array out;
  for (const kms::Grant& g : grants) {
    if (!only_id.empty() && g.grant_id != only_id) continue;
    if (!only_grantee.empty() && g.grantee_principal != only_grantee) continue;
    json::array ops;
    for (const std::string& o : g.operations) ops.emplace_back(o);
    json::object grant{{"KeyId", Arn::Kms(ctx.region, ctx.account, "key/" + g.key_id).ToString()},
                       {"GrantId", g.grant_id},
                       {"Name", g.name},
                       {"CreationDate", EpochSeconds(g.creation_date)},
                       {"GranteePrincipal", g.grantee_principal},
                       {"IssuingAccount", g.issuing_account},
                       {"Operations", std::move(ops)}};
    if (!g.retiring_principal.empty()) grant["RetiringPrincipal"] = g.retiring_principal;
    out.push_back(std::move(grant));
  }
  return json::value{{"Grants", std::move(out)}, {"Truncated", false}};
}

Json KmsService::RevokeGrant(RequestContext& ctx) const {
  RETURN_IF_ERROR(
      keys_.RevokeGrant(ScopeOf(ctx), Str(ctx.input, "KeyId"), Str(ctx.input, "GrantId")));
  return json::value(json::object());
}

// The retiring principal (or the grantee, when the grant lists RetireGrant) may retire a grant;
// so may the account's root.
Json KmsService::RetireGrant(RequestContext& ctx) const {
  std::string key_ref = Str(ctx.input, "KeyId");
  std::string grant_id = Str(ctx.input, "GrantId");
  if (std::string token = Str(ctx.input, "GrantToken"); !token.empty()) {
    auto decoded = Base64Decode(token);
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return Status::InvalidArgument("Invalid grant token")
          .WithAwsCode("InvalidGrantTokenException");
    }
    key_ref = decoded->substr(0, colon);
    grant_id = decoded->substr(colon + 1);
  }
  if (key_ref.empty() || grant_id.empty()) {
    return Validation("GrantToken, or KeyId and GrantId, are required");
  }
  ASSIGN_OR_RETURN(auto grants, keys_.ListGrants(ScopeOf(ctx), key_ref));
  for (const kms::Grant& g : grants) {
    if (g.grant_id != grant_id) continue;
    bool grantee_may =
        g.grantee_principal == ctx.principal.arn &&
        std::find(g.operations.begin(), g.operations.end(), "RetireGrant") != g.operations.end();
    bool may = g.retiring_principal == ctx.principal.arn || grantee_may ||
               ctx.principal.type == policy::PrincipalType::kRoot;
    if (!may) {
      return Status::AccessDenied("User: " + ctx.principal.arn +
                                  " is not authorized to perform: kms:RetireGrant on this grant");
    }
    RETURN_IF_ERROR(keys_.RetireGrant(ScopeOf(ctx), key_ref, grant_id).status());
    return json::value(json::object());
  }
  return Status::NotFound("Grant ID " + grant_id + " not found").WithAwsCode("NotFoundException");
}

}  // namespace kiroku::services
