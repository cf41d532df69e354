// Keys: create (with the lockout check of a given key policy), describe, list, enable and
// disable, description, scheduled deletion.
#include "common/arn.h"
#include "common/encoding.h"
#include "services/kms/kms_service.h"
#include "services/kms/kms_service_internal.h"

namespace kiroku::services {
using namespace kms_internal;  // NOLINT: the service's own helpers

using Json = Result<json::value>;

Json KmsService::CreateKey(RequestContext& ctx) const {
  kms::CreateKeyOptions options;
  options.description = Str(ctx.input, "Description");
  options.tags = TagList(ctx.input);
  if (std::string usage = Str(ctx.input, "KeyUsage"); !usage.empty()) options.key_usage = usage;
  if (std::string spec = Str(ctx.input, "KeySpec"); !spec.empty()) options.key_spec = spec;
  if (std::string spec = Str(ctx.input, "CustomerMasterKeySpec"); !spec.empty()) {
    options.key_spec = spec;
  }
  if (std::string policy_text = Str(ctx.input, "Policy"); !policy_text.empty()) {
    ASSIGN_OR_RETURN(policy::Policy parsed, ParseKeyPolicy(policy_text));
    RETURN_IF_ERROR(
        CheckLockout(ctx, parsed, Arn::Kms(ctx.region, ctx.account, "key/*").ToString()));
    options.policy = policy_text;
  }
  ASSIGN_OR_RETURN(kms::KeyMetadata key, keys_.CreateKey(ScopeOf(ctx), options));
  return json::value{{"KeyMetadata", MetadataJson(key)}};
}

Json KmsService::DescribeKey(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(kms::KeyMetadata key, keys_.DescribeKey(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  return json::value{{"KeyMetadata", MetadataJson(key)}};
}

Json KmsService::ListKeys(RequestContext& ctx) const {
  int64_t limit = Int(ctx.input, "Limit").value_or(100);
  if (limit < 1 || limit > 1000) return Validation("Limit must be between 1 and 1000");
  bool truncated = false;
  ASSIGN_OR_RETURN(auto list, keys_.ListKeys(ScopeOf(ctx), Str(ctx.input, "Marker"),
                                             static_cast<size_t>(limit), &truncated));
  json::array out;
  for (const kms::KeyMetadata& k : list) out.push_back({{"KeyId", k.key_id}, {"KeyArn", k.arn}});
  json::object result{{"Keys", std::move(out)}, {"Truncated", truncated}};
  if (truncated && !list.empty()) result["NextMarker"] = list.back().key_id;
  return json::value(std::move(result));
}

Json KmsService::EnableKey(RequestContext& ctx) const {
  RETURN_IF_ERROR(keys_.EnableKey(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  return json::value(json::object());
}

Json KmsService::DisableKey(RequestContext& ctx) const {
  RETURN_IF_ERROR(keys_.DisableKey(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  return json::value(json::object());
}

Json KmsService::UpdateKeyDescription(RequestContext& ctx) const {
  RETURN_IF_ERROR(keys_.UpdateKeyDescription(ScopeOf(ctx), Str(ctx.input, "KeyId"),
                                             Str(ctx.input, "Description")));
  return json::value(json::object());
}

Json KmsService::ScheduleKeyDeletion(RequestContext& ctx) const {
  int days = static_cast<int>(Int(ctx.input, "PendingWindowInDays").value_or(30));
  ASSIGN_OR_RETURN(kms::KeyMetadata key,
                   keys_.ScheduleKeyDeletion(ScopeOf(ctx), Str(ctx.input, "KeyId"), days));
  return json::value{{"KeyId", key.arn},
                     {"DeletionDate", EpochSeconds(*key.deletion_date)},
                     {"KeyState", kms::KeyStateName(key.state)},
                     {"PendingWindowInDays", key.pending_window_days}};
}

Json KmsService::CancelKeyDeletion(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(kms::KeyMetadata key,
                   keys_.CancelKeyDeletion(ScopeOf(ctx), Str(ctx.input, "KeyId")));
  return json::value{{"KeyId", key.arn}};
}

}  // namespace kiroku::services
