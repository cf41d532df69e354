// Internal to src/services/s3/: what the S3 files share. s3_service.cc holds the operation table
// and the request path of a handler (the body prepared after authorization); routing.cc turns a
// REST request into an operation and its input; request.cc reads headers, checksums and small
// bodies; buckets.cc, objects.cc and multipart.cc hold the handlers by resource; encryption.cc
// the data keys of a request (SSE-S3, SSE-KMS) and the encrypted blobs objects are written to
// and read from.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/request_context.h"
#include "aws/rest_xml.h"
#include "aws/sigv4.h"
#include "common/encoding.h"
#include "crypto/checksum.h"
#include "crypto/hash.h"
#include "net/http.h"
#include "s3/s3_store.h"

namespace kiroku::services::s3_internal {

namespace json = boost::json;

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

// Reads the checksum headers S3 defines: at most one x-amz-checksum-<algorithm> or
// x-amz-trailer, agreeing with x-amz-sdk-checksum-algorithm, with a value of the right size.
Result<RequestChecksum> ParseRequestChecksum(const net::Request& request);

// What an S3 handler answers: status, headers and a body (inline or streamed).
struct S3Reply {
  int status = 200;
  std::vector<net::Header> headers;
  std::string body;
  std::shared_ptr<net::BodySource> stream;
  uint64_t length = 0;
  // Request side, set for the operations that stream their body (PutObject, UploadPart): the
  // checksum the client asked to verify. Null for internal callers.
  const RequestChecksum* checksum = nullptr;

  void Set(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
  }
};

// A BodyReader over bytes in memory (a verified small body, an internal caller's "Body").
class StringBodyReader final : public net::BodyReader {
 public:
  explicit StringBodyReader(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* out, size_t capacity) override;

 private:
  std::string_view data_;
};

// A BodyReader over an object's decrypted bytes (copies stream, never buffer the object).
class SourceReader final : public net::BodyReader {
 public:
  explicit SourceReader(net::BodySource& source) : source_(source) {}
  Result<size_t> Read(char* out, size_t capacity) override { return source_.Read(out, capacity); }

 private:
  net::BodySource& source_;
};

// Verifies x-amz-content-sha256 as the body passes: the check runs when Read returns 0, so a
// handler that reads the body to its end commits nothing of a body that does not match.
class HashingReader final : public net::BodyReader {
 public:
  // `raw` must outlive the reader; `expected` is the declared hex digest, if any.
  HashingReader(net::BodyReader& raw, std::optional<std::string> expected)
      : raw_(raw), expected_(std::move(expected)) {}
  Result<size_t> Read(char* out, size_t capacity) override;

 private:
  net::BodyReader& raw_;
  std::optional<std::string> expected_;
  bool finished_ = false;
  crypto::Sha256Hasher hasher_;
};

// A request header (lower-cased name) or a query parameter, from the decoded input. Internal
// callers name a few headers as the SDK's members instead (ContentType, ACL, ...).
std::optional<std::string> HeaderOf(const api::RequestContext& ctx, std::string_view name);
std::optional<std::string> QueryOf(const api::RequestContext& ctx, std::string_view name);

std::string BucketArn(std::string_view bucket);
std::string ObjectArn(std::string_view bucket, std::string_view key);

// A small (XML or JSON) request body, read whole; MaxMessageLengthExceeded past 2 MiB.
Result<std::string> ReadSmallBody(net::BodyReader& body);

// Canned ACLs: InvalidArgument for a name S3 does not define.
Status ValidateAcl(const api::RequestContext& ctx);
// S3's tag rules: keys 1-128 characters, not "aws:", values up to 256, keys unique, at most
// `limit` tags (50 for buckets, 10 for objects).
Result<std::vector<std::pair<std::string, std::string>>> TagSetOf(const aws::XmlElement& set,
                                                                  size_t limit);
// x-amz-tagging: "k1=v1&k2=v2", URL-encoded like a query string.
Result<std::map<std::string, std::string>> HeaderTags(const api::RequestContext& ctx);
// Headers an object keeps from its upload (content type and encoding, metadata, ACL, tags).
Status TakeObjectHeaders(const api::RequestContext& ctx, s3::ObjectRecord& object);
// x-amz-checksum-algorithm of CreateMultipartUpload, CopyObject, UploadPartCopy.
Result<std::optional<crypto::ChecksumAlgorithm>> ChecksumAlgorithmHeader(
    const api::RequestContext& ctx);
// x-amz-checksum-<algorithm> and x-amz-checksum-type of a stored checksum.
void ChecksumHeaders(const std::string& algorithm, const std::string& value,
                     const std::string& type, S3Reply& reply);
// x-amz-server-side-encryption (and the KMS key) of an object.
void SseHeaders(const s3::ObjectRecord& object, S3Reply& reply);
// x-amz-server-side-encryption-context, when the caller gave one.
void ContextHeader(const std::map<std::string, std::string>& context, S3Reply& reply);

}  // namespace kiroku::services::s3_internal
