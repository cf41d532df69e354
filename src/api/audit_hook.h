// AuditHook: turns every authenticated AWS call — allowed or denied, successful or failed —
// into a CloudTrail record (trail::ApiCallRecord) and hands it to the Recorder. Unauthenticated
// requests (no valid signature) are not recorded, as on AWS. IAM and STS are global services:
// their events land in us-east-1.
#pragma once

#include "api/stage.h"
#include "trail/recorder.h"

namespace kiroku::api {

class AuditHook final : public CompletionHook {
 public:
  // `recorder` and `clock` must outlive the hook.
  AuditHook(trail::Recorder& recorder, const Clock& clock) : recorder_(recorder), clock_(clock) {}
  void OnComplete(const RequestContext& ctx, const Status& status) override;

 private:
  trail::Recorder& recorder_;
  const Clock& clock_;
};

// The record AuditHook would write (exposed for tests).
trail::ApiCallRecord BuildRecord(const RequestContext& ctx, const Status& status, TimePoint now);

// Whether (service, operation) is a data event (not recorded as a management event):
// CloudWatch Logs' data plane and S3 object operations.
bool IsDataEvent(std::string_view service, std::string_view operation);
// Whether the operation only reads (readOnly in its record).
bool IsReadOnly(std::string_view service, std::string_view operation);

}  // namespace kiroku::api
