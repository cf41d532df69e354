// LookupEvents: the region's event history (90 days), newest first, as event summaries.
#include <chrono>

#include "api/json_members.h"
#include "common/encoding.h"
#include "services/cloudtrail/cloudtrail_service.h"

namespace kiroku::services {
namespace json = boost::json;
using api::Str;
using api::TimeMember;
namespace {

// The LookupEvents summary of a stored record.
json::object EventSummary(const json::object& record) {
  json::object event{{"EventId", Str(record, "eventID")},
                     {"EventName", Str(record, "eventName")},
                     {"EventSource", Str(record, "eventSource")},
                     {"CloudTrailEvent", json::serialize(record)}};
  const json::value* read_only = record.if_contains("readOnly");
  event["ReadOnly"] =
      read_only != nullptr && read_only->is_bool() && read_only->as_bool() ? "true" : "false";
  // eventTime is whole seconds ("YYYY-MM-DDThh:mm:ssZ"): epoch seconds on the wire.
  std::string t = Str(record, "eventTime");
  if (t.size() == 20) {
    std::string compact = t.substr(0, 4) + t.substr(5, 2) + t.substr(8, 2) + "T" + t.substr(11, 2) +
                          t.substr(14, 2) + t.substr(17, 2) + "Z";
    if (auto tp = ParseAmzDate(compact)) {
      event["EventTime"] = std::chrono::duration<double>(tp->time_since_epoch()).count();
    }
  }
  if (const json::value* identity = record.if_contains("userIdentity");
      identity != nullptr && identity->is_object()) {
    const json::object& id = identity->as_object();
    std::string key = Str(id, "accessKeyId");
    if (!key.empty()) event["AccessKeyId"] = key;
    std::string name = Str(id, "userName");
    if (name.empty() && Str(id, "type") == "Root") name = "root";
    if (name.empty() && id.contains("sessionContext")) {
      std::string arn = Str(id, "arn");
      name = arn.substr(arn.rfind('/') + 1);
    }
    if (!name.empty()) event["Username"] = name;
  }
  json::array resources;
  if (const json::value* rs = record.if_contains("resources"); rs != nullptr && rs->is_array()) {
    for (const json::value& r : rs->as_array()) {
      resources.push_back({{"ResourceType", Str(r.as_object(), "type")},
                           {"ResourceName", Str(r.as_object(), "ARN")}});
    }
  }
  event["Resources"] = std::move(resources);
  return event;
}

}  // namespace

Result<json::value> CloudTrailService::LookupEvents(RequestContext& ctx) const {
  trail::LookupQuery query;
  query.account_id = ctx.account;
  query.region = ctx.region;
  if (const json::value* attrs = ctx.input.if_contains("LookupAttributes");
      attrs != nullptr && attrs->is_array() && !attrs->as_array().empty()) {
    if (attrs->as_array().size() > 1) {
      return Status::InvalidArgument("You cannot specify more than one lookup attribute.")
          .WithAwsCode("InvalidLookupAttributesException");
    }
    const json::object& a = attrs->as_array()[0].as_object();
    query.attribute = {Str(a, "AttributeKey"), Str(a, "AttributeValue")};
  }
  query.start_time = TimeMember(ctx.input, "StartTime");
  query.end_time = TimeMember(ctx.input, "EndTime");
  if (const json::value* max = ctx.input.if_contains("MaxResults"); max && max->is_number()) {
    int64_t n = max->to_number<int64_t>();
    if (n < 1 || n > 50) {
      return Status::InvalidArgument("MaxResults must be between 1 and 50")
          .WithAwsCode("InvalidMaxResultsException");
    }
    query.max_results = static_cast<size_t>(n);
  }
  query.next_token = Str(ctx.input, "NextToken");
  std::string category = Str(ctx.input, "EventCategory");
  if (!category.empty() && category != "insight") {
    return Status::InvalidArgument("EventCategory must be insight")
        .WithAwsCode("InvalidEventCategoryException");
  }
  json::array events;
  std::string next;
  if (category.empty()) {  // kiroku records no Insights events
    d_.recorder.Flush();
    ASSIGN_OR_RETURN(trail::LookupPage page, d_.history.Lookup(query));
    for (const json::object& record : page.records) events.push_back(EventSummary(record));
    next = page.next_token;
  }
  json::object out{{"Events", std::move(events)}};
  if (!next.empty()) out["NextToken"] = next;
  return json::value(std::move(out));
}

}  // namespace kiroku::services
