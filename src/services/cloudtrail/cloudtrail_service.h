// CloudTrailService: the cloudtrail operations — LookupEvents over the per-region event history,
// ListPublicKeys (the keys that verify digest files), and the trail management API (CreateTrail
// … GetTrailStatus, selectors, tags) over trail::TrailStore, with CreateTrail/UpdateTrail's
// synchronous checks of the S3 bucket policy, the KMS key policy and the CloudWatch Logs group
// and role (docs/cloudtrail.md). The operation table is in cloudtrail_service.cc; the handlers
// are split by concern: events.cc, public_keys.cc, trails.cc (trail CRUD), logging.cc
// (Start/StopLogging, GetTrailStatus), selectors.cc, tags.cc and delivery_checks.cc (the
// bucket, key, log group and role checks).
//
// Thread-safe: handlers may run concurrently (the stores are).
#pragma once

#include <string_view>
#include <vector>

#include "api/internal_caller.h"
#include "api/operation.h"
#include "common/clock.h"
#include "iam/identity_store.h"
#include "kms/key_store.h"
#include "logs/log_store.h"
#include "s3/s3_store.h"
#include "trail/event_history.h"
#include "trail/recorder.h"
#include "trail/signing_keys.h"
#include "trail/trail_store.h"

namespace kiroku::services {

// What the operations read and check against. All must outlive the service.
struct CloudTrailDeps {
  const trail::EventHistory& history;
  // LookupEvents flushes it first, so a caller sees its own earlier calls; StopLogging too, so
  // every call answered before StopLogging is delivered.
  trail::Recorder& recorder;
  trail::SigningKeys& signing_keys;
  trail::TrailStore& trails;
  const s3::S3Store& buckets;
  const logs::LogStore& log_groups;
  kms::KeyStore& keys;
  const iam::IdentityStore& identities;
  // Evaluates, without running anything, whether cloudtrail.amazonaws.com may use the bucket
  // and the key, and whether the CloudWatch Logs role may write the trail's log stream.
  const api::InternalCaller& caller;
  const Clock& clock;
};

class CloudTrailService : public api::Service {
 public:
  explicit CloudTrailService(const CloudTrailDeps& deps) : d_(deps) {}

  // The rows refer to this object, which must outlive the table they are added to.
  std::vector<api::Operation> Operations() const override;

 private:
  using RequestContext = api::RequestContext;
  using Json = Result<boost::json::value>;

  // events.cc, public_keys.cc
  Json LookupEvents(RequestContext& ctx) const;
  Json ListPublicKeys(RequestContext& ctx) const;
  // trails.cc
  Json CreateTrail(RequestContext& ctx) const;
  Json UpdateTrail(RequestContext& ctx) const;
  Json DeleteTrail(RequestContext& ctx) const;
  Json GetTrail(RequestContext& ctx) const;
  Json DescribeTrails(RequestContext& ctx) const;
  Json ListTrails(RequestContext& ctx) const;
  // logging.cc
  Json StartLogging(RequestContext& ctx) const;
  Json StopLogging(RequestContext& ctx) const;
  Json GetTrailStatus(RequestContext& ctx) const;
  // selectors.cc
  Json PutEventSelectors(RequestContext& ctx) const;
  Json GetEventSelectors(RequestContext& ctx) const;
  Json PutInsightSelectors(RequestContext& ctx) const;
  Json GetInsightSelectors(RequestContext& ctx) const;
  // tags.cc
  Json AddTags(RequestContext& ctx) const;
  Json RemoveTags(RequestContext& ctx) const;
  Json ListTags(RequestContext& ctx) const;

  // How a trail operation is authorized: on the trail(s) named by the input member `member`
  // (a name resolves to the ARN of the trail it finds, or with `new_trail` — CreateTrail — to
  // the ARN the new trail will have in the request's region), with aws:RequestTag/* and
  // aws:TagKeys from TagsList when `request_tags`.
  api::Authorization TrailAuthorization(std::string member, bool new_trail = false,
                                        bool request_tags = false) const;

  // The trail `value` (name or ARN) names as seen from ctx.region. By name: the region's own
  // trail, or with `shadow_by_name` also a multi-region trail homed elsewhere. By ARN: any
  // trail that covers ctx.region. (trails.cc)
  Result<trail::TrailConfig> Lookup(const RequestContext& ctx, std::string_view value,
                                    bool shadow_by_name) const;
  // InvalidHomeRegionException unless ctx.region is the trail's home region.
  Status RequireHome(const RequestContext& ctx, const trail::TrailConfig& t) const;
  Json SetLogging(RequestContext& ctx, bool on) const;
  // The trail a tag operation's ResourceId (an ARN) names. (tags.cc)
  Result<trail::TrailConfig> TaggedTrail(const RequestContext& ctx,
                                         std::string_view resource_id) const;

  // delivery_checks.cc: whether CloudTrail can deliver to the trail's bucket, encrypt with its
  // key (returns the key ARN) and write to its log group through its role.
  Status CheckBucket(const trail::TrailConfig& t) const;
  Result<std::string> CheckKey(const trail::TrailConfig& t, std::string_view key_ref) const;
  Status CheckCloudWatchLogs(const trail::TrailConfig& t) const;

  CloudTrailDeps d_;
};

}  // namespace kiroku::services
