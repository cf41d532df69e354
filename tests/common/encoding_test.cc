#include "common/encoding.h"

#include <gtest/gtest.h>

namespace kiroku {
namespace {

TEST(EncodingTest, AsciiCaseHelpers) {
  EXPECT_EQ(AsciiLower("ApNorth-East-1 \xC3\x84"), "apnorth-east-1 \xC3\x84");
  EXPECT_EQ(LowerFirst("UserName"), "userName");
  EXPECT_EQ(LowerFirst("KMSKeyId"), "kMSKeyId");
  EXPECT_EQ(LowerFirst(""), "");
  EXPECT_EQ(LowerFirst("\xC3\x84"
                       "b"),
            "\xC3\x84"
            "b");
}

TEST(EncodingTest, HexRoundTrip) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(HexDecode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(HexDecode("0").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
}

TEST(EncodingTest, Base64MatchesRfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> cases[] = {{"", ""},
                                                                 {"f", "Zg=="},
                                                                 {"fo", "Zm8="},
                                                                 {"foo", "Zm9v"},
                                                                 {"foob", "Zm9vYg=="},
                                                                 {"fooba", "Zm9vYmE="},
                                                                 {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(plain), encoded) << plain;
    EXPECT_EQ(Base64Decode(encoded), std::string(plain)) << encoded;
  }
}

TEST(EncodingTest, Base64RejectsMalformed) {
  for (std::string_view bad : {"Zg=", "Z===", "Zg=a", "Zm9v!A==", "=Zg="}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

TEST(EncodingTest, Base32MatchesRfc4648Vectors) {
  // RFC 4648 section 10, without the '=' padding Base32Encode leaves out.
  const std::pair<std::string_view, std::string_view> cases[] = {{"", ""},
                                                                 {"f", "MY"},
                                                                 {"fo", "MZXQ"},
                                                                 {"foo", "MZXW6"},
                                                                 {"foob", "MZXW6YQ"},
                                                                 {"fooba", "MZXW6YTB"},
                                                                 {"foobar", "MZXW6YTBOI"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base32Encode(plain), encoded) << plain;
    EXPECT_EQ(Base32Decode(encoded), plain) << encoded;
  }
  EXPECT_EQ(Base32Decode("MZXW6YTBOI======"), "foobar");
  EXPECT_EQ(Base32Decode("mzxw6ytboi"), "foobar");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(Base32Decode(Base32Encode(all)), all);
}

TEST(EncodingTest, Base32RejectsBadInput) {
  for (std::string_view bad : {"MZXW6YTB1", "M", "MZX", "MZXW6Y", "MZ XQ", "MZ=XQ"}) {
    EXPECT_FALSE(Base32Decode(bad).has_value()) << bad;
  }
}

TEST(EncodingTest, UriEncodeFollowsSigV4) {
  EXPECT_EQ(UriEncode("a b/c~d*e", false), "a%20b%2Fc~d%2Ae");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(UriEncode("\xe3\x81\x82", false), "%E3%81%82");
}

TEST(EncodingTest, UriDecode) {
  EXPECT_EQ(UriDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(UriDecode("a+c", false), "a+c");
  EXPECT_FALSE(UriDecode("%2", false).has_value());
  EXPECT_FALSE(UriDecode("%zz", false).has_value());
}

TEST(EncodingTest, AmzDateRoundTrip) {
  auto t = ParseAmzDate("20150830T123600Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatAmzDate(*t), "20150830T123600Z");
  EXPECT_EQ(FormatIso8601(*t), "2015-08-30T12:36:00Z");
  for (std::string_view bad :
       {"20150830T123600", "2015-08-30T12:36:00Z", "20151330T123600Z", "2015083OT123600Z"}) {
    EXPECT_FALSE(ParseAmzDate(bad).has_value()) << bad;
  }
  EXPECT_EQ(ParseIso8601("2015-08-30T12:36:00Z"), t);
  EXPECT_EQ(FormatUtc(*t, "%Y/%m/%d/%H%M"), "2015/08/30/1236");
  EXPECT_DOUBLE_EQ(EpochSeconds(*t + std::chrono::milliseconds(250)), 1440938160.25);
  EXPECT_EQ(FromEpochSeconds(1440938160.25), *t + std::chrono::milliseconds(250));
  for (std::string_view bad : {"20150830T123600Z", "2015-08-30T12:36:00", "2015-08-30 12:36:00Z",
                               "2015-13-30T12:36:00Z"}) {
    EXPECT_FALSE(ParseIso8601(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace kiroku
