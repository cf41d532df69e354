#include "crypto/password.h"

#include <gtest/gtest.h>

#include <string>

#include "common/encoding.h"

namespace kiroku::crypto {
namespace {

// Cheap parameters so the tests stay fast; the format and logic are the same.
constexpr ScryptParams kFast = {10, 8, 1};

// RFC 7914 section 12 test vectors.
TEST(PasswordTest, ScryptRfc7914Vectors) {
  struct Case {
    const char* password;
    const char* salt;
    ScryptParams params;
    const char* hex;
  };
  const Case cases[] = {
      {"",
       "",
       {4, 1, 1},
       "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc"
       "8"
       "1f17e8d3e0fb2e0d3628cf35e20c38d18906"},
      {"password",
       "NaCl",
       {10, 8, 16},
       "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9"
       "8"
       "30dac727afb94a83ee6d8360cbdfa2cc0640"},
      {"pleaseletmein",
       "SodiumChloride",
       {14, 8, 1},
       "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d4970524"
       "2a9af9e61e85dc0d651e40dfcf017b45575887"},
  };
  for (const Case& c : cases) {
    Result<std::string> out = Scrypt(c.password, c.salt, c.params, 64);
    ASSERT_TRUE(out.ok()) << c.password << ": " << out.status().ToString();
    EXPECT_EQ(HexEncode(*out), c.hex) << c.password;
  }
}

TEST(PasswordTest, HashIsSelfDescribingAndSalted) {
  Result<std::string> a = HashPassword("hunter2", kFast);
  Result<std::string> b = HashPassword("hunter2", kFast);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->rfind("$scrypt$ln=10,r=8,p=1$", 0), 0u) << *a;
  EXPECT_NE(*a, *b);  // fresh salt each time
  EXPECT_EQ(a->find("hunter2"), std::string::npos);
}

TEST(PasswordTest, VerifyAcceptsOnlyTheRightPassword) {
  Result<std::string> stored = HashPassword("correct horse", kFast);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(VerifyPassword("correct horse", *stored).value(), true);
  EXPECT_EQ(VerifyPassword("correct horsE", *stored).value(), false);
  EXPECT_EQ(VerifyPassword("", *stored).value(), false);
  EXPECT_EQ(VerifyPassword("correct horse ", *stored).value(), false);
}

TEST(PasswordTest, VerifyUsesTheStoredParameters) {
  Result<std::string> stored = HashPassword("pw", {11, 4, 2});
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(VerifyPassword("pw", *stored).value(), true);
  // Changing a parameter in the string changes the derived hash.
  std::string altered = *stored;
  altered.replace(altered.find("r=4"), 3, "r=5");
  EXPECT_EQ(VerifyPassword("pw", altered).value(), false);
}

TEST(PasswordTest, MalformedStoredHashIsInvalidArgument) {
  Result<std::string> stored = HashPassword("pw", kFast);
  ASSERT_TRUE(stored.ok());
  const std::string bad[] = {
      "",
      "plain",
      "$scrypt$",
      "$scrypt$ln=10,r=8$c2FsdA==$aGFzaA==",
      "$scrypt$ln=10,r=8,p=1$c2FsdA==",
      "$scrypt$ln=10,r=8,p=1$!!$" + stored->substr(stored->rfind('$') + 1),
      "$scrypt$ln=10,r=8,p=1$c2FsdA==$aGFzaA==",                       // hash of the wrong length
      "$scrypt$ln=40,r=8,p=1" + stored->substr(stored->find("$", 8)),  // out of range
      "$bcrypt$" + stored->substr(8),
  };
  for (const std::string& s : bad) {
    EXPECT_EQ(VerifyPassword("pw", s).status().code(), Code::kInvalidArgument) << s;
  }
}

TEST(PasswordTest, RejectsOutOfRangeParameters) {
  EXPECT_EQ(HashPassword("pw", {0, 8, 1}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(HashPassword("pw", {10, 0, 1}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(HashPassword("pw", {22, 32, 1}).status().code(), Code::kInvalidArgument);  // 16 GiB
}

TEST(PasswordTest, NeedsRehashWhenParametersDiffer) {
  Result<std::string> stored = HashPassword("pw", kFast);
  ASSERT_TRUE(stored.ok());
  EXPECT_FALSE(NeedsRehash(*stored, kFast));
  EXPECT_TRUE(NeedsRehash(*stored, kDefaultScryptParams));
  EXPECT_TRUE(NeedsRehash("garbage", kFast));
}

TEST(PasswordTest, DefaultParametersRoundTrip) {
  Result<std::string> stored = HashPassword("default cost");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->rfind("$scrypt$ln=15,r=8,p=1$", 0), 0u);
  EXPECT_EQ(VerifyPassword("default cost", *stored).value(), true);
}

}  // namespace
}  // namespace kiroku::crypto
