// S3 over REST-XML (path-style and virtual-hosted addressing): buckets (create, head, list,
// location, delete, policy, ACL, default encryption, tagging), objects (put, get with Range and
// conditions, head, delete, multi-delete, list v1/v2, copy, tagging) and multipart uploads.
//
// One operation table (s3_service.cc): each row names the IAM action, CloudTrail's readOnly and
// event category, the handler, and the authorization — the bucket or object ARN, S3's condition
// keys and the bucket policy as the resource policy. S3 requests take the one api::Pipeline like
// every other service: S3Service is the api::RestRoute that names a request's operation from its
// method, path, query and headers (routing.cc), and its handlers read the streamed body only once
// the call is authorized. PutObject, GetObject and GetBucketAcl are also callable through
// api::InternalCaller (CloudTrail writes log files as cloudtrail.amazonaws.com with
// aws:SourceArn / aws:SourceAccount): the input then names the body ("Body") and the SDK's
// members (ContentType, ACL, ...), and the output carries the response headers and "Body".
//
// Bodies stream: uploads are hashed (MD5 ETag, x-amz-content-sha256, flexible checksums) and
// encrypted chunk by chunk as they arrive, downloads are decrypted as they are written. Each blob
// has its own data key (s3/data_keys.h): SSE-S3 ("AES256") under the master key, SSE-KMS through
// KMS as the caller with the encryption context {"aws:s3:arn": "arn:aws:s3:::bucket/key"}.
//
// Thread-safe once built.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/internal_caller.h"
#include "api/operation.h"
#include "api/rest_route.h"
#include "api/stages.h"
#include "crypto/checksum.h"
#include "s3/data_keys.h"
#include "s3/s3_store.h"

namespace kiroku::services {

namespace s3_internal {
struct S3Reply;
struct RequestChecksum;
}  // namespace s3_internal

class S3Service final : public api::Service, public api::RestRoute {
 public:
  // All must outlive the service. `sse_s3` protects SSE-S3 data keys (s3::MasterKeyDataKeys);
  // `kms` calls KMS as the caller for SSE-KMS. `identities` and `clock` authorize what a request
  // names beyond its own resource (each key of DeleteObjects, the source of a copy).
  S3Service(s3::S3Store& store, s3::DataKeys& sse_s3, const iam::IdentityStore& identities,
            const api::InternalCaller& kms, const Clock& clock);

  std::vector<api::Operation> Operations() const override;
  const api::RestRoute* rest_route() const override { return this; }

  // api::RestRoute: every request aws::IsS3Request claims.
  bool Matches(const net::Request& head) const override;
  Status Route(api::RequestContext& ctx) const override;
  void DecorateError(const api::RequestContext& ctx, const Status& status,
                     net::Response& response) const override;

 private:
  using S3Reply = s3_internal::S3Reply;
  using RequestChecksum = s3_internal::RequestChecksum;
  using Fn = Status (S3Service::*)(api::RequestContext&, net::BodyReader&, S3Reply&) const;

  // How a handler receives the request body (S3Service::Rest).
  enum class BodyUse {
    kWhole,     // read whole (at most 2 MiB) and verified before the handler runs
    kStreamed,  // streamed to the handler, verified as its last byte arrives (uploads)
    // As kWhole, but x-amz-checksum-* name the completed object's checksum, not the body's
    // (CompleteMultipartUpload checks them itself).
    kWholeObjectChecksum,
  };

  // ---- s3_service.cc: the table and the request path of a handler ------------------------

  // The row's handler: over REST-XML, prepares the body as `use` says (after authorization:
  // DispatchStage runs last) and sets ctx.reply; for an internal caller, reads input "Body" and
  // returns the response headers and body as JSON.
  api::OperationFn Rest(Fn fn, BodyUse use = BodyUse::kWhole) const;
  Status Serve(api::RequestContext& ctx, Fn fn, BodyUse use) const;
  Result<boost::json::value> ServeInternal(api::RequestContext& ctx, Fn fn) const;
  api::Authorization BucketAuthorization(
      std::function<void(const api::RequestContext&, policy::ContextKeys&)> context = {}) const;
  api::Authorization ObjectAuthorization() const;
  api::Authorization AccountAuthorization() const;
  api::Authorization S3Authorization(
      std::function<void(const api::RequestContext&, policy::ContextKeys&)> context) const;
  // A request context for the same caller, signature and session as `ctx`, for another S3
  // operation authorized on its own (each key of DeleteObjects, the source of a copy).
  api::RequestContext AsCallerFor(const api::RequestContext& ctx, std::string_view operation) const;

  // ---- encryption.cc: data keys, SSE, encrypted blobs ------------------------------------

  struct Written {
    s3::Segment segment;
    std::string md5_hex;
    std::string checksum_algorithm;  // "CRC32", ...; empty when none was computed
    std::string checksum;            // base64
  };

  // The data keys as the caller of `ctx` may use them (SSE-KMS calls KMS as that caller).
  std::shared_ptr<s3::DataKeys> KeysFor(const api::RequestContext& ctx) const;
  // The encryption an upload asks for, else the bucket's default (SSE-S3 when none).
  Result<s3::Protection> ChooseEncryption(const api::RequestContext& ctx,
                                          const s3::BucketRecord& bucket) const;
  Result<Written> WriteBlob(const api::RequestContext& ctx, net::BodyReader& body,
                            const std::string& bucket, const std::string& key,
                            const s3::Protection& protection, const RequestChecksum* verify,
                            std::optional<crypto::ChecksumAlgorithm> compute) const;
  Result<std::shared_ptr<net::BodySource>> OpenObject(const api::RequestContext& ctx,
                                                      const std::string& bucket,
                                                      const s3::ObjectRecord& object,
                                                      uint64_t start, uint64_t end) const;

  // ---- buckets.cc ------------------------------------------------------------------------

  Result<s3::BucketRecord> OwnBucket(const api::RequestContext& ctx) const;
  Status ListBuckets(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status CreateBucket(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status HeadBucket(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status GetBucketLocation(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status GetBucketVersioning(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status DeleteBucket(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status PutBucketPolicy(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status GetBucketPolicy(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status DeleteBucketPolicy(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status GetBucketAcl(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status PutBucketAcl(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status PutBucketEncryption(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status GetBucketEncryption(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status DeleteBucketEncryption(api::RequestContext& ctx, net::BodyReader& body,
                                S3Reply& reply) const;
  Status PutBucketTagging(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status GetBucketTagging(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status DeleteBucketTagging(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;

  // ---- objects.cc ------------------------------------------------------------------------

  Status PutObject(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status GetObject(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status HeadObject(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status ReadObject(api::RequestContext& ctx, S3Reply& reply, bool head) const;
  Status DeleteObject(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status DeleteObjects(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  // The object named by x-amz-copy-source, once the caller was found allowed to read it.
  Result<std::pair<std::string, s3::ObjectRecord>> CopySource(const api::RequestContext& ctx) const;
  Status CopyObject(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status ListObjects(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status ListObjectsV2(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status List(api::RequestContext& ctx, S3Reply& reply, bool v2) const;
  Status PutObjectTagging(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status GetObjectTagging(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status DeleteObjectTagging(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;

  // ---- multipart.cc ----------------------------------------------------------------------

  Result<s3::PartRecord> WritePart(const api::RequestContext& ctx, net::BodyReader& body,
                                   const s3::UploadRecord& upload, uint32_t number,
                                   const RequestChecksum* verify) const;
  Status CreateMultipartUpload(api::RequestContext& ctx, net::BodyReader& body,
                               S3Reply& reply) const;
  Status UploadPart(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status UploadPartCopy(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status CompleteMultipartUpload(api::RequestContext& ctx, net::BodyReader& body,
                                 S3Reply& reply) const;
  Status AbortMultipartUpload(api::RequestContext& ctx, net::BodyReader& body,
                              S3Reply& reply) const;
  Status ListParts(api::RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status ListMultipartUploads(api::RequestContext& ctx, net::BodyReader& body,
                              S3Reply& reply) const;

  s3::S3Store& store_;
  s3::DataKeys& sse_s3_;
  const api::InternalCaller& kms_;
  const Clock& clock_;
  api::AuthorizeStage authorize_;
  // This service's own rows, for the authorizations a request makes beyond its own.
  api::OperationTable rows_;
};

}  // namespace kiroku::services
