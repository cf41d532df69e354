// DataKeys: how the per-blob data keys of S3's server-side encryption are protected. A blob
// (s3/blob_store.h) is encrypted under its own data key; what keeps that key is the object's
// SSE, recorded in its Segment:
//   "AES256" (SSE-S3)   wrapped under kiroku's master key, bound to the blob id
//                       (MasterKeyDataKeys below);
//   "aws:kms" (SSE-KMS) a KMS data key, generated and decrypted by KMS as the caller, bound to
//                       the encryption context {"aws:s3:arn": "arn:aws:s3:::bucket/key"} and the
//                       caller's pairs (services/s3/kms_data_keys.h).
// The wrapped forms are stored opaquely in Segment::wrapped_key (docs/s3.md).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/secret.h"
#include "s3/s3_store.h"

namespace kiroku::s3 {

// The protection asked for a new blob of an object.
struct Protection {
  std::string sse;         // "AES256" or "aws:kms"
  std::string kms_key_id;  // aws:kms: the key asked for; empty for alias/aws/s3
  // aws:kms: the caller's encryption context (without aws:s3:arn, which is always added).
  std::map<std::string, std::string> context;
};

struct NewDataKey {
  crypto::SecretBytes plaintext;
  // How the key is protected: sse, kms_key_id, encryption_context and — unless the protection
  // binds it to the blob id (see Seal) — wrapped_key. blob and size are the caller's to fill.
  Segment segment;
};

class DataKeys {
 public:
  virtual ~DataKeys() = default;
  // A fresh data key for a new blob of object `bucket`/`key`. Fails with the key service's
  // error (KMS: AccessDenied, DisabledException, NotFoundException, ...).
  virtual Result<NewDataKey> Generate(std::string_view bucket, std::string_view key,
                                      const Protection& protection) = 0;
  // Called once the blob exists (segment.blob set): fills segment.wrapped_key when the
  // protection binds the key to its blob (SSE-S3); nothing otherwise.
  virtual Status Seal(const crypto::SecretBytes& plaintext, Segment& segment) = 0;
  // The data key of `segment`, a blob of object `bucket`/`key`. Fails when the wrapped key
  // does not open (InvalidArgument) or with the key service's error.
  virtual Result<crypto::SecretBytes> Open(std::string_view bucket, std::string_view key,
                                           const Segment& segment) = 0;
};

// SSE-S3: random data keys wrapped under the master key (crypto::WrapKey, label
// "s3-object-blob:<blob id>"). Refuses other protections (Internal). Thread-safe.
class MasterKeyDataKeys final : public DataKeys {
 public:
  // `master_key` must outlive this object.
  explicit MasterKeyDataKeys(const crypto::SecretBytes& master_key) : master_key_(master_key) {}

  Result<NewDataKey> Generate(std::string_view bucket, std::string_view key,
                              const Protection& protection) override;
  Status Seal(const crypto::SecretBytes& plaintext, Segment& segment) override;
  Result<crypto::SecretBytes> Open(std::string_view bucket, std::string_view key,
                                   const Segment& segment) override;

 private:
  const crypto::SecretBytes& master_key_;
};

}  // namespace kiroku::s3
