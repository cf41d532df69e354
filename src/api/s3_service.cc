#include "api/s3_service.h"
#include "api/json_members.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <set>

#include "api/pipeline.h"
#include "aws/errors.h"
#include "aws/rest_xml.h"
#include "common/encoding.h"
#include "common/logging.h"
#include "crypto/aead.h"
#include "crypto/checksum.h"
#include "crypto/hash.h"

namespace kiroku::api {
namespace json = boost::json;
namespace {

constexpr size_t kMaxXmlBody = 2 * 1024 * 1024;
constexpr size_t kMaxKeyBytes = 1024;
constexpr uint64_t kMaxPutBytes = 5ull * 1024 * 1024 * 1024;

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status InvalidRequest(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidRequest");
}

// The flexible checksum a request asks S3 to verify: an x-amz-checksum-<algorithm> header, or
// one announced by x-amz-trailer and carried in the aws-chunked trailer.
struct RequestChecksum {
  std::optional<crypto::ChecksumAlgorithm> algorithm;
  std::string header_value;  // base64, when sent as a header
  bool in_trailer = false;
  const aws::AwsChunkedReader* chunked = nullptr;  // where the trailer arrives

  std::string HeaderName() const {
    return "x-amz-checksum-" + LowerAscii(crypto::ChecksumAlgorithmName(*algorithm));
  }

  // Compares `raw`, the digest of the bytes received, with what the client declared; call
  // once the body has been read to its end (the trailer follows the last chunk).
  Status Verify(std::string_view raw) const {
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
      return Status::InvalidArgument("The " +
                                     std::string(crypto::ChecksumAlgorithmName(*algorithm)) +
                                     " you specified did not match the calculated checksum.")
          .WithAwsCode("BadDigest");
    }
    return Status::Ok();
  }
};

// Reads the checksum headers S3 defines: at most one x-amz-checksum-<algorithm> or
// x-amz-trailer, agreeing with x-amz-sdk-checksum-algorithm, with a value of the right size.
Result<RequestChecksum> ParseRequestChecksum(const net::Request& request) {
  RequestChecksum out;
  int found = 0;
  for (const net::Header& h : request.headers) {
    std::string name = LowerAscii(h.name);
    if (!name.starts_with("x-amz-checksum-")) continue;
    std::optional<crypto::ChecksumAlgorithm> algorithm =
        crypto::ParseChecksumAlgorithm(std::string_view(name).substr(15));
    if (!algorithm) continue;  // x-amz-checksum-mode, -algorithm, -type
    ++found;
    out.algorithm = algorithm;
    out.header_value = h.value;
  }
  if (const std::string* trailer = request.FindHeader("x-amz-trailer")) {
    std::string name = LowerAscii(*trailer);
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

// What an S3 handler answers: status, headers and a body (inline or streamed).
struct S3Reply {
  int status = 200;
  std::vector<net::Header> headers;
  std::string body;
  std::shared_ptr<net::BodySource> stream;
  uint64_t length = 0;
  // Request side, set by Run for the operations that stream their body (PutObject,
  // UploadPart): the checksum the client asked to verify. Null for internal callers.
  const RequestChecksum* checksum = nullptr;
  // Extra elements of an error document (S3's <Region>, <ServerTime>, ...).
  std::vector<std::pair<std::string, std::string>> error_details;

  void Set(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
  }
};

using S3Handler = std::function<Status(RequestContext&, net::BodyReader&, S3Reply&)>;

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

std::string HttpDate(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<TimePoint> ParseHttpDate(std::string_view text) {
  std::tm tm{};
  std::string s(text);
  for (const char* fmt : {"%a, %d %b %Y %H:%M:%S GMT", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S"}) {
    tm = {};
    const char* end = strptime(s.c_str(), fmt, &tm);
    if (end != nullptr) return std::chrono::system_clock::from_time_t(timegm(&tm));
  }
  return std::nullopt;
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

// Reads the segments of an object, decrypting blob after blob, over [start, end).
class ObjectSource final : public net::BodySource {
 public:
  using KeyFn = std::function<Result<crypto::SecretBytes>(const s3::Segment&)>;
  ObjectSource(const s3::BlobStore& blobs, std::vector<s3::Segment> segments, uint64_t start,
               uint64_t end, KeyFn key)
      : blobs_(blobs),
        segments_(std::move(segments)),
        position_(start),
        end_(end),
        key_(std::move(key)) {}

  Result<size_t> Read(char* out, size_t capacity) override {
    while (position_ < end_) {
      if (!reader_) {
        uint64_t base = 0;
        size_t i = 0;
        while (i < segments_.size() && base + segments_[i].size <= position_)
          base += segments_[i++].size;
        if (i == segments_.size()) return Status::Internal("object shorter than its record");
        ASSIGN_OR_RETURN(crypto::SecretBytes key, key_(segments_[i]));
        ASSIGN_OR_RETURN(reader_,
                         blobs_.Open(segments_[i].blob, std::move(key), segments_[i].size,
                                     position_ - base, std::min(segments_[i].size, end_ - base)));
      }
      ASSIGN_OR_RETURN(size_t n, reader_->Read(out, capacity));
      if (n == 0) {
        reader_.reset();
        continue;
      }
      position_ += n;
      return n;
    }
    return size_t{0};
  }

 private:
  const s3::BlobStore& blobs_;
  std::vector<s3::Segment> segments_;
  uint64_t position_, end_;
  KeyFn key_;
  std::unique_ptr<s3::BlobReader> reader_;
};

}  // namespace

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

struct S3Service::Impl {
  Impl(OperationTable& t, s3::S3Store& s, const iam::IdentityStore& ids,
       const iam::SessionStore& sess, const crypto::SecretBytes& mk, const InternalCaller& k,
       const Clock& c)
      : table(t),
        store(s),
        master_key(mk),
        kms(k),
        clock(c),
        authenticate(ids, sess, c),
        authorize(ids, c) {}

  OperationTable& table;
  s3::S3Store& store;
  const crypto::SecretBytes& master_key;
  const InternalCaller& kms;
  const Clock& clock;
  mutable AuthenticateStage authenticate;  // Run is non-const but thread-safe
  AuthorizeStage authorize;
  std::map<std::string, S3Handler, std::less<>> handlers;
  std::vector<std::unique_ptr<CompletionHook>> hooks;

  // ---- registration ------------------------------------------------------------------------

  void Add(std::string name, std::string action, bool object_level, S3Handler handler,
           std::function<void(const RequestContext&, policy::ContextKeys&)> context = {}) {
    Operation op;
    op.authorization.action = std::move(action);
    if (object_level) {
      op.authorization.resources =
          [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
        return std::vector<std::string>{ObjectArn(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"))};
      };
    } else if (name != "ListBuckets") {
      op.authorization.resources =
          [](const RequestContext& ctx) -> Result<std::vector<std::string>> {
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
          ASSIGN_OR_RETURN(size_t n,
                           reply.stream->Read(content.data() + got, content.size() - got));
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

  // ---- routing -----------------------------------------------------------------------------

  static Result<std::string> OperationName(const net::Request& request, const aws::S3Target& target,
                                           const json::object& query, bool copy_source) {
    const std::string& m = request.method;
    auto q = [&](std::string_view name) { return query.find(name) != query.end(); };
    if (target.bucket.empty()) {
      if (m == "GET") return std::string("ListBuckets");
    } else if (target.key.empty()) {
      static const char* kUnsupported[] = {
          "lifecycle",           "cors",        "website",
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
      if (m == "DELETE")
        return std::string(q("uploadId") ? "AbortMultipartUpload" : "DeleteObject");
      if (m == "POST") {
        if (q("uploads")) return std::string("CreateMultipartUpload");
        if (q("uploadId")) return std::string("CompleteMultipartUpload");
      }
    }
    return Status::InvalidArgument("The specified method is not allowed against this resource.")
        .WithAwsCode("MethodNotAllowed");
  }

  net::Response Handle(const net::Request& request, net::BodyReader& raw_body) const {
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
        std::chrono::duration_cast<std::chrono::microseconds>(clock.Now() - ctx.received_at)
            .count();
    spdlog::debug("{} {} s3.{} {} {} {}us principal={} request_id={}", request.remote_address,
                  request.method, op_name.empty() ? "-" : op_name, response.status,
                  status.ok() ? "OK" : aws::MapError(nullptr, aws::Protocol::kRestXml, status).code,
                  micros, ctx.principal.arn.empty() ? "-" : ctx.principal.arn, ctx.request_id);
    for (const auto& hook : hooks) hook->OnComplete(ctx, status);
    return response;
  }

  // The elements S3 adds to some error documents, which SDKs read (botocore re-signs for the
  // <Region> of an AuthorizationHeaderMalformed).
  void AddErrorDetails(const RequestContext& ctx, const Status& status,
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

  Status Run(RequestContext& ctx, net::BodyReader& raw_body, S3Reply& reply,
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

  // Verifies x-amz-content-sha256 as the body passes (handlers call Finish through the
  // body reaching its end: the check runs when Read returns 0).
  class HashingReader final : public net::BodyReader {
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

  // ---- keys --------------------------------------------------------------------------------

  struct NewKey {
    crypto::SecretBytes plaintext;
    s3::Segment segment;  // sse, kms key, wrapped key (blob id filled later)
  };

  // KMS's encryption context for an object: the caller's pairs and aws:s3:arn.
  static json::object KmsContext(const std::string& bucket, const std::string& key,
                                 const std::map<std::string, std::string>& context) {
    json::object out;
    for (const auto& [k, v] : context) out[k] = v;
    out["aws:s3:arn"] = ObjectArn(bucket, key);
    return out;
  }

  // A service calling S3 for a resource of its own (CloudTrail for a trail) names it; KMS sees
  // the same aws:SourceArn / aws:SourceAccount when S3 asks for the data key on its behalf.
  static void ForwardSource(const RequestContext& ctx, json::object& kms_input) {
    if (ctx.principal.type != policy::PrincipalType::kService) return;
    for (const char* member : {"SourceArn", "SourceAccount"}) {
      if (std::string v = Str(ctx.input, member); !v.empty()) kms_input[member] = v;
    }
  }

  Result<NewKey> MakeDataKey(const RequestContext& ctx, const std::string& bucket,
                             const std::string& key, const std::string& sse,
                             const std::string& kms_key_id,
                             const std::map<std::string, std::string>& context) const {
    NewKey out;
    out.segment.sse = sse;
    if (sse == "aws:kms") {
      InternalCall call;
      call.principal = ctx.principal;
      call.account = ctx.account;
      call.region = ctx.region;
      call.service = "kms";
      call.operation = "GenerateDataKey";
      call.input = {{"KeyId", kms_key_id.empty() ? "alias/aws/s3" : kms_key_id},
                    {"KeySpec", "AES_256"},
                    {"EncryptionContext", KmsContext(bucket, key, context)}};
      ForwardSource(ctx, call.input);
      ASSIGN_OR_RETURN(json::value result, kms.Call(call));
      out.segment.encryption_context = context;
      std::string plain = Base64Decode(Str(result.as_object(), "Plaintext")).value_or("");
      out.plaintext = crypto::SecretBytes::TakeFrom(&plain);
      out.segment.wrapped_key =
          Base64Decode(Str(result.as_object(), "CiphertextBlob")).value_or("");
      out.segment.kms_key_id = Str(result.as_object(), "KeyId");
      return out;
    }
    out.segment.sse = "AES256";
    out.plaintext = crypto::SecretBytes::Random(32);
    return out;
  }

  static std::string WrapLabel(const std::string& blob) { return "s3-object-blob:" + blob; }

  Result<crypto::SecretBytes> OpenDataKey(const RequestContext& ctx, const std::string& bucket,
                                          const std::string& key, const s3::Segment& seg) const {
    if (seg.sse == "aws:kms") {
      InternalCall call;
      call.principal = ctx.principal;
      call.account = ctx.account;
      call.region = ctx.region;
      call.service = "kms";
      call.operation = "Decrypt";
      call.input = {{"CiphertextBlob", Base64Encode(seg.wrapped_key)},
                    {"EncryptionContext", KmsContext(bucket, key, seg.encryption_context)}};
      ForwardSource(ctx, call.input);
      ASSIGN_OR_RETURN(json::value result, kms.Call(call));
      std::string plain = Base64Decode(Str(result.as_object(), "Plaintext")).value_or("");
      return crypto::SecretBytes::TakeFrom(&plain);
    }
    return crypto::UnwrapKey(master_key, seg.wrapped_key, WrapLabel(seg.blob));
  }

  // The encryption an upload asks for, else the bucket's default (SSE-S3 when none).
  Status ChooseEncryption(const RequestContext& ctx, const s3::BucketRecord& bucket,
                          std::string& sse, std::string& kms_key_id,
                          std::map<std::string, std::string>& context) const {
    context.clear();
    if (auto header = HeaderOf(ctx, "x-amz-server-side-encryption-context")) {
      ASSIGN_OR_RETURN(context, ParseEncryptionContext(*header, bucket.name,
                                                       Str(ctx.input, "Key")));
    }
    sse = HeaderOf(ctx, "x-amz-server-side-encryption").value_or("");
    kms_key_id = HeaderOf(ctx, "x-amz-server-side-encryption-aws-kms-key-id").value_or("");
    if (sse.empty()) {
      sse = bucket.sse_algorithm.empty() ? "AES256" : bucket.sse_algorithm;
      if (sse == "aws:kms" && kms_key_id.empty()) kms_key_id = bucket.kms_key_id;
    }
    if (sse != "AES256" && sse != "aws:kms") {
      return InvalidArgument("The encryption method specified is not supported");
    }
    if (sse == "AES256" && (!kms_key_id.empty() || !context.empty())) {
      return InvalidArgument(
          "Server Side Encryption with AWS KMS managed key requires HTTP header "
          "x-amz-server-side-encryption : aws:kms");
    }
    return Status::Ok();
  }

  // x-amz-server-side-encryption-context: base64 of a JSON object of string pairs. S3 adds
  // aws:s3:arn itself; a caller may name it only with the object's own ARN.
  static Result<std::map<std::string, std::string>> ParseEncryptionContext(
      const std::string& header, const std::string& bucket, const std::string& key) {
    auto bad = [] {
      return InvalidArgument(
          "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 "
          "string holding JSON which represents a string-string map");
    };
    std::optional<std::string> text = Base64Decode(header);
    if (!text) return bad();
    boost::system::error_code ec;
    json::value v = json::parse(*text, ec);
    if (ec || !v.is_object()) return bad();
    std::map<std::string, std::string> context;
    for (const auto& [k, value] : v.as_object()) {
      if (!value.is_string()) return bad();
      context[std::string(k)] = std::string(value.as_string());
    }
    if (auto it = context.find("aws:s3:arn"); it != context.end()) {
      if (it->second != ObjectArn(bucket, key)) {
        return InvalidArgument("Encryption context aws:s3:arn must be the object's ARN");
      }
      context.erase(it);
    }
    return context;
  }

  static void ContextHeader(const std::map<std::string, std::string>& context, S3Reply& reply) {
    if (context.empty()) return;
    json::object o;
    for (const auto& [k, v] : context) o[k] = v;
    reply.Set("x-amz-server-side-encryption-context", Base64Encode(json::serialize(o)));
  }

  struct Written {
    s3::Segment segment;
    std::string md5_hex;
    std::string checksum_algorithm;  // "CRC32", ...; empty when none was computed
    std::string checksum;            // base64
  };

  // Streams `body` into a new encrypted blob. The checksum `verify` names (the client's
  // x-amz-checksum-* header or trailer), else `compute`, is calculated as the bytes pass and,
  // when the client declared one, compared before the blob is committed (BadDigest).
  Result<Written> WriteBlob(const RequestContext& ctx, net::BodyReader& body,
                            const std::string& bucket, const std::string& key,
                            const std::string& sse, const std::string& kms_key_id,
                            const std::map<std::string, std::string>& context,
                            const RequestChecksum* verify,
                            std::optional<crypto::ChecksumAlgorithm> compute) const {
    if (verify != nullptr && verify->algorithm) compute = verify->algorithm;
    std::optional<crypto::Checksum> checksum;
    if (compute) checksum.emplace(*compute);
    ASSIGN_OR_RETURN(NewKey data_key, MakeDataKey(ctx, bucket, key, sse, kms_key_id, context));
    crypto::SecretBytes for_wrap = data_key.plaintext.Copy();
    ASSIGN_OR_RETURN(std::unique_ptr<s3::BlobWriter> writer,
                     store.blobs().Create(std::move(data_key.plaintext)));
    crypto::Md5Hasher md5;
    std::vector<char> buf(1 << 20);
    uint64_t total = 0;
    while (true) {
      ASSIGN_OR_RETURN(size_t n, body.Read(buf.data(), buf.size()));
      if (n == 0) break;
      total += n;
      if (total > kMaxPutBytes) {
        return Status::InvalidArgument("Your proposed upload exceeds the maximum allowed size")
            .WithAwsCode("EntityTooLarge");
      }
      std::string_view piece(buf.data(), n);
      md5.Update(piece);
      if (checksum) checksum->Update(piece);
      RETURN_IF_ERROR(writer->Append(piece));
    }
    std::string md5_raw = md5.Finish();
    if (auto content_md5 = HeaderOf(ctx, "content-md5")) {
      if (Base64Decode(*content_md5).value_or("") != md5_raw) {
        return Status::InvalidArgument(
                   "The Content-MD5 you specified did not match what we received.")
            .WithAwsCode("BadDigest");
      }
    }
    if (auto length = HeaderOf(ctx, "x-amz-decoded-content-length");
        length && std::to_string(total) != *length) {
      return Status::InvalidArgument(
                 "You did not provide the number of bytes specified by the "
                 "x-amz-decoded-content-length header.")
          .WithAwsCode("IncompleteBody");
    }
    Written written;
    if (checksum) {
      std::string raw = checksum->Finish();
      if (verify != nullptr && verify->algorithm) RETURN_IF_ERROR(verify->Verify(raw));
      written.checksum_algorithm = crypto::ChecksumAlgorithmName(*compute);
      written.checksum = Base64Encode(raw);
    }
    RETURN_IF_ERROR(writer->Commit());
    s3::Segment segment = std::move(data_key.segment);
    segment.blob = writer->id();
    segment.size = total;
    if (segment.sse == "AES256") {
      ASSIGN_OR_RETURN(segment.wrapped_key,
                       crypto::WrapKey(master_key, for_wrap, WrapLabel(segment.blob)));
    }
    written.segment = std::move(segment);
    written.md5_hex = HexEncode(md5_raw);
    return written;
  }

  // x-amz-checksum-algorithm of CreateMultipartUpload, CopyObject, UploadPartCopy.
  static Result<std::optional<crypto::ChecksumAlgorithm>> ChecksumAlgorithmHeader(
      const RequestContext& ctx) {
    std::optional<std::string> name = HeaderOf(ctx, "x-amz-checksum-algorithm");
    if (!name) return std::optional<crypto::ChecksumAlgorithm>();
    std::optional<crypto::ChecksumAlgorithm> algorithm = crypto::ParseChecksumAlgorithm(*name);
    if (!algorithm) {
      return InvalidRequest(
          "Checksum algorithm provided is unsupported. Please try again with any of the valid "
          "types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
    }
    return algorithm;
  }

  // x-amz-checksum-<algorithm> and x-amz-checksum-type of a stored checksum.
  static void ChecksumHeaders(const std::string& algorithm, const std::string& value,
                              const std::string& type, S3Reply& reply) {
    if (algorithm.empty() || value.empty()) return;
    reply.Set("x-amz-checksum-" + LowerAscii(algorithm), value);
    if (!type.empty()) reply.Set("x-amz-checksum-type", type);
  }

  // Headers an object keeps from its upload.
  static Status TakeObjectHeaders(const RequestContext& ctx, s3::ObjectRecord& object) {
    object.content_type = HeaderOf(ctx, "content-type").value_or("binary/octet-stream");
    for (const char* h : {"cache-control", "content-disposition", "content-encoding",
                          "content-language", "expires"}) {
      if (auto v = HeaderOf(ctx, h)) {
        if (std::string_view(h) == "content-encoding" && *v == "aws-chunked") continue;
        std::string value = *v;
        if (std::string_view(h) == "content-encoding" && value.starts_with("aws-chunked,")) {
          value = value.substr(12);
        }
        object.headers[h] = value;
      }
    }
    if (auto it = ctx.input.find("Metadata"); it != ctx.input.end() && it->value().is_object()) {
      for (const auto& [k, v] : it->value().as_object())
        object.metadata[std::string(k)] = std::string(v.as_string());
    }
    object.acl = HeaderOf(ctx, "x-amz-acl").value_or("private");
    ASSIGN_OR_RETURN(object.tags, HeaderTags(ctx));
    return Status::Ok();
  }

  // S3's tag rules: keys 1-128 characters, not "aws:", values up to 256, keys unique, at
  // most `limit` tags (50 for buckets, 10 for objects).
  static Status CheckTag(const std::string& key, const std::string& value) {
    if (key.empty() || key.size() > 128 || value.size() > 256 || key.starts_with("aws:")) {
      return Status::InvalidArgument("The TagKey you have provided is invalid")
          .WithAwsCode("InvalidTag");
    }
    return Status::Ok();
  }
  static Status TooManyTags(size_t limit) {
    return Status::InvalidArgument(limit == 10 ? "Object tags cannot be greater than 10"
                                               : "Bucket tag count cannot be greater than 50")
        .WithAwsCode("BadRequest");
  }
  static Status DuplicateTag() {
    return Status::InvalidArgument("Cannot provide multiple Tags with the same key")
        .WithAwsCode("InvalidTag");
  }
  static Result<std::vector<std::pair<std::string, std::string>>> TagSetOf(
      const aws::XmlElement& set, size_t limit) {
    std::vector<std::pair<std::string, std::string>> tags;
    std::set<std::string> seen;
    for (const aws::XmlElement* t : set.Children("Tag")) {
      std::string k = t->ChildText("Key").value_or(""), v = t->ChildText("Value").value_or("");
      RETURN_IF_ERROR(CheckTag(k, v));
      if (!seen.insert(k).second) return DuplicateTag();
      tags.emplace_back(k, v);
    }
    if (tags.size() > limit) return TooManyTags(limit);
    return tags;
  }
  // x-amz-tagging: "k1=v1&k2=v2", URL-encoded like a query string.
  static Result<std::map<std::string, std::string>> HeaderTags(const RequestContext& ctx) {
    std::map<std::string, std::string> tags;
    std::optional<std::string> header = HeaderOf(ctx, "x-amz-tagging");
    if (!header || header->empty()) return tags;
    std::string_view rest = *header;
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      size_t eq = pair.find('=');
      auto k = UriDecode(pair.substr(0, eq), true);
      auto v = UriDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (!k || !v) return InvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.");
      RETURN_IF_ERROR(CheckTag(*k, *v));
      if (!tags.emplace(*k, *v).second) return DuplicateTag();
    }
    if (tags.size() > 10) return TooManyTags(10);
    return tags;
  }

  static void SseHeaders(const s3::ObjectRecord& object, S3Reply& reply) {
    reply.Set("x-amz-server-side-encryption", object.sse.empty() ? "AES256" : object.sse);
    if (object.sse == "aws:kms")
      reply.Set("x-amz-server-side-encryption-aws-kms-key-id", object.kms_key_id);
  }

  static Status ValidateAcl(const RequestContext& ctx) {
    static const std::set<std::string> kCanned = {
        "private",       "public-read",       "public-read-write",         "authenticated-read",
        "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write"};
    if (auto acl = HeaderOf(ctx, "x-amz-acl"); acl && !kCanned.contains(*acl)) {
      return InvalidArgument("Invalid canned ACL: " + *acl);
    }
    return Status::Ok();
  }

  // ---- objects -----------------------------------------------------------------------------

  Status PutObject(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const {
    std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
    if (key.empty()) return InvalidArgument("An object key is required");
    RETURN_IF_ERROR(ValidateAcl(ctx));
    ASSIGN_OR_RETURN(s3::BucketRecord b, store.GetBucket(bucket));
    s3::ObjectRecord object;
    object.key = key;
    RETURN_IF_ERROR(TakeObjectHeaders(ctx, object));
    std::string sse, kms_key_id;
    std::map<std::string, std::string> context;
    RETURN_IF_ERROR(ChooseEncryption(ctx, b, sse, kms_key_id, context));
    // Without a checksum of the client's, S3 computes a CRC64NVME of the whole object.
    ASSIGN_OR_RETURN(Written written,
                     WriteBlob(ctx, body, bucket, key, sse, kms_key_id, context, reply.checksum,
                               crypto::ChecksumAlgorithm::kCrc64Nvme));
    object.size = written.segment.size;
    object.sse = written.segment.sse;
    object.kms_key_id = written.segment.kms_key_id;
    object.segments.push_back(std::move(written.segment));
    object.etag = "\"" + written.md5_hex + "\"";
    object.last_modified = clock.Now();
    object.checksum_algorithm = written.checksum_algorithm;
    object.checksum = written.checksum;
    object.checksum_type = "FULL_OBJECT";
    RETURN_IF_ERROR(store.PutObject(bucket, object));
    reply.Set("ETag", object.etag);
    ChecksumHeaders(object.checksum_algorithm, object.checksum, object.checksum_type, reply);
    SseHeaders(object, reply);
    ContextHeader(context, reply);
    return Status::Ok();
  }

  Result<std::shared_ptr<net::BodySource>> OpenObject(const RequestContext& ctx,
                                                      const std::string& bucket,
                                                      const s3::ObjectRecord& object,
                                                      uint64_t start, uint64_t end) const {
    // Keys are unwrapped lazily, segment by segment, as the body is written.
    RequestContext key_ctx(ctx.http);
    auto principal = ctx.principal;
    auto account = ctx.account;
    auto region = ctx.region;
    std::string key = object.key;
    auto fn = [this, principal, account, region, bucket, key](const s3::Segment& seg) {
      static const net::Request kNoHttp;
      RequestContext c(kNoHttp);
      c.principal = principal;
      c.account = account;
      c.region = region;
      return OpenDataKey(c, bucket, key, seg);
    };
    // Unwrap the first key now, so that a KMS denial is an error response, not a cut body.
    if (!object.segments.empty() && object.segments.front().sse == "aws:kms") {
      RETURN_IF_ERROR(OpenDataKey(ctx, bucket, key, object.segments.front()).status());
    }
    return std::shared_ptr<net::BodySource>(
        std::make_shared<ObjectSource>(store.blobs(), object.segments, start, end, fn));
  }

  static void ObjectHeaders(const s3::ObjectRecord& object, S3Reply& reply) {
    reply.Set("ETag", object.etag);
    reply.Set("Last-Modified", HttpDate(object.last_modified));
    reply.Set("Content-Type",
              object.content_type.empty() ? "binary/octet-stream" : object.content_type);
    reply.Set("Accept-Ranges", "bytes");
    for (const auto& [k, v] : object.headers) reply.Set(k, v);
    for (const auto& [k, v] : object.metadata) reply.Set("x-amz-meta-" + k, v);
    if (!object.tags.empty()) reply.Set("x-amz-tagging-count", std::to_string(object.tags.size()));
    SseHeaders(object, reply);
    if (object.segments.size() > 1)
      reply.Set("x-amz-mp-parts-count", std::to_string(object.segments.size()));
  }

  // If-Match / If-None-Match / If-(Un)Modified-Since, as S3 orders them.
  static Status CheckConditions(const RequestContext& ctx, const s3::ObjectRecord& object) {
    auto strip = [](std::string s) {
      if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
      return s;
    };
    auto matches = [&](const std::string& list) {
      std::string etag = strip(object.etag);
      size_t pos = 0;
      while (pos <= list.size()) {
        size_t comma = list.find(',', pos);
        std::string item =
            list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (item == "*" || strip(item) == etag) return true;
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
      return false;
    };
    auto precondition = [] {
      return Status::InvalidArgument(
                 "At least one of the pre-conditions you specified did not hold")
          .WithAwsCode("PreconditionFailed");
    };
    auto not_modified = [] {
      return Status::InvalidArgument("Not Modified").WithAwsCode("NotModified");
    };
    auto if_match = HeaderOf(ctx, "if-match");
    auto if_none = HeaderOf(ctx, "if-none-match");
    auto if_unmod = HeaderOf(ctx, "if-unmodified-since");
    auto if_mod = HeaderOf(ctx, "if-modified-since");
    TimePoint modified = std::chrono::time_point_cast<std::chrono::seconds>(object.last_modified);
    if (if_match && !matches(*if_match)) return precondition();
    if (!if_match && if_unmod) {
      if (auto t = ParseHttpDate(*if_unmod); t && modified > *t) return precondition();
    }
    if (if_none && matches(*if_none)) return not_modified();
    if (!if_none && if_mod) {
      if (auto t = ParseHttpDate(*if_mod); t && modified <= *t) return not_modified();
    }
    return Status::Ok();
  }

  Status GetObject(RequestContext& ctx, net::BodyReader&, S3Reply& reply, bool head) const {
    std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
    ASSIGN_OR_RETURN(s3::BucketRecord b, store.GetBucket(bucket));
    (void)b;
    ASSIGN_OR_RETURN(s3::ObjectRecord object, store.GetObject(bucket, key));
    RETURN_IF_ERROR(CheckConditions(ctx, object));
    uint64_t start = 0, end = object.size;
    if (auto range = HeaderOf(ctx, "range");
        range && range->starts_with("bytes=") && range->find(',') == std::string::npos) {
      std::string spec = range->substr(6);
      size_t dash = spec.find('-');
      bool ok = dash != std::string::npos;
      uint64_t first = 0, last = 0;
      try {
        if (ok && dash == 0) {  // suffix: the last n bytes
          uint64_t n = std::stoull(spec.substr(1));
          first = n >= object.size ? 0 : object.size - n;
          last = object.size == 0 ? 0 : object.size - 1;
          ok = n > 0;
        } else if (ok) {
          first = std::stoull(spec.substr(0, dash));
          if (first >= object.size) {
            return Status::InvalidArgument("The requested range is not satisfiable")
                .WithAwsCode("InvalidRange");
          }
          last = dash + 1 < spec.size() ? std::stoull(spec.substr(dash + 1)) : object.size - 1;
          ok = last >= first;
          if (last >= object.size) last = object.size - 1;
        }
      } catch (const std::exception&) {
        ok = false;
      }
      if (ok) {
        if (first >= object.size) {
          return Status::InvalidArgument("The requested range is not satisfiable")
              .WithAwsCode("InvalidRange");
        }
        start = first;
        end = last + 1;
        reply.status = 206;
        reply.Set("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(last) +
                                       "/" + std::to_string(object.size));
      }
    }
    ObjectHeaders(object, reply);
    // The object's checksum when asked for, and only for the whole object (a range has none).
    if (HeaderOf(ctx, "x-amz-checksum-mode").value_or("") == "ENABLED" && reply.status != 206) {
      ChecksumHeaders(object.checksum_algorithm, object.checksum, object.checksum_type, reply);
    }
    if (head) {
      reply.Set("Content-Length", std::to_string(end - start));
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(reply.stream, OpenObject(ctx, bucket, object, start, end));
    reply.length = end - start;
    return Status::Ok();
  }

  Status DeleteObject(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
    std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
    RETURN_IF_ERROR(store.GetBucket(bucket).status());
    RETURN_IF_ERROR(store.DeleteObject(bucket, key).status());
    reply.status = 204;
    return Status::Ok();
  }

  Status DeleteObjects(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const {
    std::string bucket = Str(ctx.input, "Bucket");
    RETURN_IF_ERROR(store.GetBucket(bucket).status());
    ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
    ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
    if (doc.name != "Delete") return MalformedXml();
    bool quiet = doc.ChildText("Quiet").value_or("false") == "true";
    auto objects = doc.Children("Object");
    if (objects.size() > 1000) return MalformedXml();
    aws::XmlWriter xml("DeleteResult");
    for (const aws::XmlElement* o : objects) {
      std::string key = o->ChildText("Key").value_or("");
      // Each key is authorized on its own (s3:DeleteObject on its ARN), as S3 does.
      RequestContext one(ctx.http);
      one.principal = ctx.principal;
      one.account = ctx.account;
      one.region = ctx.region;
      one.session_issued = ctx.session_issued;
      one.session_policies = ctx.session_policies;
      one.signature = ctx.signature;
      one.served = table.Find("s3", "DeleteObject");
      one.input = ctx.input;
      one.input["Key"] = key;
      Status s = authorize.Authorize(one);
      if (s.ok()) s = store.DeleteObject(bucket, key).status();
      if (s.ok()) {
        if (!quiet) xml.Open("Deleted").Leaf("Key", key).Close();
      } else {
        aws::AwsError e = aws::MapError(nullptr, aws::Protocol::kRestXml, s);
        xml.Open("Error").Leaf("Key", key).Leaf("Code", e.code).Leaf("Message", e.message).Close();
      }
    }
    reply.body = xml.Finish();
    reply.Set("Content-Type", "application/xml");
    return Status::Ok();
  }

  // The object named by x-amz-copy-source ("/bucket/key" or "bucket/key", URL-encoded), once
  // the caller was found allowed to read it (s3:GetObject on its ARN) as well.
  Result<std::pair<std::string, s3::ObjectRecord>> CopySource(const RequestContext& ctx) const {
    std::string source = HeaderOf(ctx, "x-amz-copy-source").value_or("");
    auto decoded = UriDecode(source.substr(0, source.find('?')), false);
    if (!decoded) return InvalidArgument("Invalid copy source encoding");
    std::string src = decoded->starts_with("/") ? decoded->substr(1) : *decoded;
    size_t slash = src.find('/');
    if (slash == std::string::npos) return InvalidArgument("Invalid copy source object key");
    std::string src_bucket = src.substr(0, slash), src_key = src.substr(slash + 1);
    RequestContext read(ctx.http);
    read.principal = ctx.principal;
    read.account = ctx.account;
    read.region = ctx.region;
    read.session_issued = ctx.session_issued;
    read.session_policies = ctx.session_policies;
    read.signature = ctx.signature;
    read.served = table.Find("s3", "GetObject");
    read.input = {{"Bucket", src_bucket}, {"Key", src_key}};
    RETURN_IF_ERROR(authorize.Authorize(read));
    ASSIGN_OR_RETURN(s3::ObjectRecord from, store.GetObject(src_bucket, src_key));
    return std::pair<std::string, s3::ObjectRecord>(src_bucket, std::move(from));
  }

  // A BodyReader over an object's decrypted bytes (copies stream, never buffer the object).
  struct SourceReader final : net::BodyReader {
    explicit SourceReader(net::BodySource& s) : source(s) {}
    Result<size_t> Read(char* out, size_t capacity) override { return source.Read(out, capacity); }
    net::BodySource& source;
  };

  Status CopyObject(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
    std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
    ASSIGN_OR_RETURN(auto copied, CopySource(ctx));
    const std::string& src_bucket = copied.first;
    const s3::ObjectRecord& from = copied.second;
    ASSIGN_OR_RETURN(s3::BucketRecord b, store.GetBucket(bucket));
    s3::ObjectRecord object = from;
    object.key = key;
    if (HeaderOf(ctx, "x-amz-metadata-directive").value_or("COPY") == "REPLACE") {
      std::map<std::string, std::string> source_tags = object.tags;
      object.headers.clear();
      object.metadata.clear();
      RETURN_IF_ERROR(TakeObjectHeaders(ctx, object));
      object.tags = std::move(source_tags);
    } else {
      object.acl = HeaderOf(ctx, "x-amz-acl").value_or("private");
    }
    // Tags are copied unless x-amz-tagging-directive says REPLACE (then x-amz-tagging).
    if (HeaderOf(ctx, "x-amz-tagging-directive").value_or("COPY") == "REPLACE") {
      ASSIGN_OR_RETURN(object.tags, HeaderTags(ctx));
    }
    std::string sse, kms_key_id;
    std::map<std::string, std::string> context;
    RETURN_IF_ERROR(ChooseEncryption(ctx, b, sse, kms_key_id, context));
    ASSIGN_OR_RETURN(std::shared_ptr<net::BodySource> source_body,
                     OpenObject(ctx, src_bucket, from, 0, from.size));
    SourceReader reader(*source_body);
    // The copy's checksum: the one asked for, else the source's algorithm when it was a
    // whole-object one, else S3's default CRC64NVME.
    ASSIGN_OR_RETURN(std::optional<crypto::ChecksumAlgorithm> algorithm,
                     ChecksumAlgorithmHeader(ctx));
    if (!algorithm && from.checksum_type == "FULL_OBJECT") {
      algorithm = crypto::ParseChecksumAlgorithm(from.checksum_algorithm);
    }
    ASSIGN_OR_RETURN(Written written,
                     WriteBlob(ctx, reader, bucket, key, sse, kms_key_id, context, nullptr,
                               algorithm.value_or(crypto::ChecksumAlgorithm::kCrc64Nvme)));
    object.size = written.segment.size;
    object.sse = written.segment.sse;
    object.kms_key_id = written.segment.kms_key_id;
    object.segments = {std::move(written.segment)};
    object.etag = "\"" + written.md5_hex + "\"";
    object.last_modified = clock.Now();
    object.checksum_algorithm = written.checksum_algorithm;
    object.checksum = written.checksum;
    object.checksum_type = "FULL_OBJECT";
    RETURN_IF_ERROR(store.PutObject(bucket, object));
    aws::XmlWriter xml("CopyObjectResult");
    xml.Leaf("LastModified", FormatIso8601Millis(object.last_modified)).Leaf("ETag", object.etag);
    reply.body = xml.Finish();
    reply.Set("Content-Type", "application/xml");
    SseHeaders(object, reply);
    ContextHeader(context, reply);
    return Status::Ok();
  }

  static std::string MaybeEncode(bool url, std::string_view s) {
    return url ? UriEncode(s, /*keep_slash=*/true) : std::string(s);
  }

  Status ListObjects(RequestContext& ctx, net::BodyReader&, S3Reply& reply, bool v2) const {
    std::string bucket = Str(ctx.input, "Bucket");
    ASSIGN_OR_RETURN(s3::BucketRecord b, store.GetBucket(bucket));
    (void)b;
    s3::ListOptions options;
    options.prefix = QueryOf(ctx, "prefix").value_or("");
    options.delimiter = QueryOf(ctx, "delimiter").value_or("");
    std::string encoding = QueryOf(ctx, "encoding-type").value_or("");
    if (!encoding.empty() && encoding != "url")
      return InvalidArgument("Invalid Encoding Method specified in Request");
    bool url = encoding == "url";
    if (auto mk = QueryOf(ctx, "max-keys")) {
      try {
        long long n = std::stoll(*mk);
        if (n < 0)
          return InvalidArgument("Provided max-keys not an integer or within integer range");
        options.max_keys = static_cast<size_t>(std::min<long long>(n, 1000));
      } catch (const std::exception&) {
        return InvalidArgument("Provided max-keys not an integer or within integer range");
      }
    }
    std::string token, start_after, marker;
    if (v2) {
      token = QueryOf(ctx, "continuation-token").value_or("");
      start_after = QueryOf(ctx, "start-after").value_or("");
      if (!token.empty()) {
        auto decoded = Base64Decode(token);
        if (!decoded) return InvalidArgument("The continuation token provided is incorrect");
        options.start_after = *decoded;
      } else {
        options.start_after = start_after;
      }
    } else {
      marker = QueryOf(ctx, "marker").value_or("");
      options.start_after = marker;
    }
    ASSIGN_OR_RETURN(s3::ListResult result, store.ListObjects(bucket, options));
    aws::XmlWriter xml("ListBucketResult");
    xml.Leaf("Name", bucket).Leaf("Prefix", MaybeEncode(url, options.prefix));
    if (v2) {
      if (!token.empty()) xml.Leaf("ContinuationToken", token);
      if (!start_after.empty()) xml.Leaf("StartAfter", MaybeEncode(url, start_after));
      xml.Leaf("KeyCount", std::to_string(result.objects.size() + result.common_prefixes.size()));
    } else {
      xml.Leaf("Marker", MaybeEncode(url, marker));
      if (result.truncated && !options.delimiter.empty())
        xml.Leaf("NextMarker", MaybeEncode(url, result.next_marker));
    }
    xml.Leaf("MaxKeys", std::to_string(options.max_keys));
    if (!options.delimiter.empty()) xml.Leaf("Delimiter", MaybeEncode(url, options.delimiter));
    if (url) xml.Leaf("EncodingType", "url");
    xml.Leaf("IsTruncated", result.truncated ? "true" : "false");
    if (v2 && result.truncated) xml.Leaf("NextContinuationToken", Base64Encode(result.next_marker));
    for (const s3::ObjectRecord& o : result.objects) {
      xml.Open("Contents")
          .Leaf("Key", MaybeEncode(url, o.key))
          .Leaf("LastModified", FormatIso8601Millis(o.last_modified))
          .Leaf("ETag", o.etag)
          .Leaf("Size", std::to_string(o.size))
          .Leaf("StorageClass", "STANDARD");
      if (!v2 || QueryOf(ctx, "fetch-owner").value_or("") == "true") {
        xml.Open("Owner").Leaf("ID", ctx.account).Leaf("DisplayName", ctx.account).Close();
      }
      xml.Close();
    }
    for (const std::string& p : result.common_prefixes) {
      xml.Open("CommonPrefixes").Leaf("Prefix", MaybeEncode(url, p)).Close();
    }
    reply.body = xml.Finish();
    reply.Set("Content-Type", "application/xml");
    return Status::Ok();
  }

  // ---- multipart ---------------------------------------------------------------------------

  Status CreateMultipartUpload(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
    std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
    RETURN_IF_ERROR(ValidateAcl(ctx));
    ASSIGN_OR_RETURN(s3::BucketRecord b, store.GetBucket(bucket));
    s3::UploadRecord upload;
    upload.upload_id = Base64Encode(crypto::RandomBytes(30));
    for (char& c : upload.upload_id) {
      if (c == '+') c = '-';
      if (c == '/') c = '_';
    }
    upload.key = key;
    upload.initiated = clock.Now();
    upload.object.key = key;
    ASSIGN_OR_RETURN(std::optional<crypto::ChecksumAlgorithm> algorithm,
                     ChecksumAlgorithmHeader(ctx));
    std::optional<std::string> type = HeaderOf(ctx, "x-amz-checksum-type");
    if (type && *type != "COMPOSITE" && *type != "FULL_OBJECT") {
      return InvalidRequest("Value for x-amz-checksum-type header is invalid.");
    }
    if (type && !algorithm) {
      return InvalidRequest(
          "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm "
          "header.");
    }
    if (algorithm) {
      upload.object.checksum_algorithm = crypto::ChecksumAlgorithmName(*algorithm);
      // S3's defaults: CRC64NVME is full-object only, the others composite.
      upload.object.checksum_type =
          type.value_or(*algorithm == crypto::ChecksumAlgorithm::kCrc64Nvme ? "FULL_OBJECT"
                                                                           : "COMPOSITE");
      bool full = upload.object.checksum_type == "FULL_OBJECT";
      // FULL_OBJECT needs a CRC (combined from the parts); CRC64NVME is never COMPOSITE.
      if ((full && !crypto::IsCrc(*algorithm)) ||
          (!full && *algorithm == crypto::ChecksumAlgorithm::kCrc64Nvme)) {
        return InvalidRequest("The " + upload.object.checksum_type +
                              " checksum type cannot be used with the " +
                              LowerAscii(upload.object.checksum_algorithm) +
                              " checksum algorithm.");
      }
    }
    RETURN_IF_ERROR(TakeObjectHeaders(ctx, upload.object));
    RETURN_IF_ERROR(ChooseEncryption(ctx, b, upload.object.sse, upload.object.kms_key_id,
                                     upload.object.sse_context));
    RETURN_IF_ERROR(store.CreateUpload(bucket, upload));
    aws::XmlWriter xml("InitiateMultipartUploadResult");
    xml.Leaf("Bucket", bucket).Leaf("Key", key).Leaf("UploadId", upload.upload_id);
    reply.body = xml.Finish();
    reply.Set("Content-Type", "application/xml");
    if (algorithm) {
      reply.Set("x-amz-checksum-algorithm", upload.object.checksum_algorithm);
      reply.Set("x-amz-checksum-type", upload.object.checksum_type);
    }
    SseHeaders(upload.object, reply);
    ContextHeader(upload.object.sse_context, reply);
    return Status::Ok();
  }

  static Result<uint32_t> PartNumber(const RequestContext& ctx) {
    int64_t number = 0;
    try {
      number = std::stoll(QueryOf(ctx, "partNumber").value_or(""));
    } catch (const std::exception&) {
    }
    if (number < 1 || number > 10000) {
      return InvalidArgument("Part number must be an integer between 1 and 10000, inclusive");
    }
    return static_cast<uint32_t>(number);
  }

  // Writes `body` as part `number` of the upload (encrypted as the upload's object will be).
  // A part carries the upload's checksum algorithm (checked against the client's, when it
  // sends one), so that CompleteMultipartUpload can build the composite checksum.
  Result<s3::PartRecord> WritePart(const RequestContext& ctx, net::BodyReader& body,
                                   const s3::UploadRecord& upload, uint32_t number,
                                   const RequestChecksum* verify) const {
    std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
    std::optional<crypto::ChecksumAlgorithm> algorithm =
        crypto::ParseChecksumAlgorithm(upload.object.checksum_algorithm);
    if (algorithm && verify != nullptr && verify->algorithm && *verify->algorithm != *algorithm) {
      return InvalidRequest(
          "Checksum Type mismatch occurred, expected checksum Type: " +
          LowerAscii(upload.object.checksum_algorithm) + ", actual checksum Type: " +
          LowerAscii(crypto::ChecksumAlgorithmName(*verify->algorithm)));
    }
    ASSIGN_OR_RETURN(Written written,
                     WriteBlob(ctx, body, bucket, key, upload.object.sse, upload.object.kms_key_id,
                               upload.object.sse_context, verify, algorithm));
    s3::PartRecord part;
    part.number = number;
    part.etag = "\"" + written.md5_hex + "\"";
    part.last_modified = clock.Now();
    part.segment = std::move(written.segment);
    part.checksum_algorithm = written.checksum_algorithm;
    part.checksum = written.checksum;
    Status s = store.PutPart(bucket, key, upload.upload_id, part);
    if (!s.ok()) {
      (void)store.blobs().Remove(part.segment.blob);
      return s;
    }
    return part;
  }

  Status UploadPart(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const {
    ASSIGN_OR_RETURN(uint32_t number, PartNumber(ctx));
    ASSIGN_OR_RETURN(s3::UploadRecord upload,
                     store.GetUpload(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"),
                                     QueryOf(ctx, "uploadId").value_or("")));
    ASSIGN_OR_RETURN(s3::PartRecord part, WritePart(ctx, body, upload, number, reply.checksum));
    reply.Set("ETag", part.etag);
    ChecksumHeaders(part.checksum_algorithm, part.checksum, "", reply);
    SseHeaders(upload.object, reply);
    return Status::Ok();
  }

  // A part copied from (a byte range of) an existing object: x-amz-copy-source and the
  // optional x-amz-copy-source-range "bytes=first-last" (inclusive, zero-based).
  Status UploadPartCopy(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
    ASSIGN_OR_RETURN(uint32_t number, PartNumber(ctx));
    ASSIGN_OR_RETURN(s3::UploadRecord upload,
                     store.GetUpload(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"),
                                     QueryOf(ctx, "uploadId").value_or("")));
    ASSIGN_OR_RETURN(auto copied, CopySource(ctx));
    const s3::ObjectRecord& from = copied.second;
    uint64_t start = 0, end = from.size;  // [start, end)
    if (auto range = HeaderOf(ctx, "x-amz-copy-source-range")) {
      uint64_t first = 0, last = 0;
      char tail = 0;
      if (std::sscanf(range->c_str(), "bytes=%" SCNu64 "-%" SCNu64 "%c", &first, &last, &tail) != 2 ||
          first > last) {
        return InvalidArgument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first "
            "and last are the zero-based offsets of the first and last bytes to copy");
      }
      if (last >= from.size) {
        return InvalidArgument("Range specified is not valid for source object of size: " +
                               std::to_string(from.size));
      }
      start = first;
      end = last + 1;
    }
    ASSIGN_OR_RETURN(std::shared_ptr<net::BodySource> source_body,
                     OpenObject(ctx, copied.first, from, start, end));
    SourceReader reader(*source_body);
    ASSIGN_OR_RETURN(s3::PartRecord part, WritePart(ctx, reader, upload, number, nullptr));
    aws::XmlWriter xml("CopyPartResult");
    xml.Leaf("LastModified", FormatIso8601Millis(part.last_modified)).Leaf("ETag", part.etag);
    reply.body = xml.Finish();
    reply.Set("Content-Type", "application/xml");
    SseHeaders(upload.object, reply);
    return Status::Ok();
  }

  Status CompleteMultipartUpload(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const {
    std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
    std::string upload_id = QueryOf(ctx, "uploadId").value_or("");
    ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
    ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
    if (doc.name != "CompleteMultipartUpload") return MalformedXml();
    std::vector<std::pair<uint32_t, std::string>> parts;
    std::map<uint32_t, std::pair<std::string, std::string>> declared;  // algorithm, base64
    for (const aws::XmlElement* p : doc.Children("Part")) {
      try {
        parts.emplace_back(
            static_cast<uint32_t>(std::stoul(p->ChildText("PartNumber").value_or(""))),
            p->ChildText("ETag").value_or(""));
      } catch (const std::exception&) {
        return MalformedXml();
      }
      for (const char* name : {"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}) {
        if (auto value = p->ChildText(std::string("Checksum") + name)) {
          declared[parts.back().first] = {name, *value};
        }
      }
    }
    // A part checksum the client names must be the one the part was stored with.
    if (!declared.empty()) {
      ASSIGN_OR_RETURN(std::vector<s3::PartRecord> stored, store.ListParts(upload_id));
      for (const auto& [number, checksum] : declared) {
        auto it = std::find_if(stored.begin(), stored.end(),
                               [&](const s3::PartRecord& p) { return p.number == number; });
        if (it != stored.end() &&
            (it->checksum_algorithm != checksum.first || it->checksum != checksum.second)) {
          return Status::InvalidArgument(
                     "One or more of the specified parts could not be found. The part may not "
                     "have been uploaded, or the specified entity tag may not match the part's "
                     "entity tag.")
              .WithAwsCode("InvalidPart");
        }
      }
    }
    // A full-object checksum the client computed over the whole object (x-amz-checksum-<alg>).
    std::string expected;
    for (const char* name : {"crc32", "crc32c", "crc64nvme", "sha1", "sha256"}) {
      if (auto value = HeaderOf(ctx, std::string("x-amz-checksum-") + name)) expected = *value;
    }
    ASSIGN_OR_RETURN(s3::ObjectRecord object,
                     store.CompleteUpload(bucket, key, upload_id, parts, expected));
    aws::XmlWriter xml("CompleteMultipartUploadResult");
    xml.Leaf("Location", "/" + bucket + "/" + key)
        .Leaf("Bucket", bucket)
        .Leaf("Key", key)
        .Leaf("ETag", object.etag);
    if (!object.checksum.empty()) {
      xml.Leaf("Checksum" + object.checksum_algorithm, object.checksum)
          .Leaf("ChecksumType", object.checksum_type);
    }
    reply.body = xml.Finish();
    reply.Set("Content-Type", "application/xml");
    SseHeaders(object, reply);
    return Status::Ok();
  }

  Status AbortMultipartUpload(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
    RETURN_IF_ERROR(store.AbortUpload(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"),
                                      QueryOf(ctx, "uploadId").value_or("")));
    reply.status = 204;
    return Status::Ok();
  }

  Status ListParts(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
    std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
    std::string upload_id = QueryOf(ctx, "uploadId").value_or("");
    ASSIGN_OR_RETURN(s3::UploadRecord upload, store.GetUpload(bucket, key, upload_id));
    ASSIGN_OR_RETURN(std::vector<s3::PartRecord> parts, store.ListParts(upload_id));
    aws::XmlWriter xml("ListPartsResult");
    xml.Leaf("Bucket", bucket)
        .Leaf("Key", key)
        .Leaf("UploadId", upload_id)
        .Leaf("StorageClass", "STANDARD")
        .Leaf("IsTruncated", "false");
    for (const s3::PartRecord& p : parts) {
      xml.Open("Part")
          .Leaf("PartNumber", std::to_string(p.number))
          .Leaf("LastModified", FormatIso8601Millis(p.last_modified))
          .Leaf("ETag", p.etag)
          .Leaf("Size", std::to_string(p.segment.size));
      if (!p.checksum.empty()) xml.Leaf("Checksum" + p.checksum_algorithm, p.checksum);
      xml.Close();
    }
    reply.body = xml.Finish();
    reply.Set("Content-Type", "application/xml");
    return Status::Ok();
  }

  Status ListMultipartUploads(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
    std::string bucket = Str(ctx.input, "Bucket");
    RETURN_IF_ERROR(store.GetBucket(bucket).status());
    ASSIGN_OR_RETURN(std::vector<s3::UploadRecord> uploads, store.ListUploads(bucket));
    aws::XmlWriter xml("ListMultipartUploadsResult");
    xml.Leaf("Bucket", bucket).Leaf("IsTruncated", "false");
    for (const s3::UploadRecord& u : uploads) {
      xml.Open("Upload")
          .Leaf("Key", u.key)
          .Leaf("UploadId", u.upload_id)
          .Leaf("Initiated", FormatIso8601Millis(u.initiated))
          .Leaf("StorageClass", "STANDARD")
          .Close();
    }
    reply.body = xml.Finish();
    reply.Set("Content-Type", "application/xml");
    return Status::Ok();
  }

  // ---- buckets -----------------------------------------------------------------------------

  Status CreateBucket(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const {
    std::string bucket = Str(ctx.input, "Bucket");
    RETURN_IF_ERROR(s3::ValidateBucketName(bucket));
    RETURN_IF_ERROR(ValidateAcl(ctx));
    ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
    std::string location;
    if (!text.empty()) {
      ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
      if (doc.name != "CreateBucketConfiguration") return MalformedXml();
      location = doc.ChildText("LocationConstraint").value_or("");
    }
    // As in AWS: the constraint must name the region the request was sent to (us-east-1 takes
    // none).
    std::string expected = ctx.region == "us-east-1" ? "" : ctx.region;
    if (location != expected) {
      if (location.empty()) {
        return Status::InvalidArgument(
                   "The unspecified location constraint is incompatible for the "
                   "region specific endpoint this request was sent to.")
            .WithAwsCode("IllegalLocationConstraintException");
      }
      return Status::InvalidArgument("The " + location +
                                     " location constraint is incompatible for "
                                     "the region specific endpoint this request was sent to.")
          .WithAwsCode("IllegalLocationConstraintException");
    }
    s3::BucketRecord record;
    record.name = bucket;
    record.account = ctx.account;
    record.region = ctx.region;
    record.created = clock.Now();
    RETURN_IF_ERROR(store.CreateBucket(record));
    reply.Set("Location", "/" + bucket);
    return Status::Ok();
  }

  Result<s3::BucketRecord> OwnBucket(const RequestContext& ctx) const {
    return store.GetBucket(Str(ctx.input, "Bucket"));
  }

  Status ListBuckets(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
    ASSIGN_OR_RETURN(std::vector<s3::BucketRecord> buckets, store.ListBuckets(ctx.account));
    aws::XmlWriter xml("ListAllMyBucketsResult");
    xml.Open("Owner").Leaf("ID", ctx.account).Leaf("DisplayName", ctx.account).Close();
    xml.Open("Buckets");
    for (const s3::BucketRecord& b : buckets) {
      xml.Open("Bucket")
          .Leaf("Name", b.name)
          .Leaf("CreationDate", FormatIso8601Millis(b.created))
          .Leaf("BucketRegion", b.region)
          .Close();
    }
    xml.Close();
    reply.body = xml.Finish();
    reply.Set("Content-Type", "application/xml");
    return Status::Ok();
  }

  void Register() {
    auto bind = [this](Status (Impl::*fn)(RequestContext&, net::BodyReader&, S3Reply&) const) {
      return S3Handler([this, fn](RequestContext& c, net::BodyReader& b, S3Reply& r) {
        return (this->*fn)(c, b, r);
      });
    };
    auto list_keys = [](const RequestContext& ctx, policy::ContextKeys& keys) {
      keys.SetString("s3:prefix", QueryOf(ctx, "prefix").value_or(""));
      if (auto d = QueryOf(ctx, "delimiter")) keys.SetString("s3:delimiter", *d);
      if (auto m = QueryOf(ctx, "max-keys")) {
        try {
          keys.SetNumber("s3:max-keys", std::stoll(*m));
        } catch (const std::exception&) {
        }
      }
    };
    Add("ListBuckets", "s3:ListAllMyBuckets", false, bind(&Impl::ListBuckets));
    Add("CreateBucket", "s3:CreateBucket", false, bind(&Impl::CreateBucket));
    Add("HeadBucket", "s3:ListBucket", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          reply.Set("x-amz-bucket-region", b.region);
          return Status::Ok();
        });
    Add("GetBucketLocation", "s3:GetBucketLocation", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          reply.body =
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint "
              "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
              (b.region == "us-east-1" ? std::string() : b.region) + "</LocationConstraint>";
          reply.Set("Content-Type", "application/xml");
          return Status::Ok();
        });
    Add("GetBucketVersioning", "s3:GetBucketVersioning", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          RETURN_IF_ERROR(OwnBucket(ctx).status());
          reply.body = aws::XmlWriter("VersioningConfiguration").Finish();
          reply.Set("Content-Type", "application/xml");
          return Status::Ok();
        });
    Add("DeleteBucket", "s3:DeleteBucket", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          RETURN_IF_ERROR(store.DeleteBucket(Str(ctx.input, "Bucket")));
          reply.status = 204;
          return Status::Ok();
        });
    Add("PutBucketPolicy", "s3:PutBucketPolicy", false,
        [this](RequestContext& ctx, net::BodyReader& body, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
          if (text.size() > 20 * 1024) {
            return Status::InvalidArgument("Policies must be less than 20 KB")
                .WithAwsCode("MalformedPolicy");
          }
          auto parsed = policy::ParsePolicy(text, {policy::PolicyKind::kResource, "bucket-policy"});
          if (!parsed.ok()) {
            return Status::InvalidArgument(parsed.status().message())
                .WithAwsCode("MalformedPolicy");
          }
          // Every Resource must be this bucket or objects in it, as S3 checks.
          boost::system::error_code ec;
          json::value doc = json::parse(text, ec);
          if (!ec && doc.is_object()) {
            auto check = [&](const json::value& r) -> Status {
              if (!r.is_string()) return Status::Ok();
              std::string_view arn = r.as_string();
              std::string base = BucketArn(b.name);
              if (arn != base && !arn.starts_with(base + "/")) {
                return Status::InvalidArgument("Policy has invalid resource")
                    .WithAwsCode("MalformedPolicy");
              }
              return Status::Ok();
            };
            if (auto st = doc.as_object().find("Statement"); st != doc.as_object().end()) {
              std::vector<const json::value*> statements;
              if (st->value().is_array()) {
                for (const json::value& s : st->value().as_array()) statements.push_back(&s);
              } else {
                statements.push_back(&st->value());
              }
              for (const json::value* s : statements) {
                if (!s->is_object()) continue;
                for (std::string_view field : {"Resource", "NotResource"}) {
                  auto r = s->as_object().find(field);
                  if (r == s->as_object().end()) continue;
                  if (r->value().is_array()) {
                    for (const json::value& one : r->value().as_array())
                      RETURN_IF_ERROR(check(one));
                  } else {
                    RETURN_IF_ERROR(check(r->value()));
                  }
                }
              }
            }
          }
          b.policy = text;
          RETURN_IF_ERROR(store.UpdateBucket(b));
          reply.status = 204;
          return Status::Ok();
        });
    Add("GetBucketPolicy", "s3:GetBucketPolicy", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          if (b.policy.empty()) {
            return Status::NotFound("The bucket policy does not exist")
                .WithAwsCode("NoSuchBucketPolicy");
          }
          reply.body = b.policy;
          reply.Set("Content-Type", "application/json");
          return Status::Ok();
        });
    Add("DeleteBucketPolicy", "s3:DeleteBucketPolicy", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          b.policy.clear();
          RETURN_IF_ERROR(store.UpdateBucket(b));
          reply.status = 204;
          return Status::Ok();
        });
    Add("GetBucketAcl", "s3:GetBucketAcl", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          aws::XmlWriter xml("AccessControlPolicy");
          xml.Open("Owner").Leaf("ID", b.account).Leaf("DisplayName", b.account).Close();
          xml.Open("AccessControlList").Open("Grant");
          xml.Open("Grantee",
                   "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                   "xsi:type=\"CanonicalUser\"")
              .Leaf("ID", b.account)
              .Leaf("DisplayName", b.account)
              .Close()
              .Leaf("Permission", "FULL_CONTROL");
          reply.body = xml.Finish();
          reply.Set("Content-Type", "application/xml");
          return Status::Ok();
        });
    Add("PutBucketAcl", "s3:PutBucketAcl", false,
        [this](RequestContext& ctx, net::BodyReader& body, S3Reply&) {
          RETURN_IF_ERROR(OwnBucket(ctx).status());
          (void)ReadSmallBody(body);
          auto acl = HeaderOf(ctx, "x-amz-acl");
          if (acl && *acl == "private") return Status::Ok();
          return Status::InvalidArgument(
                     "kiroku buckets are owner-only: only the canned ACL 'private' "
                     "is accepted")
              .WithAwsCode("NotImplemented");
        });
    Add("PutBucketEncryption", "s3:PutEncryptionConfiguration", false,
        [this](RequestContext& ctx, net::BodyReader& body, S3Reply&) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
          ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
          const aws::XmlElement* rule = doc.Child("Rule");
          const aws::XmlElement* def =
              rule ? rule->Child("ApplyServerSideEncryptionByDefault") : nullptr;
          if (doc.name != "ServerSideEncryptionConfiguration" || def == nullptr)
            return MalformedXml();
          std::string algorithm = def->ChildText("SSEAlgorithm").value_or("");
          std::string key = def->ChildText("KMSMasterKeyID").value_or("");
          if (algorithm != "AES256" && algorithm != "aws:kms") return MalformedXml();
          if (algorithm == "AES256" && !key.empty()) {
            return InvalidArgument(
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms");
          }
          b.sse_algorithm = algorithm;
          b.kms_key_id = key;
          b.bucket_key_enabled = rule->ChildText("BucketKeyEnabled").value_or("false") == "true";
          b.encryption_configured = true;
          return store.UpdateBucket(b);
        });
    Add("GetBucketEncryption", "s3:GetEncryptionConfiguration", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          // Every bucket encrypts with SSE-S3 at least, as S3 does since 2023.
          aws::XmlWriter xml("ServerSideEncryptionConfiguration");
          xml.Open("Rule")
              .Open("ApplyServerSideEncryptionByDefault")
              .Leaf("SSEAlgorithm", b.sse_algorithm.empty() ? "AES256" : b.sse_algorithm);
          if (!b.kms_key_id.empty()) xml.Leaf("KMSMasterKeyID", b.kms_key_id);
          xml.Close().Leaf("BucketKeyEnabled", b.bucket_key_enabled ? "true" : "false");
          reply.body = xml.Finish();
          reply.Set("Content-Type", "application/xml");
          return Status::Ok();
        });
    Add("DeleteBucketEncryption", "s3:PutEncryptionConfiguration", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          b.sse_algorithm.clear();
          b.kms_key_id.clear();
          b.bucket_key_enabled = false;
          b.encryption_configured = false;
          RETURN_IF_ERROR(store.UpdateBucket(b));
          reply.status = 204;
          return Status::Ok();
        });
    Add("PutBucketTagging", "s3:PutBucketTagging", false,
        [this](RequestContext& ctx, net::BodyReader& body, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
          ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
          const aws::XmlElement* set = doc.Child("TagSet");
          if (doc.name != "Tagging" || set == nullptr) return MalformedXml();
          ASSIGN_OR_RETURN(auto tags, TagSetOf(*set, 50));
          b.tags = std::move(tags);
          RETURN_IF_ERROR(store.UpdateBucket(b));
          reply.status = 204;
          return Status::Ok();
        });
    Add("GetBucketTagging", "s3:GetBucketTagging", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          if (b.tags.empty())
            return Status::NotFound("The TagSet does not exist").WithAwsCode("NoSuchTagSet");
          aws::XmlWriter xml("Tagging");
          xml.Open("TagSet");
          for (const auto& [k, v] : b.tags) xml.Open("Tag").Leaf("Key", k).Leaf("Value", v).Close();
          reply.body = xml.Finish();
          reply.Set("Content-Type", "application/xml");
          return Status::Ok();
        });
    Add("DeleteBucketTagging", "s3:PutBucketTagging", false,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::BucketRecord b, OwnBucket(ctx));
          b.tags.clear();
          RETURN_IF_ERROR(store.UpdateBucket(b));
          reply.status = 204;
          return Status::Ok();
        });
    Add(
        "ListObjects", "s3:ListBucket", false,
        [this](RequestContext& c, net::BodyReader& b, S3Reply& r) {
          return ListObjects(c, b, r, false);
        },
        list_keys);
    Add(
        "ListObjectsV2", "s3:ListBucket", false,
        [this](RequestContext& c, net::BodyReader& b, S3Reply& r) {
          return ListObjects(c, b, r, true);
        },
        list_keys);
    Add("ListMultipartUploads", "s3:ListBucketMultipartUploads", false,
        bind(&Impl::ListMultipartUploads));
    // DeleteObjects has no action of its own: S3 authorizes s3:DeleteObject for each key named
    // in the body (DeleteObjects below), so the request itself is not checked here.
    Add("DeleteObjects", "", false, bind(&Impl::DeleteObjects));
    Add("PutObject", "s3:PutObject", true, bind(&Impl::PutObject));
    Add("CopyObject", "s3:PutObject", true, bind(&Impl::CopyObject));
    Add("GetObject", "s3:GetObject", true,
        [this](RequestContext& c, net::BodyReader& b, S3Reply& r) {
          return GetObject(c, b, r, false);
        });
    Add("HeadObject", "s3:GetObject", true,
        [this](RequestContext& c, net::BodyReader& b, S3Reply& r) {
          return GetObject(c, b, r, true);
        });
    Add("DeleteObject", "s3:DeleteObject", true, bind(&Impl::DeleteObject));
    Add("CreateMultipartUpload", "s3:PutObject", true, bind(&Impl::CreateMultipartUpload));
    Add("UploadPart", "s3:PutObject", true, bind(&Impl::UploadPart));
    Add("UploadPartCopy", "s3:PutObject", true, bind(&Impl::UploadPartCopy));
    Add("PutObjectTagging", "s3:PutObjectTagging", true,
        [this](RequestContext& ctx, net::BodyReader& body, S3Reply& reply) {
          ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
          ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
          const aws::XmlElement* set = doc.Child("TagSet");
          if (doc.name != "Tagging" || set == nullptr) return MalformedXml();
          ASSIGN_OR_RETURN(auto list, TagSetOf(*set, 10));
          std::map<std::string, std::string> tags(list.begin(), list.end());
          RETURN_IF_ERROR(
              store.UpdateObjectTags(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"), tags));
          reply.status = 200;
          return Status::Ok();
        });
    Add("GetObjectTagging", "s3:GetObjectTagging", true,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          ASSIGN_OR_RETURN(s3::ObjectRecord object,
                           store.GetObject(Str(ctx.input, "Bucket"), Str(ctx.input, "Key")));
          aws::XmlWriter xml("Tagging");
          xml.Open("TagSet");
          for (const auto& [k, v] : object.tags) xml.Open("Tag").Leaf("Key", k).Leaf("Value", v).Close();
          reply.body = xml.Close().Finish();
          reply.Set("Content-Type", "application/xml");
          return Status::Ok();
        });
    Add("DeleteObjectTagging", "s3:DeleteObjectTagging", true,
        [this](RequestContext& ctx, net::BodyReader&, S3Reply& reply) {
          RETURN_IF_ERROR(
              store.UpdateObjectTags(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"), {}));
          reply.status = 204;
          return Status::Ok();
        });
    Add("CompleteMultipartUpload", "s3:PutObject", true, bind(&Impl::CompleteMultipartUpload));
    Add("AbortMultipartUpload", "s3:AbortMultipartUpload", true, bind(&Impl::AbortMultipartUpload));
    Add("ListParts", "s3:ListMultipartUploadParts", true, bind(&Impl::ListParts));
  }
};

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
