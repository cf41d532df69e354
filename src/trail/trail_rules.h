// Trail rules: the synchronous checks CreateTrail, UpdateTrail and PutEventSelectors apply to
// their input before anything is stored (aws-behavior.md §3, the cloudtrail model's docs).
// Pure functions over plain values; each error carries the CloudTrail error code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "trail/trail.h"

namespace kiroku::trail {

inline constexpr size_t kMaxEventSelectors = 5;
inline constexpr size_t kMaxDataResourceValues = 250;
inline constexpr size_t kMaxAdvancedSelectorValues = 500;
inline constexpr size_t kMaxS3KeyPrefix = 200;
inline constexpr size_t kMaxTagsPerTrail = 50;

// InvalidArgument (InvalidTrailNameException) unless `name` is 3-128 ASCII letters, digits,
// '.', '_' or '-', starts and ends with a letter or digit, has no two of '.', '_', '-' next to
// each other ("my-_trail", "my--trail") and is not in IP address form ("192.168.5.4").
Status ValidateTrailName(std::string_view name);

// The parts of a trail ARN, arn:aws:cloudtrail:<region>:<12 digits>:trail/<name>; nullopt for
// anything else (the name is not judged).
struct TrailArnParts {
  std::string region, account, name;
};
std::optional<TrailArnParts> ParseTrailArn(std::string_view arn);

// InvalidArgument (CloudTrailARNInvalidException) unless `arn` is a trail ARN whose name passes
// ValidateTrailName.
Status ValidateTrailArn(std::string_view arn);

// A Name / TrailName member: a trail ARN (ValidateTrailArn) when it starts with "arn:", else a
// trail name (ValidateTrailName).
Status ValidateTrailNameOrArn(std::string_view value);

// InvalidArgument (InvalidS3PrefixException) for a prefix over 200 characters.
Status ValidateS3KeyPrefix(std::string_view prefix);

// Basic selectors: 1-5 of them, ReadWriteType ReadOnly|WriteOnly|All, data resources of the
// types basic selectors support with at most 250 values in all, ExcludeManagementEventSources
// only kms.amazonaws.com and rdsdata.amazonaws.com.
// InvalidArgument (InvalidEventSelectorsException) with a message naming the offending value.
Status ValidateEventSelectors(const std::vector<EventSelector>& selectors);

// Advanced selectors for trails: at least one; each has exactly one eventCategory field
// (Equals Management|Data|NetworkActivity), known field names, each field once, at least one
// operator per field, values 1-2048 characters, at most 500 values in all; readOnly takes
// Equals "true"|"false"; Data selectors name resources.type (Equals, one value); management
// selectors use only eventCategory, readOnly and eventSource.
// InvalidArgument (InvalidEventSelectorsException).
Status ValidateAdvancedEventSelectors(const std::vector<AdvancedEventSelector>& selectors);

// InvalidArgument (InvalidParameterCombinationException) for a multi-region trail without
// global service events.
Status ValidateGlobalServiceEvents(const TrailConfig& trail);

// InvalidArgument (InvalidCloudWatchLogsRoleArnException) when only one of the CloudWatch Logs
// log group ARN and role ARN is set: they are given as a pair.
Status ValidateCloudWatchLogsPair(const TrailConfig& trail);

// The name of the log group the trail's CloudWatchLogsLogGroupArn names (":*" or not) when it
// is arn:aws:logs:<home region>:<account>:log-group:<name> with a name without ':'; nullopt
// otherwise (CloudTrail then answers InvalidCloudWatchLogsLogGroupArnException).
std::optional<std::string> HomeLogGroupName(const TrailConfig& trail);

// InvalidArgument (InvalidTagParameterException) for a key of 1-128 / value of 0-256
// characters out of range or a key starting with "aws:"; LimitExceeded
// (TagsLimitExceededException) when `tags` holds more than 50 keys.
Status ValidateTags(const std::vector<std::pair<std::string, std::string>>& tags);

}  // namespace kiroku::trail
