#include "crypto/hash.h"

#include <gtest/gtest.h>

#include "common/encoding.h"

namespace kiroku::crypto {
namespace {

TEST(HashTest, Sha256KnownVectors) {
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashTest, IncrementalMatchesOneShot) {
  Sha256Hasher h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(h.Finish(), Sha256("abc"));
}

TEST(HashTest, Md5KnownVectorsForS3Checksums) {
  Md5Hasher empty;
  EXPECT_EQ(HexEncode(empty.Finish()), "d41d8cd98f00b204e9800998ecf8427e");
  Md5Hasher h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(HexEncode(h.Finish()), "900150983cd24fb0d6963f7d28e17f72");  // RFC 1321
}

TEST(HashTest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HashTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(HashTest, RandomBytesAreFreshEachCall) {
  EXPECT_EQ(RandomBytes(16).size(), 16u);
  EXPECT_NE(RandomBytes(16), RandomBytes(16));
}

TEST(HashTest, RandomUuidIsVersion4InCanonicalForm) {
  for (int i = 0; i < 64; ++i) {
    std::string id = RandomUuid();
    ASSERT_EQ(id.size(), 36u) << id;
    for (size_t at : {8u, 13u, 18u, 23u}) EXPECT_EQ(id[at], '-') << id;
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    for (char c : id)
      EXPECT_TRUE(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
  }
  EXPECT_NE(RandomUuid(), RandomUuid());
}

}  // namespace
}  // namespace kiroku::crypto
