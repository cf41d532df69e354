#include "common/arn.h"

#include <gtest/gtest.h>

#include "common/encoding.h"

namespace kiroku {
namespace {

TEST(ArnTest, BuildersWriteEachServiceForm) {
  EXPECT_EQ(Arn::Iam("123456789012", "user/alice").ToString(),
            "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ(Arn::AccountRoot("123456789012").ToString(), "arn:aws:iam::123456789012:root");
  EXPECT_EQ(Arn::Sts("123456789012", "assumed-role/R/s").ToString(),
            "arn:aws:sts::123456789012:assumed-role/R/s");
  EXPECT_EQ(Arn::Kms("ap-northeast-1", "123456789012", "key/k").ToString(),
            "arn:aws:kms:ap-northeast-1:123456789012:key/k");
  EXPECT_EQ(Arn::Logs("us-east-1", "123456789012", "log-group:g:*").ToString(),
            "arn:aws:logs:us-east-1:123456789012:log-group:g:*");
  EXPECT_EQ(Arn::CloudTrail("us-east-2", "123456789012", "trail/T").ToString(),
            "arn:aws:cloudtrail:us-east-2:123456789012:trail/T");
  EXPECT_EQ(Arn::Sns("us-east-1", "123456789012", "topic").ToString(),
            "arn:aws:sns:us-east-1:123456789012:topic");
  EXPECT_EQ(Arn::S3("bucket/a/b.txt").ToString(), "arn:aws:s3:::bucket/a/b.txt");
  EXPECT_EQ(Arn::Iam("123456789012", "").Prefix(), "arn:aws:iam::123456789012:");
}

TEST(ArnTest, ParseKeepsColonsOfTheResourceAndRoundTrips) {
  std::optional<Arn> arn =
      Arn::Parse("arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s");
  ASSERT_TRUE(arn.has_value());
  EXPECT_EQ(arn->service, "logs");
  EXPECT_EQ(arn->region, "us-east-1");
  EXPECT_EQ(arn->account, "123456789012");
  EXPECT_EQ(arn->resource, "log-group:g:log-stream:s");
  EXPECT_EQ(arn->ToString(), "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s");
  std::optional<Arn> s3 = Arn::Parse("arn:aws:s3:::bucket");
  ASSERT_TRUE(s3.has_value());
  EXPECT_EQ(*s3, Arn::S3("bucket"));
}

TEST(ArnTest, ParseRefusesWhatIsNoArn) {
  for (const char* text :
       {"", "arn", "arn:aws:iam", "arn:aws:iam::123456789012", "urn:aws:iam::1:root", "*"}) {
    EXPECT_FALSE(Arn::Parse(text).has_value()) << text;
  }
  EXPECT_TRUE(Arn::Parse("arn:aws:iam::123456789012:").has_value());  // empty resource
}

TEST(EncodingTest, AsciiEqualsIgnoreCase) {
  EXPECT_TRUE(AsciiEqualsIgnoreCase("Content-Type", "content-type"));
  EXPECT_FALSE(AsciiEqualsIgnoreCase("Content-Type", "content-typ"));
  EXPECT_FALSE(AsciiEqualsIgnoreCase("a\xc3\x84", "a\xc3\xa4"));  // only ASCII folds
}

}  // namespace
}  // namespace kiroku
