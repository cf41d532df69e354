// A key's settings: its key policy (PutKeyPolicy with the lockout safety check), rotation
// (automatic and on demand) and tags.
#include "common/encoding.h"
#include "services/kms/kms_service.h"
#include "services/kms/kms_service_internal.h"

namespace kiroku::services {
using namespace kms_internal;  // NOLINT: the service's own helpers

using Json = Result<json::value>;

// --- key policies ---------------------------------------------------------------------------

Json KmsService::GetKeyPolicy(RequestContext& ctx) const {
  std::string name = Str(ctx.input, "PolicyName");
  if (!name.empty() && name != "default") {
    return Status::NotFound("No such policy exists").WithAwsCode("NotFoundException");
  }
  ASSIGN_OR_RETURN(std::string text, keys_.GetKeyPolicy(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  return json::value{{"Policy", text}, {"PolicyName", "default"}};
}

Json KmsService::ListKeyPolicies(RequestContext& ctx) const {
  RETURN_IF_ERROR(keys_.DescribeKey(ScopeOf(ctx), Str(ctx.input, "KeyId")).status());
  return json::value{{"PolicyNames", json::array{"default"}}, {"Truncated", false}};
}

Json KmsService::PutKeyPolicy(RequestContext& ctx) const {
  std::string ref = Str(ctx.input, "KeyId");
  std::string text = Str(ctx.input, "Policy");
  std::string name = Str(ctx.input, "PolicyName");
  if (!name.empty() && name != "default") return Validation("PolicyName must be default");
  ASSIGN_OR_RETURN(policy::Policy parsed, ParseKeyPolicy(text));
  ASSIGN_OR_RETURN(kms::KeyMetadata key, keys_.DescribeKey(ScopeOf(ctx), ref));
  RETURN_IF_ERROR(CheckLockout(ctx, parsed, key.arn));
  RETURN_IF_ERROR(keys_.PutKeyPolicy(ScopeOf(ctx), ref, text));
  return json::value(json::object());
}

// --- rotation -------------------------------------------------------------------------------

Json KmsService::EnableKeyRotation(RequestContext& ctx) const {
  std::optional<int> period;
  if (auto p = Int(ctx.input, "RotationPeriodInDays")) period = static_cast<int>(*p);
  RETURN_IF_ERROR(keys_.EnableKeyRotation(ScopeOf(ctx), Str(ctx.input, "KeyId"), period));
  return json::value(json::object());
}

Json KmsService::DisableKeyRotation(RequestContext& ctx) const {
  RETURN_IF_ERROR(keys_.DisableKeyRotation(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  return json::value(json::object());
}

Json KmsService::GetKeyRotationStatus(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(kms::KeyMetadata key, keys_.DescribeKey(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  json::object out{{"KeyRotationEnabled", key.rotation_enabled}, {"KeyId", key.arn}};
  if (key.rotation_enabled) {
    out["RotationPeriodInDays"] = key.rotation_period_days;
    if (key.next_rotation_date) out["NextRotationDate"] = EpochSeconds(*key.next_rotation_date);
  }
  return json::value(std::move(out));
}

Json KmsService::RotateKeyOnDemand(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(kms::KeyMetadata key,
                   keys_.RotateKeyOnDemand(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  return json::value{{"KeyId", key.key_id}};
}

Json KmsService::ListKeyRotations(RequestContext& ctx) const {
  std::string ref = Str(ctx.input, "KeyId");
  ASSIGN_OR_RETURN(kms::KeyMetadata key, keys_.DescribeKey(ScopeOf(ctx), ref));
  ASSIGN_OR_RETURN(auto rotations, keys_.ListKeyRotations(ScopeOf(ctx), ref));
  json::array out;
  for (const kms::KeyRotation& r : rotations) {
    out.push_back({{"KeyId", key.key_id},
                   {"KeyMaterialId", r.key_material_id},
                   {"RotationDate", EpochSeconds(r.rotation_date)},
                   {"RotationType", r.rotation_type}});
  }
  return json::value{{"Rotations", std::move(out)}, {"Truncated", false}};
}

// --- tags -----------------------------------------------------------------------------------

Json KmsService::TagResource(RequestContext& ctx) const {
  RETURN_IF_ERROR(keys_.TagResource(ScopeOf(ctx), Str(ctx.input, "KeyId"), TagList(ctx.input)));
  return json::value(json::object());
}

Json KmsService::UntagResource(RequestContext& ctx) const {
  std::vector<std::string> tag_keys;
  if (const json::value* v = ctx.input.if_contains("TagKeys"); v != nullptr && v->is_array()) {
    for (const json::value& k : v->as_array()) tag_keys.emplace_back(k.as_string());
  }
  RETURN_IF_ERROR(keys_.UntagResource(ScopeOf(ctx), Str(ctx.input, "KeyId"), tag_keys));
  return json::value(json::object());
}

Json KmsService::ListResourceTags(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(kms::KeyMetadata key, keys_.DescribeKey(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  json::array tags;
  for (const auto& [k, v] : key.tags) tags.push_back({{"TagKey", k}, {"TagValue", v}});
  return json::value{{"Tags", std::move(tags)}, {"Truncated", false}};
}

}  // namespace kiroku::services
