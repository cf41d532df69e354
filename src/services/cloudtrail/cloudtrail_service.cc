// The cloudtrail operation table: one row per operation (docs/cloudtrail.md). readOnly is what
// CloudTrail records for each (Get/List/Describe/Lookup read); every operation is a management
// event.
#include "services/cloudtrail/cloudtrail_service.h"

#include "common/arn.h"
#include "services/cloudtrail/cloudtrail_wire.h"

namespace kiroku::services {
namespace json = boost::json;

using api::Access;
using api::EventCategory;
using api::Handler;
using cloudtrail::TagList;

namespace {

// aws:RequestTag/<key> and aws:TagKeys of a TagsList member.
void RequestTagKeys(const api::RequestContext& ctx, policy::ContextKeys& keys) {
  auto tags = TagList(ctx.input, "TagsList");
  if (tags.empty()) return;
  std::vector<std::string> names;
  for (const auto& [k, v] : tags) {
    keys.SetString("aws:RequestTag/" + k, v);
    names.push_back(k);
  }
  keys.SetStrings("aws:TagKeys", std::move(names));
}

}  // namespace

api::Authorization CloudTrailService::TrailAuthorization(std::string member, bool new_trail,
                                                         bool request_tags) const {
  api::Authorization auth;
  auth.resources = [this, member = std::move(member),
                    new_trail](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::vector<std::string> arns;
    const json::value* v = ctx.input.if_contains(member);
    std::vector<std::string> values;
    if (v != nullptr && v->is_string()) values.emplace_back(v->as_string());
    if (v != nullptr && v->is_array()) {
      for (const json::value& e : v->as_array()) {
        if (e.is_string()) values.emplace_back(e.as_string());
      }
    }
    for (const std::string& value : values) {
      if (value.starts_with("arn:")) {
        arns.push_back(value);
        continue;
      }
      // A name: the ARN of the trail it finds (a shadow trail's is its home region's).
      auto found = new_trail ? Result<trail::TrailConfig>(Status::NotFound(value))
                             : d_.trails.Find(ctx.account, ctx.region, value);
      arns.push_back(found.ok()
                         ? found->Arn()
                         : Arn::CloudTrail(ctx.region, ctx.account, "trail/" + value).ToString());
    }
    return arns;
  };
  if (request_tags) auth.context = RequestTagKeys;
  return auth;
}

std::vector<api::Operation> CloudTrailService::Operations() const {
  constexpr bool kNewTrail = true;
  constexpr bool kRequestTags = true;
  using S = CloudTrailService;
  // clang-format off
  return {
      // Event history and digest keys (events.cc, public_keys.cc).
      {"cloudtrail", "LookupEvents", "cloudtrail:LookupEvents", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::LookupEvents), {}},
      {"cloudtrail", "ListPublicKeys", "cloudtrail:ListPublicKeys", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::ListPublicKeys), {}},
      // Trails (trails.cc).
      {"cloudtrail", "CreateTrail", "cloudtrail:CreateTrail", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::CreateTrail),
       TrailAuthorization("Name", kNewTrail, kRequestTags)},
      {"cloudtrail", "UpdateTrail", "cloudtrail:UpdateTrail", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::UpdateTrail), TrailAuthorization("Name")},
      {"cloudtrail", "DeleteTrail", "cloudtrail:DeleteTrail", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::DeleteTrail), TrailAuthorization("Name")},
      {"cloudtrail", "GetTrail", "cloudtrail:GetTrail", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::GetTrail), TrailAuthorization("Name")},
      {"cloudtrail", "DescribeTrails", "cloudtrail:DescribeTrails", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::DescribeTrails), {}},
      {"cloudtrail", "ListTrails", "cloudtrail:ListTrails", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::ListTrails), {}},
      // Logging status (logging.cc).
      {"cloudtrail", "StartLogging", "cloudtrail:StartLogging", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::StartLogging), TrailAuthorization("Name")},
      {"cloudtrail", "StopLogging", "cloudtrail:StopLogging", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::StopLogging), TrailAuthorization("Name")},
      {"cloudtrail", "GetTrailStatus", "cloudtrail:GetTrailStatus", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::GetTrailStatus), TrailAuthorization("Name")},
      // Selectors (selectors.cc).
      {"cloudtrail", "PutEventSelectors", "cloudtrail:PutEventSelectors", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::PutEventSelectors),
       TrailAuthorization("TrailName")},
      {"cloudtrail", "GetEventSelectors", "cloudtrail:GetEventSelectors", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::GetEventSelectors),
       TrailAuthorization("TrailName")},
      {"cloudtrail", "PutInsightSelectors", "cloudtrail:PutInsightSelectors", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::PutInsightSelectors),
       TrailAuthorization("TrailName")},
      {"cloudtrail", "GetInsightSelectors", "cloudtrail:GetInsightSelectors", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::GetInsightSelectors),
       TrailAuthorization("TrailName")},
      // Tags (tags.cc).
      {"cloudtrail", "AddTags", "cloudtrail:AddTags", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::AddTags),
       TrailAuthorization("ResourceId", !kNewTrail, kRequestTags)},
      {"cloudtrail", "RemoveTags", "cloudtrail:RemoveTags", Access::kWrite,
       EventCategory::kManagement, Handler(this, &S::RemoveTags),
       TrailAuthorization("ResourceId")},
      {"cloudtrail", "ListTags", "cloudtrail:ListTags", Access::kRead,
       EventCategory::kManagement, Handler(this, &S::ListTags),
       TrailAuthorization("ResourceIdList")},
  };
  // clang-format on
}

}  // namespace kiroku::services
