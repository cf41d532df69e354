// CloudWatch Logs through the request pipeline in process (ServiceHarness: SigV4, decoding,
// authorization, the handler, the encoding): groups, streams and events end to end, the stream
// ARN a policy is checked against, and the operation table's flags.
#include "services/logs/logs_service.h"

#include <gtest/gtest.h>

#include <set>

#include "api/internal_caller.h"
#include "services/logs/logs_kms_adapter.h"
#include "testing/service_harness.h"

namespace kiroku::services {
namespace {

namespace json = boost::json;
using kiroku::testing::ServiceHarness;

class LogsServiceTest : public ::testing::Test {
 protected:
  // The real data keys: groups without a KMS key never call KMS (service-owned key).
  LogsServiceTest()
      : caller_(h_.table(), h_.identities(), h_.clock()),
        data_keys_(caller_, h_.master_key()),
        store_(h_.db(), h_.clock(), data_keys_, logs::LogStore::Options()),
        service_(store_) {
    h_.table().Add(service_.Operations());
  }

  net::Response Call(std::string_view operation, const json::object& input,
                     const kiroku::testing::Credentials* as = nullptr) {
    return h_.CallJson("logs", operation, input, "us-east-1", as);
  }

  json::value CallOk(std::string_view operation, const json::object& input) {
    net::Response r = Call(operation, input);
    EXPECT_EQ(r.status, 200) << operation << ": " << r.body;
    return ServiceHarness::Json(r);
  }

  // A user whose only permission is `statement`, with an access key.
  kiroku::testing::Credentials UserAllowed(const std::string& statement) {
    EXPECT_TRUE(h_.identities().CreateUser("alice", "/", {}).ok());
    EXPECT_TRUE(h_.identities()
                    .PutInlinePolicy(iam::EntityKind::kUser, "alice", "logs",
                                     R"({"Version":"2012-10-17","Statement":[)" + statement + "]}")
                    .ok());
    auto key = h_.identities().CreateAccessKey("alice");
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return {key->info.access_key_id, key->secret_access_key, ""};
  }

  ServiceHarness h_;
  api::InternalCaller caller_;
  LogsKmsDataKeys data_keys_;
  logs::LogStore store_;
  LogsService service_;
};

TEST_F(LogsServiceTest, PutEventsThenFilterThemByPattern) {
  CallOk("CreateLogGroup", {{"logGroupName", "app"}});
  CallOk("CreateLogStream", {{"logGroupName", "app"}, {"logStreamName", "web-1"}});
  int64_t now = h_.clock().NowMillis();
  json::value put =
      CallOk("PutLogEvents", {{"logGroupName", "app"},
                              {"logStreamName", "web-1"},
                              {"logEvents", json::array{
                                                {{"timestamp", now - 2}, {"message", "GET /a 200"}},
                                                {{"timestamp", now - 1}, {"message", "GET /b 500"}},
                                                {{"timestamp", now}, {"message", "GET /c 500"}},
                                            }}});
  EXPECT_FALSE(put.as_object().contains("rejectedLogEventsInfo")) << put;

  json::value found =
      CallOk("FilterLogEvents", {{"logGroupName", "app"}, {"filterPattern", "500"}});
  const json::array& events = found.at("events").as_array();
  ASSERT_EQ(events.size(), 2u) << found;
  EXPECT_EQ(events[0].at("message").as_string(), "GET /b 500");
  EXPECT_EQ(events[1].at("message").as_string(), "GET /c 500");
  EXPECT_EQ(events[1].at("logStreamName").as_string(), "web-1");
  EXPECT_EQ(events[1].at("timestamp").as_int64(), now);
  EXPECT_EQ(events[1].at("eventId").as_string().size(), 20u);
  EXPECT_FALSE(found.as_object().contains("nextToken")) << found;
}

TEST_F(LogsServiceTest, GroupsAreDescribedWithTheirArn) {
  CallOk("CreateLogGroup", {{"logGroupName", "app"}, {"tags", {{"team", "web"}}}});
  json::value out = CallOk("DescribeLogGroups", {{"logGroupNamePrefix", "ap"}});
  const json::array& groups = out.at("logGroups").as_array();
  ASSERT_EQ(groups.size(), 1u) << out;
  std::string arn = "arn:aws:logs:us-east-1:" + h_.account() + ":log-group:app";
  EXPECT_EQ(groups[0].at("logGroupArn").as_string(), arn);
  EXPECT_EQ(groups[0].at("arn").as_string(), arn + ":*");
  json::value tags = CallOk("ListTagsForResource", {{"resourceArn", arn}});
  EXPECT_EQ(tags.at("tags"), (json::object{{"team", "web"}}));
}

TEST_F(LogsServiceTest, PutLogEventsIsAuthorizedAgainstTheStreamArn) {
  CallOk("CreateLogGroup", {{"logGroupName", "app"}});
  CallOk("CreateLogStream", {{"logGroupName", "app"}, {"logStreamName", "allowed"}});
  CallOk("CreateLogStream", {{"logGroupName", "app"}, {"logStreamName", "other"}});
  kiroku::testing::Credentials alice = UserAllowed(
      R"({"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:)" +
      h_.account() + R"(:log-group:app:log-stream:allowed"})");
  auto put = [&](const std::string& stream) {
    return Call(
        "PutLogEvents",
        {{"logGroupName", "app"},
         {"logStreamName", stream},
         {"logEvents", json::array{{{"timestamp", h_.clock().NowMillis()}, {"message", "hello"}}}}},
        &alice);
  };
  EXPECT_EQ(put("allowed").status, 200);
  net::Response denied = put("other");
  EXPECT_EQ(denied.status, 400);
  EXPECT_NE(denied.body.find("AccessDeniedException"), std::string::npos) << denied.body;
  EXPECT_NE(denied.body.find("logs:PutLogEvents"), std::string::npos) << denied.body;
}

TEST_F(LogsServiceTest, UnknownGroupIsResourceNotFound) {
  net::Response r = Call("FilterLogEvents", {{"logGroupName", "nope"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("ResourceNotFoundException"), std::string::npos) << r.body;
}

// Each row's action is logs:<Operation>; readOnly and the event category are what CloudTrail
// records for CloudWatch Logs.
TEST_F(LogsServiceTest, RowsDeclareActionReadOnlyAndCategory) {
  const std::set<std::string> read = {
      "DescribeLogGroups",     "ListTagsForResource", "ListTagsLogGroup",
      "DescribeLogStreams",    "GetLogEvents",        "FilterLogEvents",
      "DescribeMetricFilters", "TestMetricFilter",    "DescribeResourcePolicies"};
  const std::set<std::string> data = {"PutLogEvents", "GetLogEvents", "FilterLogEvents"};
  std::vector<api::Operation> rows = service_.Operations();
  EXPECT_EQ(rows.size(), 26u);
  for (const api::Operation& op : rows) {
    EXPECT_EQ(op.service, "logs");
    EXPECT_EQ(op.action, "logs:" + op.name);
    EXPECT_EQ(op.access == api::Access::kRead, read.count(op.name) == 1) << op.name;
    EXPECT_EQ(op.category == api::EventCategory::kData, data.count(op.name) == 1) << op.name;
    EXPECT_TRUE(op.handler) << op.name;
  }
}

}  // namespace
}  // namespace kiroku::services
