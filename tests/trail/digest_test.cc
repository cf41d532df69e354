// Log file integrity validation: the digest file format, signing keys, and the DigestWriter's
// chain across intervals, failures and restarts (with a recording sink; the real S3 sink and
// `aws cloudtrail validate-logs` run in tests/e2e/test_cloudtrail_validation.py).
#include <gtest/gtest.h>

#include <regex>

#include "common/encoding.h"
#include "crypto/hash.h"
#include "crypto/rsa.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"
#include "trail/deliverer.h"
#include "trail/digest_writer.h"
#include "trail/gzip.h"
#include "trail/recorder.h"

namespace kiroku::trail {
namespace {

namespace json = boost::json;
constexpr char kAccount[] = "111122223333";

std::string Unzipped(const std::string& data) {
  auto out = trail::Gunzip(data);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::string();
}

TrailConfig Trail(std::string name = "audit", bool validation = true) {
  TrailConfig t;
  t.account_id = kAccount;
  t.name = std::move(name);
  t.home_region = "ap-northeast-1";
  t.s3_bucket = "trail-bucket";
  t.log_file_validation = validation;
  return t;
}

TimePoint At(int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

TEST(DigestFileTest, KeyLayout) {
  TrailConfig t = Trail();
  EXPECT_EQ(
      DigestFileKey(t, "us-east-2", At(1439823691)),  // 2015-08-17T15:01:31Z
      "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/"
      "111122223333_CloudTrail-Digest_us-east-2_audit_ap-northeast-1_20150817T150131Z.json.gz");
  t.s3_key_prefix = "pre/fix";
  EXPECT_TRUE(DigestFileKey(t, "us-east-2", At(1439823691)).starts_with("pre/fix/AWSLogs/"));
}

TEST(DigestFileTest, FirstDigestHasNullLinksAndEventTimes) {
  DigestContents d;
  d.account_id = kAccount;
  d.start = At(1439820091);
  d.end = At(1439823691);
  d.bucket = "b";
  d.key = "k.json.gz";
  d.public_key_fingerprint = "31e8b5433410dfb61a9dc45cc65b22ff";
  EXPECT_EQ(DigestJson(d),
            R"({"awsAccountId":"111122223333","digestStartTime":"2015-08-17T14:01:31Z",)"
            R"("digestEndTime":"2015-08-17T15:01:31Z","digestS3Bucket":"b",)"
            R"("digestS3Object":"k.json.gz",)"
            R"("digestPublicKeyFingerprint":"31e8b5433410dfb61a9dc45cc65b22ff",)"
            R"("digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":null,)"
            R"("oldestEventTime":null,"previousDigestS3Bucket":null,)"
            R"("previousDigestS3Object":null,"previousDigestHashValue":null,)"
            R"("previousDigestHashAlgorithm":null,"previousDigestSignature":null,"logFiles":[]})");
  EXPECT_EQ(DigestSigningString(d, "abc"), "2015-08-17T15:01:31Z\nb/k.json.gz\nabc\nnull");
}

TEST(DigestFileTest, LogFilesAndPreviousLink) {
  DigestContents d;
  d.account_id = kAccount;
  d.start = At(1439820091);
  d.end = At(1439823691);
  d.bucket = "b";
  d.key = "k2";
  d.previous = DigestLink{"b0", "k1", "aa", "ff00"};
  d.log_files = {{"b", "log1", "11", At(1439822000), At(1439822100)},
                 {"b", "log2", "22", At(1439821000), At(1439822500)}};
  json::object o = json::parse(DigestJson(d)).as_object();
  EXPECT_EQ(o.at("oldestEventTime"), "2015-08-17T14:16:40Z");
  EXPECT_EQ(o.at("newestEventTime"), "2015-08-17T14:41:40Z");
  EXPECT_EQ(o.at("previousDigestS3Bucket"), "b0");
  EXPECT_EQ(o.at("previousDigestS3Object"), "k1");
  EXPECT_EQ(o.at("previousDigestHashValue"), "aa");
  EXPECT_EQ(o.at("previousDigestHashAlgorithm"), "SHA-256");
  EXPECT_EQ(o.at("previousDigestSignature"), "ff00");
  const json::array& files = o.at("logFiles").as_array();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(
      json::serialize(files[1]),
      R"({"s3Bucket":"b","s3Object":"log2","hashValue":"22","hashAlgorithm":"SHA-256",)"
      R"("newestEventTime":"2015-08-17T14:41:40Z","oldestEventTime":"2015-08-17T14:16:40Z"})");
  EXPECT_EQ(DigestSigningString(d, "abc"), "2015-08-17T15:01:31Z\nb/k2\nabc\nff00");
}

class RecordingDigests final : public DigestFileSink {
 public:
  struct File {
    std::string key, json;
    std::map<std::string, std::string> metadata;
  };
  Status PutDigestFile(const TrailConfig&, const std::string& key, const std::string& body,
                       const std::map<std::string, std::string>& metadata) override {
    if (fail) return Status::AccessDenied("Access Denied").WithAwsCode("AccessDenied");
    files.push_back({key, Unzipped(body), metadata});
    return Status::Ok();
  }
  bool fail = false;
  std::vector<File> files;
};

class RecordingS3 final : public LogFileSink {
 public:
  Status PutLogFile(const TrailConfig&, const std::string& key, const std::string& body) override {
    files[key] = body;
    return Status::Ok();
  }
  std::map<std::string, std::string> files;
};

class NoLogs final : public CloudWatchLogsSink {
 public:
  Status PutEvents(const TrailConfig&, const std::vector<Event>&) override { return Status::Ok(); }
};

class DigestWriterTest : public ::testing::Test {
 protected:
  DigestWriterTest() : master_(crypto::SecretBytes::Random(32)) { Open(); }

  void Open() {
    db_ = *store::RocksStore::Open(dir_.Sub("db"), {"meta", "history", "queue"});
    trails_ = std::make_unique<TrailStore>(*db_);
    keys_ = std::make_unique<SigningKeys>(*db_, master_, clock_);
    DigestOptions options;
    options.interval = std::chrono::seconds(60);
    writer_ = std::make_unique<DigestWriter>(*trails_, *db_, *keys_, sink_, clock_, options);
  }
  void Close() {
    history_.reset();
    writer_.reset();
    keys_.reset();
    trails_.reset();
    db_.reset();
  }

  void CreateLogging(const TrailConfig& t) {
    ASSERT_TRUE(trails_->Create(t).ok());
    SetLogging(t, true);
  }
  void SetLogging(const TrailConfig& t, bool on) {
    ASSERT_TRUE(trails_->UpdateStatus(t, [on](TrailStatus& s) { s.is_logging = on; }).ok());
  }

  // A log file as the Deliverer reports it, committed like the Deliverer does.
  void Deliver(const TrailConfig& t, const std::string& region, const std::string& key,
               const std::string& content) {
    store::WriteBatch batch;
    writer_->OnLogFile(
        {t, region, key, HexEncode(crypto::Sha256(content)), clock_.Now(), clock_.Now()}, batch);
    ASSERT_TRUE(db_->Write(batch).ok());
  }

  // Checks the digest's signature as validate-logs does, with the key ListPublicKeys returns.
  void ExpectValidSignature(const RecordingDigests::File& f, const std::string& region) {
    json::object o = json::parse(f.json).as_object();
    auto keys = keys_->List(kAccount, region, clock_.Now() - std::chrono::hours(1),
                            clock_.Now() + std::chrono::hours(2));
    ASSERT_TRUE(keys.ok());
    ASSERT_EQ(keys->size(), 1u);
    EXPECT_EQ((*keys)[0].fingerprint, o.at("digestPublicKeyFingerprint").as_string());
    const json::value& prev = o.at("previousDigestSignature");
    std::string to_sign = std::string(o.at("digestEndTime").as_string()) + "\n" +
                          std::string(o.at("digestS3Bucket").as_string()) + "/" +
                          std::string(o.at("digestS3Object").as_string()) + "\n" +
                          HexEncode(crypto::Sha256(f.json)) + "\n" +
                          (prev.is_null() ? std::string("null") : std::string(prev.as_string()));
    EXPECT_EQ(f.metadata.at("signature-algorithm"), "SHA256withRSA");
    auto ok = crypto::VerifySha256Rsa((*keys)[0].der, to_sign,
                                      HexDecode(f.metadata.at("signature")).value_or(""));
    ASSERT_TRUE(ok.ok());
    EXPECT_TRUE(*ok) << f.key;
    EXPECT_EQ(o.at("digestS3Object"), json::value(f.key));
  }

  kiroku::testing::TempDir dir_;
  kiroku::testing::FakeClock clock_;
  crypto::SecretBytes master_;
  RecordingDigests sink_;
  std::unique_ptr<store::RocksStore> db_;
  std::unique_ptr<TrailStore> trails_;
  std::unique_ptr<SigningKeys> keys_;
  std::unique_ptr<DigestWriter> writer_;
  std::unique_ptr<EventHistory> history_;
};

TEST_F(DigestWriterTest, EmptyIntervalsStillGetChainedDigests) {
  TrailConfig t = Trail();
  CreateLogging(t);
  writer_->RunOnce(false);  // starts the chain
  clock_.Advance(std::chrono::seconds(30));
  writer_->RunOnce(false);
  EXPECT_TRUE(sink_.files.empty());  // not due yet
  clock_.Advance(std::chrono::seconds(30));
  writer_->RunOnce(false);
  ASSERT_EQ(sink_.files.size(), 1u);
  clock_.Advance(std::chrono::seconds(61));
  writer_->RunOnce(false);
  ASSERT_EQ(sink_.files.size(), 2u);

  std::regex name(R"(AWSLogs/111122223333/CloudTrail-Digest/ap-northeast-1/\d{4}/\d{2}/\d{2}/)"
                  R"(111122223333_CloudTrail-Digest_ap-northeast-1_audit_ap-northeast-1_)"
                  R"(\d{8}T\d{6}Z\.json\.gz)");
  json::object first = json::parse(sink_.files[0].json).as_object();
  json::object second = json::parse(sink_.files[1].json).as_object();
  for (const auto& f : sink_.files) {
    EXPECT_TRUE(std::regex_match(f.key, name)) << f.key;
    ExpectValidSignature(f, "ap-northeast-1");
  }
  EXPECT_TRUE(first.at("previousDigestSignature").is_null());
  EXPECT_TRUE(first.at("logFiles").as_array().empty());
  EXPECT_EQ(second.at("digestStartTime"), first.at("digestEndTime"));
  EXPECT_EQ(second.at("previousDigestS3Object"), json::value(sink_.files[0].key));
  EXPECT_EQ(second.at("previousDigestSignature"),
            json::value(sink_.files[0].metadata.at("signature")));
  EXPECT_EQ(second.at("previousDigestHashValue"),
            json::value(HexEncode(crypto::Sha256(sink_.files[0].json))));
  auto status = trails_->GetStatus(t);
  EXPECT_TRUE(status->latest_digest_delivery_time.has_value());
  EXPECT_TRUE(status->latest_digest_delivery_error.empty());
}

TEST_F(DigestWriterTest, LogFilesAppearOnceInTheNextDigest) {
  TrailConfig t = Trail();
  CreateLogging(t);
  writer_->RunOnce(false);
  Deliver(t, "ap-northeast-1", "AWSLogs/x/log-a.json.gz", "{\"Records\":[1]}");
  Deliver(t, "ap-northeast-1", "AWSLogs/x/log-b.json.gz", "{\"Records\":[2]}");
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  ASSERT_EQ(sink_.files.size(), 1u);
  json::array files = json::parse(sink_.files[0].json).at("logFiles").as_array();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].at("s3Object"), "AWSLogs/x/log-a.json.gz");
  EXPECT_EQ(files[0].at("s3Bucket"), "trail-bucket");
  EXPECT_EQ(files[0].at("hashValue"), json::value(HexEncode(crypto::Sha256("{\"Records\":[1]}"))));
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  ASSERT_EQ(sink_.files.size(), 2u);
  EXPECT_TRUE(json::parse(sink_.files[1].json).at("logFiles").as_array().empty());
}

TEST_F(DigestWriterTest, OtherSourceRegionsGetTheirOwnChainAndKey) {
  TrailConfig t = Trail();
  t.multi_region = true;
  CreateLogging(t);
  writer_->RunOnce(false);
  Deliver(t, "eu-west-1", "AWSLogs/x/eu.json.gz", "eu");
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(true);
  ASSERT_EQ(sink_.files.size(), 2u);
  std::map<std::string, RecordingDigests::File> by_region;
  for (const auto& f : sink_.files) {
    by_region[f.key.substr(f.key.find("CloudTrail-Digest/") + 18, 9)] = f;
  }
  ASSERT_TRUE(by_region.contains("eu-west-1"));
  ExpectValidSignature(by_region["eu-west-1"], "eu-west-1");
  ExpectValidSignature(by_region["ap-northe"], "ap-northeast-1");
  EXPECT_NE(json::parse(by_region["eu-west-1"].json).at("digestPublicKeyFingerprint"),
            json::parse(by_region["ap-northe"].json).at("digestPublicKeyFingerprint"));
}

TEST_F(DigestWriterTest, ChainAndPendingFilesSurviveARestart) {
  TrailConfig t = Trail();
  CreateLogging(t);
  writer_->RunOnce(false);
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  ASSERT_EQ(sink_.files.size(), 1u);
  std::string fingerprint =
      std::string(json::parse(sink_.files[0].json).at("digestPublicKeyFingerprint").as_string());
  Deliver(t, "ap-northeast-1", "AWSLogs/x/log-c.json.gz", "c");
  Close();
  Open();
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  ASSERT_EQ(sink_.files.size(), 2u);
  json::object second = json::parse(sink_.files[1].json).as_object();
  EXPECT_EQ(second.at("digestPublicKeyFingerprint"), json::value(fingerprint));  // the stored key
  EXPECT_EQ(second.at("previousDigestSignature"),
            json::value(sink_.files[0].metadata.at("signature")));
  ASSERT_EQ(second.at("logFiles").as_array().size(), 1u);
  EXPECT_EQ(second.at("logFiles").as_array()[0].at("s3Object"), "AWSLogs/x/log-c.json.gz");
  ExpectValidSignature(sink_.files[1], "ap-northeast-1");
}

TEST_F(DigestWriterTest, FailureIsReportedRetriedAndLosesNothing) {
  TrailConfig t = Trail();
  CreateLogging(t);
  writer_->RunOnce(false);
  Deliver(t, "ap-northeast-1", "AWSLogs/x/log-d.json.gz", "d");
  sink_.fail = true;
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  EXPECT_EQ(trails_->GetStatus(t)->latest_digest_delivery_error, "AccessDenied");
  sink_.fail = false;
  writer_->RunOnce(false);  // within the backoff: no attempt
  EXPECT_TRUE(sink_.files.empty());
  clock_.Advance(std::chrono::seconds(2));
  writer_->RunOnce(false);
  ASSERT_EQ(sink_.files.size(), 1u);
  EXPECT_EQ(json::parse(sink_.files[0].json).at("logFiles").as_array().size(), 1u);
  auto status = trails_->GetStatus(t);
  EXPECT_TRUE(status->latest_digest_delivery_error.empty());
  EXPECT_TRUE(status->latest_digest_delivery_time.has_value());
}

TEST_F(DigestWriterTest, StoppingEndsTheChainAfterAFinalDigest) {
  TrailConfig t = Trail();
  CreateLogging(t);
  writer_->RunOnce(false);
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  Deliver(t, "ap-northeast-1", "AWSLogs/x/log-e.json.gz", "e");
  SetLogging(t, false);
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);  // the final digest holds the last file
  ASSERT_EQ(sink_.files.size(), 2u);
  EXPECT_EQ(json::parse(sink_.files[1].json).at("logFiles").as_array().size(), 1u);
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);  // nothing left: the chain ends, no more digests
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  EXPECT_EQ(sink_.files.size(), 2u);
  SetLogging(t, true);  // a new chain
  writer_->RunOnce(false);
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  ASSERT_EQ(sink_.files.size(), 3u);
  EXPECT_TRUE(json::parse(sink_.files[2].json).at("previousDigestSignature").is_null());
}

TEST_F(DigestWriterTest, TrailsWithoutValidationGetNoDigests) {
  TrailConfig t = Trail("plain", /*validation=*/false);
  CreateLogging(t);
  writer_->RunOnce(false);
  Deliver(t, "ap-northeast-1", "AWSLogs/x/log-f.json.gz", "f");
  clock_.Advance(std::chrono::seconds(120));
  writer_->RunOnce(true);
  EXPECT_TRUE(sink_.files.empty());
}

TEST_F(DigestWriterTest, DeletedTrailDropsItsChain) {
  TrailConfig t = Trail();
  CreateLogging(t);
  writer_->RunOnce(false);
  Deliver(t, "ap-northeast-1", "AWSLogs/x/log-g.json.gz", "g");
  ASSERT_TRUE(trails_->Delete(kAccount, t.home_region, t.name).ok());
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  EXPECT_TRUE(sink_.files.empty());
  CreateLogging(t);  // same name again: a fresh chain without the old file
  writer_->RunOnce(false);
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  ASSERT_EQ(sink_.files.size(), 1u);
  json::object o = json::parse(sink_.files[0].json).as_object();
  EXPECT_TRUE(o.at("previousDigestSignature").is_null());
  EXPECT_TRUE(o.at("logFiles").as_array().empty());
}

TEST_F(DigestWriterTest, DelivererReportsTheUncompressedHash) {
  history_ = std::make_unique<EventHistory>(*db_, clock_);
  DeliveryQueue queue(*db_, *trails_, clock_);
  Recorder recorder(*db_, *history_, &queue);
  RecordingS3 s3;
  NoLogs logs;
  Deliverer deliverer(*trails_, queue, s3, logs, clock_);
  deliverer.SetObserver(writer_.get());
  TrailConfig t = Trail();
  CreateLogging(t);
  writer_->RunOnce(false);
  ApiCallRecord r;
  r.event_id = "00000000-0000-4000-8000-000000000001";
  r.event_time = clock_.Now();
  r.event_source = "kms.amazonaws.com";
  r.event_name = "CreateKey";
  r.aws_region = "ap-northeast-1";
  r.identity.type = "Root";
  r.recipient_account_id = kAccount;
  recorder.Record(r);
  recorder.Flush();
  deliverer.RunOnce(true);
  ASSERT_EQ(s3.files.size(), 1u);
  clock_.Advance(std::chrono::seconds(60));
  writer_->RunOnce(false);
  ASSERT_EQ(sink_.files.size(), 1u);
  json::array files = json::parse(sink_.files[0].json).at("logFiles").as_array();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].at("s3Object"), json::value(s3.files.begin()->first));
  EXPECT_EQ(files[0].at("hashValue"),
            json::value(HexEncode(crypto::Sha256(Unzipped(s3.files.begin()->second)))));
  EXPECT_EQ(files[0].at("oldestEventTime"), json::value(FormatIso8601(r.event_time)));
}

}  // namespace
}  // namespace kiroku::trail
