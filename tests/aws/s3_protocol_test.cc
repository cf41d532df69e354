// S3's parts of aws/: routing and addressing, the XML helpers, REST-XML errors, aws-chunked
// chunk signatures (AWS's published streaming example) and legacy presigned URLs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

#include "aws/errors.h"
#include "aws/rest_xml.h"
#include "aws/sigv4.h"
#include "common/encoding.h"
#include "crypto/hash.h"
#include "testing/fake_clock.h"

namespace kiroku::aws {
namespace {

net::Request Req(std::string method, std::string target, std::vector<net::Header> headers = {}) {
  net::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  return r;
}

TEST(S3Routing, TellsS3FromTheOtherProtocols) {
  EXPECT_TRUE(IsS3Request(Req("GET", "/")));
  EXPECT_TRUE(IsS3Request(Req("PUT", "/bucket/key")));
  EXPECT_TRUE(IsS3Request(Req("POST", "/bucket?delete", {{"Content-Type", "application/xml"}})));
  EXPECT_FALSE(IsS3Request(Req("GET", "/?Action=GetCallerIdentity&Version=2011-06-15")));
  EXPECT_FALSE(
      IsS3Request(Req("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}})));
  EXPECT_FALSE(IsS3Request(Req("POST", "/", {{"X-Amz-Target", "TrentService.ListKeys"}})));
  EXPECT_FALSE(IsS3Request(Req("GET", "/_kiroku/health")));
  EXPECT_FALSE(IsS3Request(Req("GET", "/console/index.html")));
  EXPECT_FALSE(IsS3Request(Req("POST", "/signin")));
}

TEST(S3Routing, PathStyleAndVirtualHostedTargets) {
  auto path = ParseS3Target(Req("GET", "/my-bucket/a/b%20c.txt", {{"Host", "127.0.0.1:4747"}}));
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->bucket, "my-bucket");
  EXPECT_EQ(path->key, "a/b c.txt");
  EXPECT_FALSE(path->virtual_hosted);
  auto bucket_only = ParseS3Target(Req("GET", "/my-bucket", {{"Host", "localhost:4747"}}));
  EXPECT_EQ(bucket_only->bucket, "my-bucket");
  EXPECT_EQ(bucket_only->key, "");
  for (const char* host : {"my-bucket.localhost:4747", "my-bucket.s3.localhost:4747",
                           "my-bucket.s3.ap-northeast-1.amazonaws.com"}) {
    auto v = ParseS3Target(Req("GET", "/dir/key", {{"Host", host}}));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->bucket, "my-bucket") << host;
    EXPECT_EQ(v->key, "dir/key") << host;
    EXPECT_TRUE(v->virtual_hosted);
  }
  EXPECT_EQ(ParseS3Target(Req("GET", "/", {{"Host", "localhost:4747"}}))->bucket, "");
  EXPECT_EQ(ParseS3Target(Req("GET", "/b/%zz")).status().aws_code(), "InvalidURI");
  auto q = ParseS3Query("uploads&prefix=a%2Fb&max-keys=2");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)[0], (std::pair<std::string, std::string>{"uploads", ""}));
  EXPECT_EQ((*q)[1].second, "a/b");
}

TEST(RestXml, WritesAndReadsDocuments) {
  XmlWriter w("ListBucketResult");
  w.Leaf("Name", "b").Open("Contents").Leaf("Key", "a<&>\"b").Close();
  std::string doc = w.Finish();
  EXPECT_NE(doc.find("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"),
            std::string::npos);
  EXPECT_NE(doc.find("<Key>a&lt;&amp;&gt;&quot;b</Key></Contents></ListBucketResult>"),
            std::string::npos);
  auto parsed = ParseXml(doc);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->name, "ListBucketResult");
  EXPECT_EQ(parsed->Child("Contents")->ChildText("Key"), "a<&>\"b");
  auto del = ParseXml(
      "<Delete><Object><Key>k1</Key></Object><Object><Key>k2</Key></Object>"
      "<Quiet>true</Quiet></Delete>");
  ASSERT_EQ(del->Children("Object").size(), 2u);
  EXPECT_EQ(ParseXml("<Delete><Object>").status().aws_code(), "MalformedXML");
}

TEST(RestXmlErrors, S3CodesStatusesAndBody) {
  struct Case {
    Status status;
    std::string code;
    int http;
  } cases[] = {
      {Status::NotFound("x").WithAwsCode("NoSuchBucket"), "NoSuchBucket", 404},
      {Status::NotFound("x").WithAwsCode("NoSuchKey"), "NoSuchKey", 404},
      {Status::AlreadyExists("x").WithAwsCode("BucketAlreadyOwnedByYou"), "BucketAlreadyOwnedByYou",
       409},
      {Status::Conflict("x").WithAwsCode("BucketNotEmpty"), "BucketNotEmpty", 409},
      {Status::AccessDenied("x"), "AccessDenied", 403},
      {Status::Unauthenticated("x").WithAwsCode("SignatureDoesNotMatch"), "SignatureDoesNotMatch",
       403},
      {Status::Unauthenticated("x").WithAwsCode("InvalidClientTokenId"), "InvalidAccessKeyId", 403},
      {Status::Unauthenticated("x").WithAwsCode("MissingAuthenticationToken"), "AccessDenied", 403},
      {Status::InvalidArgument("x").WithAwsCode("InvalidBucketName"), "InvalidBucketName", 400},
      {Status::InvalidArgument("x").WithAwsCode("InvalidRange"), "InvalidRange", 416},
      {Status::InvalidArgument("x"), "InvalidArgument", 400},
      {Status::Internal("x"), "InternalError", 500},
  };
  for (const Case& c : cases) {
    AwsError e = MapError(nullptr, Protocol::kRestXml, c.status);
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.http_status, c.http) << c.code;
  }
  net::Response r = RenderError(
      nullptr, Protocol::kRestXml,
      Status::NotFound("The specified bucket does not exist").WithAwsCode("NoSuchBucket"), "req-1");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(*r.FindHeader("x-amz-request-id"), "req-1");
  EXPECT_NE(r.body.find("<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not "
                        "exist</Message><RequestId>req-1</RequestId></Error>"),
            std::string::npos);
}

class MapLookup : public CredentialLookup {
 public:
  std::map<std::string, Credential, std::less<>> keys;
  Result<Credential> Lookup(std::string_view id) const override {
    auto it = keys.find(id);
    if (it == keys.end()) return Status::NotFound("no such key");
    return it->second;
  }
};

class StringReader final : public net::BodyReader {
 public:
  explicit StringReader(std::string data, size_t step) : data_(std::move(data)), step_(step) {}
  Result<size_t> Read(char* out, size_t capacity) override {
    size_t n = std::min({capacity, step_, data_.size() - pos_});
    std::memcpy(out, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  size_t step_;
  size_t pos_ = 0;
};

// AWS's example for STREAMING-AWS4-HMAC-SHA256-PAYLOAD (S3 API reference, "Signature
// Calculations for the Authorization Header: Transferring Payload in Multiple Chunks"):
// 66560 bytes of 'a' in chunks of 65536, 1024 and 0.
class AwsChunkedTest : public ::testing::Test {
 protected:
  AwsChunkedTest() : clock_(*ParseAmzDate("20130524T000000Z")) {
    lookup_.keys["AKIAIOSFODNN7EXAMPLE"] = {"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {}, {}};
  }

  net::Request Head() const {
    net::Request r =
        Req("PUT", "/examplebucket/chunkObject.txt",
            {{"Host", "s3.amazonaws.com"},
             {"x-amz-date", "20130524T000000Z"},
             {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
             {"Authorization",
              "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
              "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
              "x-amz-decoded-content-length;x-amz-storage-class,"
              "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"},
             {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
             {"Content-Encoding", "aws-chunked"},
             {"x-amz-decoded-content-length", "66560"},
             {"Content-Length", "66824"}});
    return r;
  }

  static std::string Body(bool tamper) {
    std::string a1(65536, 'a'), a2(1024, 'a');
    if (tamper) a2[10] = 'b';
    return "10000;chunk-signature="
           "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
           a1 + "\r\n" +
           "400;chunk-signature="
           "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
           a2 + "\r\n" +
           "0;chunk-signature="
           "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
  }

  Result<std::string> Decode(const std::string& body, size_t step) {
    net::Request head = Head();
    ASSIGN_OR_RETURN(SignedIdentity id,
                     VerifySigV4(head, "s3", lookup_, clock_, {.s3 = true, .expected_region = ""}));
    StringReader raw(body, step);
    AwsChunkedReader reader(raw, id);
    std::string out;
    char buf[5000];
    while (true) {
      ASSIGN_OR_RETURN(size_t n, reader.Read(buf, sizeof(buf)));
      if (n == 0) break;
      out.append(buf, n);
    }
    return out;
  }

  MapLookup lookup_;
  testing::FakeClock clock_;
};

TEST_F(AwsChunkedTest, VerifiesAwsPublishedExample) {
  EXPECT_EQ(Body(false).size(), 66824u);
  for (size_t step : {1u << 20, 7u, 4096u}) {
    auto decoded = Decode(Body(false), step);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, std::string(66560, 'a'));
  }
}

TEST_F(AwsChunkedTest, RefusesAlteredChunksAndBrokenFraming) {
  EXPECT_EQ(Decode(Body(true), 4096).status().aws_code(), "SignatureDoesNotMatch");
  std::string body = Body(false);
  EXPECT_EQ(Decode(body.substr(0, body.size() - 40), 4096).status().aws_code(), "IncompleteBody");
  std::string bad_size = body;
  bad_size.replace(0, 5, "10001");
  EXPECT_FALSE(Decode(bad_size, 4096).ok());
}

TEST(S3PresignedV2, VerifiesLegacyQuerySignatures) {
  MapLookup lookup;
  lookup.keys["AKIAIOSFODNN7EXAMPLE"] = {"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {}, {}};
  testing::FakeClock clock(TimePoint(std::chrono::seconds(1175139620 - 60)));
  // AWS's example from the S3 developer guide (RESTAuthentication, "Query string request
  // authentication"), virtual-hosted: the bucket from the Host header joins the resource.
  net::Request r = Req("GET",
                       "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&"
                       "Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620",
                       {{"Host", "johnsmith.s3.amazonaws.com"}});
  EXPECT_TRUE(IsS3PresignedV2(r));
  auto ok = VerifyS3PresignedV2(r, "johnsmith", lookup, clock);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(VerifyS3PresignedV2(r, "otherbucket", lookup, clock).status().aws_code(),
            "SignatureDoesNotMatch");
  clock.Advance(std::chrono::seconds(120));
  EXPECT_EQ(VerifyS3PresignedV2(r, "johnsmith", lookup, clock).status().aws_code(), "AccessDenied");
}

// Issue 15 item 3: a document nested 30,000 deep crashed the recursive parser (SIGSEGV).
TEST(RestXml, DepthAndSizeAreBoundedWithoutRecursion) {
  auto nested = [](size_t depth) {
    std::string doc;
    for (size_t i = 0; i < depth; ++i) doc += "<a>";
    doc += "x";
    for (size_t i = 0; i < depth; ++i) doc += "</a>";
    return doc;
  };
  EXPECT_EQ(ParseXml(nested(30000)).status().aws_code(), "MalformedXML");
  EXPECT_EQ(ParseXml("<Delete>" + std::string(30000 * 8, '<')).status().aws_code(), "MalformedXML");
  std::string open_only;
  for (int i = 0; i < 100000; ++i) open_only += "<Object>";
  EXPECT_EQ(ParseXml(open_only).status().aws_code(), "MalformedXML");
  EXPECT_TRUE(ParseXml(nested(64)).ok());
  EXPECT_EQ(ParseXml(nested(65)).status().aws_code(), "MalformedXML");
  XmlLimits small;
  small.max_bytes = 16;
  EXPECT_TRUE(ParseXml("<a>0123456</a>", small).ok());
  EXPECT_EQ(ParseXml("<a>01234567890</a>", small).status().aws_code(), "MalformedXML");
  small = {};
  small.max_elements = 3;
  EXPECT_TRUE(ParseXml("<a><b/><c/></a>").ok());
  EXPECT_EQ(ParseXml("<a><b/><c/><d/></a>", small).status().aws_code(), "MalformedXML");
}

TEST(RestXml, ReadsWellFormedDocumentsAndRefusesTheRest) {
  auto doc = ParseXml(
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n"
      "<s3:Delete xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
      "  <s3:Object><s3:Key> a &amp; b&#x20AC;&#65;</s3:Key></s3:Object>\n"
      "  <Object><Key><![CDATA[<raw>&]]></Key></Object><Quiet/>\n"
      "</s3:Delete>\n");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(doc->name, "Delete");
  EXPECT_EQ(doc->text, "");
  auto objects = doc->Children("Object");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0]->ChildText("Key"),
            " a & b\xE2\x82\xAC"
            "A");
  EXPECT_EQ(objects[1]->ChildText("Key"), "<raw>&");
  EXPECT_EQ(doc->ChildText("Quiet"), "");
  for (const char* bad : {"",
                          "   ",
                          "<a>",
                          "<a></b>",
                          "<a></a><b></b>",
                          "<a>&unknown;</a>",
                          "<a>&#0;</a>",
                          "<a>&#xD800;</a>",
                          "<a>&#x110000;</a>",
                          "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
                          "<a b></a>",
                          "<a b=\"<\"></a>",
                          "<a b='1></a>",
                          "x<a></a>",
                          "<a></a>x",
                          "</a>",
                          "<a><![CDATA[x</a>",
                          "<a><!-- x</a>",
                          "<>",
                          "<a/ >",
                          "<a>&#xZZ;</a>",
                          "<a>&#1;</a>",
                          "<a>&#xFFFE;</a>",
                          "<a>\x01</a>",
                          "<a>\xC0\xAF</a>",
                          "<a>\xE0\x80\xAF</a>",
                          "<a>\xED\xA0\x80</a>",
                          "<a>\xD0-</a>",
                          "<a>\xF5\x80\x80\x80</a>",
                          "<a>\xEF\xBF\xBF</a>"}) {
    EXPECT_EQ(ParseXml(bad).status().aws_code(), "MalformedXML") << bad;
  }
  EXPECT_EQ(ParseXml(std::string("<a>\0</a>", 8)).status().aws_code(), "MalformedXML");
  auto utf8 = ParseXml("<a>\tx\r\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80&#x1F600;</a>");
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(utf8->text, "\tx\r\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
}

// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER and STREAMING-UNSIGNED-PAYLOAD-TRAILER (issue 15
// item 8): the trailer is read, and in the signed mode its signature is checked, chained from
// the last chunk's.
class AwsChunkedTrailerTest : public ::testing::Test {
 protected:
  AwsChunkedTrailerTest() {
    id_.amz_date = "20261126T213114Z";
    id_.scope = "20261126/ap-northeast-1/s3/aws4_request";
    id_.signing_key = SigningKey("secret", "20261126", "ap-northeast-1", "s3");
    id_.signature = std::string(64, 'a');
  }

  // The body of `chunks` with `trailers` ("name:value" lines); `forge` alters the trailer
  // signature.
  std::string Body(bool sign, const std::vector<std::string>& chunks,
                   const std::vector<std::string>& trailers, bool forge = false) {
    std::string body, previous = id_.signature;
    std::vector<std::string> all = chunks;
    all.push_back("");
    for (const std::string& c : all) {
      char size[32];
      std::snprintf(size, sizeof(size), "%zx", c.size());
      body += size;
      if (sign) {
        std::string sig =
            Sign(id_.signing_key, "AWS4-HMAC-SHA256-PAYLOAD\n" + id_.amz_date + "\n" + id_.scope +
                                      "\n" + previous + "\n" + HexEncode(crypto::Sha256("")) +
                                      "\n" + HexEncode(crypto::Sha256(c)));
        body += ";chunk-signature=" + sig;
        previous = sig;
      }
      body += "\r\n";
      if (!c.empty()) body += c + "\r\n";
    }
    std::string canonical;
    for (const std::string& t : trailers) {
      body += t + "\r\n";
      canonical += t + "\n";
    }
    if (sign) {
      std::string sig =
          Sign(id_.signing_key, "AWS4-HMAC-SHA256-TRAILER\n" + id_.amz_date + "\n" + id_.scope +
                                    "\n" + previous + "\n" + HexEncode(crypto::Sha256(canonical)));
      if (forge) sig[0] = sig[0] == '0' ? '1' : '0';
      body += "x-amz-trailer-signature:" + sig + "\r\n";
    }
    return body + "\r\n";
  }

  Result<std::pair<std::string, std::vector<net::Header>>> Decode(std::string mode,
                                                                  const std::string& body) {
    id_.payload_hash = std::move(mode);
    StringReader raw(body, 5);
    AwsChunkedReader reader(raw, id_);
    std::string out;
    char buf[100];
    while (true) {
      ASSIGN_OR_RETURN(size_t n, reader.Read(buf, sizeof(buf)));
      if (n == 0) break;
      out.append(buf, n);
    }
    return std::make_pair(out, reader.trailers());
  }

  SignedIdentity id_;
};

TEST_F(AwsChunkedTrailerTest, ReadsAndVerifiesTrailers) {
  const std::vector<std::string> chunks = {std::string(300, 'x'), "tail"};
  for (bool sign : {false, true}) {
    std::string mode =
        sign ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" : "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    auto decoded = Decode(mode, Body(sign, chunks, {"x-amz-checksum-crc32:AAAAAA=="}));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->first, std::string(300, 'x') + "tail");
    ASSERT_EQ(decoded->second.size(), 1u);
    EXPECT_EQ(decoded->second[0].name, "x-amz-checksum-crc32");
    EXPECT_EQ(decoded->second[0].value, "AAAAAA==");
  }
  std::string mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
  // A forged trailer signature, a trailer changed after signing, a missing signature.
  EXPECT_EQ(
      Decode(mode, Body(true, chunks, {"x-amz-checksum-crc32:AAAAAA=="}, true)).status().aws_code(),
      "SignatureDoesNotMatch");
  std::string changed = Body(true, chunks, {"x-amz-checksum-crc32:AAAAAA=="});
  changed.replace(changed.find("AAAAAA=="), 8, "BBBBBB==");
  EXPECT_EQ(Decode(mode, changed).status().aws_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(
      Decode(mode, Body(false, chunks, {"x-amz-checksum-crc32:AAAAAA=="})).status().aws_code(),
      "SignatureDoesNotMatch");
  // Framing: a signature that is not last, a line without a colon, too many trailers.
  std::string unsigned_mode = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  EXPECT_EQ(Decode(unsigned_mode, Body(false, chunks, {"no-colon"})).status().aws_code(),
            "IncompleteBody");
  std::vector<std::string> many(17, "x-amz-meta-a:b");
  EXPECT_EQ(Decode(unsigned_mode, Body(false, chunks, many)).status().aws_code(), "IncompleteBody");
  EXPECT_EQ(Decode(unsigned_mode, Body(false, chunks, {"x-amz-trailer-signature:00", "a:b"}))
                .status()
                .aws_code(),
            "IncompleteBody");
}

}  // namespace
}  // namespace kiroku::aws
