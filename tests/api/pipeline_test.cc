// The request core in process: a signed request through Route, Authenticate, Decode, Authorize
// and Dispatch to a row of the operation table, and each stage's refusal.
#include <gtest/gtest.h>

#include "testing/service_harness.h"

namespace kiroku::api {
namespace {

namespace json = boost::json;

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() {
    // A stand-in row for a real operation: the pipeline needs only the model's operation.
    h_.table().Add(
        {Operation{"kms",
                   "ListKeys",
                   "kms:ListKeys",
                   Access::kRead,
                   EventCategory::kManagement,
                   [](RequestContext& ctx) -> Result<json::value> {
                     ++calls_;
                     return json::value{{"Truncated", false}, {"NextMarker", ctx.principal.arn}};
                   },
                   {}}});
  }

  static inline int calls_ = 0;
  kiroku::testing::ServiceHarness h_;
};

TEST_F(PipelineTest, SignedCallReachesTheRowAndIsEncoded) {
  calls_ = 0;
  net::Response r = h_.CallJson("kms", "ListKeys", {});
  ASSERT_EQ(r.status, 200) << r.body;
  json::value out = kiroku::testing::ServiceHarness::Json(r);
  EXPECT_EQ(out.at("NextMarker").as_string(), "arn:aws:iam::" + h_.account() + ":root");
  EXPECT_EQ(calls_, 1);
}

TEST_F(PipelineTest, WrongSecretNeverReachesTheHandler) {
  calls_ = 0;
  kiroku::testing::Credentials wrong = h_.root();
  wrong.secret_access_key += "x";
  net::Response r = h_.CallJson("kms", "ListKeys", {}, "us-east-1", &wrong);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("InvalidSignatureException"), std::string::npos) << r.body;
  EXPECT_EQ(calls_, 0);
}

TEST_F(PipelineTest, AnOperationWithoutARowIsInvalidAction) {
  net::Response r = h_.CallJson("kms", "DescribeKey", {{"KeyId", "alias/x"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("UnknownOperationException"), std::string::npos) << r.body;
}

TEST_F(PipelineTest, InputIsValidatedBeforeTheHandler) {
  calls_ = 0;
  net::Response r = h_.CallJson("kms", "ListKeys", {{"Limit", 0}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("ValidationException"), std::string::npos) << r.body;
  EXPECT_EQ(calls_, 0);
}

}  // namespace
}  // namespace kiroku::api
