// S3's operation table, and the request path of a handler: the body prepared once the call is
// authorized (checksums, aws-chunked decoding, x-amz-content-sha256), the handler, the reply.
#include "services/s3/s3_service.h"

#include "api/json_members.h"
#include "services/s3/s3_internal.h"

namespace kiroku::services {
using namespace s3_internal;  // NOLINT: the S3 files share these helpers
using api::Access;
using api::EventCategory;
using api::Operation;
using api::RequestContext;

namespace {

// Condition keys of the list operations (ListObjects, ListObjectsV2).
void ListKeys(const RequestContext& ctx, policy::ContextKeys& keys) {
  keys.SetString("s3:prefix", QueryOf(ctx, "prefix").value_or(""));
  if (auto d = QueryOf(ctx, "delimiter")) keys.SetString("s3:delimiter", *d);
  if (auto m = QueryOf(ctx, "max-keys")) {
    try {
      keys.SetNumber("s3:max-keys", std::stoll(*m));
    } catch (const std::exception&) {
    }
  }
}

}  // namespace

S3Service::S3Service(s3::S3Store& store, s3::DataKeys& sse_s3, const iam::IdentityStore& identities,
                     const api::InternalCaller& kms, const Clock& clock)
    : store_(store), sse_s3_(sse_s3), kms_(kms), clock_(clock), authorize_(identities, clock) {
  rows_.Add(Operations());
}

// readOnly: the operations that only read (Get*, Head*, List*). Data events: the object-level
// operations (and ListObjects); the bucket-level ones are management events.
std::vector<Operation> S3Service::Operations() const {
  const BodyUse kStreamed = BodyUse::kStreamed;
  return {
      // buckets.cc
      {"s3", "ListBuckets", "s3:ListAllMyBuckets", Access::kRead, EventCategory::kManagement,
       Rest(&S3Service::ListBuckets), AccountAuthorization()},
      {"s3", "CreateBucket", "s3:CreateBucket", Access::kWrite, EventCategory::kManagement,
       Rest(&S3Service::CreateBucket), BucketAuthorization()},
      {"s3", "HeadBucket", "s3:ListBucket", Access::kRead, EventCategory::kManagement,
       Rest(&S3Service::HeadBucket), BucketAuthorization()},
      {"s3", "GetBucketLocation", "s3:GetBucketLocation", Access::kRead, EventCategory::kManagement,
       Rest(&S3Service::GetBucketLocation), BucketAuthorization()},
      {"s3", "GetBucketVersioning", "s3:GetBucketVersioning", Access::kRead,
       EventCategory::kManagement, Rest(&S3Service::GetBucketVersioning), BucketAuthorization()},
      {"s3", "DeleteBucket", "s3:DeleteBucket", Access::kWrite, EventCategory::kManagement,
       Rest(&S3Service::DeleteBucket), BucketAuthorization()},
      {"s3", "PutBucketPolicy", "s3:PutBucketPolicy", Access::kWrite, EventCategory::kManagement,
       Rest(&S3Service::PutBucketPolicy), BucketAuthorization()},
      {"s3", "GetBucketPolicy", "s3:GetBucketPolicy", Access::kRead, EventCategory::kManagement,
       Rest(&S3Service::GetBucketPolicy), BucketAuthorization()},
      {"s3", "DeleteBucketPolicy", "s3:DeleteBucketPolicy", Access::kWrite,
       EventCategory::kManagement, Rest(&S3Service::DeleteBucketPolicy), BucketAuthorization()},
      {"s3", "GetBucketAcl", "s3:GetBucketAcl", Access::kRead, EventCategory::kManagement,
       Rest(&S3Service::GetBucketAcl), BucketAuthorization()},
      {"s3", "PutBucketAcl", "s3:PutBucketAcl", Access::kWrite, EventCategory::kManagement,
       Rest(&S3Service::PutBucketAcl), BucketAuthorization()},
      {"s3", "PutBucketEncryption", "s3:PutEncryptionConfiguration", Access::kWrite,
       EventCategory::kManagement, Rest(&S3Service::PutBucketEncryption), BucketAuthorization()},
      {"s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration", Access::kRead,
       EventCategory::kManagement, Rest(&S3Service::GetBucketEncryption), BucketAuthorization()},
      {"s3", "DeleteBucketEncryption", "s3:PutEncryptionConfiguration", Access::kWrite,
       EventCategory::kManagement, Rest(&S3Service::DeleteBucketEncryption), BucketAuthorization()},
      {"s3", "PutBucketTagging", "s3:PutBucketTagging", Access::kWrite, EventCategory::kManagement,
       Rest(&S3Service::PutBucketTagging), BucketAuthorization()},
      {"s3", "GetBucketTagging", "s3:GetBucketTagging", Access::kRead, EventCategory::kManagement,
       Rest(&S3Service::GetBucketTagging), BucketAuthorization()},
      {"s3", "DeleteBucketTagging", "s3:PutBucketTagging", Access::kWrite,
       EventCategory::kManagement, Rest(&S3Service::DeleteBucketTagging), BucketAuthorization()},
      // objects.cc
      {"s3", "ListObjects", "s3:ListBucket", Access::kRead, EventCategory::kData,
       Rest(&S3Service::ListObjects), BucketAuthorization(ListKeys)},
      {"s3", "ListObjectsV2", "s3:ListBucket", Access::kRead, EventCategory::kData,
       Rest(&S3Service::ListObjectsV2), BucketAuthorization(ListKeys)},
      // No action of its own: S3 authorizes s3:DeleteObject for each key the body names
      // (S3Service::DeleteObjects), so the request itself is not checked.
      {"s3", "DeleteObjects", "", Access::kWrite, EventCategory::kData,
       Rest(&S3Service::DeleteObjects), BucketAuthorization()},
      {"s3", "PutObject", "s3:PutObject", Access::kWrite, EventCategory::kData,
       Rest(&S3Service::PutObject, kStreamed), ObjectAuthorization()},
      {"s3", "CopyObject", "s3:PutObject", Access::kWrite, EventCategory::kData,
       Rest(&S3Service::CopyObject), ObjectAuthorization()},
      {"s3", "GetObject", "s3:GetObject", Access::kRead, EventCategory::kData,
       Rest(&S3Service::GetObject), ObjectAuthorization()},
      {"s3", "HeadObject", "s3:GetObject", Access::kRead, EventCategory::kData,
       Rest(&S3Service::HeadObject), ObjectAuthorization()},
      {"s3", "DeleteObject", "s3:DeleteObject", Access::kWrite, EventCategory::kData,
       Rest(&S3Service::DeleteObject), ObjectAuthorization()},
      {"s3", "PutObjectTagging", "s3:PutObjectTagging", Access::kWrite, EventCategory::kData,
       Rest(&S3Service::PutObjectTagging), ObjectAuthorization()},
      {"s3", "GetObjectTagging", "s3:GetObjectTagging", Access::kRead, EventCategory::kData,
       Rest(&S3Service::GetObjectTagging), ObjectAuthorization()},
      {"s3", "DeleteObjectTagging", "s3:DeleteObjectTagging", Access::kWrite, EventCategory::kData,
       Rest(&S3Service::DeleteObjectTagging), ObjectAuthorization()},
      // multipart.cc
      {"s3", "ListMultipartUploads", "s3:ListBucketMultipartUploads", Access::kRead,
       EventCategory::kManagement, Rest(&S3Service::ListMultipartUploads), BucketAuthorization()},
      {"s3", "CreateMultipartUpload", "s3:PutObject", Access::kWrite, EventCategory::kData,
       Rest(&S3Service::CreateMultipartUpload), ObjectAuthorization()},
      {"s3", "UploadPart", "s3:PutObject", Access::kWrite, EventCategory::kData,
       Rest(&S3Service::UploadPart, kStreamed), ObjectAuthorization()},
      {"s3", "UploadPartCopy", "s3:PutObject", Access::kWrite, EventCategory::kData,
       Rest(&S3Service::UploadPartCopy), ObjectAuthorization()},
      {"s3", "CompleteMultipartUpload", "s3:PutObject", Access::kWrite, EventCategory::kData,
       Rest(&S3Service::CompleteMultipartUpload, BodyUse::kWholeObjectChecksum),
       ObjectAuthorization()},
      {"s3", "AbortMultipartUpload", "s3:AbortMultipartUpload", Access::kWrite,
       EventCategory::kData, Rest(&S3Service::AbortMultipartUpload), ObjectAuthorization()},
      {"s3", "ListParts", "s3:ListMultipartUploadParts", Access::kRead, EventCategory::kData,
       Rest(&S3Service::ListParts), ObjectAuthorization()},
  };
}

// The condition keys and the bucket policy every S3 operation is authorized with.
api::Authorization S3Service::S3Authorization(
    std::function<void(const RequestContext&, policy::ContextKeys&)> context) const {
  api::Authorization auth;
  auth.context = [context](const RequestContext& ctx, policy::ContextKeys& keys) {
    if (auto acl = HeaderOf(ctx, "x-amz-acl")) keys.SetString("s3:x-amz-acl", *acl);
    if (auto sse = HeaderOf(ctx, "x-amz-server-side-encryption")) {
      keys.SetString("s3:x-amz-server-side-encryption", *sse);
    }
    if (auto kid = HeaderOf(ctx, "x-amz-server-side-encryption-aws-kms-key-id")) {
      keys.SetString("s3:x-amz-server-side-encryption-aws-kms-key-id", *kid);
    }
    if (auto cs = HeaderOf(ctx, "x-amz-copy-source")) keys.SetString("s3:x-amz-copy-source", *cs);
    keys.SetString("s3:signatureversion", "AWS4-HMAC-SHA256");
    keys.SetString("s3:authType", ctx.signature.presigned ? "REST-QUERY-STRING" : "REST-HEADER");
    // Set by the calling service itself (InternalCaller input), never by an HTTP client.
    if (std::string arn = api::Str(ctx.input, "SourceArn"); !arn.empty()) {
      keys.SetString("aws:SourceArn", arn);
    }
    if (std::string acct = api::Str(ctx.input, "SourceAccount"); !acct.empty()) {
      keys.SetString("aws:SourceAccount", acct);
    }
    if (context) context(ctx, keys);
  };
  auth.resource_policy = [this](const RequestContext& ctx,
                                const std::string&) -> Result<std::optional<policy::Policy>> {
    std::string bucket = api::Str(ctx.input, "Bucket");
    if (bucket.empty()) return std::optional<policy::Policy>();
    auto record = store_.GetBucket(bucket);
    if (!record.ok() || record->policy.empty()) return std::optional<policy::Policy>();
    ASSIGN_OR_RETURN(policy::Policy p,
                     policy::ParsePolicy(record->policy, {policy::PolicyKind::kResource,
                                                          "bucket-policy:" + bucket}));
    return std::optional<policy::Policy>(std::move(p));
  };
  return auth;
}

// ListBuckets: the account's buckets, no resource of its own ("*").
api::Authorization S3Service::AccountAuthorization() const { return S3Authorization({}); }

api::Authorization S3Service::BucketAuthorization(
    std::function<void(const RequestContext&, policy::ContextKeys&)> context) const {
  api::Authorization auth = S3Authorization(std::move(context));
  auth.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{BucketArn(api::Str(ctx.input, "Bucket"))};
  };
  return auth;
}

api::Authorization S3Service::ObjectAuthorization() const {
  api::Authorization auth = S3Authorization({});
  auth.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{
        ObjectArn(api::Str(ctx.input, "Bucket"), api::Str(ctx.input, "Key"))};
  };
  return auth;
}

RequestContext S3Service::AsCallerFor(const RequestContext& ctx, std::string_view operation) const {
  RequestContext other(ctx.http);
  other.principal = ctx.principal;
  other.account = ctx.account;
  other.region = ctx.region;
  other.session_issued = ctx.session_issued;
  other.session_policies = ctx.session_policies;
  other.signature = ctx.signature;
  other.served = rows_.Find("s3", operation);
  return other;
}

api::OperationFn S3Service::Rest(Fn fn, BodyUse use) const {
  return [this, fn, use](RequestContext& ctx) -> Result<json::value> {
    if (ctx.route.protocol != aws::Protocol::kRestXml) return ServeInternal(ctx, fn);
    RETURN_IF_ERROR(Serve(ctx, fn, use));
    return json::value();
  };
}

Status S3Service::Serve(RequestContext& ctx, Fn fn, BodyUse use) const {
  RequestChecksum checksum;
  if (use != BodyUse::kWholeObjectChecksum) {
    ASSIGN_OR_RETURN(checksum, ParseRequestChecksum(ctx.http));
  }
  // The payload as the signature declared it: aws-chunked streams are decoded (and each
  // chunk's signature checked, and the trailer's); a declared SHA-256 is compared once the
  // body has been read. A body that did not stream is read from the request itself.
  StringBodyReader buffered(ctx.http.body);
  net::BodyReader& raw_body = ctx.body != nullptr ? *ctx.body : buffered;
  const std::string& declared = ctx.signature.payload_hash;
  std::optional<aws::AwsChunkedReader> chunked;
  std::optional<HashingReader> hashing;
  net::BodyReader* body = nullptr;
  if (declared.starts_with("STREAMING-")) {
    chunked.emplace(raw_body, ctx.signature);
    checksum.chunked = &*chunked;
    body = &*chunked;
  } else {
    std::optional<std::string> expected;
    if (declared.size() == 64 && HexDecode(declared)) expected = declared;
    hashing.emplace(raw_body, expected);
    body = &*hashing;
  }
  if (checksum.in_trailer && !declared.ends_with("-TRAILER")) {
    return InvalidRequest(
        "The x-amz-trailer header requires an aws-chunked body (x-amz-content-sha256 "
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER or STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER).");
  }
  S3Reply reply;
  if (use == BodyUse::kStreamed) {
    // Uploads stream: WriteBlob verifies the payload and the checksum as the last byte
    // arrives and commits nothing before.
    reply.checksum = &checksum;
    RETURN_IF_ERROR((this->*fn)(ctx, *body, reply));
  } else {
    // Every other operation gets its (small) body read and verified first, whether or not it
    // uses it: a signed payload that does not match is refused before anything changes.
    ASSIGN_OR_RETURN(std::string text, ReadSmallBody(*body));
    if (checksum.algorithm) {
      RETURN_IF_ERROR(checksum.Verify(crypto::ComputeChecksum(*checksum.algorithm, text)));
    }
    StringBodyReader verified(text);
    RETURN_IF_ERROR((this->*fn)(ctx, verified, reply));
  }
  net::Response response;
  response.status = reply.status;
  response.headers = std::move(reply.headers);
  response.body = std::move(reply.body);
  response.stream = std::move(reply.stream);
  response.stream_length = reply.length;
  response.head = ctx.http.method == "HEAD";
  response.SetHeader("x-amz-request-id", ctx.request_id);
  ctx.reply = std::move(response);
  return Status::Ok();
}

// Internal callers (CloudTrail) pass the body in "Body" and get the headers back as JSON.
Result<json::value> S3Service::ServeInternal(RequestContext& ctx, Fn fn) const {
  std::string body = api::Str(ctx.input, "Body");
  StringBodyReader reader(body);
  S3Reply reply;
  RETURN_IF_ERROR((this->*fn)(ctx, reader, reply));
  json::object out;
  for (const net::Header& h : reply.headers) out[h.name] = h.value;
  if (reply.stream) {
    std::string content(reply.length, '\0');
    size_t got = 0;
    while (got < content.size()) {
      ASSIGN_OR_RETURN(size_t n, reply.stream->Read(content.data() + got, content.size() - got));
      if (n == 0) return Status::Internal("object shorter than its record");
      got += n;
    }
    reply.body = std::move(content);
  }
  if (!reply.body.empty()) out["Body"] = reply.body;
  return json::value(std::move(out));
}

}  // namespace kiroku::services
