#include "trail/trail_rules.h"

#include <algorithm>
#include <array>
#include <set>

#include "common/arn.h"

namespace kiroku::trail {
namespace {

Status BadName(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidTrailNameException");
}

Status BadSelectors(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidEventSelectorsException");
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsPunct(char c) { return c == '.' || c == '_' || c == '-'; }

// Four dot-separated groups of 1-3 digits.
bool LooksLikeIpAddress(std::string_view name) {
  int groups = 0;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string_view part =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || part.size() > 3 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    ++groups;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return groups == 4;
}

constexpr std::array<std::string_view, 3> kReadWriteTypes = {"ReadOnly", "WriteOnly", "All"};
constexpr std::array<std::string_view, 2> kExcludableSources = {"kms.amazonaws.com",
                                                                "rdsdata.amazonaws.com"};
constexpr std::array<std::string_view, 3> kBasicResourceTypes = {
    "AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table"};
constexpr std::array<std::string_view, 11> kAdvancedFields = {
    "eventCategory", "eventSource",
    "eventName",     "eventType",
    "readOnly",      "resources.type",
    "resources.ARN", "userIdentity.arn",
    "errorCode",     "sessionCredentialFromConsole",
    "vpcEndpointId"};
constexpr std::array<std::string_view, 3> kEventCategories = {"Management", "Data",
                                                              "NetworkActivity"};

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

template <size_t N>
std::string Join(const std::array<std::string_view, N>& values) {
  std::string out;
  for (std::string_view v : values) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

struct OperatorRef {
  std::string_view name;
  const std::vector<std::string>* values;
};

std::vector<OperatorRef> Operators(const FieldSelector& f) {
  return {{"Equals", &f.equals},
          {"StartsWith", &f.starts_with},
          {"EndsWith", &f.ends_with},
          {"NotEquals", &f.not_equals},
          {"NotStartsWith", &f.not_starts_with},
          {"NotEndsWith", &f.not_ends_with}};
}

// Only `allowed` operators carry values.
Status OnlyOperators(const FieldSelector& f, std::initializer_list<std::string_view> allowed) {
  for (const OperatorRef& op : Operators(f)) {
    if (op.values->empty()) continue;
    if (std::find(allowed.begin(), allowed.end(), op.name) == allowed.end()) {
      std::string names;
      for (std::string_view a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      return BadSelectors("Invalid operator " + std::string(op.name) + " for field " + f.field +
                          ": use " + names + ".");
    }
  }
  return Status::Ok();
}

Status ValidateAdvanced(const AdvancedEventSelector& s, size_t& total_values) {
  if (s.name.size() > 1000) {
    return BadSelectors("Advanced event selector name must be at most 1000 characters.");
  }
  if (s.field_selectors.empty()) {
    return BadSelectors("An advanced event selector needs at least one field selector.");
  }
  std::set<std::string> seen;
  const FieldSelector* category = nullptr;
  const FieldSelector* resource_type = nullptr;
  for (const FieldSelector& f : s.field_selectors) {
    if (!OneOf(kAdvancedFields, f.field)) {
      return BadSelectors("Invalid field " + f.field +
                          " in an advanced event selector. Valid fields: " + Join(kAdvancedFields) +
                          ".");
    }
    if (!seen.insert(f.field).second) {
      return BadSelectors("Field " + f.field +
                          " appears more than once in an advanced event selector.");
    }
    size_t values = 0;
    for (const OperatorRef& op : Operators(f)) {
      for (const std::string& v : *op.values) {
        if (v.empty() || v.size() > 2048) {
          return BadSelectors("Values of field " + f.field + " must be 1 to 2048 characters.");
        }
      }
      values += op.values->size();
    }
    if (values == 0) {
      return BadSelectors("Field selector " + f.field +
                          " needs at least one operator with values.");
    }
    total_values += values;
    if (f.field == "eventCategory") category = &f;
    if (f.field == "resources.type") resource_type = &f;
    if (f.field == "readOnly") {
      RETURN_IF_ERROR(OnlyOperators(f, {"Equals"}));
      for (const std::string& v : f.equals) {
        if (v != "true" && v != "false") {
          return BadSelectors("Invalid value " + v + " for field readOnly: use true or false.");
        }
      }
    }
  }
  if (category == nullptr) {
    return BadSelectors("Every advanced event selector must include the eventCategory field.");
  }
  RETURN_IF_ERROR(OnlyOperators(*category, {"Equals"}));
  for (const std::string& v : category->equals) {
    if (!OneOf(kEventCategories, v)) {
      return BadSelectors("Invalid value " + v + " for field eventCategory: use " +
                          Join(kEventCategories) + ".");
    }
  }
  bool management = std::find(category->equals.begin(), category->equals.end(), "Management") !=
                    category->equals.end();
  if (management) {
    if (category->equals.size() != 1) {
      return BadSelectors(
          "A management events selector must have eventCategory Equals Management only.");
    }
    for (const FieldSelector& f : s.field_selectors) {
      if (f.field != "eventCategory" && f.field != "readOnly" && f.field != "eventSource") {
        return BadSelectors("Field " + f.field +
                            " cannot be used for management events: use eventCategory, readOnly "
                            "or eventSource.");
      }
    }
  } else {
    if (resource_type == nullptr) {
      return BadSelectors("A " + category->equals.front() +
                          " events selector must include the resources.type field.");
    }
    RETURN_IF_ERROR(OnlyOperators(*resource_type, {"Equals"}));
    if (resource_type->equals.size() != 1) {
      return BadSelectors("Field resources.type must have exactly one Equals value.");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTrailName(std::string_view name) {
  if (name.size() < 3) {
    return BadName(
        "Trail name too short. Minimum allowed length: 3 characters. Specified name "
        "length: " +
        std::to_string(name.size()) + " characters.");
  }
  if (name.size() > 128) {
    return BadName(
        "Trail name too long. Maximum allowed length: 128 characters. Specified name "
        "length: " +
        std::to_string(name.size()) + " characters.");
  }
  for (char c : name) {
    if (!IsAlnum(c) && !IsPunct(c)) {
      return BadName(
          "Trail name or ARN can only contain uppercase letters, lowercase letters, "
          "numbers, periods (.), hyphens (-), and underscores (_).");
    }
  }
  if (!IsAlnum(name.front())) return BadName("Trail name must starts with a letter or number.");
  if (!IsAlnum(name.back())) return BadName("Trail name must ends with a letter or number.");
  for (size_t i = 1; i < name.size(); ++i) {
    if (IsPunct(name[i]) && IsPunct(name[i - 1])) {
      return BadName(
          "Trail name or ARN cannot have adjacent periods (.), hyphens (-), or "
          "underscores (_).");
    }
  }
  if (LooksLikeIpAddress(name)) {
    return BadName("Trail name cannot be formatted as an IP address.");
  }
  return Status::Ok();
}

std::optional<TrailArnParts> ParseTrailArn(std::string_view text) {
  std::optional<Arn> arn = Arn::Parse(text);
  if (!arn || arn->partition != "aws" || arn->service != "cloudtrail" || arn->region.empty() ||
      arn->account.size() != 12 ||
      !std::all_of(arn->account.begin(), arn->account.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      !arn->resource.starts_with("trail/")) {
    return std::nullopt;
  }
  return TrailArnParts{arn->region, arn->account, arn->resource.substr(6)};
}

Status ValidateTrailArn(std::string_view arn) {
  std::optional<TrailArnParts> parts = ParseTrailArn(arn);
  if (!parts || !ValidateTrailName(parts->name).ok()) {
    return Status::InvalidArgument("Invalid trail ARN: " + std::string(arn) +
                                   ". The format of a trail ARN is "
                                   "arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail.")
        .WithAwsCode("CloudTrailARNInvalidException");
  }
  return Status::Ok();
}

Status ValidateTrailNameOrArn(std::string_view value) {
  if (value.starts_with("arn:")) return ValidateTrailArn(value);
  return ValidateTrailName(value);
}

Status ValidateGlobalServiceEvents(const TrailConfig& trail) {
  if (trail.multi_region && !trail.include_global_service_events) {
    return Status::InvalidArgument("Multi-Region trail must include global service events.")
        .WithAwsCode("InvalidParameterCombinationException");
  }
  return Status::Ok();
}

Status ValidateCloudWatchLogsPair(const TrailConfig& trail) {
  if (trail.cloudwatch_logs_log_group_arn.empty() != trail.cloudwatch_logs_role_arn.empty()) {
    return Status::InvalidArgument("You must specify a role ARN as well as a log group.")
        .WithAwsCode("InvalidCloudWatchLogsRoleArnException");
  }
  return Status::Ok();
}

std::optional<std::string> HomeLogGroupName(const TrailConfig& trail) {
  constexpr std::string_view kGroup = "log-group:";
  std::optional<Arn> arn = Arn::Parse(trail.LogGroupArn());
  if (!arn || arn->partition != "aws" || arn->service != "logs" ||
      arn->region != trail.home_region || arn->account != trail.account_id ||
      !arn->resource.starts_with(kGroup) || arn->resource.size() == kGroup.size()) {
    return std::nullopt;
  }
  std::string group = arn->resource.substr(kGroup.size());
  if (group.find(':') != std::string::npos) return std::nullopt;
  return group;
}

Status ValidateS3KeyPrefix(std::string_view prefix) {
  if (prefix.size() > kMaxS3KeyPrefix) {
    return Status::InvalidArgument("S3 key prefix must be at most 200 characters.")
        .WithAwsCode("InvalidS3PrefixException");
  }
  return Status::Ok();
}

Status ValidateEventSelectors(const std::vector<EventSelector>& selectors) {
  if (selectors.empty() || selectors.size() > kMaxEventSelectors) {
    return BadSelectors("A trail can have 1 to 5 event selectors; " +
                        std::to_string(selectors.size()) + " were given.");
  }
  size_t values = 0;
  for (const EventSelector& s : selectors) {
    if (!OneOf(kReadWriteTypes, s.read_write_type)) {
      return BadSelectors("Value " + s.read_write_type + " for ReadWriteType is invalid: use " +
                          Join(kReadWriteTypes) + ".");
    }
    for (const std::string& source : s.exclude_management_event_sources) {
      if (!OneOf(kExcludableSources, source)) {
        return BadSelectors("Value " + source +
                            " for ExcludeManagementEventSources is invalid: use " +
                            Join(kExcludableSources) + ".");
      }
    }
    for (const DataResource& r : s.data_resources) {
      if (!OneOf(kBasicResourceTypes, r.type)) {
        return BadSelectors("Value " + r.type +
                            " for DataResources.Type is invalid: basic event selectors support " +
                            Join(kBasicResourceTypes) +
                            "; use advanced event selectors for other "
                            "resource types.");
      }
      if (r.values.empty()) {
        return BadSelectors("DataResources of type " + r.type + " need at least one value.");
      }
      for (const std::string& v : r.values) {
        if (!v.starts_with("arn:")) {
          return BadSelectors("Value " + v +
                              " for DataResources.Values is invalid: use an ARN "
                              "or ARN prefix.");
        }
      }
      values += r.values.size();
    }
  }
  if (values > kMaxDataResourceValues) {
    return BadSelectors("A trail can have at most 250 data resources; " + std::to_string(values) +
                        " were given.");
  }
  return Status::Ok();
}

Status ValidateAdvancedEventSelectors(const std::vector<AdvancedEventSelector>& selectors) {
  if (selectors.empty()) {
    return BadSelectors("Specify at least one advanced event selector.");
  }
  size_t values = 0;
  for (const AdvancedEventSelector& s : selectors) RETURN_IF_ERROR(ValidateAdvanced(s, values));
  if (values > kMaxAdvancedSelectorValues) {
    return BadSelectors("Advanced event selectors can have at most 500 values in all; " +
                        std::to_string(values) + " were given.");
  }
  return Status::Ok();
}

Status ValidateTags(const std::vector<std::pair<std::string, std::string>>& tags) {
  for (const auto& [key, value] : tags) {
    if (key.empty() || key.size() > 128 || value.size() > 256) {
      return Status::InvalidArgument(
                 "Tag keys must be 1 to 128 characters and values at most 256 characters.")
          .WithAwsCode("InvalidTagParameterException");
    }
    if (key.starts_with("aws:")) {
      return Status::InvalidArgument("Tag keys starting with aws: are reserved.")
          .WithAwsCode("InvalidTagParameterException");
    }
  }
  if (tags.size() > kMaxTagsPerTrail) {
    return Status::LimitExceeded(
               "The number of tags per trail has exceeded the permitted amount. "
               "Currently, the limit is 50.")
        .WithAwsCode("TagsLimitExceededException");
  }
  return Status::Ok();
}

}  // namespace kiroku::trail
