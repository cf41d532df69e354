// S3Store: buckets, object metadata and multipart uploads, persisted in store::Db ("meta"
// family, tag '3'; docs/storage-keys.md), with object bytes in a BlobStore. The engine knows
// nothing of HTTP, XML or authorization: services/s3/s3_service.cc decides who may call what,
// s3/data_keys.h how data keys are protected (SSE-S3 / SSE-KMS) and the S3 handler files
// (services/s3/buckets.cc, objects.cc, multipart.cc) how records appear on the wire.
//
// Durability: an object's blobs are committed (fsynced) before its record is written (fsynced
// by the Db), so an acknowledged PutObject survives a crash; replaced and deleted objects'
// blobs are removed after the record change (a crash between leaves an unreferenced encrypted
// file, never a record without its bytes).
//
// Thread-safety: every method may be called concurrently; record changes are compare-and-set.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "s3/blob_store.h"
#include "store/db.h"

namespace kiroku::s3 {

// How one blob's data key is protected.
struct Segment {
  std::string blob;  // BlobStore id
  uint64_t size = 0;
  std::string sse;          // "AES256" (master key) or "aws:kms"
  std::string kms_key_id;   // aws:kms: the key ARN
  std::string wrapped_key;  // raw bytes: WrapKey output or a KMS ciphertext blob
  // aws:kms: the caller's encryption context (x-amz-server-side-encryption-context), without
  // the aws:s3:arn pair S3 always adds; KMS binds both to the data key.
  std::map<std::string, std::string> encryption_context;
};

struct ObjectRecord {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // with its quotes, as S3 returns it
  TimePoint last_modified;
  std::string content_type;
  std::map<std::string, std::string> metadata;  // x-amz-meta-* (names lower-cased, no prefix)
  std::map<std::string, std::string> headers;   // Cache-Control, Content-Disposition, ...
  std::string acl;                              // canned ACL as given (private by default)
  std::map<std::string, std::string> tags;      // object tags (x-amz-tagging, ?tagging)
  std::string sse;                              // "AES256" or "aws:kms"
  std::string kms_key_id;
  std::map<std::string, std::string> sse_context;  // multipart: the context parts are sealed with
  std::vector<Segment> segments;  // one for PutObject, one per part after multipart
  // S3's flexible checksum of the object: algorithm ("CRC32", "CRC32C", "CRC64NVME", "SHA1",
  // "SHA256"), value as S3 returns it (base64; "<base64>-<parts>" for a composite multipart
  // checksum) and type ("FULL_OBJECT" or "COMPOSITE"). All empty for objects stored before
  // kiroku kept checksums. An upload's record carries the algorithm and type it was created
  // with.
  std::string checksum_algorithm;
  std::string checksum;
  std::string checksum_type;
};

struct BucketRecord {
  std::string name;
  std::string account;
  std::string region;
  TimePoint created;
  std::string policy;         // the bucket policy document, empty when none
  std::string sse_algorithm;  // default encryption: "AES256" (also when unset) or "aws:kms"
  std::string kms_key_id;
  bool encryption_configured = false;
  bool bucket_key_enabled = false;
  std::vector<std::pair<std::string, std::string>> tags;
};

struct UploadRecord {
  std::string upload_id;
  std::string key;
  TimePoint initiated;
  ObjectRecord object;  // what the completed object will carry (headers, metadata, acl, sse)
};

struct PartRecord {
  uint32_t number = 0;
  std::string etag;  // quoted
  TimePoint last_modified;
  Segment segment;
  std::string checksum_algorithm;  // as ObjectRecord; empty when the part has none
  std::string checksum;            // base64 of the part's raw digest
};

struct ListOptions {
  std::string prefix;
  std::string delimiter;
  std::string start_after;  // exclusive; also a continuation point
  size_t max_keys = 1000;
};

struct ListResult {
  std::vector<ObjectRecord> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_marker;  // the last key or common prefix returned, when truncated
};

// S3's bucket naming rules (general purpose buckets). InvalidBucketName when broken.
Status ValidateBucketName(std::string_view name);

class S3Store {
 public:
  // All must outlive the store.
  S3Store(store::Db& db, BlobStore& blobs, const Clock& clock)
      : db_(db), blobs_(blobs), clock_(clock) {}

  BlobStore& blobs() { return blobs_; }

  // BucketAlreadyOwnedByYou when `bucket.account` owns it already, BucketAlreadyExists when
  // another account does; InvalidBucketName.
  Status CreateBucket(const BucketRecord& bucket);
  // NoSuchBucket.
  Result<BucketRecord> GetBucket(std::string_view name) const;
  // Replaces the record of an existing bucket (policy, encryption, tags). NoSuchBucket.
  Status UpdateBucket(const BucketRecord& bucket);
  // NoSuchBucket; BucketNotEmpty while objects or multipart uploads remain.
  Status DeleteBucket(std::string_view name);
  // The buckets of `account`, by name.
  Result<std::vector<BucketRecord>> ListBuckets(std::string_view account) const;

  // NoSuchKey.
  Result<ObjectRecord> GetObject(std::string_view bucket, std::string_view key) const;
  // Stores the record (its blobs must be committed) and removes the blobs of the object it
  // replaces.
  Status PutObject(std::string_view bucket, const ObjectRecord& object);
  // Replaces the tags of an existing object, nothing else (NoSuchKey if it is gone).
  Status UpdateObjectTags(std::string_view bucket, std::string_view key,
                          const std::map<std::string, std::string>& tags);
  // Removes the object if it exists (S3 answers 204 either way); returns whether it existed.
  Result<bool> DeleteObject(std::string_view bucket, std::string_view key);
  Result<ListResult> ListObjects(std::string_view bucket, const ListOptions& options) const;

  Status CreateUpload(std::string_view bucket, const UploadRecord& upload);
  // NoSuchUpload.
  Result<UploadRecord> GetUpload(std::string_view bucket, std::string_view key,
                                 std::string_view upload_id) const;
  // Stores (or replaces) a part; its blob must be committed. NoSuchUpload.
  Status PutPart(std::string_view bucket, std::string_view key, std::string_view upload_id,
                 const PartRecord& part);
  Result<std::vector<PartRecord>> ListParts(std::string_view upload_id) const;
  // Builds the object from the chosen parts (number and ETag each, ascending), removing the
  // upload and unused parts. When the upload names a checksum algorithm and every chosen part
  // has that checksum, the object gets the checksum of the upload's type: COMPOSITE, the
  // algorithm over the concatenated raw part checksums, base64, then "-<number of parts>";
  // FULL_OBJECT (CRCs only), the parts' CRCs combined into the CRC of the whole object, which
  // must equal `expected_checksum` (base64) when that is given (BadDigest). InvalidPart,
  // InvalidPartOrder, EntityTooSmall (a part other than the last under 5 MiB), NoSuchUpload.
  Result<ObjectRecord> CompleteUpload(std::string_view bucket, std::string_view key,
                                      std::string_view upload_id,
                                      const std::vector<std::pair<uint32_t, std::string>>& parts,
                                      std::string_view expected_checksum = {});
  // NoSuchUpload.
  Status AbortUpload(std::string_view bucket, std::string_view key, std::string_view upload_id);
  // The bucket's uploads in progress, by key.
  Result<std::vector<UploadRecord>> ListUploads(std::string_view bucket) const;

 private:
  void RemoveBlobs(const std::vector<Segment>& segments);

  store::Db& db_;
  BlobStore& blobs_;
  const Clock& clock_;
};

}  // namespace kiroku::s3
