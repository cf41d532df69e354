#include "s3/s3_store.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/encoding.h"
#include "common/logging.h"
#include "crypto/checksum.h"
#include "crypto/hash.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::s3 {
namespace json = boost::json;
namespace {

constexpr std::string_view kMeta = "meta";
constexpr uint8_t kTag = '3';
constexpr uint64_t kMinPartBytes = 5 * 1024 * 1024;

std::string BucketKey(std::string_view name) {
  return store::KeyBuilder().Tag(kTag).Tag('b').String(name).Build();
}
std::string ObjectPrefix(std::string_view bucket) {
  return store::KeyBuilder().Tag(kTag).Tag('o').String(bucket).Build();
}
std::string ObjectKey(std::string_view bucket, std::string_view key) {
  return store::KeyBuilder().Tag(kTag).Tag('o').String(bucket).String(key).Build();
}
std::string UploadPrefix(std::string_view bucket) {
  return store::KeyBuilder().Tag(kTag).Tag('u').String(bucket).Build();
}
std::string UploadKey(std::string_view bucket, std::string_view key, std::string_view id) {
  return store::KeyBuilder().Tag(kTag).Tag('u').String(bucket).String(key).String(id).Build();
}
std::string PartPrefix(std::string_view upload_id) {
  return store::KeyBuilder().Tag(kTag).Tag('p').String(upload_id).Build();
}
std::string PartKey(std::string_view upload_id, uint32_t number) {
  return store::KeyBuilder().Tag(kTag).Tag('p').String(upload_id).U32(number).Build();
}

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint FromMillis(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

std::string Str(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}
int64_t Int(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  return it != o.end() && it->value().is_int64() ? it->value().as_int64() : 0;
}
json::object MapToJson(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}
std::map<std::string, std::string> MapFromJson(const json::object& o, std::string_view k) {
  std::map<std::string, std::string> m;
  auto it = o.find(k);
  if (it == o.end() || !it->value().is_object()) return m;
  for (const auto& [name, v] : it->value().as_object()) {
    if (v.is_string()) m[std::string(name)] = std::string(v.as_string());
  }
  return m;
}

json::object SegmentToJson(const Segment& s) {
  json::object o{{"blob", s.blob},
                 {"size", static_cast<int64_t>(s.size)},
                 {"sse", s.sse},
                 {"kmsKeyId", s.kms_key_id},
                 {"key", Base64Encode(s.wrapped_key)}};
  if (!s.encryption_context.empty()) o["context"] = MapToJson(s.encryption_context);
  return o;
}
Segment SegmentFromJson(const json::object& o) {
  Segment s;
  s.blob = Str(o, "blob");
  s.size = static_cast<uint64_t>(Int(o, "size"));
  s.sse = Str(o, "sse");
  s.kms_key_id = Str(o, "kmsKeyId");
  s.wrapped_key = Base64Decode(Str(o, "key")).value_or("");
  s.encryption_context = MapFromJson(o, "context");
  return s;
}

json::object ObjectToJson(const ObjectRecord& r) {
  json::array segments;
  for (const Segment& s : r.segments) segments.push_back(SegmentToJson(s));
  json::object o{{"key", r.key},
                 {"size", static_cast<int64_t>(r.size)},
                 {"etag", r.etag},
                 {"lastModified", Millis(r.last_modified)},
                 {"contentType", r.content_type},
                 {"metadata", MapToJson(r.metadata)},
                 {"headers", MapToJson(r.headers)},
                 {"acl", r.acl},
                 {"sse", r.sse},
                 {"kmsKeyId", r.kms_key_id},
                 {"segments", std::move(segments)}};
  if (!r.sse_context.empty()) o["sseContext"] = MapToJson(r.sse_context);
  if (!r.tags.empty()) o["tags"] = MapToJson(r.tags);
  // Optional members: records written before checksums existed read back with none.
  if (!r.checksum_algorithm.empty()) o["checksumAlgorithm"] = r.checksum_algorithm;
  if (!r.checksum.empty()) o["checksum"] = r.checksum;
  if (!r.checksum_type.empty()) o["checksumType"] = r.checksum_type;
  return o;
}
ObjectRecord ObjectFromJson(const json::object& o) {
  ObjectRecord r;
  r.key = Str(o, "key");
  r.size = static_cast<uint64_t>(Int(o, "size"));
  r.etag = Str(o, "etag");
  r.last_modified = FromMillis(Int(o, "lastModified"));
  r.content_type = Str(o, "contentType");
  r.metadata = MapFromJson(o, "metadata");
  r.headers = MapFromJson(o, "headers");
  r.acl = Str(o, "acl");
  r.sse = Str(o, "sse");
  r.kms_key_id = Str(o, "kmsKeyId");
  r.sse_context = MapFromJson(o, "sseContext");
  r.tags = MapFromJson(o, "tags");
  r.checksum_algorithm = Str(o, "checksumAlgorithm");
  r.checksum = Str(o, "checksum");
  r.checksum_type = Str(o, "checksumType");
  if (auto it = o.find("segments"); it != o.end() && it->value().is_array()) {
    for (const json::value& s : it->value().as_array()) {
      if (s.is_object()) r.segments.push_back(SegmentFromJson(s.as_object()));
    }
  }
  return r;
}

json::object BucketToJson(const BucketRecord& b) {
  json::array tags;
  for (const auto& [k, v] : b.tags) tags.push_back(json::object{{"Key", k}, {"Value", v}});
  return {{"name", b.name},
          {"account", b.account},
          {"region", b.region},
          {"created", Millis(b.created)},
          {"policy", b.policy},
          {"sseAlgorithm", b.sse_algorithm},
          {"kmsKeyId", b.kms_key_id},
          {"encryptionConfigured", b.encryption_configured},
          {"bucketKeyEnabled", b.bucket_key_enabled},
          {"tags", std::move(tags)}};
}
BucketRecord BucketFromJson(const json::object& o) {
  BucketRecord b;
  b.name = Str(o, "name");
  b.account = Str(o, "account");
  b.region = Str(o, "region");
  b.created = FromMillis(Int(o, "created"));
  b.policy = Str(o, "policy");
  b.sse_algorithm = Str(o, "sseAlgorithm");
  b.kms_key_id = Str(o, "kmsKeyId");
  if (auto it = o.find("encryptionConfigured"); it != o.end() && it->value().is_bool()) {
    b.encryption_configured = it->value().as_bool();
  }
  if (auto it = o.find("bucketKeyEnabled"); it != o.end() && it->value().is_bool()) {
    b.bucket_key_enabled = it->value().as_bool();
  }
  if (auto it = o.find("tags"); it != o.end() && it->value().is_array()) {
    for (const json::value& t : it->value().as_array()) {
      if (t.is_object())
        b.tags.emplace_back(Str(t.as_object(), "Key"), Str(t.as_object(), "Value"));
    }
  }
  return b;
}

Status NoSuchBucket(std::string_view name) {
  return Status::NotFound("The specified bucket does not exist").WithAwsCode("NoSuchBucket");
  (void)name;
}

Status NoSuchUpload() {
  return Status::NotFound(
             "The specified upload does not exist. The upload ID may be invalid, or the upload "
             "may have been aborted or completed.")
      .WithAwsCode("NoSuchUpload");
}

bool IsIpAddress(std::string_view name) {
  int dots = 0;
  for (char c : name) {
    if (c == '.')
      ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  }
  return dots == 3;
}

}  // namespace

Status ValidateBucketName(std::string_view name) {
  auto bad = [&](std::string why) {
    return Status::InvalidArgument("The specified bucket is not valid. (" + why + ")")
        .WithAwsCode("InvalidBucketName");
  };
  if (name.size() < 3 || name.size() > 63) return bad("length must be 3 to 63");
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-')) {
      return bad("only lower-case letters, digits, dots and hyphens");
    }
  }
  auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  if (!alnum(name.front()) || !alnum(name.back()))
    return bad("must begin and end with a letter or digit");
  if (name.find("..") != std::string_view::npos || name.find(".-") != std::string_view::npos ||
      name.find("-.") != std::string_view::npos) {
    return bad("adjacent periods or hyphens next to periods");
  }
  if (IsIpAddress(name)) return bad("must not be formatted as an IP address");
  if (name.starts_with("xn--") || name.starts_with("sthree-") || name.ends_with("-s3alias") ||
      name.ends_with("--ol-s3")) {
    return bad("reserved prefix or suffix");
  }
  return Status::Ok();
}

Status S3Store::CreateBucket(const BucketRecord& bucket) {
  RETURN_IF_ERROR(ValidateBucketName(bucket.name));
  std::string value = json::serialize(BucketToJson(bucket));
  Status s = db_.CompareAndSet(kMeta, BucketKey(bucket.name), std::nullopt, value);
  if (s.code() != Code::kConflict) return s;
  ASSIGN_OR_RETURN(BucketRecord existing, GetBucket(bucket.name));
  if (existing.account == bucket.account) {
    return Status::AlreadyExists(
               "Your previous request to create the named bucket succeeded and you already own "
               "it.")
        .WithAwsCode("BucketAlreadyOwnedByYou");
  }
  return Status::AlreadyExists(
             "The requested bucket name is not available. The bucket namespace is shared by all "
             "users of the system. Please select a different name and try again.")
      .WithAwsCode("BucketAlreadyExists");
}

Result<BucketRecord> S3Store::GetBucket(std::string_view name) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value, db_.Get(kMeta, BucketKey(name)));
  if (!value) return NoSuchBucket(name);
  ASSIGN_OR_RETURN(json::object o, store::ReadJsonRecord(*value, "S3 bucket"));
  return BucketFromJson(o);
}

Status S3Store::UpdateBucket(const BucketRecord& bucket) {
  std::string key = BucketKey(bucket.name);
  ASSIGN_OR_RETURN(std::optional<std::string> old, db_.Get(kMeta, key));
  if (!old) return NoSuchBucket(bucket.name);
  return db_.CompareAndSet(kMeta, key, old, json::serialize(BucketToJson(bucket)));
}

Status S3Store::DeleteBucket(std::string_view name) {
  std::string key = BucketKey(name);
  ASSIGN_OR_RETURN(std::optional<std::string> old, db_.Get(kMeta, key));
  if (!old) return NoSuchBucket(name);
  bool empty = true;
  for (const std::string& prefix : {ObjectPrefix(name), UploadPrefix(name)}) {
    RETURN_IF_ERROR(db_.Scan(kMeta, store::Range::Prefix(prefix), [&](auto, auto) {
      empty = false;
      return false;
    }));
  }
  if (!empty) {
    return Status::Conflict("The bucket you tried to delete is not empty")
        .WithAwsCode("BucketNotEmpty");
  }
  return db_.CompareAndSet(kMeta, key, old, std::nullopt);
}

Result<std::vector<BucketRecord>> S3Store::ListBuckets(std::string_view account) const {
  std::vector<BucketRecord> out;
  Status parse_error;
  RETURN_IF_ERROR(db_.Scan(kMeta,
                           store::Range::Prefix(store::KeyBuilder().Tag(kTag).Tag('b').Build()),
                           [&](std::string_view, std::string_view value) {
                             auto o = store::ReadJsonRecord(value, "S3 bucket");
                             if (!o.ok()) {
                               parse_error = o.status();
                               return false;
                             }
                             BucketRecord b = BucketFromJson(*o);
                             if (b.account == account) out.push_back(std::move(b));
                             return true;
                           }));
  RETURN_IF_ERROR(parse_error);
  return out;
}

Result<ObjectRecord> S3Store::GetObject(std::string_view bucket, std::string_view key) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value, db_.Get(kMeta, ObjectKey(bucket, key)));
  if (!value) {
    return Status::NotFound("The specified key does not exist.").WithAwsCode("NoSuchKey");
  }
  ASSIGN_OR_RETURN(json::object o, store::ReadJsonRecord(*value, "S3 object"));
  return ObjectFromJson(o);
}

void S3Store::RemoveBlobs(const std::vector<Segment>& segments) {
  for (const Segment& s : segments) {
    if (Status st = blobs_.Remove(s.blob); !st.ok()) {
      spdlog::warn("could not remove object blob {}: {}", s.blob, st.ToString());
    }
  }
}

Status S3Store::PutObject(std::string_view bucket, const ObjectRecord& object) {
  std::string key = ObjectKey(bucket, object.key);
  std::string value = json::serialize(ObjectToJson(object));
  while (true) {
    ASSIGN_OR_RETURN(std::optional<std::string> old, db_.Get(kMeta, key));
    Status s = db_.CompareAndSet(kMeta, key, old, value);
    if (s.code() == Code::kConflict) continue;
    RETURN_IF_ERROR(s);
    if (old) {
      if (auto o = store::ReadJsonRecord(*old, "S3 object"); o.ok())
        RemoveBlobs(ObjectFromJson(*o).segments);
    }
    return Status::Ok();
  }
}

Status S3Store::UpdateObjectTags(std::string_view bucket, std::string_view key,
                                 const std::map<std::string, std::string>& tags) {
  std::string k = ObjectKey(bucket, key);
  while (true) {
    ASSIGN_OR_RETURN(std::optional<std::string> old, db_.Get(kMeta, k));
    if (!old) {
      return Status::NotFound("The specified key does not exist.").WithAwsCode("NoSuchKey");
    }
    ASSIGN_OR_RETURN(json::object o, store::ReadJsonRecord(*old, "S3 object"));
    ObjectRecord object = ObjectFromJson(o);
    object.tags = tags;
    Status s = db_.CompareAndSet(kMeta, k, old, json::serialize(ObjectToJson(object)));
    if (s.code() == Code::kConflict) continue;  // replaced meanwhile: tag the new version
    return s;
  }
}

Result<bool> S3Store::DeleteObject(std::string_view bucket, std::string_view key) {
  std::string k = ObjectKey(bucket, key);
  while (true) {
    ASSIGN_OR_RETURN(std::optional<std::string> old, db_.Get(kMeta, k));
    if (!old) return false;
    Status s = db_.CompareAndSet(kMeta, k, old, std::nullopt);
    if (s.code() == Code::kConflict) continue;
    RETURN_IF_ERROR(s);
    if (auto o = store::ReadJsonRecord(*old, "S3 object"); o.ok())
      RemoveBlobs(ObjectFromJson(*o).segments);
    return true;
  }
}

Result<ListResult> S3Store::ListObjects(std::string_view bucket, const ListOptions& options) const {
  ListResult result;
  std::string prefix_key =
      store::KeyBuilder().Tag(kTag).Tag('o').String(bucket).StringPrefix(options.prefix).Build();
  store::Range range = store::Range::Prefix(prefix_key);
  if (!options.start_after.empty() && options.start_after >= options.prefix) {
    // Start at the key itself; it is skipped below (exclusive).
    range.start = ObjectKey(bucket, options.start_after);
  }
  size_t count = 0;
  Status parse_error;
  RETURN_IF_ERROR(db_.Scan(kMeta, range, [&](std::string_view, std::string_view value) {
    auto o = store::ReadJsonRecord(value, "S3 object");
    if (!o.ok()) {
      parse_error = o.status();
      return false;
    }
    std::string key = Str(*o, "key");
    if (!options.start_after.empty() && key <= options.start_after) return true;
    std::optional<std::string> common;
    if (!options.delimiter.empty()) {
      size_t d = key.find(options.delimiter, options.prefix.size());
      if (d != std::string::npos) common = key.substr(0, d + options.delimiter.size());
    }
    if (common) {
      // A continuation right after a common prefix resumes past all of its keys.
      if (!options.start_after.empty() && options.start_after.starts_with(*common)) return true;
      if (!result.common_prefixes.empty() && result.common_prefixes.back() == *common) return true;
    }
    if (count == options.max_keys) {
      result.truncated = true;
      return false;
    }
    ++count;
    if (common) {
      result.common_prefixes.push_back(*common);
      result.next_marker = *common;
    } else {
      result.objects.push_back(ObjectFromJson(*o));
      result.next_marker = key;
    }
    return true;
  }));
  RETURN_IF_ERROR(parse_error);
  if (!result.truncated) result.next_marker.clear();
  return result;
}

Status S3Store::CreateUpload(std::string_view bucket, const UploadRecord& upload) {
  json::object o{{"uploadId", upload.upload_id},
                 {"key", upload.key},
                 {"initiated", Millis(upload.initiated)},
                 {"object", ObjectToJson(upload.object)}};
  return db_.CompareAndSet(kMeta, UploadKey(bucket, upload.key, upload.upload_id), std::nullopt,
                           json::serialize(o));
}

Result<UploadRecord> S3Store::GetUpload(std::string_view bucket, std::string_view key,
                                        std::string_view upload_id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   db_.Get(kMeta, UploadKey(bucket, key, upload_id)));
  if (!value) return NoSuchUpload();
  ASSIGN_OR_RETURN(json::object o, store::ReadJsonRecord(*value, "S3 upload"));
  UploadRecord u;
  u.upload_id = Str(o, "uploadId");
  u.key = Str(o, "key");
  u.initiated = FromMillis(Int(o, "initiated"));
  if (auto it = o.find("object"); it != o.end() && it->value().is_object()) {
    u.object = ObjectFromJson(it->value().as_object());
  }
  return u;
}

Status S3Store::PutPart(std::string_view bucket, std::string_view key, std::string_view upload_id,
                        const PartRecord& part) {
  std::string upload_key = UploadKey(bucket, key, upload_id);
  ASSIGN_OR_RETURN(std::optional<std::string> upload, db_.Get(kMeta, upload_key));
  if (!upload) return NoSuchUpload();
  json::object o{{"number", part.number},
                 {"etag", part.etag},
                 {"lastModified", Millis(part.last_modified)},
                 {"segment", SegmentToJson(part.segment)}};
  if (!part.checksum.empty()) {
    o["checksumAlgorithm"] = part.checksum_algorithm;
    o["checksum"] = part.checksum;
  }
  std::string part_key = PartKey(upload_id, part.number);
  ASSIGN_OR_RETURN(std::optional<std::string> old, db_.Get(kMeta, part_key));
  store::WriteBatch batch;
  batch.Put(kMeta, part_key, json::serialize(o));
  // The upload must still exist (not completed or aborted meanwhile) and the part unchanged.
  Status s = db_.WriteIf(
      {{std::string(kMeta), upload_key, upload}, {std::string(kMeta), part_key, old}}, batch);
  if (s.code() == Code::kConflict) return NoSuchUpload();
  RETURN_IF_ERROR(s);
  if (old) {
    if (auto p = store::ReadJsonRecord(*old, "S3 part"); p.ok()) {
      if (auto it = p->find("segment"); it != p->end() && it->value().is_object()) {
        RemoveBlobs({SegmentFromJson(it->value().as_object())});
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<PartRecord>> S3Store::ListParts(std::string_view upload_id) const {
  std::vector<PartRecord> parts;
  RETURN_IF_ERROR(db_.Scan(kMeta, store::Range::Prefix(PartPrefix(upload_id)),
                           [&](std::string_view, std::string_view value) {
                             auto o = store::ReadJsonRecord(value, "S3 part");
                             if (!o.ok()) return true;
                             PartRecord p;
                             p.number = static_cast<uint32_t>(Int(*o, "number"));
                             p.etag = Str(*o, "etag");
                             p.last_modified = FromMillis(Int(*o, "lastModified"));
                             p.checksum_algorithm = Str(*o, "checksumAlgorithm");
                             p.checksum = Str(*o, "checksum");
                             if (auto it = o->find("segment");
                                 it != o->end() && it->value().is_object()) {
                               p.segment = SegmentFromJson(it->value().as_object());
                             }
                             parts.push_back(std::move(p));
                             return true;
                           }));
  return parts;
}

Result<ObjectRecord> S3Store::CompleteUpload(
    std::string_view bucket, std::string_view key, std::string_view upload_id,
    const std::vector<std::pair<uint32_t, std::string>>& chosen,
    std::string_view expected_checksum) {
  std::string upload_key = UploadKey(bucket, key, upload_id);
  ASSIGN_OR_RETURN(std::optional<std::string> upload_value, db_.Get(kMeta, upload_key));
  if (!upload_value) return NoSuchUpload();
  ASSIGN_OR_RETURN(UploadRecord upload, GetUpload(bucket, key, upload_id));
  ASSIGN_OR_RETURN(std::vector<PartRecord> parts, ListParts(upload_id));
  std::map<uint32_t, const PartRecord*> by_number;
  for (const PartRecord& p : parts) by_number[p.number] = &p;

  if (chosen.empty()) {
    return Status::InvalidArgument(
               "The XML you provided was not well-formed or did not validate against our "
               "published schema")
        .WithAwsCode("MalformedXML");
  }
  auto strip = [](std::string_view etag) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
      etag = etag.substr(1, etag.size() - 2);
    }
    return std::string(etag);
  };
  ObjectRecord object = upload.object;
  object.key = std::string(key);
  object.size = 0;
  object.segments.clear();
  std::string md5s;
  std::optional<crypto::ChecksumAlgorithm> parsed =
      crypto::ParseChecksumAlgorithm(upload.object.checksum_algorithm);
  crypto::ChecksumAlgorithm algorithm = parsed.value_or(crypto::ChecksumAlgorithm::kCrc64Nvme);
  // Uploads created before checksum types were kept: CRC64NVME is full-object, the rest
  // composite (S3's defaults).
  bool full_object =
      upload.object.checksum_type == "FULL_OBJECT" ||
      (upload.object.checksum_type.empty() && algorithm == crypto::ChecksumAlgorithm::kCrc64Nvme);
  bool composite = parsed.has_value() && (full_object ? crypto::IsCrc(algorithm) : true);
  std::string part_checksums;      // composite: the raw part checksums, concatenated
  std::optional<std::string> crc;  // full object: the CRC of the parts so far
  for (size_t i = 1; i < chosen.size(); ++i) {
    if (chosen[i].first <= chosen[i - 1].first) {
      return Status::InvalidArgument(
                 "The list of parts was not in ascending order. Parts must "
                 "be ordered by part number.")
          .WithAwsCode("InvalidPartOrder");
    }
  }
  for (size_t i = 0; i < chosen.size(); ++i) {
    const auto& [number, etag] = chosen[i];
    auto it = by_number.find(number);
    if (it == by_number.end() || strip(it->second->etag) != strip(etag)) {
      return Status::InvalidArgument(
                 "One or more of the specified parts could not be found. The part may not have "
                 "been uploaded, or the specified entity tag may not match the part's entity "
                 "tag.")
          .WithAwsCode("InvalidPart");
    }
    const PartRecord& part = *it->second;
    if (i + 1 < chosen.size() && part.segment.size < kMinPartBytes) {
      return Status::InvalidArgument(
                 "Your proposed upload is smaller than the minimum allowed "
                 "size")
          .WithAwsCode("EntityTooSmall");
    }
    md5s += HexDecode(strip(part.etag)).value_or("");
    if (composite) {
      std::optional<std::string> raw = Base64Decode(part.checksum);
      if (part.checksum_algorithm == upload.object.checksum_algorithm && raw) {
        if (!full_object) {
          part_checksums += *raw;
        } else {
          crc = crc ? crypto::CombineCrc(algorithm, *crc, *raw, part.segment.size) : raw;
          if (!crc) composite = false;
        }
      } else {
        composite = false;  // a part without the upload's checksum: the object has none
      }
    }
    object.size += part.segment.size;
    object.segments.push_back(part.segment);
  }
  // AWS's multipart ETag: MD5 of the concatenated part MD5s, then "-<number of parts>".
  crypto::Md5Hasher md5;
  md5.Update(md5s);
  object.etag = "\"" + HexEncode(md5.Finish()) + "-" + std::to_string(chosen.size()) + "\"";
  object.last_modified = clock_.Now();
  object.checksum.clear();
  object.checksum_type.clear();
  if (composite && full_object) {
    object.checksum = Base64Encode(*crc);
    object.checksum_type = "FULL_OBJECT";
    if (!expected_checksum.empty() && expected_checksum != object.checksum) {
      return Status::InvalidArgument("The " + upload.object.checksum_algorithm +
                                     " you specified did not match the calculated checksum.")
          .WithAwsCode("BadDigest");
    }
  } else if (composite) {
    object.checksum = Base64Encode(crypto::ComputeChecksum(algorithm, part_checksums)) + "-" +
                      std::to_string(chosen.size());
    object.checksum_type = "COMPOSITE";
  } else {
    object.checksum_algorithm.clear();
  }

  std::string object_key = ObjectKey(bucket, key);
  ASSIGN_OR_RETURN(std::optional<std::string> old_object, db_.Get(kMeta, object_key));
  store::WriteBatch batch;
  batch.Put(kMeta, object_key, json::serialize(ObjectToJson(object)));
  batch.Delete(kMeta, upload_key);
  std::vector<Segment> unused;
  for (const PartRecord& p : parts) {
    batch.Delete(kMeta, PartKey(upload_id, p.number));
    bool used = std::any_of(chosen.begin(), chosen.end(),
                            [&](const auto& c) { return c.first == p.number; });
    if (!used) unused.push_back(p.segment);
  }
  Status s = db_.WriteIf({{std::string(kMeta), upload_key, upload_value},
                          {std::string(kMeta), object_key, old_object}},
                         batch);
  if (s.code() == Code::kConflict) {
    return Status::Conflict(
               "A conflicting conditional operation is currently in progress "
               "against this resource. Please try again.")
        .WithAwsCode("OperationAborted");
  }
  RETURN_IF_ERROR(s);
  RemoveBlobs(unused);
  if (old_object) {
    if (auto o = store::ReadJsonRecord(*old_object, "S3 object"); o.ok())
      RemoveBlobs(ObjectFromJson(*o).segments);
  }
  return object;
}

Status S3Store::AbortUpload(std::string_view bucket, std::string_view key,
                            std::string_view upload_id) {
  std::string upload_key = UploadKey(bucket, key, upload_id);
  ASSIGN_OR_RETURN(std::optional<std::string> upload_value, db_.Get(kMeta, upload_key));
  if (!upload_value) return NoSuchUpload();
  ASSIGN_OR_RETURN(std::vector<PartRecord> parts, ListParts(upload_id));
  store::WriteBatch batch;
  batch.Delete(kMeta, upload_key);
  std::vector<Segment> segments;
  for (const PartRecord& p : parts) {
    batch.Delete(kMeta, PartKey(upload_id, p.number));
    segments.push_back(p.segment);
  }
  Status s = db_.WriteIf({{std::string(kMeta), upload_key, upload_value}}, batch);
  if (s.code() == Code::kConflict) return NoSuchUpload();
  RETURN_IF_ERROR(s);
  RemoveBlobs(segments);
  return Status::Ok();
}

Result<std::vector<UploadRecord>> S3Store::ListUploads(std::string_view bucket) const {
  std::vector<UploadRecord> out;
  RETURN_IF_ERROR(db_.Scan(kMeta, store::Range::Prefix(UploadPrefix(bucket)),
                           [&](std::string_view, std::string_view value) {
                             auto o = store::ReadJsonRecord(value, "S3 upload");
                             if (!o.ok()) return true;
                             UploadRecord u;
                             u.upload_id = Str(*o, "uploadId");
                             u.key = Str(*o, "key");
                             u.initiated = FromMillis(Int(*o, "initiated"));
                             out.push_back(std::move(u));
                             return true;
                           }));
  return out;
}

}  // namespace kiroku::s3
