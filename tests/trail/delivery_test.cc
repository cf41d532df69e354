// Trail selection, durable queues and delivery with recording sinks (the real S3 and CloudWatch
// Logs sinks are exercised end to end in tests/e2e/test_cloudtrail_delivery.py).
#include <gtest/gtest.h>

#include <regex>

#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"
#include "trail/deliverer.h"
#include "trail/gzip.h"
#include "trail/recorder.h"

namespace kiroku::trail {
namespace {

namespace json = boost::json;
constexpr char kAccount[] = "111122223333";

ApiCallRecord Call(std::string name, std::string region, TimePoint t,
                   std::string source = "kms.amazonaws.com") {
  static int n = 0;
  ApiCallRecord r;
  r.event_id = "00000000-0000-4000-8000-" + std::to_string(100000000000 + ++n);
  r.event_time = t;
  r.event_source = std::move(source);
  r.event_name = std::move(name);
  r.aws_region = std::move(region);
  r.identity.type = "Root";
  r.recipient_account_id = kAccount;
  r.read_only = r.event_name.starts_with("Describe");
  return r;
}

std::string Unzipped(const std::string& data) {
  auto out = trail::Gunzip(data);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::string();
}

TrailConfig Trail(std::string name, std::string region, bool multi_region) {
  TrailConfig t;
  t.account_id = kAccount;
  t.name = std::move(name);
  t.home_region = std::move(region);
  t.multi_region = multi_region;
  t.s3_bucket = "trail-bucket";
  return t;
}

TEST(SelectsTest, RegionsGlobalEventsAndSelectors) {
  TimePoint now = TimePoint(std::chrono::seconds(1790000000));
  TrailConfig single = Trail("single", "ap-northeast-1", false);
  TrailConfig multi = Trail("multi", "ap-northeast-1", true);
  EXPECT_TRUE(Selects(single, Call("CreateKey", "ap-northeast-1", now)));
  EXPECT_FALSE(Selects(single, Call("CreateKey", "ap-northeast-3", now)));
  EXPECT_TRUE(Selects(multi, Call("CreateKey", "ap-northeast-3", now)));
  EXPECT_TRUE(Selects(multi, Call("CreateUser", "us-east-1", now, "iam.amazonaws.com")));
  multi.include_global_service_events = false;
  EXPECT_FALSE(Selects(multi, Call("CreateUser", "us-east-1", now, "iam.amazonaws.com")));
  // Another account's record never reaches this account's trails.
  ApiCallRecord other = Call("CreateKey", "ap-northeast-1", now);
  other.recipient_account_id = "999988887777";
  EXPECT_FALSE(Selects(single, other));
  // Data events only with a data selector.
  ApiCallRecord data = Call("GetObject", "ap-northeast-1", now, "s3.amazonaws.com");
  data.management_event = false;
  data.resources.push_back({"arn:aws:s3:::bucket/key", kAccount, "AWS::S3::Object"});
  EXPECT_FALSE(Selects(single, data));
  single.event_selectors = {
      EventSelector{"ReadOnly", true, {{"AWS::S3::Object", {"arn:aws:s3:::bucket/"}}}, {}}};
  data.read_only = true;
  EXPECT_TRUE(Selects(single, data));
  EXPECT_FALSE(Selects(single, Call("CreateKey", "ap-northeast-1", now)));   // a write
  EXPECT_TRUE(Selects(single, Call("DescribeKey", "ap-northeast-1", now)));  // a read
  single.event_selectors = {EventSelector{"All", true, {}, {"kms.amazonaws.com"}}};
  EXPECT_FALSE(Selects(single, Call("CreateKey", "ap-northeast-1", now)));
  EXPECT_TRUE(Selects(single, Call("CreateUser", "ap-northeast-1", now, "iam.amazonaws.com")));
  // Advanced selectors: fields AND, selectors OR.
  single.event_selectors.clear();
  FieldSelector category{"eventCategory", {"Management"}, {}, {}, {}, {}, {}};
  FieldSelector not_kms{"eventSource", {}, {}, {}, {"kms.amazonaws.com"}, {}, {}};
  single.advanced_event_selectors = {{"mgmt", {category, not_kms}}};
  EXPECT_FALSE(Selects(single, Call("CreateKey", "ap-northeast-1", now)));
  EXPECT_TRUE(Selects(single, Call("CreateUser", "ap-northeast-1", now, "iam.amazonaws.com")));
  FieldSelector reads{"readOnly", {"true"}, {}, {}, {}, {}, {}};
  single.advanced_event_selectors.push_back({"reads", {reads}});
  EXPECT_TRUE(Selects(single, Call("DescribeKey", "ap-northeast-1", now)));
  // The console's own calls, and failed calls, by the fields AWS selects them with.
  FieldSelector console{"sessionCredentialFromConsole", {"true"}, {}, {}, {}, {}, {}};
  single.advanced_event_selectors = {{"console", {console}}};
  ApiCallRecord from_console = Call("CreateKey", "ap-northeast-1", now);
  EXPECT_FALSE(Selects(single, from_console));
  from_console.session_credential_from_console = true;
  EXPECT_TRUE(Selects(single, from_console));
  FieldSelector denied{"errorCode", {"AccessDeniedException"}, {}, {}, {}, {}, {}};
  single.advanced_event_selectors = {{"denied", {denied}}};
  ApiCallRecord failed = Call("CreateKey", "ap-northeast-1", now);
  EXPECT_FALSE(Selects(single, failed));
  failed.error_code = "AccessDeniedException";
  EXPECT_TRUE(Selects(single, failed));
}

class RecordingS3 final : public LogFileSink {
 public:
  Status PutLogFile(const TrailConfig&, const std::string& key, const std::string& body) override {
    if (fail) return Status::AccessDenied("Access Denied").WithAwsCode("AccessDenied");
    files[key] = body;
    return Status::Ok();
  }
  bool fail = false;
  std::map<std::string, std::string> files;
};

class RecordingLogs final : public CloudWatchLogsSink {
 public:
  Status PutEvents(const TrailConfig&, const std::vector<Event>& batch) override {
    if (fail) return Status::AccessDenied("denied").WithAwsCode("AccessDeniedException");
    for (const Event& e : batch) events.push_back(e);
    return Status::Ok();
  }
  bool fail = false;
  std::vector<Event> events;
};

class DeliveryTest : public ::testing::Test {
 protected:
  DeliveryTest() { Open(); }

  void Open() {
    db_ = *store::RocksStore::Open(dir_.Sub("db"), {"meta", "history", "queue"});
    history_ = std::make_unique<EventHistory>(*db_, clock_);
    trails_ = std::make_unique<TrailStore>(*db_);
    queue_ = std::make_unique<DeliveryQueue>(*db_, *trails_, clock_);
    recorder_ = std::make_unique<Recorder>(*db_, *history_, queue_.get());
    deliverer_ = std::make_unique<Deliverer>(*trails_, *queue_, s3_, logs_, clock_);
  }
  void Close() {
    deliverer_.reset();
    recorder_.reset();
    queue_.reset();
    trails_.reset();
    history_.reset();
    db_.reset();
  }

  void CreateLogging(const TrailConfig& t) {
    ASSERT_TRUE(trails_->Create(t).ok());
    ASSERT_TRUE(trails_->UpdateStatus(t, [](TrailStatus& s) { s.is_logging = true; }).ok());
  }

  // Every record in every delivered file, by file region.
  std::multimap<std::string, json::object> Delivered() {
    std::multimap<std::string, json::object> out;
    std::regex name(R"(AWSLogs/111122223333/CloudTrail/([a-z0-9-]+)/\d{4}/\d{2}/\d{2}/)"
                    R"(111122223333_CloudTrail_\1_\d{8}T\d{4}Z_[0-9a-f]{16}\.json\.gz)");
    for (const auto& [key, body] : s3_.files) {
      std::smatch m;
      EXPECT_TRUE(std::regex_match(key, m, name)) << key;
      json::value v = json::parse(Unzipped(body));
      for (const json::value& r : v.at("Records").as_array()) {
        out.emplace(m[1].str(), r.as_object());
      }
    }
    return out;
  }

  kiroku::testing::TempDir dir_;
  kiroku::testing::FakeClock clock_;
  RecordingS3 s3_;
  RecordingLogs logs_;
  std::unique_ptr<store::RocksStore> db_;
  std::unique_ptr<EventHistory> history_;
  std::unique_ptr<TrailStore> trails_;
  std::unique_ptr<DeliveryQueue> queue_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<Deliverer> deliverer_;
};

TEST_F(DeliveryTest, MultiRegionTrailWritesOneFilePerSourceRegion) {
  TrailConfig multi = Trail("multi", "ap-northeast-1", true);
  multi.cloudwatch_logs_log_group_arn = "arn:aws:logs:ap-northeast-1:111122223333:log-group:g:*";
  CreateLogging(multi);
  CreateLogging(Trail("single", "us-west-2", false));
  recorder_->Record(Call("CreateKey", "ap-northeast-1", clock_.Now()));
  recorder_->Record(Call("ConsoleLogin", "ap-northeast-3", clock_.Now(), "signin.amazonaws.com"));
  recorder_->Record(Call("CreateUser", "us-east-1", clock_.Now(), "iam.amazonaws.com"));
  recorder_->Flush();
  deliverer_->RunOnce(/*force=*/true);

  auto delivered = Delivered();
  ASSERT_EQ(delivered.size(), 3u);
  EXPECT_EQ(delivered.count("ap-northeast-3"), 1u);
  EXPECT_EQ(delivered.find("ap-northeast-3")->second.at("eventName"), "ConsoleLogin");
  EXPECT_EQ(delivered.find("us-east-1")->second.at("eventName"), "CreateUser");
  // CloudWatch Logs got every record of the multi-region trail, each as one JSON event.
  ASSERT_EQ(logs_.events.size(), 3u);
  EXPECT_EQ(json::parse(logs_.events[0].message).at("recipientAccountId"), kAccount);
  auto status = trails_->GetStatus(multi);
  EXPECT_TRUE(status->latest_delivery_time.has_value());
  EXPECT_TRUE(status->latest_cloudwatch_logs_delivery_time.has_value());
  EXPECT_TRUE(status->latest_delivery_error.empty());
  // Queues are empty: a second pass writes nothing more.
  s3_.files.clear();
  deliverer_->RunOnce(true);
  EXPECT_TRUE(s3_.files.empty());
  EXPECT_TRUE(queue_->NonEmpty()->empty());
}

TEST_F(DeliveryTest, StoppedTrailsQueueNothing) {
  TrailConfig t = Trail("t", "ap-northeast-1", false);
  ASSERT_TRUE(trails_->Create(t).ok());  // never started
  recorder_->Record(Call("CreateKey", "ap-northeast-1", clock_.Now()));
  recorder_->Flush();
  EXPECT_TRUE(queue_->NonEmpty()->empty());
  ASSERT_TRUE(trails_->UpdateStatus(t, [](TrailStatus& s) { s.is_logging = true; }).ok());
  recorder_->Record(Call("CreateAlias", "ap-northeast-1", clock_.Now()));
  recorder_->Flush();
  ASSERT_TRUE(trails_->UpdateStatus(t, [](TrailStatus& s) { s.is_logging = false; }).ok());
  recorder_->Record(Call("DeleteAlias", "ap-northeast-1", clock_.Now()));
  recorder_->Flush();
  deliverer_->RunOnce(true);
  auto delivered = Delivered();
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered.begin()->second.at("eventName"), "CreateAlias");
}

TEST_F(DeliveryTest, FailuresAreReportedRetriedAndLoseNothingAcrossRestart) {
  TrailConfig t = Trail("t", "ap-northeast-1", false);
  t.cloudwatch_logs_log_group_arn = "arn:aws:logs:ap-northeast-1:111122223333:log-group:g";
  CreateLogging(t);
  s3_.fail = true;
  logs_.fail = true;
  for (int i = 0; i < 50; ++i) {
    recorder_->Record(Call("CreateKey", "ap-northeast-1", clock_.Now() + std::chrono::seconds(i)));
  }
  recorder_->Flush();
  deliverer_->RunOnce(true);
  auto status = trails_->GetStatus(t);
  EXPECT_EQ(status->latest_delivery_error, "AccessDenied");
  EXPECT_EQ(status->latest_cloudwatch_logs_delivery_error, "AccessDeniedException");
  EXPECT_FALSE(status->latest_delivery_time.has_value());

  // Restart with everything still queued, then the destinations recover.
  Close();
  Open();
  s3_.fail = false;
  logs_.fail = false;
  clock_.Advance(std::chrono::minutes(2));  // past the backoff
  deliverer_->RunOnce(true);
  EXPECT_EQ(Delivered().size(), 50u);
  ASSERT_EQ(logs_.events.size(), 50u);
  std::set<std::string> ids;
  for (const auto& e : logs_.events) {
    ids.insert(std::string(json::parse(e.message).at("eventID").as_string()));
  }
  EXPECT_EQ(ids.size(), 50u);  // nothing duplicated
  for (size_t i = 1; i < logs_.events.size(); ++i) {
    EXPECT_LE(logs_.events[i - 1].timestamp_ms, logs_.events[i].timestamp_ms);
  }
  status = trails_->GetStatus(t);
  EXPECT_TRUE(status->latest_delivery_error.empty());
  EXPECT_TRUE(status->latest_cloudwatch_logs_delivery_error.empty());
}

TEST_F(DeliveryTest, OversizedRecordsAreNotSentToCloudWatchLogs) {
  TrailConfig t = Trail("t", "ap-northeast-1", false);
  t.cloudwatch_logs_log_group_arn = "arn:aws:logs:ap-northeast-1:111122223333:log-group:g";
  CreateLogging(t);
  ApiCallRecord big = Call("PutKeyPolicy", "ap-northeast-1", clock_.Now());
  big.request_parameters = json::object{{"policy", std::string(300 * 1024, 'x')}};
  recorder_->Record(big);
  recorder_->Record(Call("CreateKey", "ap-northeast-1", clock_.Now()));
  recorder_->Flush();
  deliverer_->RunOnce(true);
  ASSERT_EQ(logs_.events.size(), 1u);
  EXPECT_EQ(json::parse(logs_.events[0].message).at("eventName"), "CreateKey");
  EXPECT_EQ(Delivered().size(), 2u);  // S3 keeps it
  EXPECT_TRUE(queue_->NonEmpty()->empty());
}

TEST_F(DeliveryTest, DeletedTrailsQueuesAreDropped) {
  TrailConfig t = Trail("t", "ap-northeast-1", false);
  CreateLogging(t);
  recorder_->Record(Call("CreateKey", "ap-northeast-1", clock_.Now()));
  recorder_->Flush();
  ASSERT_FALSE(queue_->NonEmpty()->empty());
  ASSERT_TRUE(trails_->Delete(kAccount, "ap-northeast-1", "t").ok());
  deliverer_->RunOnce(true);
  EXPECT_TRUE(queue_->NonEmpty()->empty());
  EXPECT_TRUE(s3_.files.empty());
}

TEST(GzipTest, RoundTripsAndRefusesTruncatedStreams) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "{\"eventName\":\"CreateKey\"}";  // compresses >100x
  auto gz = Gzip(text);
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(*Gunzip(*gz), text);
  EXPECT_EQ(Gunzip(gz->substr(0, gz->size() / 2)).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Gunzip("not gzip").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(*Gunzip(*Gzip("")), "");
}

TEST_F(DeliveryTest, LogFileKeysFollowCloudTrailsLayout) {
  TrailConfig t = Trail("t", "ap-northeast-1", false);
  t.s3_key_prefix = "prefix";
  uint64_t seq = 1790000000ull * 1000000000ull;  // 2026-09-21T14:13:20Z
  std::string key = Deliverer::LogFileKey(t, "ap-northeast-3", seq);
  EXPECT_TRUE(std::regex_match(
      key, std::regex(
               R"(prefix/AWSLogs/111122223333/CloudTrail/ap-northeast-3/2026/09/21/)"
               R"(111122223333_CloudTrail_ap-northeast-3_20260921T1413Z_[0-9a-f]{16}\.json\.gz)")))
      << key;
  EXPECT_EQ(key, Deliverer::LogFileKey(t, "ap-northeast-3", seq));  // stable for a retry
}

}  // namespace
}  // namespace kiroku::trail
