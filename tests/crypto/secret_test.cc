#include "crypto/secret.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace kiroku::crypto {
namespace {

TEST(SecretBytesTest, HoldsACopyOfTheBytes) {
  std::string raw("k\0ey", 4);
  SecretBytes s(raw);
  raw[0] = 'X';
  EXPECT_EQ(s.size(), 4u);
  EXPECT_EQ(s.view(), std::string_view("k\0ey", 4));
}

TEST(SecretBytesTest, TakeFromWipesTheSource) {
  std::string raw = "top secret key material";
  const size_t n = raw.size();
  const char* buffer = raw.data();
  SecretBytes s = SecretBytes::TakeFrom(&raw);
  EXPECT_EQ(s.view(), "top secret key material");
  EXPECT_TRUE(raw.empty());
  // The old heap buffer of `raw` is still owned by it (clear() keeps capacity): all zeros.
  EXPECT_EQ(std::string(buffer, n), std::string(n, '\0'));
}

TEST(SecretBytesTest, MoveLeavesSourceEmpty) {
  SecretBytes a("abc");
  SecretBytes b = std::move(a);
  EXPECT_EQ(b.view(), "abc");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  a = std::move(b);
  EXPECT_EQ(a.view(), "abc");
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(SecretBytesTest, RandomAndEquals) {
  SecretBytes a = SecretBytes::Random(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_FALSE(a.Equals(SecretBytes::Random(32)));
  EXPECT_TRUE(a.Equals(a.Copy()));
  EXPECT_FALSE(a.Equals(SecretBytes("short")));
  EXPECT_EQ(SecretBytes::Zeroed(3).view(), std::string(3, '\0'));
}

}  // namespace
}  // namespace kiroku::crypto
