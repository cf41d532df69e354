// S3 server-side encryption: the data key of each blob (SSE-S3 wrapped under the master key,
// SSE-KMS generated and decrypted by KMS as the caller), the encryption an upload asks for,
// and the encrypted blobs objects and parts are written to and read back from.
#include <algorithm>

#include "api/s3_service_internal.h"
#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/checksum.h"
#include "crypto/hash.h"

namespace kiroku::api {
using namespace s3_internal;  // NOLINT: the S3 handler files share these helpers

namespace {

constexpr uint64_t kMaxPutBytes = 5ull * 1024 * 1024 * 1024;

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

// KMS's encryption context for an object: the caller's pairs and aws:s3:arn.
json::object S3Service::Impl::KmsContext(const std::string& bucket, const std::string& key,
                                         const std::map<std::string, std::string>& context) {
  json::object out;
  for (const auto& [k, v] : context) out[k] = v;
  out["aws:s3:arn"] = ObjectArn(bucket, key);
  return out;
}

// A service calling S3 for a resource of its own (CloudTrail for a trail) names it; KMS sees
// the same aws:SourceArn / aws:SourceAccount when S3 asks for the data key on its behalf.
void S3Service::Impl::ForwardSource(const RequestContext& ctx, json::object& kms_input) {
  if (ctx.principal.type != policy::PrincipalType::kService) return;
  for (const char* member : {"SourceArn", "SourceAccount"}) {
    if (std::string v = Str(ctx.input, member); !v.empty()) kms_input[member] = v;
  }
}

Result<S3Service::Impl::NewKey> S3Service::Impl::MakeDataKey(
    const RequestContext& ctx, const std::string& bucket, const std::string& key,
    const std::string& sse, const std::string& kms_key_id,
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
    out.segment.wrapped_key = Base64Decode(Str(result.as_object(), "CiphertextBlob")).value_or("");
    out.segment.kms_key_id = Str(result.as_object(), "KeyId");
    return out;
  }
  out.segment.sse = "AES256";
  out.plaintext = crypto::SecretBytes::Random(32);
  return out;
}

std::string S3Service::Impl::WrapLabel(const std::string& blob) { return "s3-object-blob:" + blob; }

Result<crypto::SecretBytes> S3Service::Impl::OpenDataKey(const RequestContext& ctx,
                                                         const std::string& bucket,
                                                         const std::string& key,
                                                         const s3::Segment& seg) const {
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
Status S3Service::Impl::ChooseEncryption(const RequestContext& ctx, const s3::BucketRecord& bucket,
                                         std::string& sse, std::string& kms_key_id,
                                         std::map<std::string, std::string>& context) const {
  context.clear();
  if (auto header = HeaderOf(ctx, "x-amz-server-side-encryption-context")) {
    ASSIGN_OR_RETURN(context, ParseEncryptionContext(*header, bucket.name, Str(ctx.input, "Key")));
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
Result<std::map<std::string, std::string>> S3Service::Impl::ParseEncryptionContext(
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

void S3Service::Impl::ContextHeader(const std::map<std::string, std::string>& context,
                                    S3Reply& reply) {
  if (context.empty()) return;
  json::object o;
  for (const auto& [k, v] : context) o[k] = v;
  reply.Set("x-amz-server-side-encryption-context", Base64Encode(json::serialize(o)));
}

void S3Service::Impl::SseHeaders(const s3::ObjectRecord& object, S3Reply& reply) {
  reply.Set("x-amz-server-side-encryption", object.sse.empty() ? "AES256" : object.sse);
  if (object.sse == "aws:kms")
    reply.Set("x-amz-server-side-encryption-aws-kms-key-id", object.kms_key_id);
}

// Streams `body` into a new encrypted blob. The checksum `verify` names (the client's
// x-amz-checksum-* header or trailer), else `compute`, is calculated as the bytes pass and,
// when the client declared one, compared before the blob is committed (BadDigest).
Result<S3Service::Impl::Written> S3Service::Impl::WriteBlob(
    const RequestContext& ctx, net::BodyReader& body, const std::string& bucket,
    const std::string& key, const std::string& sse, const std::string& kms_key_id,
    const std::map<std::string, std::string>& context, const RequestChecksum* verify,
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

Result<std::shared_ptr<net::BodySource>> S3Service::Impl::OpenObject(const RequestContext& ctx,
                                                                     const std::string& bucket,
                                                                     const s3::ObjectRecord& object,
                                                                     uint64_t start,
                                                                     uint64_t end) const {
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

}  // namespace kiroku::api
