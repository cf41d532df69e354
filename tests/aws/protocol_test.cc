#include "aws/protocol.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "aws/errors.h"

namespace kiroku::aws {
namespace {

namespace json = boost::json;

TEST(ModelTest, EmbedsTheFiveServices) {
  const std::pair<std::string_view, size_t> services[] = {
      {"iam", 176}, {"sts", 11}, {"kms", 54}, {"logs", 113}, {"cloudtrail", 60}};
  for (const auto& [name, operations] : services) {
    const ServiceModel* model = ServiceModel::Find(name);
    ASSERT_NE(model, nullptr) << name;
    EXPECT_GE(model->operation_count(), operations) << name;
  }
  EXPECT_EQ(ServiceModel::Find("s4"), nullptr);
  EXPECT_EQ(ServiceModel::Find("iam")->protocol(), Protocol::kQuery);
  EXPECT_EQ(ServiceModel::Find("kms")->target_prefix(), "TrentService");
}

TEST(ModelTest, ErrorTraitsGiveCodeAndStatus) {
  const ServiceModel* iam = ServiceModel::Find("iam");
  auto no_such_entity = iam->FindError("NoSuchEntity");
  ASSERT_TRUE(no_such_entity.has_value());
  EXPECT_EQ(no_such_entity->http_status, 404);
  EXPECT_EQ(iam->FindError("EntityAlreadyExists")->http_status, 409);
  EXPECT_EQ(iam->FindError("ServiceFailure")->http_status, 500);
  EXPECT_FALSE(iam->FindError("NoSuchEntityException").has_value());
}

TEST(ModelTest, ShapesCarryConstraintAndSensitiveTraits) {
  const ServiceModel* iam = ServiceModel::Find("iam");
  const Shape* password = iam->FindShape("passwordType");
  ASSERT_NE(password, nullptr);
  EXPECT_TRUE(password->sensitive);
  EXPECT_EQ(password->min, 1);
  EXPECT_EQ(password->max, 128);
  EXPECT_FALSE(password->pattern.empty());
  EXPECT_FALSE(iam->FindShape("userNameType")->sensitive);
  const Shape* key_spec = ServiceModel::Find("kms")->FindShape("KeySpec");
  ASSERT_NE(key_spec, nullptr);
  EXPECT_NE(std::find(key_spec->enum_values.begin(), key_spec->enum_values.end(), "RSA_2048"),
            key_spec->enum_values.end());
  EXPECT_FALSE(key_spec->min.has_value());
}

net::Request QueryRequest(std::string body) {
  net::Request r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  r.body = std::move(body);
  return r;
}

TEST(ProtocolTest, RoutesJsonTargets) {
  const std::pair<std::string, std::string> targets[] = {
      {"Logs_20140328.CreateLogGroup", "logs"},
      {"TrentService.CreateKey", "kms"},
      {"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.CreateTrail", "cloudtrail"},
      {"CloudTrail_20131101.CreateTrail", "cloudtrail"}};
  for (const auto& [target, service] : targets) {
    net::Request r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"X-Amz-Target", target}};
    Route route;
    ASSERT_TRUE(IdentifyRoute(r, route).ok()) << target;
    EXPECT_EQ(route.model->service(), service);
    EXPECT_TRUE(FindOperation(route).ok()) << target;
  }
}

TEST(ProtocolTest, UnknownOperationsAreProtocolErrors) {
  net::Request r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"X-Amz-Target", "TrentService.MakeCoffee"}};
  Route route;
  ASSERT_TRUE(IdentifyRoute(r, route).ok());
  auto op = FindOperation(route);
  ASSERT_FALSE(op.ok());
  AwsError e = MapError(route.model, route.protocol, op.status());
  EXPECT_EQ(e.code, "UnknownOperationException");
  EXPECT_EQ(e.http_status, 400);

  Route query_route;
  ASSERT_TRUE(
      IdentifyRoute(QueryRequest("Action=MakeCoffee&Version=2010-05-08"), query_route).ok());
  auto query_op = FindOperation(query_route);
  ASSERT_FALSE(query_op.ok());
  EXPECT_EQ(MapError(query_route.model, query_route.protocol, query_op.status()).code,
            "InvalidAction");
}

TEST(ProtocolTest, DecodesQueryInputByShape) {
  Route route;
  ASSERT_TRUE(IdentifyRoute(QueryRequest("Action=CreateUser&Version=2010-05-08&UserName=alice"
                                         "&Path=%2Fteam%2F&Tags.member.1.Key=k1"
                                         "&Tags.member.1.Value=v%201&Tags.member.2.Key=k2"
                                         "&Tags.member.2.Value=v2"),
                            route)
                  .ok());
  EXPECT_EQ(route.model->service(), "iam");
  auto op = FindOperation(route);
  ASSERT_TRUE(op.ok());
  auto input = DecodeInput(route, **op, QueryRequest(""));
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  json::value want = json::parse(
      R"({"UserName":"alice","Path":"/team/","Tags":[{"Key":"k1","Value":"v 1"},{"Key":"k2","Value":"v2"}]})");
  EXPECT_EQ(json::value(*input), want) << json::serialize(*input);
}

TEST(ProtocolTest, DecodesTypedQueryScalars) {
  Route route;
  ASSERT_TRUE(IdentifyRoute(QueryRequest("Action=CreateLoginProfile&Version=2010-05-08"
                                         "&UserName=u&Password=p&PasswordResetRequired=true"),
                            route)
                  .ok());
  auto input = DecodeInput(route, **FindOperation(route), QueryRequest(""));
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input->at("PasswordResetRequired"), json::value(true));

  Route bad;
  ASSERT_TRUE(IdentifyRoute(QueryRequest("Action=CreateLoginProfile&Version=2010-05-08"
                                         "&UserName=u&Password=p&PasswordResetRequired=yes"),
                            bad)
                  .ok());
  EXPECT_FALSE(DecodeInput(bad, **FindOperation(bad), QueryRequest("")).ok());
}

TEST(ProtocolTest, EncodesQueryOutputWithResultWrapper) {
  Route route;
  ASSERT_TRUE(
      IdentifyRoute(QueryRequest("Action=GetCallerIdentity&Version=2011-06-15"), route).ok());
  const Operation* op = *FindOperation(route);
  json::value output = {{"Account", "123456789012"},
                        {"Arn", "arn:aws:iam::123456789012:root"},
                        {"UserId", "123456789012"}};
  net::Response response = RenderResult(route, *op, output, "req-1");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            "<GetCallerIdentityResult><UserId>123456789012</UserId><Account>123456789012</Account>"
            "<Arn>arn:aws:iam::123456789012:root</Arn></GetCallerIdentityResult>"
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>");
}

TEST(ProtocolTest, EncodesListsAndTimestampsInXml) {
  const ServiceModel* iam = ServiceModel::Find("iam");
  const Operation* op = iam->FindOperation("ListUsers");
  json::value output = {
      {"Users", json::array{json::object{{"UserName", "a<b"}, {"CreateDate", 1790000000}}}},
      {"IsTruncated", false}};
  Route route;
  route.protocol = Protocol::kQuery;
  route.model = iam;
  std::string body = RenderResult(route, *op, output, "r").body;
  EXPECT_NE(body.find("<Users><member><UserName>a&lt;b</UserName>"
                      "<CreateDate>2026-09-21T14:13:20Z</CreateDate></member></Users>"
                      "<IsTruncated>false</IsTruncated>"),
            std::string::npos)
      << body;
}

TEST(ProtocolTest, XmlEscapeKeepsDocumentsWellFormed) {
  EXPECT_EQ(XmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
  EXPECT_EQ(XmlEscape(std::string("a\0b\x01\t\n", 6)), "a\\u0000b\\u0001\t\n");
  EXPECT_EQ(XmlEscape("caf\xC3\xA9 \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
  // Stray, truncated, overlong and surrogate bytes become U+FFFD one byte at a time.
  EXPECT_EQ(XmlEscape("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscape("a\xC3"), "a\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscape("\xC0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBF"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(ErrorsTest, RendersEachProtocolsEnvelope) {
  Status denied = Status::Unauthenticated("bad").WithAwsCode("InvalidClientTokenId");
  net::Response query = RenderError(ServiceModel::Find("sts"), Protocol::kQuery, denied, "r1");
  EXPECT_EQ(query.status, 403);
  EXPECT_EQ(query.body,
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>"
            "Sender</Type><Code>InvalidClientTokenId</Code><Message>bad</Message></Error>"
            "<RequestId>r1</RequestId></ErrorResponse>");
  net::Response js = RenderError(ServiceModel::Find("kms"), Protocol::kJson, denied, "r2");
  EXPECT_EQ(js.status, 400);
  EXPECT_EQ(js.body, R"({"__type":"UnrecognizedClientException","message":"bad"})");
  EXPECT_EQ(*js.FindHeader("x-amzn-RequestId"), "r2");
}

TEST(ErrorsTest, GenericCodesTakeTheServicesNames) {
  Status missing = Status::NotFound("User x cannot be found.");
  AwsError iam = MapError(ServiceModel::Find("iam"), Protocol::kQuery, missing);
  EXPECT_EQ(iam.code, "NoSuchEntity");
  EXPECT_EQ(iam.http_status, 404);
  AwsError logs = MapError(ServiceModel::Find("logs"), Protocol::kJson, missing);
  EXPECT_EQ(logs.code, "ResourceNotFoundException");
  EXPECT_EQ(logs.http_status, 400);
  AwsError internal = MapError(ServiceModel::Find("kms"), Protocol::kJson, Status::Internal("x"));
  EXPECT_EQ(internal.code, "KMSInternalException");
  EXPECT_EQ(internal.http_status, 500);
}

}  // namespace
}  // namespace kiroku::aws
