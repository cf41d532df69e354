// Hashes and MACs over OpenSSL 3 (EVP). Pure functions; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace kiroku::crypto {

// SHA-256 digest: 32 raw bytes.
std::string Sha256(std::string_view data);

// An incremental digest for payloads that arrive in pieces. Not copyable; single-threaded.
class Hasher {
 public:
  enum class Digest {
    kSha256,
    // only where AWS defines MD5 as a checksum or identifier, never for security: S3 ETags,
    // Content-MD5, CloudTrail public key fingerprints
    kMd5,
    // only as S3's flexible checksum (x-amz-checksum-sha1), an integrity check the client asks
    // for, never for security
    kSha1,
  };

  explicit Hasher(Digest digest);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void Update(std::string_view data);
  // The raw digest (32 bytes for SHA-256, 20 for SHA-1, 16 for MD5); the hasher may not be used
  // afterwards.
  std::string Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

class Sha256Hasher : public Hasher {
 public:
  Sha256Hasher() : Hasher(Digest::kSha256) {}
};

class Md5Hasher : public Hasher {
 public:
  Md5Hasher() : Hasher(Digest::kMd5) {}
};

// HMAC-SHA256(key, data): 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// HMAC-SHA1(key, data): 20 raw bytes. Only where a standard fixes SHA-1: S3's legacy
// query-string signatures (SigV2 presigned URLs, which `aws s3 presign` still produces) and
// TOTP codes of virtual MFA devices (totp.h).
std::string HmacSha1(std::string_view key, std::string_view data);

// Equality in time independent of where the inputs differ (CRYPTO_memcmp). Lengths are not secret.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `n` bytes from OpenSSL's CSPRNG. Aborts if the generator fails (it cannot, once seeded).
std::string RandomBytes(size_t n);
// A random (version 4) UUID in its lower-case 8-4-4-4-12 form: request ids, event ids, KMS key ids.
std::string RandomUuid();

}  // namespace kiroku::crypto
