#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "common/encoding.h"
#include "crypto/hash.h"
#include "testing/fake_clock.h"
#include "testing/testdata.h"

namespace kiroku::aws {
namespace {

namespace json = boost::json;

class MapLookup : public CredentialLookup {
 public:
  std::map<std::string, Credential, std::less<>> keys;
  Result<Credential> Lookup(std::string_view id) const override {
    auto it = keys.find(id);
    if (it == keys.end()) return Status::NotFound("no such key");
    return it->second;
  }
};

const json::object& LoadSuite() {
  static const json::object suite = [] {
    std::ifstream in(testing::TestDataPath("sigv4/aws_sigv4_suite.json"));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return json::parse(buffer.str()).as_object();
  }();
  return suite;
}

// One test per case of AWS's SigV4 test suite: the server accepts the published signature.
class SigV4SuiteTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4SuiteTest, AcceptsPublishedSignature) {
  const json::object& suite = LoadSuite();
  const json::object* found = nullptr;
  for (const json::value& c : suite.at("cases").as_array()) {
    if (c.at("name").as_string() == GetParam()) found = &c.as_object();
  }
  ASSERT_NE(found, nullptr);
  const json::object& c = *found;
  net::Request request;
  request.method = std::string(c.at("method").as_string());
  request.target = std::string(c.at("path").as_string());
  std::string query(c.at("query").as_string());
  if (!query.empty()) request.target += "?" + query;
  for (const json::value& h : c.at("headers").as_array()) {
    request.headers.push_back(
        {std::string(h.as_array()[0].as_string()), std::string(h.as_array()[1].as_string())});
  }
  request.body = std::string(c.at("body").as_string());
  request.headers.push_back({"Authorization",
                             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                             "aws4_request, SignedHeaders=" +
                                 std::string(c.at("signed_headers").as_string()) +
                                 ", Signature=" + std::string(c.at("signature").as_string())});

  MapLookup lookup;
  lookup.keys["AKIDEXAMPLE"] = {std::string(suite.at("secret_access_key").as_string()), {}, {}};
  testing::FakeClock clock(*ParseAmzDate("20150830T123600Z"));
  Result<SignedIdentity> identity = VerifySigV4(request, "service", lookup, clock);
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->region, "us-east-1");
  EXPECT_EQ(identity->service, "service");
  EXPECT_EQ(identity->access_key_id, "AKIDEXAMPLE");
}

std::vector<std::string> SuiteNames() {
  std::vector<std::string> names;
  for (const json::value& c : LoadSuite().at("cases").as_array()) {
    names.emplace_back(c.at("name").as_string());
  }
  return names;
}

INSTANTIATE_TEST_SUITE_P(AwsSuite, SigV4SuiteTest, ::testing::ValuesIn(SuiteNames()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

// A request signed the way botocore signs a JSON-protocol call, for the failure matrix.
class SignedRequestTest : public ::testing::Test {
 protected:
  SignedRequestTest() : clock_(*ParseAmzDate("20261126T213114Z")) {
    lookup_.keys["AKIAEXAMPLE000000001"] = {"secret-1", {}, {}};
    // The lookup holds only the token's digest (the session store never keeps the token).
    lookup_.keys["ASIAEXAMPLE000000002"] = {"secret-2", crypto::Sha256("token-2"),
                                            clock_.Now() + std::chrono::hours(1)};
  }

  net::Request Signed(std::string key, std::string secret, std::string amz_date,
                      std::string body = R"({"logGroupName":"g"})",
                      std::optional<std::string> token = std::nullopt) {
    net::Request r;
    r.method = "POST";
    r.target = "/";
    r.body = body;
    r.headers = {{"Host", "127.0.0.1:4747"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Date", amz_date},
                 {"X-Amz-Target", "Logs_20140328.CreateLogGroup"}};
    std::vector<std::string> signed_headers = {"content-type", "host", "x-amz-date"};
    if (token) {
      r.headers.push_back({"X-Amz-Security-Token", *token});
      signed_headers.push_back("x-amz-security-token");
    }
    signed_headers.push_back("x-amz-target");
    CanonicalInput in{r.method, "/", "", r.headers, signed_headers, HexEncode(crypto::Sha256(body)),
                      false};
    std::string date = amz_date.substr(0, 8);
    std::string scope = date + "/ap-northeast-1/logs/aws4_request";
    std::string sig = Sign(SigningKey(secret, date, "ap-northeast-1", "logs"),
                           StringToSign(amz_date, scope, CanonicalRequest(in)));
    std::string sh;
    for (const auto& h : signed_headers) sh += (sh.empty() ? "" : ";") + h;
    r.headers.push_back({"Authorization", "AWS4-HMAC-SHA256 Credential=" + key + "/" + scope +
                                              ", SignedHeaders=" + sh + ", Signature=" + sig});
    return r;
  }

  Status Verify(const net::Request& r) { return VerifySigV4(r, "logs", lookup_, clock_).status(); }

  MapLookup lookup_;
  testing::FakeClock clock_;
};

TEST_F(SignedRequestTest, AcceptsAValidRequestAndTakesRegionFromScope) {
  auto identity = VerifySigV4(Signed("AKIAEXAMPLE000000001", "secret-1", "20261126T213114Z"),
                              "logs", lookup_, clock_);
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->region, "ap-northeast-1");
}

TEST_F(SignedRequestTest, FailureMatrix) {
  struct Case {
    const char* what;
    net::Request request;
    const char* aws_code;
    const char* message_start;
  };
  net::Request tampered = Signed("AKIAEXAMPLE000000001", "secret-1", "20261126T213114Z");
  tampered.body = R"({"logGroupName":"h"})";
  net::Request unsigned_request = tampered;
  unsigned_request.headers.pop_back();
  net::Request no_signature = Signed("AKIAEXAMPLE000000001", "secret-1", "20261126T213114Z");
  no_signature.headers.back().value = no_signature.headers.back().value.substr(0, 80);
  net::Request extra_header = Signed("AKIAEXAMPLE000000001", "secret-1", "20261126T213114Z");
  extra_header.headers.push_back({"X-Amz-Meta", "1"});
  Case cases[] = {
      {"wrong secret", Signed("AKIAEXAMPLE000000001", "nope", "20261126T213114Z"),
       "SignatureDoesNotMatch", "The request signature we calculated"},
      {"unknown key", Signed("AKIAUNKNOWN000000000", "secret-1", "20261126T213114Z"),
       "InvalidClientTokenId", "The security token included in the request is invalid."},
      {"tampered body", tampered, "SignatureDoesNotMatch", "The request signature"},
      {"six minutes old", Signed("AKIAEXAMPLE000000001", "secret-1", "20261126T212514Z"),
       "SignatureDoesNotMatch",
       "Signature expired: 20261126T212514Z is now earlier than 20261126T212614Z "
       "(20261126T213114Z - 5 min.)"},
      {"six minutes ahead", Signed("AKIAEXAMPLE000000001", "secret-1", "20261126T213714Z"),
       "SignatureDoesNotMatch", "Signature not yet current: 20261126T213714Z is still later"},
      {"no authorization", unsigned_request, "MissingAuthenticationToken",
       "Request is missing Authentication Token"},
      {"truncated authorization", no_signature, "IncompleteSignature",
       "Authorization header requires"},
      {"unsigned x-amz header", extra_header, "IncompleteSignature",
       "There were headers present in the request which were not signed"},
      {"session key without token", Signed("ASIAEXAMPLE000000002", "secret-2", "20261126T213114Z"),
       "InvalidClientTokenId", "The security token"},
      {"wrong token",
       Signed("ASIAEXAMPLE000000002", "secret-2", "20261126T213114Z", "{}", std::string("x")),
       "InvalidClientTokenId", "The security token"},
      {"token's hex digest instead of the token",
       Signed("ASIAEXAMPLE000000002", "secret-2", "20261126T213114Z", "{}",
              HexEncode(crypto::Sha256("token-2"))),
       "InvalidClientTokenId", "The security token"},
  };
  for (const Case& c : cases) {
    Status s = Verify(c.request);
    EXPECT_EQ(s.code(), Code::kUnauthenticated) << c.what;
    EXPECT_EQ(s.aws_code(), c.aws_code) << c.what << ": " << s.ToString();
    EXPECT_TRUE(s.message().starts_with(c.message_start)) << c.what << ": " << s.message();
  }
}

TEST_F(SignedRequestTest, TemporaryCredentialsNeedTheirTokenAndExpire) {
  net::Request r =
      Signed("ASIAEXAMPLE000000002", "secret-2", "20261126T213114Z", "{}", std::string("token-2"));
  EXPECT_TRUE(Verify(r).ok());
  clock_.Advance(std::chrono::hours(2));
  // Re-sign at the new time so that only the credential's expiry is at fault.
  r = Signed("ASIAEXAMPLE000000002", "secret-2", FormatAmzDate(clock_.Now()), "{}",
             std::string("token-2"));
  Status s = Verify(r);
  EXPECT_EQ(s.aws_code(), "ExpiredToken") << s.ToString();
}

TEST_F(SignedRequestTest, ScopeMustNameTheService) {
  net::Request r = Signed("AKIAEXAMPLE000000001", "secret-1", "20261126T213114Z");
  Status s = VerifySigV4(r, "kms", lookup_, clock_).status();
  EXPECT_EQ(s.aws_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(s.message(), "Credential should be scoped to correct service: 'kms'.");
}

TEST_F(SignedRequestTest, ScopeDateMustMatchRequestDate) {
  net::Request r = Signed("AKIAEXAMPLE000000001", "secret-1", "20261126T213114Z");
  for (net::Header& h : r.headers) {
    if (h.name == "Authorization") {
      h.value.replace(h.value.find("20261126"), 8, "20261125");
    }
  }
  Status s = Verify(r);
  EXPECT_EQ(s.aws_code(), "SignatureDoesNotMatch");
  EXPECT_TRUE(s.message().starts_with("Date in Credential scope does not match")) << s.message();
}

// S3 requests as botocore's S3SigV4Auth / S3SigV4QueryAuth sign them (issue 15 item 7: S3's
// own codes for SigV4 faults).
class S3SignedTest : public SignedRequestTest {
 protected:
  SigV4Options S3Options(std::string region = "") {
    SigV4Options o;
    o.s3 = true;
    o.max_skew = std::chrono::minutes(15);
    o.expected_region = std::move(region);
    return o;
  }

  net::Request S3Header(std::string amz_date, std::string content_sha = "UNSIGNED-PAYLOAD",
                        std::string scope_region = "ap-northeast-1",
                        std::string scope_service = "s3", std::string key = "AKIAEXAMPLE000000001",
                        std::string secret = "secret-1",
                        std::optional<std::string> token = std::nullopt) {
    net::Request r;
    r.method = "GET";
    r.target = "/bucket/key";
    r.headers = {{"Host", "127.0.0.1:4747"},
                 {"X-Amz-Content-Sha256", content_sha},
                 {"X-Amz-Date", amz_date}};
    std::vector<std::string> signed_headers = {"host", "x-amz-content-sha256", "x-amz-date"};
    if (token) {
      r.headers.push_back({"X-Amz-Security-Token", *token});
      signed_headers.push_back("x-amz-security-token");
    }
    CanonicalInput in{r.method, "/bucket/key", "", r.headers, signed_headers, content_sha, true};
    std::string date = amz_date.substr(0, 8);
    std::string scope = date + "/" + scope_region + "/" + scope_service + "/aws4_request";
    std::string sig = Sign(SigningKey(secret, date, scope_region, scope_service),
                           StringToSign(amz_date, scope, CanonicalRequest(in)));
    std::string sh;
    for (const auto& h : signed_headers) sh += (sh.empty() ? "" : ";") + h;
    r.headers.push_back({"Authorization", "AWS4-HMAC-SHA256 Credential=" + key + "/" + scope +
                                              ", SignedHeaders=" + sh + ", Signature=" + sig});
    return r;
  }

  // A presigned GET; `expires` empty leaves X-Amz-Expires out.
  net::Request S3Presigned(std::string amz_date, std::string expires) {
    std::string date = amz_date.substr(0, 8);
    std::string scope = date + "/ap-northeast-1/s3/aws4_request";
    std::string query =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE000000001%2F" + date +
        "%2Fap-northeast-1%2Fs3%2Faws4_request&X-Amz-Date=" + amz_date +
        (expires.empty() ? "" : "&X-Amz-Expires=" + expires) + "&X-Amz-SignedHeaders=host";
    net::Request r;
    r.method = "GET";
    r.headers = {{"Host", "127.0.0.1:4747"}};
    CanonicalInput in{r.method, "/bucket/key",      query, r.headers,
                      {"host"}, "UNSIGNED-PAYLOAD", true};
    std::string sig = Sign(SigningKey("secret-1", date, "ap-northeast-1", "s3"),
                           StringToSign(amz_date, scope, CanonicalRequest(in)));
    r.target = "/bucket/key?" + query + "&X-Amz-Signature=" + sig;
    return r;
  }

  Status VerifyS3(const net::Request& r, std::string region = "") {
    return VerifySigV4(r, "s3", lookup_, clock_, S3Options(std::move(region))).status();
  }
};

TEST_F(S3SignedTest, AcceptsHeaderAndPresignedRequests) {
  EXPECT_TRUE(VerifyS3(S3Header("20261126T213114Z")).ok());
  EXPECT_TRUE(VerifyS3(S3Header("20261126T213114Z"), "ap-northeast-1").ok());
  auto id = VerifySigV4(S3Header("20261126T213114Z", HexEncode(crypto::Sha256(""))), "s3", lookup_,
                        clock_, S3Options());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->payload_hash, HexEncode(crypto::Sha256("")));
  EXPECT_TRUE(VerifyS3(S3Presigned("20261126T213114Z", "3600")).ok());
  // Within S3's 15 minutes of skew.
  EXPECT_TRUE(VerifyS3(S3Header("20261126T211714Z")).ok());
}

TEST_F(S3SignedTest, FailuresUseS3Codes) {
  struct Case {
    const char* what;
    net::Request request;
    std::string region;
    const char* aws_code;
    const char* message;
  };
  net::Request two = S3Header("20261126T213114Z");
  two.headers.push_back(two.headers.back());
  net::Request sha_missing = S3Header("20261126T213114Z");
  sha_missing.headers.erase(sha_missing.headers.begin() + 1);
  Case cases[] = {
      {"16 minutes old", S3Header("20261126T211514Z"), "", "RequestTimeTooSkewed",
       "The difference between the request time and the current time is too large."},
      {"16 minutes ahead", S3Header("20261126T214714Z"), "", "RequestTimeTooSkewed",
       "The difference between the request time and the current time is too large."},
      {"scope for iam", S3Header("20261126T213114Z", "UNSIGNED-PAYLOAD", "ap-northeast-1", "iam"),
       "", "AuthorizationHeaderMalformed",
       "The authorization header is malformed; incorrect service 'iam'. This endpoint belongs "
       "to 's3'."},
      {"scope for another region", S3Header("20261126T213114Z"), "us-west-2",
       "AuthorizationHeaderMalformed",
       "The authorization header is malformed; the region 'ap-northeast-1' is wrong; expecting "
       "'us-west-2'"},
      {"invalid region", S3Header("20261126T213114Z", "UNSIGNED-PAYLOAD", "nowhere"), "",
       "AuthorizationHeaderMalformed",
       "The authorization header is malformed; the region 'nowhere' is wrong; expecting "
       "'us-east-1'"},
      {"expired presigned URL", S3Presigned("20261126T203114Z", "3599"), "", "AccessDenied",
       "Request has expired"},
      {"presigned URL without X-Amz-Expires", S3Presigned("20261126T213114Z", ""), "",
       "AuthorizationQueryParametersError",
       "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
       "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."},
      {"presigned URL for more than a week", S3Presigned("20261126T213114Z", "604801"), "",
       "AuthorizationQueryParametersError",
       "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
      {"presigned URL with negative expiry", S3Presigned("20261126T213114Z", "-1"), "",
       "AuthorizationQueryParametersError", "X-Amz-Expires must be non-negative"},
      {"session key with a wrong token",
       S3Header("20261126T213114Z", "UNSIGNED-PAYLOAD", "ap-northeast-1", "s3",
                "ASIAEXAMPLE000000002", "secret-2", std::string("x")),
       "", "InvalidToken", "The provided token is malformed or otherwise invalid."},
      {"session key without its token",
       S3Header("20261126T213114Z", "UNSIGNED-PAYLOAD", "ap-northeast-1", "s3",
                "ASIAEXAMPLE000000002", "secret-2"),
       "", "InvalidToken", "The provided token is malformed or otherwise invalid."},
      {"unknown key",
       S3Header("20261126T213114Z", "UNSIGNED-PAYLOAD", "ap-northeast-1", "s3",
                "AKIAUNKNOWN000000000"),
       "", "InvalidClientTokenId",
       "The AWS Access Key Id you provided does not exist in our records."},
      {"invalid x-amz-content-sha256", S3Header("20261126T213114Z", "abc"), "", "InvalidArgument",
       "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
       "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid "
       "sha256 value."},
      {"missing x-amz-content-sha256", sha_missing, "", "InvalidRequest",
       "Missing required header for this request: x-amz-content-sha256"},
      {"two Authorization headers", two, "", "InvalidArgument",
       "Only one Authorization header may be specified"},
  };
  for (const Case& c : cases) {
    Status s = VerifyS3(c.request, c.region);
    EXPECT_EQ(s.aws_code(), c.aws_code) << c.what << ": " << s.ToString();
    EXPECT_EQ(s.message(), c.message) << c.what;
  }
}

TEST_F(SignedRequestTest, TwoAuthorizationHeadersAreRefused) {
  net::Request r = Signed("AKIAEXAMPLE000000001", "secret-1", "20261126T213114Z");
  EXPECT_TRUE(Verify(r).ok());
  r.headers.push_back(r.headers.back());
  Status s = Verify(r);
  EXPECT_EQ(s.aws_code(), "IncompleteSignature") << s.ToString();
}

TEST(CanonicalRequestTest, NormalisesPathsLikeTheSuite) {
  const std::pair<std::string, std::string> cases[] = {
      {"//", "/"},
      {"//example//", "/example/"},
      {"/example/..", "/"},
      {"/example1/example2/../..", "/"},
      {"/./", "/"},
      {"/./example", "/example"},
      {"/example space/", "/example%20space/"},
  };
  for (const auto& [path, want] : cases) {
    CanonicalInput in{"GET", path, "", {}, {}, "h", false};
    std::string creq = CanonicalRequest(in);
    EXPECT_EQ(creq.substr(4, creq.find('\n', 4) - 4), want) << path;
  }
}

TEST(CanonicalRequestTest, QueryIsReencodedAndSorted) {
  CanonicalInput in{"GET", "/", "b=2&a=x%20y&a=+&c", {}, {}, "h", false};
  std::string creq = CanonicalRequest(in);
  EXPECT_NE(creq.find("\na=%2B&a=x%20y&b=2&c=\n"), std::string::npos) << creq;
}

}  // namespace
}  // namespace kiroku::aws
