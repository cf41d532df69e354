#include "store/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/encoding.h"

namespace kiroku::store {
namespace {

TEST(StoreKeysTest, U64IsBigEndian) {
  EXPECT_EQ(HexEncode(KeyBuilder().U64(0x0102030405060708ULL).Build()), "0102030405060708");
  EXPECT_EQ(HexEncode(KeyBuilder().U32(0x0a0b0c0d).Build()), "0a0b0c0d");
}

TEST(StoreKeysTest, UnsignedOrderMatchesNumericOrder) {
  const uint64_t values[] = {
      0, 1, 255, 256, 65535, 1ULL << 32, (1ULL << 63) + 5, std::numeric_limits<uint64_t>::max()};
  for (size_t i = 0; i + 1 < std::size(values); ++i) {
    EXPECT_LT(KeyBuilder().U64(values[i]).Build(), KeyBuilder().U64(values[i + 1]).Build())
        << values[i];
  }
}

TEST(StoreKeysTest, SignedOrderMatchesNumericOrder) {
  const int64_t values[] = {std::numeric_limits<int64_t>::min(), -1000, -1, 0, 1, 1000,
                            std::numeric_limits<int64_t>::max()};
  for (size_t i = 0; i + 1 < std::size(values); ++i) {
    EXPECT_LT(KeyBuilder().I64(values[i]).Build(), KeyBuilder().I64(values[i + 1]).Build())
        << values[i];
  }
  for (int64_t v : values) {
    std::string k = KeyBuilder().I64(v).Build();
    KeyReader r(k);
    EXPECT_EQ(r.I64(), v);
    EXPECT_TRUE(r.done());
  }
}

TEST(StoreKeysTest, StringTupleOrderMatchesComponentOrder) {
  // Sorted as (string, u64) tuples; the encodings must sort the same way.
  const std::vector<std::pair<std::string, uint64_t>> tuples = {
      {"", 0},
      {"", 7},
      {"a", 0},
      {"a", 0xffffffffffffffffULL},
      {std::string("a\0", 2), 0},
      {std::string("a\0\0", 3), 0},
      {std::string("a\x01", 2), 0},
      {"ab", 0},
      {"b", 0},
      {"\xff", 0},
  };
  std::vector<std::string> keys;
  for (const auto& [s, n] : tuples) keys.push_back(KeyBuilder().String(s).U64(n).Build());
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
}

TEST(StoreKeysTest, RoundTripsEveryComponentType) {
  const std::string tricky("x\0y\xff\0", 5);
  std::string k = KeyBuilder().Tag('e').String(tricky).U32(9).String("").U64(42).I64(-3).Build();
  KeyReader r(k);
  EXPECT_EQ(r.Tag(), 'e');
  EXPECT_EQ(r.String(), tricky);
  EXPECT_EQ(r.U32(), 9u);
  EXPECT_EQ(r.String(), "");
  EXPECT_EQ(r.U64(), 42u);
  EXPECT_EQ(r.I64(), -3);
  EXPECT_TRUE(r.done());
}

TEST(StoreKeysTest, ReaderRejectsMalformedInput) {
  EXPECT_FALSE(KeyReader("abc").String().has_value());                      // no terminator
  EXPECT_FALSE(KeyReader(std::string("a\0\x05", 3)).String().has_value());  // bad escape
  EXPECT_FALSE(KeyReader(std::string("a\0", 2)).String().has_value());      // truncated
  EXPECT_FALSE(KeyReader("1234567").U64().has_value());
  EXPECT_FALSE(KeyReader("").Tag().has_value());
}

TEST(StoreKeysTest, StringPrefixMatchesLongerNamesOnly) {
  std::string prefix = KeyBuilder().Tag('g').StringPrefix("app").Build();
  auto starts = [&](const std::string& k) { return k.compare(0, prefix.size(), prefix) == 0; };
  EXPECT_TRUE(starts(KeyBuilder().Tag('g').String("app").Build()));
  EXPECT_TRUE(starts(KeyBuilder().Tag('g').String("apple").Build()));
  EXPECT_FALSE(starts(KeyBuilder().Tag('g').String("ap").Build()));
  EXPECT_FALSE(starts(KeyBuilder().Tag('g').String("bpp").Build()));
}

TEST(StoreKeysTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("abc"), "abd");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff\xff", 3)), "b");
  EXPECT_EQ(PrefixSuccessor("\xff\xff"), "");
  EXPECT_EQ(PrefixSuccessor(""), "");
}

}  // namespace
}  // namespace kiroku::store
