// What a CloudTrail record keeps of a call: api::RecordParameters walks the model's shapes, so
// no member the botocore model marks sensitive (nor one kiroku lists as a secret) reaches a
// record, for every operation of every embedded model; S3 records keep no request header.
#include "api/audit_hook.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/request_context.h"

namespace kiroku::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kMarker = "SECRET-MARKER";

// The operation names of an embedded model, read from its botocore file.
std::vector<std::string> OperationNames(const std::string& service) {
  std::filesystem::path path = std::filesystem::path(KIROKU_TESTDATA_DIR) / ".." / ".." /
                               "third_party" / "botocore-models" / (service + ".json");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  json::value model = json::parse(text.str());
  std::vector<std::string> names;
  for (const auto& [name, op] : model.at("operations").as_object()) names.emplace_back(name);
  return names;
}

struct Fill {
  int secrets = 0;  // sensitive or listed members filled with the marker
  int plain = 0;    // other string values
};

// A value for `shape` in which every member is present (recursion bounded): values inside a
// sensitive, listed or blob member carry the marker, others "plain".
json::value Build(const aws::Shape* shape, bool secret, int depth, Fill& fill) {
  if (shape == nullptr) return nullptr;
  secret = secret || shape->sensitive || shape->type == "blob";
  if (shape->type == "structure") {
    json::object o;
    if (depth > 6) return o;
    for (const aws::Member& m : shape->members) {
      o[m.name] = Build(m.shape, secret || IsSecretMember(m.name), depth + 1, fill);
    }
    return o;
  }
  if (shape->type == "list") {
    if (depth > 6) return json::array();
    return json::array{Build(shape->member.shape, secret, depth + 1, fill)};
  }
  if (shape->type == "map") {
    if (depth > 6) return json::object();
    return json::object{{"mapkey", Build(shape->value.shape, secret, depth + 1, fill)}};
  }
  if (secret) {
    ++fill.secrets;
    return json::string(kMarker);
  }
  if (shape->type == "string") {
    ++fill.plain;
    return "plain";
  }
  if (shape->type == "boolean") return true;
  return 7;
}

TEST(RecordParametersTest, NoSensitiveOrSecretMemberOfAnyOperationReachesARecord) {
  int operations = 0, secrets = 0, plain_kept = 0;
  for (const std::string service : {"iam", "sts", "kms", "logs", "cloudtrail", "s3"}) {
    const aws::ServiceModel* model = aws::ServiceModel::Find(service);
    ASSERT_NE(model, nullptr) << service;
    std::vector<std::string> names = OperationNames(service);
    ASSERT_GT(names.size(), 5u) << service;
    for (const std::string& name : names) {
      const aws::Operation* op = model->FindOperation(name);
      ASSERT_NE(op, nullptr) << service << "." << name;
      ++operations;
      for (auto [shape, part] : {std::pair{op->input, RecordPart::kRequestParameters},
                                 std::pair{op->output, RecordPart::kResponseElements}}) {
        Fill fill;
        json::value in = Build(shape, false, 0, fill);
        secrets += fill.secrets;
        std::string out = json::serialize(RecordParameters(shape, in, part));
        EXPECT_EQ(out.find(kMarker), std::string::npos)
            << service << "." << name
            << (part == RecordPart::kRequestParameters ? " request: " : " response: ") << out;
        if (out.find("plain") != std::string::npos) ++plain_kept;
      }
    }
  }
  EXPECT_GT(operations, 500);  // 525 in botocore 1.43.11
  EXPECT_GT(secrets, 100);     // the walk met many secrets...
  EXPECT_GT(plain_kept, 500);  // ...and still records the ordinary members
}

const aws::Operation& Op(std::string_view service, std::string_view name) {
  return *aws::ServiceModel::Find(service)->FindOperation(name);
}

TEST(RecordParametersTest, WritesWhatCloudTrailWrites) {
  // CreateVirtualMFADevice: the seed and the QR code are omitted, the serial number kept.
  json::value mfa = RecordParameters(
      Op("iam", "CreateVirtualMFADevice").output,
      json::parse(R"({"VirtualMFADevice":{"SerialNumber":"arn:aws:iam::111122223333:mfa/d",
                      "Base32StringSeed":"SEED","QRCodePNG":"PNG"}})"),
      RecordPart::kResponseElements);
  EXPECT_EQ(mfa, json::parse(
                     R"({"virtualMFADevice":{"serialNumber":"arn:aws:iam::111122223333:mfa/d"}})"));

  // CreateLoginProfile: the password is shown as hidden.
  json::value login = RecordParameters(
      Op("iam", "CreateLoginProfile").input,
      json::parse(R"({"UserName":"bob","Password":"hunter2","PasswordResetRequired":true})"),
      RecordPart::kRequestParameters);
  EXPECT_EQ(login, json::parse(R"({"userName":"bob","password":"HIDDEN_DUE_TO_SECURITY_REASONS",
                                   "passwordResetRequired":true})"));

  // CreateAccessKey: no secret access key.
  json::value key = RecordParameters(
      Op("iam", "CreateAccessKey").output,
      json::parse(R"({"AccessKey":{"UserName":"bob","AccessKeyId":"AKIA1","Status":"Active",
                      "SecretAccessKey":"S3CR3T","CreateDate":"2026-01-01T00:00:00Z"}})"),
      RecordPart::kResponseElements);
  EXPECT_EQ(key, json::parse(R"({"accessKey":{"userName":"bob","accessKeyId":"AKIA1",
                                 "status":"Active","createDate":"2026-01-01T00:00:00Z"}})"));

  // CreateGrant: no grant token, in the answer or in the request.
  json::value grant = RecordParameters(Op("kms", "CreateGrant").output,
                                       json::parse(R"({"GrantId":"g1","GrantToken":"TOKEN"})"),
                                       RecordPart::kResponseElements);
  EXPECT_EQ(grant, json::parse(R"({"grantId":"g1"})"));
  json::value grant_in = RecordParameters(
      Op("kms", "CreateGrant").input,
      json::parse(R"({"KeyId":"k","GranteePrincipal":"arn:aws:iam::111122223333:role/r",
                      "Operations":["Decrypt"],"GrantTokens":["TOKEN"]})"),
      RecordPart::kRequestParameters);
  EXPECT_EQ(grant_in,
            json::parse(R"({"keyId":"k","granteePrincipal":"arn:aws:iam::111122223333:role/r",
                                      "operations":["Decrypt"]})"));

  // AssumeRole: the access key id and expiration, no secret and no session token.
  json::value assumed = RecordParameters(
      Op("sts", "AssumeRole").output,
      json::parse(R"({"Credentials":{"AccessKeyId":"ASIA1","SecretAccessKey":"S","SessionToken":"T",
                      "Expiration":"2026-01-01T01:00:00Z"},
                      "AssumedRoleUser":{"AssumedRoleId":"AROA1:s","Arn":"arn:aws:sts::1:assumed-role/r/s"}})"),
      RecordPart::kResponseElements);
  EXPECT_EQ(assumed, json::parse(R"({"credentials":{"accessKeyId":"ASIA1",
                                     "expiration":"2026-01-01T01:00:00Z"},
                                     "assumedRoleUser":{"assumedRoleId":"AROA1:s",
                                     "arn":"arn:aws:sts::1:assumed-role/r/s"}})"));

  // Encrypt: no plaintext; an encryption context keeps its keys as given; unknown members go.
  json::value encrypt = RecordParameters(
      Op("kms", "Encrypt").input,
      json::parse(R"({"KeyId":"k","Plaintext":"cGxhaW4=","EncryptionContext":{"Purpose":"x"},
                      "Unmodelled":{"Password":"p"}})"),
      RecordPart::kRequestParameters);
  EXPECT_EQ(encrypt, json::parse(R"({"keyId":"k","encryptionContext":{"Purpose":"x"}})"));

  // PutLogEvents (lowerCamel model members): the events are not recorded.
  json::value put = RecordParameters(Op("logs", "PutLogEvents").input,
                                     json::parse(R"({"logGroupName":"g","logStreamName":"s",
                      "logEvents":[{"timestamp":1,"message":"m"}]})"),
                                     RecordPart::kRequestParameters);
  EXPECT_EQ(put, json::parse(R"({"logGroupName":"g","logStreamName":"s"})"));

  // A value of the wrong type for its shape is dropped, not copied.
  json::value wrong = RecordParameters(Op("iam", "CreateUser").input,
                                       json::parse(R"({"UserName":{"Password":"p"}})"),
                                       RecordPart::kRequestParameters);
  EXPECT_TRUE(wrong.is_null()) << json::serialize(wrong);
}

TEST(S3RequestParametersTest, KeepsBucketKeyHostAndSubResourceNeverAHeader) {
  net::Request http;
  http.method = "GET";
  http.target = "/bucket?policy";
  http.headers = {{"Host", "localhost:4747"},
                  {"Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/..., Signature=abc"},
                  {"X-Amz-Date", "20260101T000000Z"},
                  {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"},
                  {"X-Amz-Security-Token", "TOKEN"}};
  RequestContext ctx(http);
  json::object headers;
  for (const net::Header& h : http.headers) headers[h.name] = h.value;
  ctx.input = {{"Bucket", "bucket"},
               {"Key", ""},
               {"Query", json::object{{"policy", ""},
                                      {"x-amz-security-token", "TOKEN"},
                                      {"X-Amz-Signature", "abc"},
                                      {"Signature", "abc"},
                                      {"AWSAccessKeyId", "AKIA"}}},
               {"Headers", std::move(headers)},
               {"Metadata", json::object{}}};
  EXPECT_EQ(S3RequestParameters(ctx),
            json::parse(R"({"bucketName":"bucket","Host":"localhost:4747","policy":""})"));

  ctx.input["Key"] = "a/b.txt";
  ctx.input["Query"] = json::object{{"list-type", "2"}, {"prefix", "a/"}};
  EXPECT_EQ(S3RequestParameters(ctx),
            json::parse(R"({"bucketName":"bucket","Host":"localhost:4747","key":"a/b.txt",
                            "list-type":"2","prefix":"a/"})"));
}

TEST(BuildRecordTest, S3RecordCarriesNoCredentialHeader) {
  net::Request http;
  http.method = "GET";
  http.target = "/bucket?policy";
  http.headers = {{"Host", "localhost:4747"},
                  {"Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=abc"},
                  {"x-amz-date", "20260101T000000Z"}};
  RequestContext ctx(http);
  ctx.route.protocol = aws::Protocol::kRestXml;
  ctx.route.model = aws::ServiceModel::Find("s3");
  ctx.route.operation_name = "GetBucketPolicy";
  ctx.principal.arn = "arn:aws:iam::111122223333:root";
  ctx.input = {{"Bucket", "bucket"},
               {"Key", ""},
               {"Query", json::object{{"policy", ""}}},
               {"Headers", json::object{{"authorization", "AWS4-HMAC-SHA256 Signature=abc"},
                                        {"x-amz-date", "20260101T000000Z"}}}};
  std::string record = json::serialize(BuildRecord(ctx, Status::Ok(), TimePoint()).ToJson());
  EXPECT_EQ(record.find("Signature"), std::string::npos) << record;
  EXPECT_EQ(record.find("20260101T000000Z"), std::string::npos) << record;
  EXPECT_NE(
      record.find(
          R"("requestParameters":{"bucketName":"bucket","Host":"localhost:4747","policy":""})"),
      std::string::npos)
      << record;
}

TEST(BuildRecordTest, MfaSeedIsNotRecorded) {
  net::Request http;
  RequestContext ctx(http);
  ctx.route.protocol = aws::Protocol::kQuery;
  ctx.route.model = aws::ServiceModel::Find("iam");
  ctx.route.operation_name = "CreateVirtualMFADevice";
  ctx.operation = ctx.route.model->FindOperation("CreateVirtualMFADevice");
  ctx.principal.arn = "arn:aws:iam::111122223333:root";
  ctx.input = {{"VirtualMFADeviceName", "d"}};
  ctx.output = json::parse(R"({"VirtualMFADevice":{"SerialNumber":"arn:aws:iam::111122223333:mfa/d",
                               "Base32StringSeed":"SEEDSEED","QRCodePNG":"PNGPNG"}})");
  trail::ApiCallRecord r = BuildRecord(ctx, Status::Ok(), TimePoint());
  EXPECT_EQ(r.request_parameters, json::parse(R"({"virtualMFADeviceName":"d"})"));
  EXPECT_EQ(
      r.response_elements,
      json::parse(R"({"virtualMFADevice":{"serialNumber":"arn:aws:iam::111122223333:mfa/d"}})"));
}

}  // namespace
}  // namespace kiroku::api
