// SseKmsDataKeys: S3's data keys as one caller may use them (s3::DataKeys). SSE-KMS keys are
// generated and decrypted by KMS through api::InternalCaller *as the caller* — its principal,
// account and region, and a service principal's aws:SourceArn / aws:SourceAccount — with the
// encryption context {"aws:s3:arn": "arn:aws:s3:::bucket/key"} plus the caller's pairs, so the
// key policy, grants and conditions decide as they would for the caller's own KMS call; SSE-S3
// keys are handed to `sse_s3` (s3::MasterKeyDataKeys).
//
// Built per request (it carries the caller); thread-safe.
#pragma once

#include <string>

#include "api/internal_caller.h"
#include "iam/principal.h"
#include "s3/data_keys.h"

namespace kiroku::services {

// Who asks KMS for an object's data key.
struct KmsRequester {
  iam::Principal principal;
  std::string account;
  std::string region;
  // A service principal's own resource (CloudTrail's trail), passed on to KMS; empty otherwise.
  std::string source_arn;
  std::string source_account;
};

class SseKmsDataKeys final : public s3::DataKeys {
 public:
  // `kms` and `sse_s3` must outlive this object.
  SseKmsDataKeys(const api::InternalCaller& kms, s3::DataKeys& sse_s3, KmsRequester requester)
      : kms_(kms), sse_s3_(sse_s3), requester_(std::move(requester)) {}

  Result<s3::NewDataKey> Generate(std::string_view bucket, std::string_view key,
                                  const s3::Protection& protection) override;
  Status Seal(const crypto::SecretBytes& plaintext, s3::Segment& segment) override;
  Result<crypto::SecretBytes> Open(std::string_view bucket, std::string_view key,
                                   const s3::Segment& segment) override;

 private:
  api::InternalCall KmsCall(std::string operation, boost::json::object input) const;

  const api::InternalCaller& kms_;
  s3::DataKeys& sse_s3_;
  KmsRequester requester_;
};

}  // namespace kiroku::services
