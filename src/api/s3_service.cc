#include "api/s3_service.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "api/pipeline.h"
#include "api/s3_service_internal.h"
#include "aws/errors.h"
#include "common/encoding.h"
#include "common/logging.h"
#include "crypto/checksum.h"
#include "crypto/hash.h"

namespace kiroku::api {
using namespace s3_internal;  // NOLINT: the S3 handler files share these helpers

namespace {

constexpr size_t kMaxXmlBody = 2 * 1024 * 1024;
constexpr size_t kMaxKeyBytes = 1024;

// Reads the checksum headers S3 defines: at most one x-amz-checksum-<algorithm> or
// x-amz-trailer, agreeing with x-amz-sdk-checksum-algorithm, with a value of the right size.
Result<RequestChecksum> ParseRequestChecksum(const net::Request& request) {
  RequestChecksum out;
  int found = 0;
  for (const net::Header& h : request.headers) {
    std::string name = AsciiLower(h.name);
    if (!name.starts_with("x-amz-checksum-")) continue;
    std::optional<crypto::ChecksumAlgorithm> algorithm =
        crypto::ParseChecksumAlgorithm(std::string_view(name).substr(15));
    if (!algorithm) continue;  // x-amz-checksum-mode, -algorithm, -type
    ++found;
    out.algorithm = algorithm;
    out.header_value = h.value;
  }
  if (const std::string* trailer = request.FindHeader("x-amz-trailer")) {
    std::string name = AsciiLower(*trailer);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    std::optional<crypto::ChecksumAlgorithm> algorithm;
    if (name.starts_with("x-amz-checksum-")) {
      algorithm = crypto::ParseChecksumAlgorithm(std::string_view(name).substr(15));
    }
    if (!algorithm) {
      return InvalidRequest("The value specified in the x-amz-trailer header is not supported");
    }
    ++found;
    out.algorithm = algorithm;
    out.in_trailer = true;
  }
  if (found > 1) {
    return InvalidRequest(
        "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  }
  if (const std::string* sdk = request.FindHeader("x-amz-sdk-checksum-algorithm")) {
    std::optional<crypto::ChecksumAlgorithm> algorithm = crypto::ParseChecksumAlgorithm(*sdk);
    if (algorithm && !out.algorithm) {
      return InvalidRequest(
          "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or "
          "x-amz-trailer headers were found.");
    }
    if (!algorithm || *algorithm != *out.algorithm) {
      return InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.");
    }
  }
  if (out.algorithm && !out.in_trailer) {
    std::optional<std::string> raw = Base64Decode(out.header_value);
    if (!raw || raw->size() != crypto::ChecksumSize(*out.algorithm)) {
      return InvalidRequest("Value for " + out.HeaderName() + " header is invalid.");
    }
  }
  return out;
}

class StringBodyReader final : public net::BodyReader {
 public:
  explicit StringBodyReader(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* out, size_t capacity) override {
    size_t n = std::min(capacity, data_.size());
    std::memcpy(out, data_.data(), n);
    data_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view data_;
};

}  // namespace

namespace s3_internal {

Status InvalidRequest(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidRequest");
}

Status RequestChecksum::Verify(std::string_view raw) const {
  std::optional<std::string> declared;
  if (in_trailer) {
    const net::Header* trailer = nullptr;
    if (chunked != nullptr) {
      for (const net::Header& h : chunked->trailers()) {
        if (h.name == HeaderName()) trailer = &h;
      }
    }
    if (trailer == nullptr) {
      return InvalidRequest("The x-amz-trailer header named " + HeaderName() +
                            " but the body carried no such trailer.");
    }
    declared = Base64Decode(trailer->value);
    if (!declared || declared->size() != crypto::ChecksumSize(*algorithm)) {
      return InvalidRequest("Value for " + HeaderName() + " trailing header is invalid.");
    }
  } else {
    declared = Base64Decode(header_value);
  }
  if (!declared || !crypto::ConstantTimeEquals(*declared, raw)) {
    return Status::InvalidArgument("The " + std::string(crypto::ChecksumAlgorithmName(*algorithm)) +
                                   " you specified did not match the calculated checksum.")
        .WithAwsCode("BadDigest");
  }
  return Status::Ok();
}

// A request header (lower-cased name) or a query parameter, from the decoded input.
std::optional<std::string> HeaderOf(const RequestContext& ctx, std::string_view name) {
  auto it = ctx.input.find("Headers");
  if (it == ctx.input.end() || !it->value().is_object()) {
    // Internal callers name the members as the SDK does.
    static const std::map<std::string_view, std::string_view> kMembers = {
        {"content-type", "ContentType"},
        {"x-amz-acl", "ACL"},
        {"x-amz-server-side-encryption", "ServerSideEncryption"},
        {"x-amz-server-side-encryption-aws-kms-key-id", "SSEKMSKeyId"},
        {"x-amz-server-side-encryption-context", "SSEKMSEncryptionContext"},
        {"x-amz-tagging", "Tagging"}};
    auto member = kMembers.find(name);
    if (member == kMembers.end()) return std::nullopt;
    auto m = ctx.input.find(member->second);
    if (m == ctx.input.end() || !m->value().is_string()) return std::nullopt;
    return std::string(m->value().as_string());
  }
  auto h = it->value().as_object().find(name);
  if (h == it->value().as_object().end()) return std::nullopt;
  return std::string(h->value().as_string());
}
std::optional<std::string> QueryOf(const RequestContext& ctx, std::string_view name) {
  auto it = ctx.input.find("Query");
  if (it == ctx.input.end() || !it->value().is_object()) return std::nullopt;
  auto q = it->value().as_object().find(name);
  if (q == it->value().as_object().end()) return std::nullopt;
  return std::string(q->value().as_string());
}

std::string BucketArn(std::string_view bucket) { return "arn:aws:s3:::" + std::string(bucket); }
std::string ObjectArn(std::string_view bucket, std::string_view key) {
  return "arn:aws:s3:::" + std::string(bucket) + "/" + std::string(key);
}

Status InvalidArgument(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidArgument");
}
Status MalformedXml() {
  return Status::InvalidArgument(
             "The XML you provided was not well-formed or did not validate against our published "
             "schema")
      .WithAwsCode("MalformedXML");
}

Result<std::string> ReadSmallBody(net::BodyReader& body) {
  std::string out;
  char buf[64 * 1024];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, body.Read(buf, sizeof(buf)));
    if (n == 0) return out;
    out.append(buf, n);
    if (out.size() > kMaxXmlBody) {
      return Status::InvalidArgument("Your request was too big.")
          .WithAwsCode("MaxMessageLengthExceeded");
    }
  }
}

}  // namespace s3_internal

S3EventCategory S3EventCategoryOf(std::string_view operation) {
  static const std::set<std::string_view> kData = {"GetObject",
                                                   "HeadObject",
                                                   "PutObject",
                                                   "DeleteObject",
                                                   "DeleteObjects",
                                                   "CopyObject",
                                                   "CreateMultipartUpload",
                                                   "UploadPart",
                                                   "UploadPartCopy",
                                                   "GetObjectTagging",
                                                   "PutObjectTagging",
                                                   "DeleteObjectTagging",
                                                   "GetObjectAcl",
                                                   "PutObjectAcl",
                                                   "ListObjects",
                                                   "ListObjectsV2",
                                                   "CompleteMultipartUpload",
                                                   "AbortMultipartUpload",
                                                   "ListParts"};
  return kData.contains(operation) ? S3EventCategory::kData : S3EventCategory::kManagement;
}

bool S3ReadOnly(std::string_view operation) {
  return operation.starts_with("Get") || operation.starts_with("Head") ||
         operation.starts_with("List");
}

void S3Service::Impl::Add(
    std::string name, std::string action, bool object_level, S3Handler handler,
    std::function<void(const RequestContext&, policy::ContextKeys&)> context) {
  Operation op;
  op.authorization.action = std::move(action);
  if (object_level) {
    op.authorization.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
      return std::vector<std::string>{ObjectArn(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"))};
    };
  } else if (name != "ListBuckets") {
    op.authorization.resources = [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
      return std::vector<std::string>{BucketArn(Str(ctx.input, "Bucket"))};
    };
  }
  op.authorization.context = [context](const RequestContext& ctx, policy::ContextKeys& keys) {
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
    if (std::string arn = Str(ctx.input, "SourceArn"); !arn.empty())
      keys.SetString("aws:SourceArn", arn);
    if (std::string acct = Str(ctx.input, "SourceAccount"); !acct.empty()) {
      keys.SetString("aws:SourceAccount", acct);
    }
    if (context) context(ctx, keys);
  };
  op.authorization.resource_policy =
      [this](const RequestContext& ctx,
             const std::string&) -> Result<std::optional<policy::Policy>> {
    std::string bucket = Str(ctx.input, "Bucket");
    if (bucket.empty()) return std::optional<policy::Policy>();
    auto record = store.GetBucket(bucket);
    if (!record.ok() || record->policy.empty()) return std::optional<policy::Policy>();
    ASSIGN_OR_RETURN(policy::Policy p,
                     policy::ParsePolicy(record->policy, {policy::PolicyKind::kResource,
                                                          "bucket-policy:" + bucket}));
    return std::optional<policy::Policy>(std::move(p));
  };
  // Internal callers (CloudTrail) pass the body in "Body" and get the headers back as JSON.
  op.handler = [this, name](RequestContext& ctx) -> Result<json::value> {
    std::string body = Str(ctx.input, "Body");
    StringBodyReader reader(body);
    S3Reply reply;
    RETURN_IF_ERROR(handlers.at(name)(ctx, reader, reply));
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
  };
  table.Add("s3", name, std::move(op));
  handlers[std::move(name)] = std::move(handler);
}

Result<std::string> S3Service::Impl::OperationName(const net::Request& request,
                                                   const aws::S3Target& target,
                                                   const json::object& query, bool copy_source) {
  const std::string& m = request.method;
  auto q = [&](std::string_view name) { return query.find(name) != query.end(); };
  if (target.bucket.empty()) {
    if (m == "GET") return std::string("ListBuckets");
  } else if (target.key.empty()) {
    static const char* kUnsupported[] = {"lifecycle",           "cors",        "website",
                                         "versioning",          "logging",     "notification",
                                         "replication",         "object-lock", "ownershipControls",
                                         "publicAccessBlock",   "accelerate",  "requestPayment",
                                         "analytics",           "metrics",     "inventory",
                                         "intelligent-tiering", "versions"};
    for (const char* sub : kUnsupported) {
      if (q(sub)) {
        if (std::string_view(sub) == "versioning" && m == "GET")
          return std::string("GetBucketVersioning");
        return Status::InvalidArgument(std::string("The ?") + sub +
                                       " subresource is not implemented by kiroku")
            .WithAwsCode("NotImplemented");
      }
    }
    if (m == "PUT") {
      if (q("policy")) return std::string("PutBucketPolicy");
      if (q("encryption")) return std::string("PutBucketEncryption");
      if (q("tagging")) return std::string("PutBucketTagging");
      if (q("acl")) return std::string("PutBucketAcl");
      return std::string("CreateBucket");
    }
    if (m == "GET") {
      if (q("policy")) return std::string("GetBucketPolicy");
      if (q("location")) return std::string("GetBucketLocation");
      if (q("acl")) return std::string("GetBucketAcl");
      if (q("encryption")) return std::string("GetBucketEncryption");
      if (q("tagging")) return std::string("GetBucketTagging");
      if (q("uploads")) return std::string("ListMultipartUploads");
      if (auto it = query.find("list-type"); it != query.end() && it->value() == "2") {
        return std::string("ListObjectsV2");
      }
      return std::string("ListObjects");
    }
    if (m == "DELETE") {
      if (q("policy")) return std::string("DeleteBucketPolicy");
      if (q("encryption")) return std::string("DeleteBucketEncryption");
      if (q("tagging")) return std::string("DeleteBucketTagging");
      return std::string("DeleteBucket");
    }
    if (m == "HEAD") return std::string("HeadBucket");
    if (m == "POST" && q("delete")) return std::string("DeleteObjects");
  } else {
    if (q("tagging")) {
      if (m == "GET") return std::string("GetObjectTagging");
      if (m == "PUT") return std::string("PutObjectTagging");
      if (m == "DELETE") return std::string("DeleteObjectTagging");
    }
    if (q("acl") || q("retention") || q("legal-hold") || q("torrent") || q("restore") ||
        q("select") || q("attributes")) {
      return Status::InvalidArgument("This object subresource is not implemented by kiroku")
          .WithAwsCode("NotImplemented");
    }
    if (m == "PUT") {
      if (q("partNumber") && q("uploadId")) {
        return std::string(copy_source ? "UploadPartCopy" : "UploadPart");
      }
      return std::string(copy_source ? "CopyObject" : "PutObject");
    }
    if (m == "GET") return std::string(q("uploadId") ? "ListParts" : "GetObject");
    if (m == "HEAD") return std::string("HeadObject");
    if (m == "DELETE") return std::string(q("uploadId") ? "AbortMultipartUpload" : "DeleteObject");
    if (m == "POST") {
      if (q("uploads")) return std::string("CreateMultipartUpload");
      if (q("uploadId")) return std::string("CompleteMultipartUpload");
    }
  }
  return Status::InvalidArgument("The specified method is not allowed against this resource.")
      .WithAwsCode("MethodNotAllowed");
}

net::Response S3Service::Impl::Handle(const net::Request& request,
                                      net::BodyReader& raw_body) const {
  RequestContext ctx(request);
  ctx.request_id = NewRequestId();
  ctx.received_at = clock.Now();
  ctx.route.protocol = aws::Protocol::kRestXml;
  ctx.route.model = aws::ServiceModel::Find("s3");
  S3Reply reply;
  std::string op_name;
  Status status = Run(ctx, raw_body, reply, op_name);
  net::Response response;
  if (status.ok()) {
    response.status = reply.status;
    response.headers = std::move(reply.headers);
    response.body = std::move(reply.body);
    response.stream = std::move(reply.stream);
    response.stream_length = reply.length;
    response.head = request.method == "HEAD";
    response.SetHeader("x-amz-request-id", ctx.request_id);
  } else {
    response = aws::RenderError(nullptr, aws::Protocol::kRestXml, status, ctx.request_id);
    AddErrorDetails(ctx, status, reply.error_details);
    if (!reply.error_details.empty()) {
      std::string extra;
      for (const auto& [name, value] : reply.error_details) {
        extra += "<" + name + ">" + aws::XmlEscape(value) + "</" + name + ">";
        if (name == "Region") response.SetHeader("x-amz-bucket-region", value);
      }
      if (size_t at = response.body.find("<RequestId>"); at != std::string::npos) {
        response.body.insert(at, extra);
      }
    }
    if (request.method == "HEAD") response.body.clear();
    if (status.aws_code() == "NotModified") response.body.clear();
  }
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(clock.Now() - ctx.received_at).count();
  spdlog::debug("{} {} s3.{} {} {} {}us principal={} request_id={}", request.remote_address,
                request.method, op_name.empty() ? "-" : op_name, response.status,
                status.ok() ? "OK" : aws::MapError(nullptr, aws::Protocol::kRestXml, status).code,
                micros, ctx.principal.arn.empty() ? "-" : ctx.principal.arn, ctx.request_id);
  for (const auto& hook : hooks) hook->OnComplete(ctx, status);
  return response;
}

// The elements S3 adds to some error documents, which SDKs read (botocore re-signs for the
// <Region> of an AuthorizationHeaderMalformed).
void S3Service::Impl::AddErrorDetails(
    const RequestContext& ctx, const Status& status,
    std::vector<std::pair<std::string, std::string>>& details) const {
  const std::string& code = status.aws_code();
  if (code == "RequestTimeTooSkewed") {
    const std::string* date = ctx.http.FindHeader("X-Amz-Date");
    if (date != nullptr) details.emplace_back("RequestTime", *date);
    details.emplace_back("ServerTime", FormatIso8601(clock.Now()));
    details.emplace_back("MaxAllowedSkewMilliseconds", "900000");
  } else if (code == "AccessDenied" && status.message() == "Request has expired") {
    details.emplace_back("ServerTime", FormatIso8601(clock.Now()));
  }
}

// Verifies x-amz-content-sha256 as the body passes (handlers call Finish through the
// body reaching its end: the check runs when Read returns 0).
class S3Service::Impl::HashingReader final : public net::BodyReader {
 public:
  HashingReader(net::BodyReader& raw, std::optional<std::string> expected)
      : raw_(raw), expected_(std::move(expected)) {}
  Result<size_t> Read(char* out, size_t capacity) override {
    ASSIGN_OR_RETURN(size_t n, raw_.Read(out, capacity));
    if (!expected_ || finished_) return n;
    if (n > 0) {
      hasher_.Update(std::string_view(out, n));
      return n;
    }
    finished_ = true;
    if (HexEncode(hasher_.Finish()) != *expected_) {
      return Status::InvalidArgument(
                 "The provided 'x-amz-content-sha256' header does not match what was computed.")
          .WithAwsCode("XAmzContentSHA256Mismatch");
    }
    return n;
  }

 private:
  net::BodyReader& raw_;
  std::optional<std::string> expected_;
  bool finished_ = false;
  crypto::Sha256Hasher hasher_;
};

Status S3Service::Impl::Run(RequestContext& ctx, net::BodyReader& raw_body, S3Reply& reply,
                            std::string& op_name) const {
  const net::Request& request = ctx.http;
  ASSIGN_OR_RETURN(aws::S3Target target, aws::ParseS3Target(request));
  ASSIGN_OR_RETURN(auto params, aws::ParseS3Query(request.query()));
  json::object query;
  for (auto& [k, v] : params) {
    if (!k.starts_with("X-Amz-")) query[k] = v;
  }
  json::object headers;
  json::object metadata;
  for (const net::Header& h : request.headers) {
    std::string name = h.name;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[name] = h.value;
    if (name.starts_with("x-amz-meta-")) metadata[name.substr(11)] = h.value;
  }
  bool copy_source = headers.contains("x-amz-copy-source");
  ASSIGN_OR_RETURN(op_name, OperationName(request, target, query, copy_source));
  ctx.route.operation_name = op_name;
  if (target.key.size() > kMaxKeyBytes) {
    return Status::InvalidArgument("Your key is too long").WithAwsCode("KeyTooLongError");
  }
  ctx.input["Bucket"] = target.bucket;
  ctx.input["Key"] = target.key;
  ctx.input["Query"] = std::move(query);
  ctx.input["Headers"] = std::move(headers);
  ctx.input["Metadata"] = std::move(metadata);

  ctx.s3_virtual_host_bucket = target.virtual_hosted ? target.bucket : "";
  // The signature must be scoped to the bucket's region (AuthenticateStage compares the
  // scope with ctx.region when set); legacy (SigV2) presigned URLs carry no region: the
  // bucket's own applies.
  ctx.region.clear();
  if (!target.bucket.empty()) {
    if (auto b = store.GetBucket(target.bucket); b.ok()) ctx.region = b->region;
  }
  std::string bucket_region = ctx.region;
  Status authenticated = authenticate.Run(ctx);
  if (ctx.region.empty()) ctx.region = "us-east-1";  // what the records of this call say
  if (!authenticated.ok()) {
    if (!bucket_region.empty() &&
        (authenticated.aws_code() == "AuthorizationHeaderMalformed" ||
         authenticated.aws_code() == "AuthorizationQueryParametersError") &&
        authenticated.message().find("the region '") != std::string::npos) {
      reply.error_details.emplace_back("Region", bucket_region);
    }
    return authenticated;
  }
  ctx.served = table.Find("s3", op_name);
  if (ctx.served == nullptr) return Status::Internal("S3 operation not registered: " + op_name);
  // Authorized before a byte of the body is read.
  RETURN_IF_ERROR(authorize.Authorize(ctx));
  // CompleteMultipartUpload's x-amz-checksum-* name the completed object's checksum, not
  // the body's (the handler checks them).
  RequestChecksum checksum;
  if (op_name != "CompleteMultipartUpload") {
    ASSIGN_OR_RETURN(checksum, ParseRequestChecksum(request));
  }

  // The payload as the signature declared it: aws-chunked streams are decoded (and each
  // chunk's signature checked, and the trailer's); a declared SHA-256 is compared once the
  // body has been read.
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
  if (op_name == "PutObject" || op_name == "UploadPart") {
    // Uploads stream: WriteBlob verifies the payload and the checksum as the last byte
    // arrives and commits nothing before.
    reply.checksum = &checksum;
    return handlers.at(op_name)(ctx, *body, reply);
  }
  // Every other operation gets its (small) body read and verified first, whether or not it
  // uses it: a signed payload that does not match is refused before anything changes.
  ASSIGN_OR_RETURN(std::string text, ReadSmallBody(*body));
  if (checksum.algorithm) {
    RETURN_IF_ERROR(checksum.Verify(crypto::ComputeChecksum(*checksum.algorithm, text)));
  }
  StringBodyReader verified(text);
  return handlers.at(op_name)(ctx, verified, reply);
}

S3Service::Impl::S3Handler S3Service::Impl::Bind(Status (Impl::*fn)(RequestContext&,
                                                                    net::BodyReader&, S3Reply&)
                                                     const) {
  return S3Handler([this, fn](RequestContext& c, net::BodyReader& b, S3Reply& r) {
    return (this->*fn)(c, b, r);
  });
}

void S3Service::Impl::Register() {
  RegisterBuckets();
  RegisterObjects();
  RegisterMultipart();
}

S3Service::S3Service(OperationTable& table, s3::S3Store& store,
                     const iam::IdentityStore& identities, const iam::SessionStore& sessions,
                     const crypto::SecretBytes& master_key, const InternalCaller& kms,
                     const Clock& clock)
    : impl_(std::make_unique<Impl>(table, store, identities, sessions, master_key, kms, clock)) {
  impl_->Register();
}

S3Service::~S3Service() = default;

void S3Service::OnComplete(std::unique_ptr<CompletionHook> hook) {
  impl_->hooks.push_back(std::move(hook));
}

net::Response S3Service::Handle(const net::Request& request, net::BodyReader& body) const {
  return impl_->Handle(request, body);
}

}  // namespace kiroku::api
