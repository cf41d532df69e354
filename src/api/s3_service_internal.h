// Internal to the s3_*.cc files, which together implement S3Service: s3_service.cc routes,
// authenticates, authorizes and streams a request to its handler; s3_buckets.cc,
// s3_objects.cc and s3_multipart.cc hold the handlers by resource; s3_encryption.cc the data
// keys (SSE-S3, SSE-KMS) and the encrypted blobs an object is written to and read from.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/json_members.h"
#include "api/s3_service.h"
#include "aws/rest_xml.h"
#include "common/encoding.h"
#include "crypto/checksum.h"

namespace kiroku::api {

namespace json = boost::json;

namespace s3_internal {

Status InvalidRequest(std::string message);
Status InvalidArgument(std::string message);
Status MalformedXml();

// The flexible checksum a request asks S3 to verify: an x-amz-checksum-<algorithm> header, or
// one announced by x-amz-trailer and carried in the aws-chunked trailer.
struct RequestChecksum {
  std::optional<crypto::ChecksumAlgorithm> algorithm;
  std::string header_value;  // base64, when sent as a header
  bool in_trailer = false;
  const aws::AwsChunkedReader* chunked = nullptr;  // where the trailer arrives

  std::string HeaderName() const {
    return "x-amz-checksum-" + AsciiLower(crypto::ChecksumAlgorithmName(*algorithm));
  }
  // Compares `raw`, the digest of the bytes received, with what the client declared; call
  // once the body has been read to its end (the trailer follows the last chunk).
  Status Verify(std::string_view raw) const;
};

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

// A request header (lower-cased name) or a query parameter, from the decoded input.
std::optional<std::string> HeaderOf(const RequestContext& ctx, std::string_view name);
std::optional<std::string> QueryOf(const RequestContext& ctx, std::string_view name);

std::string BucketArn(std::string_view bucket);
std::string ObjectArn(std::string_view bucket, std::string_view key);

// A small (XML or JSON) request body, read whole; MaxMessageLengthExceeded past 2 MiB.
Result<std::string> ReadSmallBody(net::BodyReader& body);

}  // namespace s3_internal

struct S3Service::Impl {
  using S3Reply = s3_internal::S3Reply;
  using S3Handler = s3_internal::S3Handler;
  using RequestChecksum = s3_internal::RequestChecksum;

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

  // ---- s3_service.cc: registration, routing, the request path ---------------------------

  void Add(std::string name, std::string action, bool object_level, S3Handler handler,
           std::function<void(const RequestContext&, policy::ContextKeys&)> context = {});
  S3Handler Bind(Status (Impl::*fn)(RequestContext&, net::BodyReader&, S3Reply&) const);
  // Registers every operation (RegisterBuckets, RegisterObjects, RegisterMultipart).
  void Register();
  static Result<std::string> OperationName(const net::Request& request, const aws::S3Target& target,
                                           const json::object& query, bool copy_source);
  net::Response Handle(const net::Request& request, net::BodyReader& raw_body) const;
  void AddErrorDetails(const RequestContext& ctx, const Status& status,
                       std::vector<std::pair<std::string, std::string>>& details) const;
  Status Run(RequestContext& ctx, net::BodyReader& raw_body, S3Reply& reply,
             std::string& op_name) const;
  class HashingReader;

  // ---- s3_encryption.cc: data keys, SSE, encrypted blobs ---------------------------------

  struct NewKey {
    crypto::SecretBytes plaintext;
    s3::Segment segment;  // sse, kms key, wrapped key (blob id filled later)
  };

  struct Written {
    s3::Segment segment;
    std::string md5_hex;
    std::string checksum_algorithm;  // "CRC32", ...; empty when none was computed
    std::string checksum;            // base64
  };

  static json::object KmsContext(const std::string& bucket, const std::string& key,
                                 const std::map<std::string, std::string>& context);
  static void ForwardSource(const RequestContext& ctx, json::object& kms_input);
  Result<NewKey> MakeDataKey(const RequestContext& ctx, const std::string& bucket,
                             const std::string& key, const std::string& sse,
                             const std::string& kms_key_id,
                             const std::map<std::string, std::string>& context) const;
  static std::string WrapLabel(const std::string& blob);
  Result<crypto::SecretBytes> OpenDataKey(const RequestContext& ctx, const std::string& bucket,
                                          const std::string& key, const s3::Segment& seg) const;
  Status ChooseEncryption(const RequestContext& ctx, const s3::BucketRecord& bucket,
                          std::string& sse, std::string& kms_key_id,
                          std::map<std::string, std::string>& context) const;
  static Result<std::map<std::string, std::string>> ParseEncryptionContext(
      const std::string& header, const std::string& bucket, const std::string& key);
  static void ContextHeader(const std::map<std::string, std::string>& context, S3Reply& reply);
  static void SseHeaders(const s3::ObjectRecord& object, S3Reply& reply);
  Result<Written> WriteBlob(const RequestContext& ctx, net::BodyReader& body,
                            const std::string& bucket, const std::string& key,
                            const std::string& sse, const std::string& kms_key_id,
                            const std::map<std::string, std::string>& context,
                            const RequestChecksum* verify,
                            std::optional<crypto::ChecksumAlgorithm> compute) const;
  Result<std::shared_ptr<net::BodySource>> OpenObject(const RequestContext& ctx,
                                                      const std::string& bucket,
                                                      const s3::ObjectRecord& object,
                                                      uint64_t start, uint64_t end) const;

  // ---- s3_objects.cc ----------------------------------------------------------------------

  // A BodyReader over an object's decrypted bytes (copies stream, never buffer the object).
  struct SourceReader final : net::BodyReader {
    explicit SourceReader(net::BodySource& s) : source(s) {}
    Result<size_t> Read(char* out, size_t capacity) override { return source.Read(out, capacity); }
    net::BodySource& source;
  };

  void RegisterObjects();
  static Result<std::optional<crypto::ChecksumAlgorithm>> ChecksumAlgorithmHeader(
      const RequestContext& ctx);
  static void ChecksumHeaders(const std::string& algorithm, const std::string& value,
                              const std::string& type, S3Reply& reply);
  static Status TakeObjectHeaders(const RequestContext& ctx, s3::ObjectRecord& object);
  static Status CheckTag(const std::string& key, const std::string& value);
  static Status TooManyTags(size_t limit);
  static Status DuplicateTag();
  static Result<std::vector<std::pair<std::string, std::string>>> TagSetOf(
      const aws::XmlElement& set, size_t limit);
  static Result<std::map<std::string, std::string>> HeaderTags(const RequestContext& ctx);
  static Status ValidateAcl(const RequestContext& ctx);
  Status PutObject(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  static void ObjectHeaders(const s3::ObjectRecord& object, S3Reply& reply);
  static Status CheckConditions(const RequestContext& ctx, const s3::ObjectRecord& object);
  Status GetObject(RequestContext& ctx, net::BodyReader&, S3Reply& reply, bool head) const;
  Status DeleteObject(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const;
  Status DeleteObjects(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Result<std::pair<std::string, s3::ObjectRecord>> CopySource(const RequestContext& ctx) const;
  Status CopyObject(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const;
  static std::string MaybeEncode(bool url, std::string_view s);
  Status ListObjects(RequestContext& ctx, net::BodyReader&, S3Reply& reply, bool v2) const;

  // ---- s3_multipart.cc --------------------------------------------------------------------

  void RegisterMultipart();
  Status CreateMultipartUpload(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const;
  static Result<uint32_t> PartNumber(const RequestContext& ctx);
  Result<s3::PartRecord> WritePart(const RequestContext& ctx, net::BodyReader& body,
                                   const s3::UploadRecord& upload, uint32_t number,
                                   const RequestChecksum* verify) const;
  Status UploadPart(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status UploadPartCopy(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const;
  Status CompleteMultipartUpload(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Status AbortMultipartUpload(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const;
  Status ListParts(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const;
  Status ListMultipartUploads(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const;

  // ---- s3_buckets.cc ----------------------------------------------------------------------

  void RegisterBuckets();
  Status CreateBucket(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const;
  Result<s3::BucketRecord> OwnBucket(const RequestContext& ctx) const;
  Status ListBuckets(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const;
};

}  // namespace kiroku::api
