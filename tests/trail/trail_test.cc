#include <gtest/gtest.h>

#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"
#include "trail/event_history.h"
#include "trail/recorder.h"

namespace kiroku::trail {
namespace {

namespace json = boost::json;

ApiCallRecord Call(std::string name, TimePoint t, std::string region = "ap-northeast-1",
                   std::string user = "") {
  static int n = 0;
  ApiCallRecord r;
  r.event_id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + ++n);
  r.event_time = t;
  r.event_source = "kms.amazonaws.com";
  r.event_name = std::move(name);
  r.aws_region = std::move(region);
  r.identity.type = user.empty() ? "Root" : "IAMUser";
  r.identity.user_name = std::move(user);
  r.identity.access_key_id = "AKIAEXAMPLE";
  r.recipient_account_id = "111122223333";
  r.read_only = r.event_name.starts_with("Describe");
  return r;
}

TEST(RecordTest, HasAwsFields) {
  ApiCallRecord r = Call("CreateKey", TimePoint(std::chrono::seconds(1790000000)));
  r.error_code = "AccessDeniedException";
  json::object o = r.ToJson();
  EXPECT_EQ(o.at("eventVersion"), "1.11");
  EXPECT_EQ(o.at("eventTime"), "2026-09-21T14:13:20Z");
  EXPECT_EQ(o.at("userIdentity").at("type"), "Root");
  EXPECT_EQ(o.at("errorCode"), "AccessDeniedException");
  EXPECT_EQ(o.at("eventCategory"), "Management");
  EXPECT_EQ(o.at("managementEvent"), true);
  EXPECT_EQ(o.at("recipientAccountId"), "111122223333");
  EXPECT_FALSE(o.contains("sessionCredentialFromConsole"));
  r.session_credential_from_console = true;
  EXPECT_EQ(r.ToJson().at("sessionCredentialFromConsole"), "true");
}

class HistoryTest : public ::testing::Test {
 protected:
  HistoryTest()
      : db_(*store::RocksStore::Open(dir_.Sub("db"), {"history"})), history_(*db_, clock_) {}

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  kiroku::testing::FakeClock clock_;
  EventHistory history_;
};

TEST_F(HistoryTest, NewestFirstPerRegionWithPaging) {
  TimePoint t0 = clock_.Now() - std::chrono::hours(1);
  std::vector<ApiCallRecord> records;
  for (int i = 0; i < 7; ++i)
    records.push_back(Call("Op" + std::to_string(i), t0 + std::chrono::seconds(i)));
  records.push_back(Call("Elsewhere", t0, "us-east-1"));
  ASSERT_TRUE(history_.Append(records).ok());

  LookupQuery q{"111122223333", "ap-northeast-1", std::nullopt, std::nullopt, std::nullopt, 3, ""};
  std::vector<std::string> names;
  for (int page = 0; page < 5; ++page) {
    auto result = history_.Lookup(q);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    for (const auto& r : result->records) names.emplace_back(r.at("eventName").as_string());
    if (result->next_token.empty()) break;
    q.next_token = result->next_token;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Op6", "Op5", "Op4", "Op3", "Op2", "Op1", "Op0"}));
}

TEST_F(HistoryTest, FiltersByOneAttributeAndTime) {
  TimePoint t0 = clock_.Now() - std::chrono::hours(2);
  ASSERT_TRUE(history_
                  .Append({Call("CreateKey", t0),
                           Call("DescribeKey", t0 + std::chrono::hours(1), "ap-northeast-1", "bob"),
                           Call("CreateKey", t0 + std::chrono::minutes(90))})
                  .ok());
  LookupQuery q{"111122223333",
                "ap-northeast-1",
                std::make_pair(std::string("EventName"), std::string("CreateKey")),
                std::nullopt,
                std::nullopt,
                50,
                ""};
  EXPECT_EQ(history_.Lookup(q)->records.size(), 2u);
  q.attribute = {"Username", "bob"};
  EXPECT_EQ(history_.Lookup(q)->records.size(), 1u);
  q.attribute = {"ReadOnly", "true"};
  EXPECT_EQ(history_.Lookup(q)->records.size(), 1u);
  q.attribute.reset();
  q.start_time = t0 + std::chrono::minutes(30);
  q.end_time = t0 + std::chrono::minutes(70);
  EXPECT_EQ(history_.Lookup(q)->records.size(), 1u);
  q.start_time = t0 + std::chrono::hours(5);
  EXPECT_EQ(history_.Lookup(q).status().aws_code(), "InvalidTimeRangeException");
  q = LookupQuery{"111122223333",
                  "ap-northeast-1",
                  std::make_pair(std::string("Colour"), std::string("x")),
                  std::nullopt,
                  std::nullopt,
                  50,
                  ""};
  EXPECT_EQ(history_.Lookup(q).status().aws_code(), "InvalidLookupAttributesException");
  q.attribute.reset();
  q.next_token = "not-a-token";
  EXPECT_EQ(history_.Lookup(q).status().aws_code(), "InvalidNextTokenException");
}

TEST_F(HistoryTest, DataEventsAreNotKeptAndOldEventsExpire) {
  ApiCallRecord data = Call("PutLogEvents", clock_.Now());
  data.management_event = false;
  ASSERT_TRUE(history_
                  .Append({data, Call("Old", clock_.Now() - std::chrono::hours(24 * 91)),
                           Call("Recent", clock_.Now())})
                  .ok());
  EXPECT_EQ(*history_.PurgeExpired(), 1u);
  LookupQuery q{"111122223333",
                "ap-northeast-1",
                std::nullopt,
                clock_.Now() - std::chrono::hours(24 * 200),
                std::nullopt,
                50,
                ""};
  auto page = history_.Lookup(q);
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].at("eventName"), "Recent");
}

TEST_F(HistoryTest, RecorderPersistsEverythingQueued) {
  {
    Recorder recorder(*db_, history_, nullptr,
                      /*capacity=*/4);  // small: exercises the backpressure path
    for (int i = 0; i < 100; ++i) recorder.Record(Call("Call", clock_.Now()));
    recorder.Flush();
  }
  size_t total = 0;
  LookupQuery q{"111122223333", "ap-northeast-1", std::nullopt, std::nullopt, std::nullopt, 50, ""};
  while (true) {
    auto page = history_.Lookup(q);
    ASSERT_TRUE(page.ok());
    total += page->records.size();
    if (page->next_token.empty()) break;
    q.next_token = page->next_token;
  }
  EXPECT_EQ(total, 100u);
}

}  // namespace
}  // namespace kiroku::trail
