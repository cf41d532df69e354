// Aliases: create, repoint, delete and list.
#include "common/encoding.h"
#include "services/kms/kms_service.h"
#include "services/kms/kms_service_internal.h"

namespace kiroku::services {
using namespace kms_internal;  // NOLINT: the service's own helpers

using Json = Result<json::value>;

Json KmsService::CreateAlias(RequestContext& ctx) const {
  RETURN_IF_ERROR(
      keys_.CreateAlias(ScopeOf(ctx), Str(ctx.input, "AliasName"), Str(ctx.input, "TargetKeyId")));
  return json::value(json::object());
}

Json KmsService::UpdateAlias(RequestContext& ctx) const {
  RETURN_IF_ERROR(
      keys_.UpdateAlias(ScopeOf(ctx), Str(ctx.input, "AliasName"), Str(ctx.input, "TargetKeyId")));
  return json::value(json::object());
}

Json KmsService::DeleteAlias(RequestContext& ctx) const {
  RETURN_IF_ERROR(keys_.DeleteAlias(ScopeOf(ctx), Str(ctx.input, "AliasName")));
  return json::value(json::object());
}

Json KmsService::ListAliases(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(auto aliases, keys_.ListAliases(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  json::array out;
  for (const kms::Alias& a : aliases) {
    out.push_back({{"AliasName", a.name},
                   {"AliasArn", a.arn},
                   {"TargetKeyId", a.target_key_id},
                   {"CreationDate", EpochSeconds(a.creation_date)},
                   {"LastUpdatedDate", EpochSeconds(a.last_updated_date)}});
  }
  return json::value{{"Aliases", std::move(out)}, {"Truncated", false}};
}

}  // namespace kiroku::services
