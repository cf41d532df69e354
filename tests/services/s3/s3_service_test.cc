// S3 operations through InternalCaller, as CloudTrail will call them: the documented CloudTrail
// bucket policy (aws-behavior.md §10) lets cloudtrail.amazonaws.com check the bucket ACL and
// write under AWSLogs/<account>/ with bucket-owner-full-control for the named trail, and nothing
// else. Objects are encrypted with SSE-S3 or SSE-KMS and read back through the same path.
#include "services/s3/s3_service.h"

#include <gtest/gtest.h>

#include "common/arn.h"
#include "common/encoding.h"
#include "services/kms/kms_service.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::services {
namespace {

namespace json = boost::json;

constexpr char kRegion[] = "ap-northeast-1";
constexpr char kBucket[] = "trail-bucket-test";

class S3ServiceTest : public ::testing::Test {
 protected:
  S3ServiceTest()
      : db_(*store::RocksStore::Open(dir_.Sub("db"), {"meta"})),
        master_(crypto::SecretBytes::Random(32)),
        identities_(*db_, master_, clock_),
        sessions_(*db_, master_, clock_),
        keys_(*db_, master_, clock_),
        blobs_(*s3::BlobStore::Open(dir_.Sub("objects"))),
        store_(*db_, *blobs_, clock_),
        sse_s3_(master_),
        caller_(table_, identities_, clock_),
        kms_(keys_, identities_),
        service_(store_, sse_s3_, identities_, caller_, clock_) {
    account_ = identities_.Bootstrap({})->account_id;
    table_.Add(kms_.Operations());
    table_.Add(service_.Operations());
    trail_arn_ = Arn::CloudTrail(kRegion, account_, "trail/management").ToString();
  }

  Result<json::value> Call(const iam::Principal& who, std::string service, std::string op,
                           json::object input) {
    return caller_.Call(
        {who, account_, kRegion, std::move(service), std::move(op), std::move(input)});
  }
  Result<json::value> AsRoot(std::string op, json::object input) {
    return Call(iam::RootPrincipal(account_), "s3", std::move(op), std::move(input));
  }
  Result<json::value> AsCloudTrail(std::string op, json::object input) {
    return Call(policy::ServicePrincipal("cloudtrail.amazonaws.com"), "s3", std::move(op),
                std::move(input));
  }

  void CreateTrailBucket() {
    s3::BucketRecord b;
    b.name = kBucket;
    b.account = account_;
    b.region = kRegion;
    b.policy = R"({"Version": "2012-10-17", "Statement": [
      {"Sid": "AWSCloudTrailAclCheck20150319", "Effect": "Allow",
       "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
       "Resource": "arn:aws:s3:::)" +
               std::string(kBucket) + R"(",
       "Condition": {"StringEquals": {"aws:SourceArn": ")" +
               trail_arn_ + R"("}}},
      {"Sid": "AWSCloudTrailWrite20150319", "Effect": "Allow",
       "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
       "Resource": "arn:aws:s3:::)" +
               std::string(kBucket) + "/AWSLogs/" + account_ + R"(/*",
       "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                      "aws:SourceArn": ")" +
               trail_arn_ + R"("}}}]})";
    ASSERT_TRUE(store_.CreateBucket(b).ok());
  }

  json::object TrailWrite(std::string key, std::string acl, std::string source_arn) {
    json::object in{{"Bucket", kBucket},
                    {"Key", std::move(key)},
                    {"Body", "{\"Records\":[]}"},
                    {"ContentType", "application/json"},
                    {"SourceArn", std::move(source_arn)},
                    {"SourceAccount", account_}};
    if (!acl.empty()) in["ACL"] = std::move(acl);
    return in;
  }

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_;
  kiroku::testing::FakeClock clock_;
  iam::IdentityStore identities_;
  iam::SessionStore sessions_;
  kms::KeyStore keys_;
  std::unique_ptr<s3::BlobStore> blobs_;
  s3::S3Store store_;
  s3::MasterKeyDataKeys sse_s3_;
  api::OperationTable table_;
  api::InternalCaller caller_;
  KmsService kms_;
  S3Service service_;
  std::string account_;
  std::string trail_arn_;
};

TEST_F(S3ServiceTest, CloudTrailWritesExactlyWhereTheBucketPolicyAllows) {
  CreateTrailBucket();
  std::string key = "AWSLogs/" + account_ + "/CloudTrail/ap-northeast-1/2026/11/26/f.json.gz";
  auto acl = AsCloudTrail("GetBucketAcl", {{"Bucket", kBucket}, {"SourceArn", trail_arn_}});
  ASSERT_TRUE(acl.ok()) << acl.status().ToString();
  EXPECT_NE(std::string(acl->at("Body").as_string()).find("FULL_CONTROL"), std::string::npos);

  auto put = AsCloudTrail("PutObject", TrailWrite(key, "bucket-owner-full-control", trail_arn_));
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->at("x-amz-server-side-encryption").as_string(), "AES256");

  // Each condition of the write statement matters.
  EXPECT_EQ(AsCloudTrail("PutObject", TrailWrite(key, "", trail_arn_)).status().code(),
            Code::kAccessDenied);
  EXPECT_EQ(AsCloudTrail("PutObject", TrailWrite(key, "private", trail_arn_)).status().code(),
            Code::kAccessDenied);
  EXPECT_EQ(
      AsCloudTrail("PutObject", TrailWrite(key, "bucket-owner-full-control", trail_arn_ + "-other"))
          .status()
          .code(),
      Code::kAccessDenied);
  EXPECT_EQ(AsCloudTrail("PutObject",
                         TrailWrite("elsewhere/f.json", "bucket-owner-full-control", trail_arn_))
                .status()
                .code(),
            Code::kAccessDenied);
  // Reading is not granted to the service.
  EXPECT_EQ(
      AsCloudTrail("GetObject", {{"Bucket", kBucket}, {"Key", key}, {"SourceArn", trail_arn_}})
          .status()
          .code(),
      Code::kAccessDenied);

  // The owner reads what CloudTrail wrote, byte for byte.
  auto got = AsRoot("GetObject", {{"Bucket", kBucket}, {"Key", key}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->at("Content-Type").as_string(), "application/json");
  auto record = store_.GetObject(kBucket, key);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->acl, "bucket-owner-full-control");
}

TEST_F(S3ServiceTest, SseKmsUsesTheS3EncryptionContext) {
  CreateTrailBucket();
  auto key = Call(iam::RootPrincipal(account_), "kms", "CreateKey", {});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  std::string key_arn(key->at("KeyMetadata").at("Arn").as_string());
  json::object put{{"Bucket", kBucket},
                   {"Key", "secret.txt"},
                   {"Body", "kms protected"},
                   {"ServerSideEncryption", "aws:kms"}};
  put["Headers"] = json::object{{"x-amz-server-side-encryption", "aws:kms"},
                                {"x-amz-server-side-encryption-aws-kms-key-id", key_arn}};
  auto out = AsRoot("PutObject", put);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("x-amz-server-side-encryption").as_string(), "aws:kms");
  EXPECT_EQ(out->at("x-amz-server-side-encryption-aws-kms-key-id").as_string(), key_arn);

  auto record = store_.GetObject(kBucket, "secret.txt");
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(record->segments.size(), 1u);
  // The wrapped key opens only with the object's ARN as encryption context.
  auto wrong = Call(iam::RootPrincipal(account_), "kms", "Decrypt",
                    {{"CiphertextBlob", Base64Encode(record->segments[0].wrapped_key)},
                     {"EncryptionContext",
                      {{"aws:s3:arn", Arn::S3(std::string(kBucket) + "/other").ToString()}}}});
  EXPECT_FALSE(wrong.ok());
  auto right = Call(iam::RootPrincipal(account_), "kms", "Decrypt",
                    {{"CiphertextBlob", Base64Encode(record->segments[0].wrapped_key)},
                     {"EncryptionContext",
                      {{"aws:s3:arn", Arn::S3(std::string(kBucket) + "/secret.txt").ToString()}}}});
  EXPECT_TRUE(right.ok()) << right.status().ToString();

  // Disabling the key makes the object unreadable, as on AWS.
  ASSERT_TRUE(Call(iam::RootPrincipal(account_), "kms", "DisableKey", {{"KeyId", key_arn}}).ok());
  EXPECT_FALSE(AsRoot("GetObject", {{"Bucket", kBucket}, {"Key", "secret.txt"}}).ok());
}

TEST_F(S3ServiceTest, OperationsDeclareReadOnlyAndDataEvents) {
  // CloudTrail's readOnly (Get*, Head*, List*) and event category (object-level operations,
  // and ListObjects, are data events) as each row declares them.
  struct Case {
    const char* name;
    const char* action;
    api::Access access;
    api::EventCategory category;
  };
  using api::Access;
  using api::EventCategory;
  const Case cases[] = {
      {"CreateBucket", "s3:CreateBucket", Access::kWrite, EventCategory::kManagement},
      {"PutBucketPolicy", "s3:PutBucketPolicy", Access::kWrite, EventCategory::kManagement},
      {"DeleteBucketPolicy", "s3:DeleteBucketPolicy", Access::kWrite, EventCategory::kManagement},
      {"GetBucketAcl", "s3:GetBucketAcl", Access::kRead, EventCategory::kManagement},
      {"ListMultipartUploads", "s3:ListBucketMultipartUploads", Access::kRead,
       EventCategory::kManagement},
      {"ListObjectsV2", "s3:ListBucket", Access::kRead, EventCategory::kData},
      {"HeadObject", "s3:GetObject", Access::kRead, EventCategory::kData},
      {"PutObject", "s3:PutObject", Access::kWrite, EventCategory::kData},
      {"DeleteObjects", "", Access::kWrite, EventCategory::kData},
      {"CompleteMultipartUpload", "s3:PutObject", Access::kWrite, EventCategory::kData},
  };
  for (const Case& c : cases) {
    const api::Operation* row = table_.Find("s3", c.name);
    ASSERT_NE(row, nullptr) << c.name;
    EXPECT_EQ(row->action, c.action) << c.name;
    EXPECT_EQ(row->access, c.access) << c.name;
    EXPECT_EQ(row->category, c.category) << c.name;
  }
  // Every row's readOnly follows S3's rule: only the Get*, Head* and List* operations read.
  for (const api::Operation& row : service_.Operations()) {
    bool reads =
        row.name.starts_with("Get") || row.name.starts_with("Head") || row.name.starts_with("List");
    EXPECT_EQ(row.access == Access::kRead, reads) << row.name;
  }
}

}  // namespace
}  // namespace kiroku::services
