// CloudTrail operations: LookupEvents over the per-region event history, and the trail
// management API (CreateTrail … GetTrailStatus, selectors, tags) over trail::TrailStore, with
// CreateTrail/UpdateTrail's synchronous checks of the S3 bucket policy, the KMS key policy and
// the CloudWatch Logs group and role (docs/cloudtrail.md).
#pragma once

#include "api/internal_caller.h"
#include "api/operation.h"
#include "common/clock.h"
#include "iam/identity_store.h"
#include "kms/key_store.h"
#include "logs/log_store.h"
#include "s3/s3_store.h"
#include "trail/event_history.h"
#include "trail/recorder.h"
#include "trail/trail_store.h"

namespace kiroku::api {

// `history` and `recorder` must outlive the table. Lookups flush the recorder first, so a
// caller sees its own earlier calls.
void AddCloudTrailOperations(OperationTable& table, const trail::EventHistory& history,
                             trail::Recorder& recorder);

// What the trail operations read and check against. All must outlive the table. `caller`
// evaluates, without running anything, whether cloudtrail.amazonaws.com may use the bucket and
// the key, and whether the CloudWatch Logs role may write the trail's log stream.
struct TrailDeps {
  trail::TrailStore& trails;
  const s3::S3Store& buckets;
  const logs::LogStore& log_groups;
  kms::KeyStore& keys;
  const iam::IdentityStore& identities;
  const InternalCaller& caller;
  const Clock& clock;
  // StopLogging flushes it first, so every call answered before StopLogging is delivered.
  trail::Recorder* recorder = nullptr;
};

// CreateTrail, UpdateTrail, DeleteTrail, GetTrail, DescribeTrails, ListTrails, StartLogging,
// StopLogging, GetTrailStatus, Put/GetEventSelectors, Put/GetInsightSelectors, AddTags,
// RemoveTags, ListTags.
void AddCloudTrailTrailOperations(OperationTable& table, const TrailDeps& deps);

}  // namespace kiroku::api
