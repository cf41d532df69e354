// S3's flexible checksums (x-amz-checksum-<algorithm>): CRC32 (zlib), CRC32C (Castagnoli),
// CRC64NVME (the NVMe CRC-64, Rocksoft polynomial), SHA-1 and SHA-256 (OpenSSL). Integrity
// checks a client asks for, never used for security. Values travel as base64 of the
// big-endian digest. Pure functions and single-threaded values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/hash.h"

namespace kiroku::crypto {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

// "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256" (case-insensitive), as in
// x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm; nullopt for anything else.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// The upper-case name ("CRC32C").
std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm);
// Raw digest length in bytes: 4, 4, 8, 20, 32.
size_t ChecksumSize(ChecksumAlgorithm algorithm);

// Incremental checksum. Not copyable.
class Checksum {
 public:
  explicit Checksum(ChecksumAlgorithm algorithm);
  ~Checksum();
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;

  ChecksumAlgorithm algorithm() const { return algorithm_; }
  void Update(std::string_view data);
  // The raw big-endian digest; the checksum may not be used afterwards.
  std::string Finish();

 private:
  ChecksumAlgorithm algorithm_;
  uint64_t crc_ = 0;
  std::unique_ptr<Hasher> hasher_;
};

// One-shot raw digest.
std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view data);

// True for the CRCs, whose value over a concatenation follows from the values of its pieces.
bool IsCrc(ChecksumAlgorithm algorithm);

// The raw CRC of A||B from `first` = CRC(A) and `second` = CRC(B) (raw digests) and the
// length of B, without the data (zlib's crc32_combine, for any of the three CRCs). S3's
// FULL_OBJECT multipart checksum is the parts' CRCs combined in order. nullopt for SHA1/SHA256
// or digests of the wrong size.
std::optional<std::string> CombineCrc(ChecksumAlgorithm algorithm, std::string_view first,
                                      std::string_view second, uint64_t second_length);

}  // namespace kiroku::crypto
