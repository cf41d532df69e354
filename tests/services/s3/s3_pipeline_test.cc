// S3 through the one request pipeline in process (ServiceHarness with S3Service as its REST
// route): a signed PUT whose body streams, a GET that streams the object back, an IAM user
// without permissions refused before the handler runs, a payload that does not match its
// declared SHA-256, and S3's <Region> detail for a signature scoped to the wrong region.
#include <gtest/gtest.h>

#include "api/internal_caller.h"
#include "common/encoding.h"
#include "crypto/hash.h"
#include "s3/blob_store.h"
#include "s3/data_keys.h"
#include "services/s3/s3_service.h"
#include "testing/service_harness.h"
#include "testing/temp_dir.h"

namespace kiroku::services {
namespace {

using kiroku::testing::Credentials;
using kiroku::testing::ServiceHarness;

class S3PipelineTest : public ::testing::Test {
 protected:
  S3PipelineTest()
      : blobs_(*s3::BlobStore::Open(dir_.Sub("objects"))),
        store_(h_.db(), *blobs_, h_.clock()),
        sse_s3_(h_.master_key()),
        kms_(h_.table(), h_.identities(), h_.clock()),
        service_(store_, sse_s3_, h_.identities(), kms_, h_.clock()) {
    h_.table().Add(service_.Operations());
    h_.AddRestRoute(service_);
  }

  static net::Request Rest(std::string method, std::string target, std::string body = "") {
    net::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    return request;
  }

  net::Response Send(net::Request request, const Credentials* as = nullptr,
                     std::string_view region = "us-east-1") {
    return h_.SendStreamed(std::move(request), "s3", region, as);
  }

  static std::string ReadAll(const net::Response& response) {
    if (!response.stream) return response.body;
    std::string out(response.stream_length, '\0');
    size_t got = 0;
    while (got < out.size()) {
      Result<size_t> n = response.stream->Read(out.data() + got, out.size() - got);
      if (!n.ok() || *n == 0) break;
      got += *n;
    }
    out.resize(got);
    return out;
  }

  // An IAM user without any policy.
  Credentials Alice() {
    EXPECT_TRUE(h_.identities().CreateUser("alice", "/", {}).ok());
    auto key = h_.identities().CreateAccessKey("alice");
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return {key->info.access_key_id, key->secret_access_key, ""};
  }

  ServiceHarness h_;
  kiroku::testing::TempDir dir_;
  std::unique_ptr<s3::BlobStore> blobs_;
  s3::S3Store store_;
  s3::MasterKeyDataKeys sse_s3_;
  api::InternalCaller kms_;
  S3Service service_;
};

TEST_F(S3PipelineTest, PutStreamsTheBodyAndGetStreamsItBack) {
  ASSERT_EQ(Send(Rest("PUT", "/photos")).status, 200);
  std::string content(100000, 'k');
  net::Response put = Send(Rest("PUT", "/photos/2026/cat.txt", content));
  ASSERT_EQ(put.status, 200) << put.body;
  ASSERT_NE(put.FindHeader("ETag"), nullptr);
  crypto::Md5Hasher md5;
  md5.Update(content);
  EXPECT_EQ(*put.FindHeader("ETag"), "\"" + HexEncode(md5.Finish()) + "\"");
  EXPECT_EQ(*put.FindHeader("x-amz-server-side-encryption"), "AES256");
  EXPECT_NE(put.FindHeader("x-amz-request-id"), nullptr);

  net::Response got = Send(Rest("GET", "/photos/2026/cat.txt"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.stream_length, content.size());
  EXPECT_EQ(ReadAll(got), content);

  net::Response head = Send(Rest("HEAD", "/photos/2026/cat.txt"));
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.head);
  EXPECT_EQ(*head.FindHeader("Content-Length"), std::to_string(content.size()));
}

TEST_F(S3PipelineTest, AnotherUserIsRefusedBeforeTheHandler) {
  ASSERT_EQ(Send(Rest("PUT", "/photos")).status, 200);
  ASSERT_EQ(Send(Rest("PUT", "/photos/cat.txt", "meow")).status, 200);
  Credentials alice = Alice();

  net::Response get = Send(Rest("GET", "/photos/cat.txt"), &alice);
  EXPECT_EQ(get.status, 403);
  EXPECT_NE(get.body.find("<Code>AccessDenied</Code>"), std::string::npos) << get.body;
  EXPECT_EQ(get.stream, nullptr);

  net::Response put = Send(Rest("PUT", "/photos/cat.txt", "woof"), &alice);
  EXPECT_EQ(put.status, 403) << put.body;
  // The object is the owner's still.
  EXPECT_EQ(ReadAll(Send(Rest("GET", "/photos/cat.txt"))), "meow");

  // HEAD errors carry no body.
  net::Response head = Send(Rest("HEAD", "/photos/cat.txt"), &alice);
  EXPECT_EQ(head.status, 403);
  EXPECT_TRUE(head.body.empty()) << head.body;
}

TEST_F(S3PipelineTest, APayloadThatDoesNotMatchItsHashIsNotStored) {
  ASSERT_EQ(Send(Rest("PUT", "/photos")).status, 200);
  net::Request put = Rest("PUT", "/photos/cat.txt", "meow");
  h_.Sign(put, "s3", "us-east-1", h_.root());
  put.body = "woof";  // the signed x-amz-content-sha256 is meow's
  put.remote_address = "127.0.0.1";
  net::Response r = h_.pipeline().Handle(put);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("XAmzContentSHA256Mismatch"), std::string::npos) << r.body;
  EXPECT_EQ(Send(Rest("GET", "/photos/cat.txt")).status, 404);
}

TEST_F(S3PipelineTest, ASignatureForAnotherRegionNamesTheBucketsRegion) {
  std::string config =
      "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint>"
      "</CreateBucketConfiguration>";
  net::Response created = Send(Rest("PUT", "/photos", config), nullptr, "eu-west-1");
  ASSERT_EQ(created.status, 200) << created.body;

  net::Response r = Send(Rest("GET", "/photos"), nullptr, "us-east-1");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>AuthorizationHeaderMalformed</Code>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Region>eu-west-1</Region>"), std::string::npos) << r.body;
  ASSERT_NE(r.FindHeader("x-amz-bucket-region"), nullptr);
  EXPECT_EQ(*r.FindHeader("x-amz-bucket-region"), "eu-west-1");
}

}  // namespace
}  // namespace kiroku::services
