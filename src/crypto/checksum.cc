#include "crypto/checksum.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstring>

namespace kiroku::crypto {
namespace {

// Reflected table-driven CRC with an all-ones initial value and final xor, the form both
// CRC32C (polynomial 0x82F63B78 reflected) and CRC64NVME (0x9A6C9329AC4BC9B5 reflected) use.
// Slicing-by-8: table k advances a byte through k further zero bytes, so eight input bytes are
// folded per step (on little-endian hosts; byte by byte elsewhere and for the tail).
template <typename T>
using Tables = std::array<std::array<T, 256>, 8>;

template <typename T>
Tables<T> ReflectedTables(T polynomial) {
  Tables<T> tables{};
  for (uint32_t i = 0; i < 256; ++i) {
    T crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ polynomial : crc >> 1;
    tables[0][i] = crc;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (uint32_t i = 0; i < 256; ++i) {
      T prev = tables[k - 1][i];
      tables[k][i] = (prev >> 8) ^ tables[0][prev & 0xFF];
    }
  }
  return tables;
}

template <typename T>
T UpdateReflected(const Tables<T>& tables, T crc, std::string_view data) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  if constexpr (std::endian::native == std::endian::little) {
    while (n >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      word ^= crc;
      T next = 0;
      for (int j = 0; j < 8; ++j) next ^= tables[7 - j][(word >> (8 * j)) & 0xFF];
      crc = next;
      p += 8;
      n -= 8;
    }
  }
  for (; n > 0; --n, ++p) crc = tables[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
  return crc;
}

const Tables<uint32_t>& Crc32cTables() {
  static const auto tables = ReflectedTables<uint32_t>(0x82F63B78u);
  return tables;
}
const Tables<uint64_t>& Crc64NvmeTables() {
  static const auto tables = ReflectedTables<uint64_t>(0x9A6C9329AC4BC9B5ull);
  return tables;
}

std::string BigEndian(uint64_t value, size_t bytes) {
  std::string out(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) {
    out[bytes - 1 - i] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
  return out;
}

}  // namespace

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "CRC32") return ChecksumAlgorithm::kCrc32;
  if (upper == "CRC32C") return ChecksumAlgorithm::kCrc32c;
  if (upper == "CRC64NVME") return ChecksumAlgorithm::kCrc64Nvme;
  if (upper == "SHA1") return ChecksumAlgorithm::kSha1;
  if (upper == "SHA256") return ChecksumAlgorithm::kSha256;
  return std::nullopt;
}

std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      return "CRC32";
    case ChecksumAlgorithm::kCrc32c:
      return "CRC32C";
    case ChecksumAlgorithm::kCrc64Nvme:
      return "CRC64NVME";
    case ChecksumAlgorithm::kSha1:
      return "SHA1";
    case ChecksumAlgorithm::kSha256:
      return "SHA256";
  }
  return "";
}

size_t ChecksumSize(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
    case ChecksumAlgorithm::kCrc32c:
      return 4;
    case ChecksumAlgorithm::kCrc64Nvme:
      return 8;
    case ChecksumAlgorithm::kSha1:
      return 20;
    case ChecksumAlgorithm::kSha256:
      return 32;
  }
  return 0;
}

Checksum::Checksum(ChecksumAlgorithm algorithm) : algorithm_(algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc32:
      crc_ = ::crc32(0L, Z_NULL, 0);
      break;
    case ChecksumAlgorithm::kCrc32c:
      crc_ = 0xFFFFFFFFu;
      break;
    case ChecksumAlgorithm::kCrc64Nvme:
      crc_ = ~uint64_t{0};
      break;
    case ChecksumAlgorithm::kSha1:
      hasher_ = std::make_unique<Hasher>(Hasher::Digest::kSha1);
      break;
    case ChecksumAlgorithm::kSha256:
      hasher_ = std::make_unique<Hasher>(Hasher::Digest::kSha256);
      break;
  }
}

Checksum::~Checksum() = default;

void Checksum::Update(std::string_view data) {
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32:
      while (!data.empty()) {
        // zlib takes a uInt length.
        size_t n = std::min<size_t>(data.size(), 1u << 30);
        crc_ = ::crc32(static_cast<uLong>(crc_), reinterpret_cast<const Bytef*>(data.data()),
                       static_cast<uInt>(n));
        data.remove_prefix(n);
      }
      break;
    case ChecksumAlgorithm::kCrc32c:
      crc_ = UpdateReflected<uint32_t>(Crc32cTables(), static_cast<uint32_t>(crc_), data);
      break;
    case ChecksumAlgorithm::kCrc64Nvme:
      crc_ = UpdateReflected<uint64_t>(Crc64NvmeTables(), crc_, data);
      break;
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      hasher_->Update(data);
      break;
  }
}

std::string Checksum::Finish() {
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32:
      return BigEndian(crc_ & 0xFFFFFFFFu, 4);
    case ChecksumAlgorithm::kCrc32c:
      return BigEndian(~crc_ & 0xFFFFFFFFu, 4);
    case ChecksumAlgorithm::kCrc64Nvme:
      return BigEndian(~crc_, 8);
    case ChecksumAlgorithm::kSha1:
    case ChecksumAlgorithm::kSha256:
      return hasher_->Finish();
  }
  return "";
}

std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view data) {
  Checksum checksum(algorithm);
  checksum.Update(data);
  return checksum.Finish();
}

bool IsCrc(ChecksumAlgorithm algorithm) {
  return algorithm == ChecksumAlgorithm::kCrc32 || algorithm == ChecksumAlgorithm::kCrc32c ||
         algorithm == ChecksumAlgorithm::kCrc64Nvme;
}

namespace {

// GF(2) matrices of `width` columns, each a register state (bit i of the vector selects
// column i).
uint64_t Gf2Times(const uint64_t* matrix, uint64_t vector) {
  uint64_t sum = 0;
  for (size_t i = 0; vector != 0; ++i, vector >>= 1) {
    if (vector & 1) sum ^= matrix[i];
  }
  return sum;
}

void Gf2Square(uint64_t* square, const uint64_t* matrix, int width) {
  for (int n = 0; n < width; ++n) square[n] = Gf2Times(matrix, matrix[n]);
}

uint64_t FromBigEndian(std::string_view raw) {
  uint64_t v = 0;
  for (unsigned char c : raw) v = (v << 8) | c;
  return v;
}

}  // namespace

std::optional<std::string> CombineCrc(ChecksumAlgorithm algorithm, std::string_view first,
                                      std::string_view second, uint64_t second_length) {
  if (!IsCrc(algorithm)) return std::nullopt;
  const size_t bytes = ChecksumSize(algorithm);
  if (first.size() != bytes || second.size() != bytes) return std::nullopt;
  const int width = static_cast<int>(bytes * 8);
  const uint64_t polynomial = algorithm == ChecksumAlgorithm::kCrc32    ? 0xEDB88320ull
                              : algorithm == ChecksumAlgorithm::kCrc32c ? 0x82F63B78ull
                                                                        : 0x9A6C9329AC4BC9B5ull;
  uint64_t crc1 = FromBigEndian(first);
  const uint64_t crc2 = FromBigEndian(second);
  if (second_length > 0) {
    // The operator that feeds one zero bit through the register, squared up to one zero
    // byte, then applied for each set bit of the length (zlib's method).
    uint64_t odd[64], even[64];
    odd[0] = polynomial;
    uint64_t row = 1;
    for (int n = 1; n < width; ++n, row <<= 1) odd[n] = row;
    Gf2Square(even, odd, width);  // two zero bits
    Gf2Square(odd, even, width);  // four
    uint64_t length = second_length;
    while (true) {
      Gf2Square(even, odd, width);  // eight, then sixteen... (first pass: one byte)
      if (length & 1) crc1 = Gf2Times(even, crc1);
      length >>= 1;
      if (length == 0) break;
      Gf2Square(odd, even, width);
      if (length & 1) crc1 = Gf2Times(odd, crc1);
      length >>= 1;
      if (length == 0) break;
    }
  }
  return BigEndian(crc1 ^ crc2, bytes);
}

}  // namespace kiroku::crypto
