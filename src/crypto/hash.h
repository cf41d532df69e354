// Hashes and MACs over OpenSSL 3 (EVP). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace kiroku::crypto {

// SHA-256 digest: 32 raw bytes.
std::string Sha256(std::string_view data);

// Incremental SHA-256 for payloads that arrive in pieces.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view data);
  std::string Finish();  // 32 raw bytes; the hasher may not be used afterwards

 private:
  struct State;
  State* state_;
};

// Incremental MD5, only for S3 ETags and Content-MD5 (integrity checksums AWS defines with MD5;
// never for security).
class Md5Hasher {
 public:
  Md5Hasher();
  ~Md5Hasher();
  Md5Hasher(const Md5Hasher&) = delete;
  Md5Hasher& operator=(const Md5Hasher&) = delete;

  void Update(std::string_view data);
  std::string Finish();  // 16 raw bytes; the hasher may not be used afterwards

 private:
  struct State;
  State* state_;
};

// HMAC-SHA256(key, data): 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// HMAC-SHA1(key, data): 20 raw bytes. Only for S3's legacy query-string signatures (SigV2
// presigned URLs, which `aws s3 presign` still produces).
std::string HmacSha1(std::string_view key, std::string_view data);

// Equality in time independent of where the inputs differ (CRYPTO_memcmp). Lengths are not secret.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `n` bytes from OpenSSL's CSPRNG. Aborts if the generator fails (it cannot, once seeded).
std::string RandomBytes(size_t n);

}  // namespace kiroku::crypto
