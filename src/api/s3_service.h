// S3 over REST-XML (path-style and virtual-hosted addressing): buckets (create, head, list,
// location, delete, policy, ACL, default encryption, tagging), objects (put, get with Range and
// conditions, head, delete, multi-delete, list v1/v2, copy) and multipart uploads. Every
// operation is declared in the OperationTable under service "s3" with its IAM action, bucket or
// object ARN, S3 condition keys and the bucket policy as the resource policy, and is authorized
// by AuthorizeStage like any other service. PutObject is also callable through InternalCaller
// (CloudTrail writes log files as cloudtrail.amazonaws.com with aws:SourceArn/SourceAccount).
//
// Bodies stream: uploads are hashed (MD5 ETag, x-amz-content-sha256) and encrypted chunk by
// chunk as they arrive, downloads are decrypted as they are written. Objects are encrypted at
// rest with per-blob data keys, wrapped under the master key (SSE-S3, "AES256") or by KMS with
// the encryption context {"aws:s3:arn": "arn:aws:s3:::bucket/key"} (SSE-KMS).
//
// Thread-safe once built.
#pragma once

#include <memory>

#include "api/internal_caller.h"
#include "api/operation.h"
#include "api/stage.h"
#include "api/stages.h"
#include "crypto/secret.h"
#include "net/http.h"
#include "s3/s3_store.h"

namespace kiroku::api {

// Whether an operation is a CloudTrail management event (bucket-level) or a data event
// (object-level, not recorded by default) — read by the future CloudTrail recorder.
enum class S3EventCategory { kManagement, kData };
S3EventCategory S3EventCategoryOf(std::string_view operation);
// CloudTrail's readOnly field: true for operations that only read (Get*, Head*, List*).
bool S3ReadOnly(std::string_view operation);

class S3Service {
 public:
  // All must outlive the service. `kms` is used for SSE-KMS (GenerateDataKey / Decrypt as the
  // caller). Registers the S3 operations in `table`.
  S3Service(OperationTable& table, s3::S3Store& store, const iam::IdentityStore& identities,
            const iam::SessionStore& sessions, const crypto::SecretBytes& master_key,
            const InternalCaller& kms, const Clock& clock);
  ~S3Service();

  // Serves one S3 request whose body is read from `body` (S3 errors as REST-XML documents).
  net::Response Handle(const net::Request& request, net::BodyReader& body) const;

  // Runs `hook` after every S3 request, as Pipeline::OnComplete does (the CloudTrail audit
  // hook). Call before serving.
  void OnComplete(std::unique_ptr<CompletionHook> hook);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiroku::api
