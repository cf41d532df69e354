// CloudTrailService through the request pipeline in process (tests/testing/service_harness.h):
// signed awsJson calls, the operation table's authorization, the handlers and the encoding,
// with the audit hook recording every call into the event history LookupEvents reads.
// S3 is stood in by two rows (GetBucketAcl, PutObject) that authorize against the bucket policy
// of an s3::S3Store bucket, as CreateTrail's bucket check needs nothing more.
#include "services/cloudtrail/cloudtrail_service.h"

#include <gtest/gtest.h>

#include <memory>

#include "api/audit_hook.h"
#include "policy/policy.h"
#include "s3/blob_store.h"
#include "testing/service_harness.h"
#include "trail/delivery_queue.h"

namespace kiroku::services {
namespace {

namespace json = boost::json;
using kiroku::testing::ServiceHarness;

// CloudTrail writes log files with data keys; these tests never write any.
class NoDataKeys final : public logs::DataKeys {
 public:
  Result<logs::GeneratedDataKey> Generate(const logs::KeyRef&) override {
    return Status::Internal("no data keys in this test");
  }
  Result<crypto::SecretBytes> Decrypt(const logs::KeyRef&, std::string_view) override {
    return Status::Internal("no data keys in this test");
  }
};

// A stand-in S3 row: `action` on the bucket (or bucket/key) ARN, decided by the bucket policy.
api::Operation S3Row(const s3::S3Store& buckets, std::string name, std::string action) {
  api::Authorization auth;
  auth.resources = [](const api::RequestContext& ctx) -> Result<std::vector<std::string>> {
    std::string arn = "arn:aws:s3:::" + std::string(ctx.input.at("Bucket").as_string());
    if (const json::value* key = ctx.input.if_contains("Key")) {
      arn += "/" + std::string(key->as_string());
    }
    return std::vector<std::string>{arn};
  };
  auth.resource_policy = [&buckets](const api::RequestContext& ctx,
                                    const std::string&) -> Result<std::optional<policy::Policy>> {
    ASSIGN_OR_RETURN(s3::BucketRecord bucket,
                     buckets.GetBucket(std::string(ctx.input.at("Bucket").as_string())));
    if (bucket.policy.empty()) return std::optional<policy::Policy>();
    ASSIGN_OR_RETURN(policy::Policy p,
                     policy::ParsePolicy(bucket.policy, {policy::PolicyKind::kResource, "b"}));
    return std::optional<policy::Policy>(std::move(p));
  };
  return {"s3",
          std::move(name),
          std::move(action),
          api::Access::kWrite,
          api::EventCategory::kManagement,
          [](api::RequestContext&) -> Result<json::value> { return json::value(json::object()); },
          std::move(auth)};
}

class CloudTrailServiceTest : public ::testing::Test {
 protected:
  CloudTrailServiceTest()
      : blobs_(*s3::BlobStore::Open(dir_.Sub("objects"))),
        s3_(h_.db(), *blobs_, h_.clock()),
        log_groups_(h_.db(), h_.clock(), data_keys_),
        keys_(h_.db(), h_.master_key(), h_.clock()),
        history_(h_.db(), h_.clock()),
        trails_(h_.db()),
        queue_(h_.db(), trails_, h_.clock()),
        recorder_(h_.db(), history_, &queue_),
        signing_keys_(h_.db(), h_.master_key(), h_.clock()),
        caller_(h_.table(), h_.identities(), h_.clock()),
        service_({history_, recorder_, signing_keys_, trails_, s3_, log_groups_, keys_,
                  h_.identities(), caller_, h_.clock()}) {
    h_.table().Add(service_.Operations());
    h_.table().Add(S3Row(s3_, "GetBucketAcl", "s3:GetBucketAcl"));
    h_.table().Add(S3Row(s3_, "PutObject", "s3:PutObject"));
    h_.pipeline().OnComplete(std::make_unique<api::AuditHook>(recorder_, h_.clock()));
  }

  // A bucket in us-east-1; with `cloudtrail_policy`, the documented CloudTrail bucket policy.
  void MakeBucket(const std::string& name, bool cloudtrail_policy) {
    s3::BucketRecord bucket;
    bucket.name = name;
    bucket.account = h_.account();
    bucket.region = "us-east-1";
    bucket.created = h_.clock().Now();
    if (cloudtrail_policy) {
      bucket.policy = R"({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
         "Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::)" +
                      name + R"("},
        {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
         "Action":"s3:PutObject","Resource":"arn:aws:s3:::)" +
                      name + "/AWSLogs/" + h_.account() + R"(/*"}]})";
    }
    ASSERT_TRUE(s3_.CreateBucket(bucket).ok());
  }

  json::value Call(std::string_view operation, const json::object& input, int status = 200) {
    net::Response r = h_.CallJson("cloudtrail", operation, input);
    EXPECT_EQ(r.status, status) << operation << ": " << r.body;
    return ServiceHarness::Json(r);
  }

  ServiceHarness h_;
  kiroku::testing::TempDir dir_;
  std::unique_ptr<s3::BlobStore> blobs_;
  s3::S3Store s3_;
  NoDataKeys data_keys_;
  logs::LogStore log_groups_;
  kms::KeyStore keys_;
  trail::EventHistory history_;
  trail::TrailStore trails_;
  trail::DeliveryQueue queue_;
  trail::Recorder recorder_;
  trail::SigningKeys signing_keys_;
  api::InternalCaller caller_;
  CloudTrailService service_;
};

TEST_F(CloudTrailServiceTest, CreateTrailGetTrailStartLoggingStatusAndLookup) {
  MakeBucket("trail-bucket", /*cloudtrail_policy=*/true);
  json::value created = Call("CreateTrail", {{"Name", "main"}, {"S3BucketName", "trail-bucket"}});
  const std::string arn = "arn:aws:cloudtrail:us-east-1:" + h_.account() + ":trail/main";
  EXPECT_EQ(created.at("TrailARN").as_string(), arn);
  EXPECT_EQ(created.at("S3BucketName").as_string(), "trail-bucket");

  json::value got = Call("GetTrail", {{"Name", "main"}});
  EXPECT_EQ(got.at("Trail").at("HomeRegion").as_string(), "us-east-1");
  EXPECT_EQ(got.at("Trail").at("TrailARN").as_string(), arn);

  EXPECT_FALSE(Call("GetTrailStatus", {{"Name", arn}}).at("IsLogging").as_bool());
  Call("StartLogging", {{"Name", "main"}});
  json::value status = Call("GetTrailStatus", {{"Name", "main"}});
  EXPECT_TRUE(status.at("IsLogging").as_bool());
  EXPECT_TRUE(status.as_object().contains("StartLoggingTime"));

  // Every call above was recorded; readOnly is the row's Access.
  json::value events = Call("LookupEvents", {});
  std::map<std::string, std::string> read_only;
  for (const json::value& e : events.at("Events").as_array()) {
    read_only[std::string(e.at("EventName").as_string())] =
        std::string(e.at("ReadOnly").as_string());
  }
  EXPECT_EQ(read_only["CreateTrail"], "false");
  EXPECT_EQ(read_only["StartLogging"], "false");
  EXPECT_EQ(read_only["GetTrail"], "true");
  EXPECT_EQ(read_only["GetTrailStatus"], "true");
}

TEST_F(CloudTrailServiceTest, BucketThatDoesNotExistIsRefused) {
  json::value out =
      Call("CreateTrail", {{"Name", "main"}, {"S3BucketName", "no-such-bucket"}}, 400);
  EXPECT_EQ(out.at("__type").as_string().subview().ends_with("S3BucketDoesNotExistException"), true)
      << out;
  EXPECT_EQ(Call("GetTrail", {{"Name", "main"}}, 400)
                .at("__type")
                .as_string()
                .subview()
                .ends_with("TrailNotFoundException"),
            true);
}

TEST_F(CloudTrailServiceTest, BucketPolicyWithoutCloudTrailIsInsufficient) {
  MakeBucket("private-bucket", /*cloudtrail_policy=*/false);
  json::value out =
      Call("CreateTrail", {{"Name", "main"}, {"S3BucketName", "private-bucket"}}, 400);
  EXPECT_TRUE(
      out.at("__type").as_string().subview().ends_with("InsufficientS3BucketPolicyException"))
      << out;
}

TEST_F(CloudTrailServiceTest, InvalidTrailArnIsRefused) {
  json::value out = Call("GetTrail", {{"Name", "arn:aws:cloudtrail:us-east-1:12:trail/main"}}, 400);
  EXPECT_TRUE(out.at("__type").as_string().subview().ends_with("CloudTrailARNInvalidException"))
      << out;
}

TEST_F(CloudTrailServiceTest, ListPublicKeysHasTheRegionsKey) {
  json::value out = Call("ListPublicKeys", {});
  ASSERT_EQ(out.at("PublicKeyList").as_array().size(), 1u) << out;
  EXPECT_FALSE(out.at("PublicKeyList").at(0).at("Fingerprint").as_string().empty());
}

// One row per operation of the cloudtrail service kiroku serves; the action names the operation,
// readOnly is CloudTrail's (Get/List/Describe/Lookup read), all are management events.
TEST_F(CloudTrailServiceTest, OneRowPerOperationWithItsActionAndAccess) {
  std::vector<api::Operation> rows = service_.Operations();
  EXPECT_EQ(rows.size(), 18u);
  for (const api::Operation& row : rows) {
    EXPECT_EQ(row.service, "cloudtrail");
    EXPECT_EQ(row.action, "cloudtrail:" + row.name);
    bool reads = row.name.starts_with("Get") || row.name.starts_with("List") ||
                 row.name.starts_with("Describe") || row.name.starts_with("Lookup");
    EXPECT_EQ(row.access == api::Access::kRead, reads) << row.name;
    EXPECT_EQ(row.category, api::EventCategory::kManagement) << row.name;
  }
}

}  // namespace
}  // namespace kiroku::services
