// S3 server-side encryption as a request sees it: the data keys of its caller (SSE-S3 under the
// master key, SSE-KMS through KMS as the caller; s3/data_keys.h), the encryption an upload asks
// for, and the encrypted blobs objects and parts are written to and read back from.
#include <algorithm>

#include "api/json_members.h"
#include "common/encoding.h"
#include "crypto/checksum.h"
#include "crypto/hash.h"
#include "services/s3/kms_data_keys.h"
#include "services/s3/s3_internal.h"
#include "services/s3/s3_service.h"

namespace kiroku::services {
using namespace s3_internal;  // NOLINT: the S3 files share these helpers
using api::RequestContext;
using api::Str;

namespace {

constexpr uint64_t kMaxPutBytes = 5ull * 1024 * 1024 * 1024;

// Reads the segments of an object, decrypting blob after blob, over [start, end). Each
// segment's data key is opened when the reader reaches it.
class ObjectSource final : public net::BodySource {
 public:
  ObjectSource(const s3::BlobStore& blobs, std::shared_ptr<s3::DataKeys> keys, std::string bucket,
               const s3::ObjectRecord& object, uint64_t start, uint64_t end)
      : blobs_(blobs),
        keys_(std::move(keys)),
        bucket_(std::move(bucket)),
        key_(object.key),
        segments_(object.segments),
        position_(start),
        end_(end) {}

  Result<size_t> Read(char* out, size_t capacity) override {
    while (position_ < end_) {
      if (!reader_) {
        uint64_t base = 0;
        size_t i = 0;
        while (i < segments_.size() && base + segments_[i].size <= position_)
          base += segments_[i++].size;
        if (i == segments_.size()) return Status::Internal("object shorter than its record");
        ASSIGN_OR_RETURN(crypto::SecretBytes key, keys_->Open(bucket_, key_, segments_[i]));
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
  std::shared_ptr<s3::DataKeys> keys_;
  std::string bucket_;
  std::string key_;
  std::vector<s3::Segment> segments_;
  uint64_t position_, end_;
  std::unique_ptr<s3::BlobReader> reader_;
};

// x-amz-server-side-encryption-context: base64 of a JSON object of string pairs. S3 adds
// aws:s3:arn itself; a caller may name it only with the object's own ARN.
Result<std::map<std::string, std::string>> ParseEncryptionContext(const std::string& header,
                                                                  const std::string& bucket,
                                                                  const std::string& key) {
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

}  // namespace

std::shared_ptr<s3::DataKeys> S3Service::KeysFor(const RequestContext& ctx) const {
  KmsRequester requester{ctx.principal, ctx.account, ctx.region, "", ""};
  if (ctx.principal.type == policy::PrincipalType::kService) {
    requester.source_arn = Str(ctx.input, "SourceArn");
    requester.source_account = Str(ctx.input, "SourceAccount");
  }
  return std::make_shared<SseKmsDataKeys>(kms_, sse_s3_, std::move(requester));
}

Result<s3::Protection> S3Service::ChooseEncryption(const RequestContext& ctx,
                                                   const s3::BucketRecord& bucket) const {
  s3::Protection out;
  if (auto header = HeaderOf(ctx, "x-amz-server-side-encryption-context")) {
    ASSIGN_OR_RETURN(out.context,
                     ParseEncryptionContext(*header, bucket.name, Str(ctx.input, "Key")));
  }
  out.sse = HeaderOf(ctx, "x-amz-server-side-encryption").value_or("");
  out.kms_key_id = HeaderOf(ctx, "x-amz-server-side-encryption-aws-kms-key-id").value_or("");
  if (out.sse.empty()) {
    out.sse = bucket.sse_algorithm.empty() ? "AES256" : bucket.sse_algorithm;
    if (out.sse == "aws:kms" && out.kms_key_id.empty()) out.kms_key_id = bucket.kms_key_id;
  }
  if (out.sse != "AES256" && out.sse != "aws:kms") {
    return InvalidArgument("The encryption method specified is not supported");
  }
  if (out.sse == "AES256" && (!out.kms_key_id.empty() || !out.context.empty())) {
    return InvalidArgument(
        "Server Side Encryption with AWS KMS managed key requires HTTP header "
        "x-amz-server-side-encryption : aws:kms");
  }
  return out;
}

// Streams `body` into a new encrypted blob. The checksum `verify` names (the client's
// x-amz-checksum-* header or trailer), else `compute`, is calculated as the bytes pass and,
// when the client declared one, compared before the blob is committed (BadDigest).
Result<S3Service::Written> S3Service::WriteBlob(
    const RequestContext& ctx, net::BodyReader& body, const std::string& bucket,
    const std::string& key, const s3::Protection& protection, const RequestChecksum* verify,
    std::optional<crypto::ChecksumAlgorithm> compute) const {
  if (verify != nullptr && verify->algorithm) compute = verify->algorithm;
  std::optional<crypto::Checksum> checksum;
  if (compute) checksum.emplace(*compute);
  std::shared_ptr<s3::DataKeys> keys = KeysFor(ctx);
  ASSIGN_OR_RETURN(s3::NewDataKey data_key, keys->Generate(bucket, key, protection));
  crypto::SecretBytes for_wrap = data_key.plaintext.Copy();
  ASSIGN_OR_RETURN(std::unique_ptr<s3::BlobWriter> writer,
                   store_.blobs().Create(std::move(data_key.plaintext)));
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
  RETURN_IF_ERROR(keys->Seal(for_wrap, segment));
  written.segment = std::move(segment);
  written.md5_hex = HexEncode(md5_raw);
  return written;
}

Result<std::shared_ptr<net::BodySource>> S3Service::OpenObject(const RequestContext& ctx,
                                                               const std::string& bucket,
                                                               const s3::ObjectRecord& object,
                                                               uint64_t start, uint64_t end) const {
  // Keys are unwrapped lazily, segment by segment, as the body is written.
  std::shared_ptr<s3::DataKeys> keys = KeysFor(ctx);
  // Unwrap the first key now, so that a KMS denial is an error response, not a cut body.
  if (!object.segments.empty() && object.segments.front().sse == "aws:kms") {
    RETURN_IF_ERROR(keys->Open(bucket, object.key, object.segments.front()).status());
  }
  return std::shared_ptr<net::BodySource>(
      std::make_shared<ObjectSource>(store_.blobs(), std::move(keys), bucket, object, start, end));
}

}  // namespace kiroku::services
