#include "trail/trail_rules.h"

#include <gtest/gtest.h>

namespace kiroku::trail {
namespace {

void ExpectBadName(std::string_view name) {
  Status s = ValidateTrailName(name);
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << name;
  EXPECT_EQ(s.aws_code(), "InvalidTrailNameException") << name;
}

TEST(TrailRulesTest, TrailNames) {
  for (std::string_view ok :
       {"abc", "management-events", "My.Trail_2", "a-b.c_d", "1trail9", "192.168.5", "1.2.3.4.5"}) {
    EXPECT_TRUE(ValidateTrailName(ok).ok()) << ok;
  }
  EXPECT_TRUE(ValidateTrailName(std::string(128, 'a')).ok());
  ExpectBadName("ab");
  ExpectBadName(std::string(129, 'a'));
  ExpectBadName("my-_trail");
  ExpectBadName("my--trail");
  ExpectBadName("my._trail");
  ExpectBadName("-trail");
  ExpectBadName("trail.");
  ExpectBadName("bad name");
  ExpectBadName("tr/ail");
  ExpectBadName("trä il");
  ExpectBadName("192.168.5.4");
  EXPECT_EQ(ValidateTrailName("ab").message(),
            "Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 "
            "characters.");
  EXPECT_EQ(ValidateTrailName("10.0.0.1").message(),
            "Trail name cannot be formatted as an IP address.");
}

TEST(TrailRulesTest, S3KeyPrefix) {
  EXPECT_TRUE(ValidateS3KeyPrefix(std::string(200, 'p')).ok());
  EXPECT_EQ(ValidateS3KeyPrefix(std::string(201, 'p')).aws_code(), "InvalidS3PrefixException");
}

Status Basic(std::vector<EventSelector> s) { return ValidateEventSelectors(s); }

TEST(TrailRulesTest, BasicSelectors) {
  EXPECT_TRUE(Basic({EventSelector{}}).ok());
  EXPECT_EQ(Basic({}).aws_code(), "InvalidEventSelectorsException");
  EXPECT_EQ(Basic(std::vector<EventSelector>(6)).aws_code(), "InvalidEventSelectorsException");
  EXPECT_TRUE(Basic(std::vector<EventSelector>(5)).ok());

  EventSelector rw;
  rw.read_write_type = "ReadWrite";
  Status s = Basic({rw});
  EXPECT_EQ(s.aws_code(), "InvalidEventSelectorsException");
  EXPECT_NE(s.message().find("ReadWrite"), std::string::npos) << s.message();

  EventSelector exclude;
  exclude.exclude_management_event_sources = {"kms.amazonaws.com", "rdsdata.amazonaws.com"};
  EXPECT_TRUE(Basic({exclude}).ok());
  exclude.exclude_management_event_sources.push_back("s3.amazonaws.com");
  s = Basic({exclude});
  EXPECT_NE(s.message().find("s3.amazonaws.com"), std::string::npos) << s.message();

  EventSelector data;
  data.data_resources.push_back({"AWS::S3::Object", {}});
  for (int i = 0; i < 250; ++i) data.data_resources[0].values.push_back("arn:aws:s3:::b/");
  EXPECT_TRUE(Basic({data}).ok());
  EventSelector more;
  more.data_resources.push_back({"AWS::Lambda::Function", {"arn:aws:lambda"}});
  EXPECT_EQ(Basic({data, more}).aws_code(), "InvalidEventSelectorsException");  // 251 in all
  EXPECT_FALSE(
      Basic({EventSelector{"All", true, {{"AWS::EC2::Instance", {"arn:aws:ec2"}}}, {}}}).ok());
  EXPECT_FALSE(Basic({EventSelector{"All", true, {{"AWS::S3::Object", {}}}, {}}}).ok());
  EXPECT_FALSE(Basic({EventSelector{"All", true, {{"AWS::S3::Object", {"bucket/"}}}, {}}}).ok());
}

FieldSelector Field(std::string name, std::vector<std::string> equals) {
  FieldSelector f;
  f.field = std::move(name);
  f.equals = std::move(equals);
  return f;
}

Status Advanced(std::vector<FieldSelector> fields) {
  return ValidateAdvancedEventSelectors({AdvancedEventSelector{"s", std::move(fields)}});
}

TEST(TrailRulesTest, AdvancedSelectors) {
  EXPECT_TRUE(Advanced({Field("eventCategory", {"Management"})}).ok());
  EXPECT_TRUE(Advanced({Field("eventCategory", {"Management"}), Field("readOnly", {"true"})}).ok());
  FieldSelector no_kms;
  no_kms.field = "eventSource";
  no_kms.not_equals = {"kms.amazonaws.com"};
  EXPECT_TRUE(Advanced({Field("eventCategory", {"Management"}), no_kms}).ok());
  FieldSelector arn_prefix;
  arn_prefix.field = "resources.ARN";
  arn_prefix.starts_with = {"arn:aws:s3:::bucket/"};
  EXPECT_TRUE(Advanced({Field("eventCategory", {"Data"}),
                        Field("resources.type", {"AWS::S3::Object"}), arn_prefix})
                  .ok());

  EXPECT_EQ(ValidateAdvancedEventSelectors({}).aws_code(), "InvalidEventSelectorsException");
  auto fails_with = [](Status s, std::string_view fragment) {
    EXPECT_EQ(s.aws_code(), "InvalidEventSelectorsException");
    EXPECT_NE(s.message().find(fragment), std::string::npos) << s.message();
  };
  fails_with(Advanced({Field("readOnly", {"true"})}), "eventCategory");
  fails_with(Advanced({Field("eventCategory", {"Insight"})}), "Insight");
  fails_with(Advanced({Field("eventCategory", {"Management"}), Field("colour", {"x"})}), "colour");
  fails_with(Advanced({Field("eventCategory", {"Management"}), Field("readOnly", {"yes"})}), "yes");
  fails_with(Advanced({Field("eventCategory", {"Management"}), Field("eventName", {"PutObject"})}),
             "eventName");
  fails_with(Advanced({Field("eventCategory", {"Data"})}), "resources.type");
  fails_with(Advanced({Field("eventCategory", {"Management"}), Field("readOnly", {"true"}),
                       Field("readOnly", {"false"})}),
             "more than once");
  fails_with(Advanced({Field("eventCategory", {"Management"}), Field("eventSource", {})}),
             "at least one operator");
  fails_with(Advanced({Field("eventCategory", {"Management"}), Field("eventSource", {""})}),
             "1 to 2048");
  FieldSelector starts;
  starts.field = "eventCategory";
  starts.starts_with = {"Manage"};
  fails_with(Advanced({starts}), "StartsWith");

  std::vector<std::string> many;
  for (int i = 0; i < 500; ++i) many.push_back("arn:aws:s3:::b" + std::to_string(i) + "/");
  FieldSelector arns;
  arns.field = "resources.ARN";
  arns.starts_with = many;
  fails_with(Advanced({Field("eventCategory", {"Data"}),
                       Field("resources.type", {"AWS::S3::Object"}), arns}),
             "500");
}

TEST(TrailRulesTest, Tags) {
  std::vector<std::pair<std::string, std::string>> tags;
  for (int i = 0; i < 50; ++i) tags.emplace_back(std::to_string(i) + "k", "v");
  EXPECT_TRUE(ValidateTags(tags).ok());
  tags.emplace_back("one-more", "v");
  EXPECT_EQ(ValidateTags(tags).aws_code(), "TagsLimitExceededException");
  EXPECT_EQ(ValidateTags({{"", "v"}}).aws_code(), "InvalidTagParameterException");
  EXPECT_EQ(ValidateTags({{std::string(129, 'k'), "v"}}).aws_code(),
            "InvalidTagParameterException");
  EXPECT_EQ(ValidateTags({{"k", std::string(257, 'v')}}).aws_code(),
            "InvalidTagParameterException");
  EXPECT_EQ(ValidateTags({{"aws:x", "v"}}).aws_code(), "InvalidTagParameterException");
}

TEST(TrailRulesTest, TrailArns) {
  auto parts = ParseTrailArn("arn:aws:cloudtrail:eu-west-1:123456789012:trail/my:trail");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->region, "eu-west-1");
  EXPECT_EQ(parts->account, "123456789012");
  EXPECT_EQ(parts->name, "my:trail");
  for (std::string_view bad : {"arn:aws:cloudtrail::123456789012:trail/t",
                               "arn:aws:cloudtrail:us-east-1:12345678901:trail/t",
                               "arn:aws:cloudtrail:us-east-1:12345678901a:trail/t",
                               "arn:aws-cn:cloudtrail:us-east-1:123456789012:trail/t",
                               "arn:aws:logs:us-east-1:123456789012:trail/t",
                               "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/t",
                               "arn:aws:cloudtrail:us-east-1:123456789012"}) {
    EXPECT_FALSE(ParseTrailArn(bad)) << bad;
  }
  EXPECT_TRUE(ValidateTrailNameOrArn("main").ok());
  EXPECT_TRUE(ValidateTrailNameOrArn("arn:aws:cloudtrail:us-east-1:123456789012:trail/main").ok());
  EXPECT_EQ(ValidateTrailNameOrArn("arn:aws:cloudtrail:us-east-1:123456789012:trail/m").aws_code(),
            "CloudTrailARNInvalidException");
  EXPECT_EQ(ValidateTrailNameOrArn("m").aws_code(), "InvalidTrailNameException");
}

TEST(TrailRulesTest, CloudWatchLogsSettings) {
  TrailConfig t;
  t.account_id = "123456789012";
  t.home_region = "us-east-1";
  EXPECT_TRUE(ValidateCloudWatchLogsPair(t).ok());
  t.cloudwatch_logs_role_arn = "arn:aws:iam::123456789012:role/r";
  EXPECT_EQ(ValidateCloudWatchLogsPair(t).aws_code(), "InvalidCloudWatchLogsRoleArnException");
  t.cloudwatch_logs_log_group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:g:*";
  EXPECT_TRUE(ValidateCloudWatchLogsPair(t).ok());
  EXPECT_EQ(HomeLogGroupName(t), "g");
  t.cloudwatch_logs_log_group_arn = "arn:aws:logs:us-east-1:123456789012:log-group:g";
  EXPECT_EQ(HomeLogGroupName(t), "g");
  for (std::string bad : {"arn:aws:logs:us-west-2:123456789012:log-group:g",
                          "arn:aws:logs:us-east-1:210987654321:log-group:g",
                          "arn:aws:logs:us-east-1:123456789012:log-group:",
                          "arn:aws:logs:us-east-1:123456789012:log-group:g:x",
                          "arn:aws:s3:us-east-1:123456789012:log-group:g", "g"}) {
    t.cloudwatch_logs_log_group_arn = bad;
    EXPECT_FALSE(HomeLogGroupName(t)) << bad;
  }
  t.multi_region = true;
  t.include_global_service_events = false;
  EXPECT_EQ(ValidateGlobalServiceEvents(t).aws_code(), "InvalidParameterCombinationException");
  t.include_global_service_events = true;
  EXPECT_TRUE(ValidateGlobalServiceEvents(t).ok());
}

}  // namespace
}  // namespace kiroku::trail
