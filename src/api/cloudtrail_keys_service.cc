#include "api/cloudtrail_keys_service.h"
#include "api/json_members.h"

#include <cmath>

#include "common/encoding.h"

namespace kiroku::api {
namespace json = boost::json;
namespace {

}  // namespace

void AddCloudTrailKeyOperations(OperationTable& table, trail::SigningKeys& keys,
                                const Clock& clock) {
  Operation list;
  list.authorization.action = "cloudtrail:ListPublicKeys";
  list.handler = [&keys, &clock](RequestContext& ctx) -> Result<json::value> {
    // The region always has a key, as on AWS (created here on first use, before "now" is
    // taken, so a key made by this call is in the default window).
    RETURN_IF_ERROR(keys.Get(ctx.account, ctx.region).status());
    const TimePoint now = clock.Now();
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
      return Status::InvalidArgument("Reserved for future use.")
          .WithAwsCode("InvalidTokenException");
    }
    ASSIGN_OR_RETURN(std::vector<trail::PublicKeyInfo> found,
                     keys.List(ctx.account, ctx.region, start, end));
    json::array out;
    for (const trail::PublicKeyInfo& k : found) {
      // Keys are never rotated: no ValidityEndTime.
      out.push_back(json::object{{"Value", Base64Encode(k.der)},
                                 {"ValidityStartTime", EpochSeconds(k.valid_from)},
                                 {"Fingerprint", k.fingerprint}});
    }
    return json::value(json::object{{"PublicKeyList", std::move(out)}});
  };
  table.Add("cloudtrail", "ListPublicKeys", std::move(list));
}

}  // namespace kiroku::api
