// Selectors: Put/GetEventSelectors (basic or advanced) and Put/GetInsightSelectors (kiroku
// generates no Insights events).
#include "api/json_members.h"
#include "services/cloudtrail/cloudtrail_service.h"
#include "services/cloudtrail/cloudtrail_wire.h"
#include "trail/trail_rules.h"

namespace kiroku::services {
namespace json = boost::json;
using api::Str;
using cloudtrail::Error;
using cloudtrail::OptBool;
using cloudtrail::OptStr;
using trail::TrailConfig;
namespace {

json::array DefaultEventSelectors() {
  return json::array{trail::EventSelectorToJson(trail::EventSelector{})};
}

// The trail's selectors as PutEventSelectors/GetEventSelectors answer them.
json::object SelectorsJson(const TrailConfig& t) {
  json::object o{{"TrailARN", t.Arn()}};
  if (!t.advanced_event_selectors.empty()) {
    json::array advanced;
    for (const auto& s : t.advanced_event_selectors) {
      advanced.push_back(trail::AdvancedEventSelectorToJson(s));
    }
    o["AdvancedEventSelectors"] = std::move(advanced);
    return o;
  }
  if (!t.custom_event_selectors) {
    o["EventSelectors"] = DefaultEventSelectors();
    return o;
  }
  json::array basic;
  for (const auto& s : t.event_selectors) basic.push_back(trail::EventSelectorToJson(s));
  o["EventSelectors"] = std::move(basic);
  return o;
}

}  // namespace

Result<json::value> CloudTrailService::PutEventSelectors(RequestContext& ctx) const {
  const json::object& in = ctx.input;
  ASSIGN_OR_RETURN(TrailConfig found, Lookup(ctx, Str(in, "TrailName"), /*shadow_by_name=*/true));
  RETURN_IF_ERROR(RequireHome(ctx, found));
  const json::value* basic = in.if_contains("EventSelectors");
  const json::value* advanced = in.if_contains("AdvancedEventSelectors");
  bool has_basic = basic != nullptr && basic->is_array();
  bool has_advanced = advanced != nullptr && advanced->is_array();
  if (has_basic == has_advanced) {
    return Error("InvalidEventSelectorsException",
                 has_basic ? "Specify either EventSelectors or AdvancedEventSelectors, not both."
                           : "Specify EventSelectors or AdvancedEventSelectors.");
  }
  std::vector<trail::EventSelector> selectors;
  std::vector<trail::AdvancedEventSelector> advanced_selectors;
  if (has_basic) {
    for (const json::value& s : basic->as_array()) {
      if (!s.is_object())
        return Error("InvalidEventSelectorsException", "Malformed event selector.");
      selectors.push_back(trail::EventSelectorFromJson(s.as_object()));
    }
    RETURN_IF_ERROR(trail::ValidateEventSelectors(selectors));
  } else {
    for (const json::value& s : advanced->as_array()) {
      if (!s.is_object()) {
        return Error("InvalidEventSelectorsException", "Malformed advanced event selector.");
      }
      advanced_selectors.push_back(trail::AdvancedEventSelectorFromJson(s.as_object()));
    }
    RETURN_IF_ERROR(trail::ValidateAdvancedEventSelectors(advanced_selectors));
  }
  ASSIGN_OR_RETURN(
      TrailConfig t,
      d_.trails.Modify(found.account_id, found.home_region, found.name, [&](TrailConfig& config) {
        config.event_selectors = selectors;
        config.advanced_event_selectors = advanced_selectors;
        config.custom_event_selectors = true;
        return Status::Ok();
      }));
  return json::value(SelectorsJson(t));
}

Result<json::value> CloudTrailService::GetEventSelectors(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(TrailConfig t,
                   Lookup(ctx, Str(ctx.input, "TrailName"), /*shadow_by_name=*/true));
  return json::value(SelectorsJson(t));
}

// kiroku generates no Insights events, so a trail never has Insights enabled.
Result<json::value> CloudTrailService::PutInsightSelectors(RequestContext& ctx) const {
  const json::object& in = ctx.input;
  if (!Str(in, "EventDataStore").empty()) {
    return Error("UnsupportedOperationException",
                 "kiroku has no CloudTrail Lake event data stores.");
  }
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(in, "TrailName"), /*shadow_by_name=*/true));
  RETURN_IF_ERROR(RequireHome(ctx, t));
  const json::value* selectors = in.if_contains("InsightSelectors");
  if (selectors != nullptr && selectors->is_array() && !selectors->as_array().empty()) {
    return Error("UnsupportedOperationException",
                 "kiroku does not generate CloudTrail Insights events.");
  }
  return json::value{{"TrailARN", t.Arn()}, {"InsightSelectors", json::array()}};
}

Result<json::value> CloudTrailService::GetInsightSelectors(RequestContext& ctx) const {
  const json::object& in = ctx.input;
  if (!Str(in, "EventDataStore").empty()) {
    return Error("UnsupportedOperationException",
                 "kiroku has no CloudTrail Lake event data stores.");
  }
  ASSIGN_OR_RETURN(TrailConfig t, Lookup(ctx, Str(in, "TrailName"), /*shadow_by_name=*/true));
  return Error("InsightNotEnabledException",
               "Trail " + t.Arn() + " does not have Insights enabled.");
}

}  // namespace kiroku::services
