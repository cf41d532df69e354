// S3 multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
// CompleteMultipartUpload (composite and full-object checksums), AbortMultipartUpload,
// ListParts and ListMultipartUploads.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "api/json_members.h"
#include "common/encoding.h"
#include "crypto/checksum.h"
#include "crypto/hash.h"
#include "services/s3/s3_internal.h"
#include "services/s3/s3_service.h"

namespace kiroku::services {
using namespace s3_internal;  // NOLINT: the S3 files share these helpers
using api::RequestContext;
using api::Str;

namespace {

Result<uint32_t> PartNumber(const RequestContext& ctx) {
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

}  // namespace

Status S3Service::CreateMultipartUpload(RequestContext& ctx, net::BodyReader&,
                                        S3Reply& reply) const {
  std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
  RETURN_IF_ERROR(ValidateAcl(ctx));
  ASSIGN_OR_RETURN(s3::BucketRecord b, store_.GetBucket(bucket));
  s3::UploadRecord upload;
  upload.upload_id = Base64Encode(crypto::RandomBytes(30));
  for (char& c : upload.upload_id) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  upload.key = key;
  upload.initiated = clock_.Now();
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
    upload.object.checksum_type = type.value_or(
        *algorithm == crypto::ChecksumAlgorithm::kCrc64Nvme ? "FULL_OBJECT" : "COMPOSITE");
    bool full = upload.object.checksum_type == "FULL_OBJECT";
    // FULL_OBJECT needs a CRC (combined from the parts); CRC64NVME is never COMPOSITE.
    if ((full && !crypto::IsCrc(*algorithm)) ||
        (!full && *algorithm == crypto::ChecksumAlgorithm::kCrc64Nvme)) {
      return InvalidRequest("The " + upload.object.checksum_type +
                            " checksum type cannot be used with the " +
                            AsciiLower(upload.object.checksum_algorithm) + " checksum algorithm.");
    }
  }
  RETURN_IF_ERROR(TakeObjectHeaders(ctx, upload.object));
  ASSIGN_OR_RETURN(s3::Protection protection, ChooseEncryption(ctx, b));
  upload.object.sse = protection.sse;
  upload.object.kms_key_id = protection.kms_key_id;
  upload.object.sse_context = protection.context;
  RETURN_IF_ERROR(store_.CreateUpload(bucket, upload));
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

// Writes `body` as part `number` of the upload (encrypted as the upload's object will be).
// A part carries the upload's checksum algorithm (checked against the client's, when it
// sends one), so that CompleteMultipartUpload can build the composite checksum.
Result<s3::PartRecord> S3Service::WritePart(const RequestContext& ctx, net::BodyReader& body,
                                            const s3::UploadRecord& upload, uint32_t number,
                                            const RequestChecksum* verify) const {
  std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
  std::optional<crypto::ChecksumAlgorithm> algorithm =
      crypto::ParseChecksumAlgorithm(upload.object.checksum_algorithm);
  if (algorithm && verify != nullptr && verify->algorithm && *verify->algorithm != *algorithm) {
    return InvalidRequest(
        "Checksum Type mismatch occurred, expected checksum Type: " +
        AsciiLower(upload.object.checksum_algorithm) +
        ", actual checksum Type: " + AsciiLower(crypto::ChecksumAlgorithmName(*verify->algorithm)));
  }
  ASSIGN_OR_RETURN(Written written, WriteBlob(ctx, body, bucket, key,
                                              {upload.object.sse, upload.object.kms_key_id,
                                               upload.object.sse_context},
                                              verify, algorithm));
  s3::PartRecord part;
  part.number = number;
  part.etag = "\"" + written.md5_hex + "\"";
  part.last_modified = clock_.Now();
  part.segment = std::move(written.segment);
  part.checksum_algorithm = written.checksum_algorithm;
  part.checksum = written.checksum;
  Status s = store_.PutPart(bucket, key, upload.upload_id, part);
  if (!s.ok()) {
    (void)store_.blobs().Remove(part.segment.blob);
    return s;
  }
  return part;
}

Status S3Service::UploadPart(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const {
  ASSIGN_OR_RETURN(uint32_t number, PartNumber(ctx));
  ASSIGN_OR_RETURN(s3::UploadRecord upload,
                   store_.GetUpload(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"),
                                    QueryOf(ctx, "uploadId").value_or("")));
  ASSIGN_OR_RETURN(s3::PartRecord part, WritePart(ctx, body, upload, number, reply.checksum));
  reply.Set("ETag", part.etag);
  ChecksumHeaders(part.checksum_algorithm, part.checksum, "", reply);
  SseHeaders(upload.object, reply);
  return Status::Ok();
}

// A part copied from (a byte range of) an existing object: x-amz-copy-source and the
// optional x-amz-copy-source-range "bytes=first-last" (inclusive, zero-based).
Status S3Service::UploadPartCopy(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(uint32_t number, PartNumber(ctx));
  ASSIGN_OR_RETURN(s3::UploadRecord upload,
                   store_.GetUpload(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"),
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

Status S3Service::CompleteMultipartUpload(RequestContext& ctx, net::BodyReader& body,
                                          S3Reply& reply) const {
  std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
  std::string upload_id = QueryOf(ctx, "uploadId").value_or("");
  ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
  ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
  if (doc.name != "CompleteMultipartUpload") return MalformedXml();
  std::vector<std::pair<uint32_t, std::string>> parts;
  std::map<uint32_t, std::pair<std::string, std::string>> declared;  // algorithm, base64
  for (const aws::XmlElement* p : doc.Children("Part")) {
    try {
      parts.emplace_back(static_cast<uint32_t>(std::stoul(p->ChildText("PartNumber").value_or(""))),
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
    ASSIGN_OR_RETURN(std::vector<s3::PartRecord> stored, store_.ListParts(upload_id));
    for (const auto& [number, checksum] : declared) {
      auto it =
          std::find_if(stored.begin(), stored.end(),
                       [number = number](const s3::PartRecord& p) { return p.number == number; });
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
                   store_.CompleteUpload(bucket, key, upload_id, parts, expected));
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

Status S3Service::AbortMultipartUpload(RequestContext& ctx, net::BodyReader&,
                                       S3Reply& reply) const {
  RETURN_IF_ERROR(store_.AbortUpload(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"),
                                     QueryOf(ctx, "uploadId").value_or("")));
  reply.status = 204;
  return Status::Ok();
}

Status S3Service::ListParts(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
  std::string upload_id = QueryOf(ctx, "uploadId").value_or("");
  ASSIGN_OR_RETURN(s3::UploadRecord upload, store_.GetUpload(bucket, key, upload_id));
  ASSIGN_OR_RETURN(std::vector<s3::PartRecord> parts, store_.ListParts(upload_id));
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

Status S3Service::ListMultipartUploads(RequestContext& ctx, net::BodyReader&,
                                       S3Reply& reply) const {
  std::string bucket = Str(ctx.input, "Bucket");
  RETURN_IF_ERROR(store_.GetBucket(bucket).status());
  ASSIGN_OR_RETURN(std::vector<s3::UploadRecord> uploads, store_.ListUploads(bucket));
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

}  // namespace kiroku::services
