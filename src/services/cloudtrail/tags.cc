// Tags: AddTags, RemoveTags and ListTags on trails named by ARN.
#include <algorithm>

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
using cloudtrail::TagList;
using cloudtrail::TagsJson;
using trail::TrailConfig;

Result<TrailConfig> CloudTrailService::TaggedTrail(const RequestContext& ctx,
                                                   std::string_view resource_id) const {
  RETURN_IF_ERROR(trail::ValidateTrailArn(resource_id));
  auto t = Lookup(ctx, resource_id, /*shadow_by_name=*/false);
  if (!t.ok() && t.status().code() == Code::kNotFound) {
    return Status::NotFound("Resource not found: " + std::string(resource_id))
        .WithAwsCode("ResourceNotFoundException");
  }
  return t;
}

Result<json::value> CloudTrailService::AddTags(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(TrailConfig found, TaggedTrail(ctx, Str(ctx.input, "ResourceId")));
  auto added = TagList(ctx.input, "TagsList");
  RETURN_IF_ERROR(trail::ValidateTags(added));
  RETURN_IF_ERROR(d_.trails
                      .Modify(found.account_id, found.home_region, found.name,
                              [&](TrailConfig& t) {
                                for (auto& [key, value] : added) {
                                  auto it = std::find_if(
                                      t.tags.begin(), t.tags.end(),
                                      [&key = key](const auto& e) { return e.first == key; });
                                  if (it != t.tags.end()) {
                                    it->second = value;
                                  } else {
                                    t.tags.emplace_back(key, value);
                                  }
                                }
                                return trail::ValidateTags(t.tags);
                              })
                      .status());
  return json::value(json::object());
}

Result<json::value> CloudTrailService::RemoveTags(RequestContext& ctx) const {
  ASSIGN_OR_RETURN(TrailConfig found, TaggedTrail(ctx, Str(ctx.input, "ResourceId")));
  auto removed = TagList(ctx.input, "TagsList");
  RETURN_IF_ERROR(
      d_.trails
          .Modify(found.account_id, found.home_region, found.name,
                  [&](TrailConfig& t) {
                    for (const auto& [key, value] : removed) {
                      std::erase_if(t.tags, [&key = key](const auto& e) { return e.first == key; });
                    }
                    return Status::Ok();
                  })
          .status());
  return json::value(json::object());
}

Result<json::value> CloudTrailService::ListTags(RequestContext& ctx) const {
  json::array out;
  if (const json::value* ids = ctx.input.if_contains("ResourceIdList");
      ids != nullptr && ids->is_array()) {
    for (const json::value& id : ids->as_array()) {
      if (!id.is_string()) continue;
      ASSIGN_OR_RETURN(TrailConfig t, TaggedTrail(ctx, id.as_string()));
      out.push_back({{"ResourceId", t.Arn()}, {"TagsList", TagsJson(t.tags)}});
    }
  }
  return json::value{{"ResourceTagList", std::move(out)}};
}

}  // namespace kiroku::services
