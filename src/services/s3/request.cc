// What an S3 request carries besides its operation: headers and query parameters of the decoded
// input, the flexible checksums it asks to verify, x-amz-content-sha256, small bodies, canned
// ACLs, tags and the headers an object keeps.
#include <algorithm>
#include <cstring>
#include <set>

#include "api/json_members.h"
#include "common/arn.h"
#include "services/s3/s3_internal.h"

namespace kiroku::services::s3_internal {
namespace {

constexpr size_t kMaxXmlBody = 2 * 1024 * 1024;

Status CheckTag(const std::string& key, const std::string& value) {
  if (key.empty() || key.size() > 128 || value.size() > 256 || key.starts_with("aws:")) {
    return Status::InvalidArgument("The TagKey you have provided is invalid")
        .WithAwsCode("InvalidTag");
  }
  return Status::Ok();
}

Status TooManyTags(size_t limit) {
  return Status::InvalidArgument(limit == 10 ? "Object tags cannot be greater than 10"
                                             : "Bucket tag count cannot be greater than 50")
      .WithAwsCode("BadRequest");
}

Status DuplicateTag() {
  return Status::InvalidArgument("Cannot provide multiple Tags with the same key")
      .WithAwsCode("InvalidTag");
}

}  // namespace

Status InvalidRequest(std::string message) {
  return Status::InvalidArgument(std::move(message)).WithAwsCode("InvalidRequest");
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

Result<size_t> StringBodyReader::Read(char* out, size_t capacity) {
  size_t n = std::min(capacity, data_.size());
  std::memcpy(out, data_.data(), n);
  data_.remove_prefix(n);
  return n;
}

Result<size_t> HashingReader::Read(char* out, size_t capacity) {
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

std::optional<std::string> HeaderOf(const api::RequestContext& ctx, std::string_view name) {
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

std::optional<std::string> QueryOf(const api::RequestContext& ctx, std::string_view name) {
  auto it = ctx.input.find("Query");
  if (it == ctx.input.end() || !it->value().is_object()) return std::nullopt;
  auto q = it->value().as_object().find(name);
  if (q == it->value().as_object().end()) return std::nullopt;
  return std::string(q->value().as_string());
}

std::string BucketArn(std::string_view bucket) { return Arn::S3(bucket).ToString(); }

std::string ObjectArn(std::string_view bucket, std::string_view key) {
  return Arn::S3(std::string(bucket) + "/" + std::string(key)).ToString();
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

Status ValidateAcl(const api::RequestContext& ctx) {
  static const std::set<std::string> kCanned = {
      "private",       "public-read",       "public-read-write",         "authenticated-read",
      "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write"};
  if (auto acl = HeaderOf(ctx, "x-amz-acl"); acl && !kCanned.contains(*acl)) {
    return InvalidArgument("Invalid canned ACL: " + *acl);
  }
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, std::string>>> TagSetOf(const aws::XmlElement& set,
                                                                  size_t limit) {
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

Result<std::map<std::string, std::string>> HeaderTags(const api::RequestContext& ctx) {
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
    if (!k || !v)
      return InvalidArgument(
          "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query "
          "parameters without tag name duplicates.");
    RETURN_IF_ERROR(CheckTag(*k, *v));
    if (!tags.emplace(*k, *v).second) return DuplicateTag();
  }
  if (tags.size() > 10) return TooManyTags(10);
  return tags;
}

Status TakeObjectHeaders(const api::RequestContext& ctx, s3::ObjectRecord& object) {
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

Result<std::optional<crypto::ChecksumAlgorithm>> ChecksumAlgorithmHeader(
    const api::RequestContext& ctx) {
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

void ChecksumHeaders(const std::string& algorithm, const std::string& value,
                     const std::string& type, S3Reply& reply) {
  if (algorithm.empty() || value.empty()) return;
  reply.Set("x-amz-checksum-" + AsciiLower(algorithm), value);
  if (!type.empty()) reply.Set("x-amz-checksum-type", type);
}

void SseHeaders(const s3::ObjectRecord& object, S3Reply& reply) {
  reply.Set("x-amz-server-side-encryption", object.sse.empty() ? "AES256" : object.sse);
  if (object.sse == "aws:kms")
    reply.Set("x-amz-server-side-encryption-aws-kms-key-id", object.kms_key_id);
}

void ContextHeader(const std::map<std::string, std::string>& context, S3Reply& reply) {
  if (context.empty()) return;
  json::object o;
  for (const auto& [k, v] : context) o[k] = v;
  reply.Set("x-amz-server-side-encryption-context", Base64Encode(json::serialize(o)));
}

}  // namespace kiroku::services::s3_internal
