#include "crypto/checksum.h"

#include <gtest/gtest.h>

#include "common/encoding.h"

namespace kiroku::crypto {
namespace {

std::string Hex(ChecksumAlgorithm a, std::string_view data) {
  return HexEncode(ComputeChecksum(a, data));
}

// The standard check values of each CRC over "123456789".
TEST(Checksum, CheckValues) {
  EXPECT_EQ(Hex(ChecksumAlgorithm::kCrc32, "123456789"), "cbf43926");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kCrc32c, "123456789"), "e3069283");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kCrc64Nvme, "123456789"), "ae8b14860a799888");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kSha1, "123456789"), "f7c3bc1d808e04732adf679965ccc34ca7ae3441");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kSha256, ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kCrc32, ""), "00000000");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kCrc32c, ""), "00000000");
  EXPECT_EQ(Hex(ChecksumAlgorithm::kCrc64Nvme, ""), "0000000000000000");
}

TEST(Checksum, IncrementalEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<char>(i * 31));
  for (auto a :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
        ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256}) {
    Checksum c(a);
    for (size_t i = 0; i < data.size(); i += 777) c.Update(std::string_view(data).substr(i, 777));
    std::string digest = c.Finish();
    EXPECT_EQ(digest, ComputeChecksum(a, data)) << ChecksumAlgorithmName(a);
    EXPECT_EQ(digest.size(), ChecksumSize(a));
    EXPECT_EQ(ParseChecksumAlgorithm(ChecksumAlgorithmName(a)), a);
  }
  EXPECT_EQ(ParseChecksumAlgorithm("crc32c"), ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(ParseChecksumAlgorithm("MD5"), std::nullopt);
  EXPECT_EQ(ParseChecksumAlgorithm(""), std::nullopt);
}

// The 8-byte folding agrees with the byte-at-a-time definition at every length and alignment.
TEST(Checksum, SlicedAndBytewiseAgree) {
  std::string data;
  for (int i = 0; i < 200; ++i) data.push_back(static_cast<char>(i * 131 + 7));
  for (auto a : {ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    for (size_t start = 0; start < 9; ++start) {
      for (size_t len = 0; start + len <= data.size(); len += 13) {
        std::string_view piece = std::string_view(data).substr(start, len);
        Checksum bytewise(a);
        for (char c : piece) bytewise.Update(std::string_view(&c, 1));
        EXPECT_EQ(ComputeChecksum(a, piece), bytewise.Finish()) << start << "+" << len;
      }
    }
  }
}

// CRC(A||B) from CRC(A), CRC(B) and |B|, for S3's FULL_OBJECT multipart checksums.
TEST(Checksum, CombinesCrcsOfPieces) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  for (auto a :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    for (size_t split : {0u, 1u, 7u, 8u, 1000u, 4999u, 5000u}) {
      std::string_view a_part = std::string_view(data).substr(0, split);
      std::string_view b_part = std::string_view(data).substr(split);
      auto combined =
          CombineCrc(a, ComputeChecksum(a, a_part), ComputeChecksum(a, b_part), b_part.size());
      ASSERT_TRUE(combined.has_value());
      EXPECT_EQ(*combined, ComputeChecksum(a, data)) << ChecksumAlgorithmName(a) << " " << split;
    }
  }
  EXPECT_FALSE(CombineCrc(ChecksumAlgorithm::kSha256, "", "", 0).has_value());
  EXPECT_FALSE(CombineCrc(ChecksumAlgorithm::kCrc32, "abc", "abcd", 1).has_value());
}

}  // namespace
}  // namespace kiroku::crypto
