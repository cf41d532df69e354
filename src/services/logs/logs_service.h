// LogsService: CloudWatch Logs (awsJson 1.1, Logs_20140328) — log groups, retention, KMS
// association, tags, streams, events (PutLogEvents, GetLogEvents, FilterLogEvents), metric
// filters, TestMetricFilter and account resource policies. Its operation table
// (logs_service.cc) declares each operation's IAM action, the ARN it acts on (the log group's,
// or the stream's for CreateLogStream, DeleteLogStream, PutLogEvents and GetLogEvents) and its
// condition keys (aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*). docs/logs.md.
//
// Thread-safe: the handlers keep no state of their own; LogStore is thread-safe.
#pragma once

#include <boost/json.hpp>
#include <vector>

#include "api/operation.h"
#include "logs/log_store.h"

namespace kiroku::services {

class LogsService final : public api::Service {
 public:
  // `store` must outlive this object, which must outlive the table its operations are added to.
  explicit LogsService(logs::LogStore& store) : store_(store) {}

  std::vector<api::Operation> Operations() const override;

 private:
  using Json = Result<boost::json::value>;

  // Log groups, retention and KMS association (groups.cc).
  Json CreateLogGroup(api::RequestContext& ctx) const;
  Json DeleteLogGroup(api::RequestContext& ctx) const;
  Json DescribeLogGroups(api::RequestContext& ctx) const;
  Json PutRetentionPolicy(api::RequestContext& ctx) const;
  Json DeleteRetentionPolicy(api::RequestContext& ctx) const;
  Json AssociateKmsKey(api::RequestContext& ctx) const;
  Json DisassociateKmsKey(api::RequestContext& ctx) const;
  // Tags (tags.cc).
  Json TagResource(api::RequestContext& ctx) const;
  Json UntagResource(api::RequestContext& ctx) const;
  Json ListTagsForResource(api::RequestContext& ctx) const;
  Json TagLogGroup(api::RequestContext& ctx) const;
  Json UntagLogGroup(api::RequestContext& ctx) const;
  Json ListTagsLogGroup(api::RequestContext& ctx) const;
  // Log streams (streams.cc).
  Json CreateLogStream(api::RequestContext& ctx) const;
  Json DeleteLogStream(api::RequestContext& ctx) const;
  Json DescribeLogStreams(api::RequestContext& ctx) const;
  // Events, the data plane (events.cc).
  Json PutLogEvents(api::RequestContext& ctx) const;
  Json GetLogEvents(api::RequestContext& ctx) const;
  Json FilterLogEvents(api::RequestContext& ctx) const;
  // Metric filters (metric_filters.cc).
  Json PutMetricFilter(api::RequestContext& ctx) const;
  Json DeleteMetricFilter(api::RequestContext& ctx) const;
  Json DescribeMetricFilters(api::RequestContext& ctx) const;
  Json TestMetricFilter(api::RequestContext& ctx) const;
  // Account resource policies (resource_policies.cc).
  Json PutResourcePolicy(api::RequestContext& ctx) const;
  Json DescribeResourcePolicies(api::RequestContext& ctx) const;
  Json DeleteResourcePolicy(api::RequestContext& ctx) const;

  logs::LogStore& store_;
};

}  // namespace kiroku::services
