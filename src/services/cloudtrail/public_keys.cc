// ListPublicKeys: the public keys that verify the region's digest files (log file integrity
// validation, trail/signing_keys.h).
#include "api/json_members.h"
#include "common/encoding.h"
#include "services/cloudtrail/cloudtrail_service.h"

namespace kiroku::services {
namespace json = boost::json;
using api::TimeMember;

Result<json::value> CloudTrailService::ListPublicKeys(RequestContext& ctx) const {
  // The region always has a key, as on AWS (created here on first use, before "now" is
  // taken, so a key made by this call is in the default window).
  RETURN_IF_ERROR(d_.signing_keys.Get(ctx.account, ctx.region).status());
  const TimePoint now = d_.clock.Now();
  // Both default to now: the current key.
  TimePoint start = TimeMember(ctx.input, "StartTime").value_or(now);
  TimePoint end = TimeMember(ctx.input, "EndTime").value_or(now);
  if (start > end) {
    return Status::InvalidArgument(
               "Occurs if the timestamp values are not valid. Either the start time occurs "
               "after the end time, or the time range is outside the range of possible values.")
        .WithAwsCode("InvalidTimeRangeException");
  }
  if (const json::value* token = ctx.input.if_contains("NextToken");
      token != nullptr && token->is_string() && !token->as_string().empty()) {
    // Every answer fits one page, so no token was ever issued.
    return Status::InvalidArgument("Reserved for future use.").WithAwsCode("InvalidTokenException");
  }
  ASSIGN_OR_RETURN(std::vector<trail::PublicKeyInfo> found,
                   d_.signing_keys.List(ctx.account, ctx.region, start, end));
  json::array out;
  for (const trail::PublicKeyInfo& k : found) {
    // Keys are never rotated: no ValidityEndTime.
    out.push_back(json::object{{"Value", Base64Encode(k.der)},
                               {"ValidityStartTime", EpochSeconds(k.valid_from)},
                               {"Fingerprint", k.fingerprint}});
  }
  return json::value(json::object{{"PublicKeyList", std::move(out)}});
}

}  // namespace kiroku::services
