#include "common/status.h"

#include <gtest/gtest.h>

namespace kiroku {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int half, Half(x));
  return Half(half);
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesAwsCode) {
  Status s = Status::Conflict("key is disabled").WithAwsCode("DisabledException");
  EXPECT_EQ(s.code(), Code::kConflict);
  EXPECT_EQ(s.aws_code(), "DisabledException");
  EXPECT_EQ(s.ToString(), "Conflict(DisabledException): key is disabled");
}

TEST(ResultTest, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd");
}

}  // namespace
}  // namespace kiroku
