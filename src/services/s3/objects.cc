// S3 objects: PutObject, GetObject and HeadObject (Range, conditions, checksums), DeleteObject,
// DeleteObjects, CopyObject, ListObjects (v1 and v2) and object tagging, with the rules for
// the headers, tags and canned ACLs an object keeps.
#include <ctime>
#include <set>

#include "api/json_members.h"
#include "aws/errors.h"
#include "common/encoding.h"
#include "crypto/checksum.h"
#include "services/s3/s3_internal.h"
#include "services/s3/s3_service.h"

namespace kiroku::services {
using namespace s3_internal;  // NOLINT: the S3 files share these helpers
using api::RequestContext;
using api::Str;

namespace {

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

void ObjectHeaders(const s3::ObjectRecord& object, S3Reply& reply) {
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
Status CheckConditions(const RequestContext& ctx, const s3::ObjectRecord& object) {
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
    return Status::InvalidArgument("At least one of the pre-conditions you specified did not hold")
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

std::string MaybeEncode(bool url, std::string_view s) {
  return url ? UriEncode(s, /*keep_slash=*/true) : std::string(s);
}

}  // namespace

Status S3Service::PutObject(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const {
  std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
  if (key.empty()) return InvalidArgument("An object key is required");
  RETURN_IF_ERROR(ValidateAcl(ctx));
  ASSIGN_OR_RETURN(s3::BucketRecord b, store_.GetBucket(bucket));
  s3::ObjectRecord object;
  object.key = key;
  RETURN_IF_ERROR(TakeObjectHeaders(ctx, object));
  ASSIGN_OR_RETURN(s3::Protection protection, ChooseEncryption(ctx, b));
  // Without a checksum of the client's, S3 computes a CRC64NVME of the whole object.
  ASSIGN_OR_RETURN(Written written, WriteBlob(ctx, body, bucket, key, protection, reply.checksum,
                                              crypto::ChecksumAlgorithm::kCrc64Nvme));
  object.size = written.segment.size;
  object.sse = written.segment.sse;
  object.kms_key_id = written.segment.kms_key_id;
  object.segments.push_back(std::move(written.segment));
  object.etag = "\"" + written.md5_hex + "\"";
  object.last_modified = clock_.Now();
  object.checksum_algorithm = written.checksum_algorithm;
  object.checksum = written.checksum;
  object.checksum_type = "FULL_OBJECT";
  RETURN_IF_ERROR(store_.PutObject(bucket, object));
  reply.Set("ETag", object.etag);
  ChecksumHeaders(object.checksum_algorithm, object.checksum, object.checksum_type, reply);
  SseHeaders(object, reply);
  ContextHeader(protection.context, reply);
  return Status::Ok();
}

Status S3Service::GetObject(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  return ReadObject(ctx, reply, false);
}

Status S3Service::HeadObject(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  return ReadObject(ctx, reply, true);
}

Status S3Service::ReadObject(RequestContext& ctx, S3Reply& reply, bool head) const {
  std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
  ASSIGN_OR_RETURN(s3::BucketRecord b, store_.GetBucket(bucket));
  (void)b;
  ASSIGN_OR_RETURN(s3::ObjectRecord object, store_.GetObject(bucket, key));
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

Status S3Service::DeleteObject(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
  RETURN_IF_ERROR(store_.GetBucket(bucket).status());
  RETURN_IF_ERROR(store_.DeleteObject(bucket, key).status());
  reply.status = 204;
  return Status::Ok();
}

Status S3Service::DeleteObjects(RequestContext& ctx, net::BodyReader& body, S3Reply& reply) const {
  std::string bucket = Str(ctx.input, "Bucket");
  RETURN_IF_ERROR(store_.GetBucket(bucket).status());
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
    RequestContext one = AsCallerFor(ctx, "DeleteObject");
    one.input = ctx.input;
    one.input["Key"] = key;
    Status s = authorize_.Authorize(one);
    if (s.ok()) s = store_.DeleteObject(bucket, key).status();
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
Result<std::pair<std::string, s3::ObjectRecord>> S3Service::CopySource(
    const RequestContext& ctx) const {
  std::string source = HeaderOf(ctx, "x-amz-copy-source").value_or("");
  auto decoded = UriDecode(source.substr(0, source.find('?')), false);
  if (!decoded) return InvalidArgument("Invalid copy source encoding");
  std::string src = decoded->starts_with("/") ? decoded->substr(1) : *decoded;
  size_t slash = src.find('/');
  if (slash == std::string::npos) return InvalidArgument("Invalid copy source object key");
  std::string src_bucket = src.substr(0, slash), src_key = src.substr(slash + 1);
  RequestContext read = AsCallerFor(ctx, "GetObject");
  read.input = {{"Bucket", src_bucket}, {"Key", src_key}};
  RETURN_IF_ERROR(authorize_.Authorize(read));
  ASSIGN_OR_RETURN(s3::ObjectRecord from, store_.GetObject(src_bucket, src_key));
  return std::pair<std::string, s3::ObjectRecord>(src_bucket, std::move(from));
}

Status S3Service::CopyObject(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  std::string bucket = Str(ctx.input, "Bucket"), key = Str(ctx.input, "Key");
  ASSIGN_OR_RETURN(auto copied, CopySource(ctx));
  const std::string& src_bucket = copied.first;
  const s3::ObjectRecord& from = copied.second;
  ASSIGN_OR_RETURN(s3::BucketRecord b, store_.GetBucket(bucket));
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
  ASSIGN_OR_RETURN(s3::Protection protection, ChooseEncryption(ctx, b));
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
                   WriteBlob(ctx, reader, bucket, key, protection, nullptr,
                             algorithm.value_or(crypto::ChecksumAlgorithm::kCrc64Nvme)));
  object.size = written.segment.size;
  object.sse = written.segment.sse;
  object.kms_key_id = written.segment.kms_key_id;
  object.segments = {std::move(written.segment)};
  object.etag = "\"" + written.md5_hex + "\"";
  object.last_modified = clock_.Now();
  object.checksum_algorithm = written.checksum_algorithm;
  object.checksum = written.checksum;
  object.checksum_type = "FULL_OBJECT";
  RETURN_IF_ERROR(store_.PutObject(bucket, object));
  aws::XmlWriter xml("CopyObjectResult");
  xml.Leaf("LastModified", FormatIso8601Millis(object.last_modified)).Leaf("ETag", object.etag);
  reply.body = xml.Finish();
  reply.Set("Content-Type", "application/xml");
  SseHeaders(object, reply);
  ContextHeader(protection.context, reply);
  return Status::Ok();
}

Status S3Service::ListObjects(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  return List(ctx, reply, false);
}

Status S3Service::ListObjectsV2(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  return List(ctx, reply, true);
}

Status S3Service::List(RequestContext& ctx, S3Reply& reply, bool v2) const {
  std::string bucket = Str(ctx.input, "Bucket");
  ASSIGN_OR_RETURN(s3::BucketRecord b, store_.GetBucket(bucket));
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
      if (n < 0) return InvalidArgument("Provided max-keys not an integer or within integer range");
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
  ASSIGN_OR_RETURN(s3::ListResult result, store_.ListObjects(bucket, options));
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

Status S3Service::PutObjectTagging(RequestContext& ctx, net::BodyReader& body,
                                   S3Reply& reply) const {
  ASSIGN_OR_RETURN(std::string text, ReadSmallBody(body));
  ASSIGN_OR_RETURN(aws::XmlElement doc, aws::ParseXml(text));
  const aws::XmlElement* set = doc.Child("TagSet");
  if (doc.name != "Tagging" || set == nullptr) return MalformedXml();
  ASSIGN_OR_RETURN(auto list, TagSetOf(*set, 10));
  std::map<std::string, std::string> tags(list.begin(), list.end());
  RETURN_IF_ERROR(store_.UpdateObjectTags(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"), tags));
  reply.status = 200;
  return Status::Ok();
}

Status S3Service::GetObjectTagging(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  ASSIGN_OR_RETURN(s3::ObjectRecord object,
                   store_.GetObject(Str(ctx.input, "Bucket"), Str(ctx.input, "Key")));
  aws::XmlWriter xml("Tagging");
  xml.Open("TagSet");
  for (const auto& [k, v] : object.tags) xml.Open("Tag").Leaf("Key", k).Leaf("Value", v).Close();
  reply.body = xml.Close().Finish();
  reply.Set("Content-Type", "application/xml");
  return Status::Ok();
}

Status S3Service::DeleteObjectTagging(RequestContext& ctx, net::BodyReader&, S3Reply& reply) const {
  RETURN_IF_ERROR(store_.UpdateObjectTags(Str(ctx.input, "Bucket"), Str(ctx.input, "Key"), {}));
  reply.status = 204;
  return Status::Ok();
}

}  // namespace kiroku::services
