// CloudTrail's delivery destinations, as CloudTrail reaches them on AWS — through the same
// authorization as any caller, never around it:
//
// - S3LogFileSink writes log files with s3:PutObject *as* cloudtrail.amazonaws.com, with
//   x-amz-acl bucket-owner-full-control and aws:SourceArn / aws:SourceAccount naming the trail,
//   so the bucket policy decides (the documented CloudTrail bucket policy allows it). Trails with
//   a KmsKeyId get SSE-KMS objects whose encryption context also holds aws:cloudtrail:arn (the
//   trail ARN), which the documented CloudTrail key policy conditions on. Digest files go the
//   same way, with their signature as x-amz-meta-* metadata.
// - RoleCloudWatchLogsSink assumes the trail's CloudWatch Logs role as cloudtrail.amazonaws.com
//   (the role's trust policy decides), creates the stream <account>_CloudTrail_<home region> if
//   needed and calls logs:PutLogEvents *as the role session* (the role's policies decide, against
//   the stream ARN). The log group then encrypts through KMS as the logs service, so the key
//   policy decides too. Each role assumption is recorded as an AssumeRole event by AWSService
//   cloudtrail.amazonaws.com, as on AWS; the session is reused until shortly before it expires
//   (so delivery does not feed on itself).
//
// Thread-safe (the Deliverer calls from one thread, tests from others).
#pragma once

#include <map>
#include <set>

#include "api/internal_caller.h"
#include "common/mutex.h"
#include "iam/identity_store.h"
#include "iam/session_store.h"
#include "trail/deliverer.h"
#include "trail/recorder.h"

namespace kiroku::services {

class S3LogFileSink final : public trail::LogFileSink, public trail::DigestFileSink {
 public:
  explicit S3LogFileSink(const api::InternalCaller& caller) : caller_(caller) {}
  Status PutLogFile(const trail::TrailConfig& trail, const std::string& key,
                    const std::string& body) override;
  Status PutDigestFile(const trail::TrailConfig& trail, const std::string& key,
                       const std::string& body,
                       const std::map<std::string, std::string>& metadata) override;

 private:
  Status Put(const trail::TrailConfig& trail, const std::string& key, const std::string& body,
             const std::map<std::string, std::string>& metadata);
  const api::InternalCaller& caller_;
};

class RoleCloudWatchLogsSink final : public trail::CloudWatchLogsSink {
 public:
  // All must outlive the sink; `recorder` may be null (no AssumeRole events).
  RoleCloudWatchLogsSink(const api::InternalCaller& caller, const iam::IdentityStore& identities,
                         iam::SessionStore& sessions, trail::Recorder* recorder, const Clock& clock)
      : caller_(caller),
        identities_(identities),
        sessions_(sessions),
        recorder_(recorder),
        clock_(clock) {}

  Status PutEvents(const trail::TrailConfig& trail, const std::vector<Event>& events) override;

 private:
  struct CachedSession {
    std::string role_arn;
    iam::Principal principal;
    TimePoint expiration;
  };
  Result<iam::Principal> RoleSession(const trail::TrailConfig& trail);
  void RecordAssumeRole(const trail::TrailConfig& trail, const iam::AssumedRole& assumed,
                        const iam::Role& role, const std::string& session_name);

  const api::InternalCaller& caller_;
  const iam::IdentityStore& identities_;
  iam::SessionStore& sessions_;
  trail::Recorder* recorder_;
  const Clock& clock_;
  Mutex mu_;
  std::map<std::string, CachedSession> sessions_by_trail_ GUARDED_BY(mu_);
  std::set<std::string> streams_ GUARDED_BY(mu_);  // "<group ARN>|<stream>" known to exist
};

}  // namespace kiroku::services
