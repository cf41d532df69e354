#include "logs/log_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include "crypto/aead.h"
#include "logs/chunk.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::logs {
namespace {

// Data keys wrapped by a test master key; a key id listed in `broken` fails like a disabled
// KMS key, and every call is counted.
class FakeDataKeys final : public DataKeys {
 public:
  Result<GeneratedDataKey> Generate(const KeyRef& ref) override {
    ++generates;
    if (broken.count(ref.kms_key_id))
      return Status::AccessDenied("denied").WithAwsCode("AccessDeniedException");
    GeneratedDataKey k;
    k.plaintext = crypto::SecretBytes::Random(32);
    k.wrapped = *crypto::WrapKey(master_, k.plaintext, ref.kms_key_id + "|" + ref.group_arn);
    return k;
  }
  Result<crypto::SecretBytes> Decrypt(const KeyRef& ref, std::string_view wrapped) override {
    ++decrypts;
    if (broken.count(ref.kms_key_id))
      return Status::InvalidArgument("disabled").WithAwsCode("DisabledException");
    return crypto::UnwrapKey(master_, wrapped, ref.kms_key_id + "|" + ref.group_arn);
  }

  std::set<std::string> broken;
  std::atomic<int> generates{0};
  std::atomic<int> decrypts{0};

 private:
  crypto::SecretBytes master_ = crypto::SecretBytes::Random(32);
};

class LogStoreTest : public ::testing::Test {
 protected:
  LogStoreTest()
      : db_(*store::RocksStore::Open(dir_.Sub("db"), {"meta", "events"})),
        store_(*db_, clock_, keys_, Options()) {}

  static LogStore::Options Options() {
    LogStore::Options o;
    o.small_chunk_bytes = 1000;
    o.target_chunk_bytes = 100000;
    return o;
  }

  int64_t Now() const { return clock_.NowMillis(); }

  void MakeStream(const std::string& group, const std::string& stream) {
    Status g = store_.CreateLogGroup(scope_, group, "", {}, "");
    ASSERT_TRUE(g.ok() || g.code() == Code::kAlreadyExists) << g.ToString();
    ASSERT_TRUE(store_.CreateLogStream(scope_, group, stream).ok());
  }

  PutResult PutOk(const std::string& group, const std::string& stream,
                  const std::vector<std::pair<int64_t, std::string>>& events) {
    std::vector<InputEvent> in;
    for (const auto& [ts, m] : events) in.push_back({ts, m});
    auto r = store_.PutLogEvents(scope_, group, stream, in);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PutResult{};
  }

  std::vector<std::string> Messages(const std::vector<OutputEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.message);
    return out;
  }

  kiroku::testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  kiroku::testing::FakeClock clock_;
  FakeDataKeys keys_;
  LogStore store_;
  Scope scope_{"111122223333", "ap-northeast-1"};
};

TEST_F(LogStoreTest, GroupNamesFollowAwsRules) {
  EXPECT_TRUE(store_.CreateLogGroup(scope_, "/aws/cloudtrail/x#1.y_z-", "", {}, "").ok());
  EXPECT_EQ(store_.CreateLogGroup(scope_, "/aws/cloudtrail/x#1.y_z-", "", {}, "").aws_code(),
            "ResourceAlreadyExistsException");
  EXPECT_EQ(store_.CreateLogGroup(scope_, "aws/reserved", "", {}, "").aws_code(),
            "InvalidParameterException");
  EXPECT_EQ(store_.CreateLogGroup(scope_, "bad name", "", {}, "").aws_code(),
            "InvalidParameterException");
  EXPECT_EQ(store_.CreateLogGroup(scope_, "", "", {}, "").aws_code(), "InvalidParameterException");
  EXPECT_EQ(store_.CreateLogGroup(scope_, std::string(513, 'a'), "", {}, "").aws_code(),
            "InvalidParameterException");
  EXPECT_TRUE(store_.CreateLogGroup(scope_, std::string(512, 'a'), "", {}, "").ok());
  EXPECT_EQ(store_.CreateLogStream(scope_, "/aws/cloudtrail/x#1.y_z-", "a:b").aws_code(),
            "InvalidParameterException");
  EXPECT_EQ(store_.CreateLogStream(scope_, "missing", "s").aws_code(), "ResourceNotFoundException");
}

TEST_F(LogStoreTest, DescribeLogGroupsPagesInNameOrder) {
  for (std::string n : {"b", "a", "c/1", "c/2", "d"})
    ASSERT_TRUE(store_.CreateLogGroup(scope_, n, "", {{"k", n}}, "").ok());
  ASSERT_TRUE(
      store_.CreateLogGroup(Scope{"999999999999", "ap-northeast-1"}, "zz", "", {}, "").ok());
  GroupQuery q;
  q.limit = 2;
  std::vector<std::string> seen;
  while (true) {
    auto page = store_.DescribeLogGroups(scope_, q);
    ASSERT_TRUE(page.ok());
    for (auto& g : page->groups) seen.push_back(g.name);
    if (!page->next) break;
    q.after = *page->next;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c/1", "c/2", "d"}));
  GroupQuery prefix;
  prefix.prefix = "c/";
  auto p = store_.DescribeLogGroups(scope_, prefix);
  ASSERT_EQ(p->groups.size(), 2u);
  EXPECT_EQ(p->groups[0].tags.at("k"), "c/1");
  GroupQuery pattern;
  pattern.pattern = "/2";
  EXPECT_EQ(store_.DescribeLogGroups(scope_, pattern)->groups.size(), 1u);
}

TEST_F(LogStoreTest, PutThenGetRoundTripsInTimestampOrderAcrossOverlappingChunks) {
  MakeStream("g", "s");
  int64_t t = Now() - 100000;
  PutOk("g", "s", {{t + 10, "a10"}, {t + 30, "a30"}, {t + 50, "a50"}});
  PutOk("g", "s", {{t + 20, "b20"}, {t + 40, "b40"}});
  PutOk("g", "s", {{t + 30, "c30"}});
  GetQuery q;
  q.forward = true;
  auto r = store_.GetLogEvents(scope_, "g", "s", q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Messages(r->events),
            (std::vector<std::string>{"a10", "b20", "a30", "c30", "b40", "a50"}));

  // Forward pages of two, then the end: the same token comes back.
  q.limit = 2;
  std::vector<std::string> paged;
  std::optional<Position> from;
  for (int i = 0; i < 10; ++i) {
    q.from = from;
    auto page = store_.GetLogEvents(scope_, "g", "s", q);
    ASSERT_TRUE(page.ok());
    for (auto& e : page->events) paged.push_back(e.message);
    if (from && page->forward == *from) break;
    from = page->forward;
  }
  EXPECT_EQ(paged, Messages(r->events));

  // From the tail (startFromHead false): the newest page, then backwards.
  GetQuery back;
  back.limit = 4;
  auto tail = store_.GetLogEvents(scope_, "g", "s", back);
  EXPECT_EQ(Messages(tail->events), (std::vector<std::string>{"a30", "c30", "b40", "a50"}));
  back.from = tail->backward;
  auto older = store_.GetLogEvents(scope_, "g", "s", back);
  EXPECT_EQ(Messages(older->events), (std::vector<std::string>{"a10", "b20"}));

  // Time window: start inclusive, end exclusive.
  GetQuery window;
  window.forward = true;
  window.start_time = t + 20;
  window.end_time = t + 40;
  EXPECT_EQ(Messages(store_.GetLogEvents(scope_, "g", "s", window)->events),
            (std::vector<std::string>{"b20", "a30", "c30"}));
}

TEST_F(LogStoreTest, PutLogEventsRules) {
  MakeStream("g", "s");
  ASSERT_TRUE(store_.PutRetentionPolicy(scope_, "g", 7).ok());
  int64_t now = Now();
  int64_t day = 86400000;
  // Expired (older than retention 7 d), too old (> 14 d) and too new (> 2 h ahead) are reported.
  auto r = PutOk("g", "s",
                 {{now - 15 * day, "old"},
                  {now - 8 * day, "expired"},
                  {now - 1000, "ok1"},
                  {now, "ok2"},
                  {now + 3 * 3600000LL, "new"}});
  EXPECT_EQ(r.too_old_end, 1u);
  EXPECT_EQ(r.expired_end, 2u);
  EXPECT_EQ(r.too_new_start, 4u);
  EXPECT_EQ(r.accepted, 2u);

  std::vector<InputEvent> unordered{{now, "b"}, {now - 1, "a"}};
  EXPECT_EQ(store_.PutLogEvents(scope_, "g", "s", unordered).status().aws_code(),
            "InvalidParameterException");
  std::vector<InputEvent> span{{now - 2 * day, "a"}, {now, "b"}};
  EXPECT_EQ(store_.PutLogEvents(scope_, "g", "s", span).status().aws_code(),
            "InvalidParameterException");
  std::vector<InputEvent> none;
  EXPECT_EQ(store_.PutLogEvents(scope_, "g", "s", none).status().aws_code(),
            "InvalidParameterException");
  std::vector<InputEvent> many(10001, InputEvent{now, "x"});
  EXPECT_EQ(store_.PutLogEvents(scope_, "g", "s", many).status().aws_code(),
            "InvalidParameterException");
  std::vector<InputEvent> max(10000, InputEvent{now, "x"});
  EXPECT_TRUE(store_.PutLogEvents(scope_, "g", "s", max).ok());
  // 1,048,576 bytes counting 26 per event: exactly at the limit passes, one byte more fails.
  std::string big(1048576 - 26 - 1 - 26, 'x');
  std::vector<InputEvent> at_limit{{now, big}, {now, "y"}};
  EXPECT_TRUE(store_.PutLogEvents(scope_, "g", "s", at_limit).ok());
  std::string bigger = big + "x";
  std::vector<InputEvent> over{{now, bigger}, {now, "y"}};
  EXPECT_EQ(store_.PutLogEvents(scope_, "g", "s", over).status().aws_code(),
            "InvalidParameterException");
  EXPECT_EQ(store_.PutLogEvents(scope_, "g", "nope", max).status().aws_code(),
            "ResourceNotFoundException");
}

TEST_F(LogStoreTest, FilterOrdersAcrossStreamsAndPagesSurviveIngestion) {
  MakeStream("g", "s1");
  MakeStream("g", "s2");
  int64_t t = Now() - 100000;
  PutOk("g", "s1",
        {{t + 1, "{\"n\":1,\"k\":\"x\"}"},
         {t + 3, "{\"n\":3,\"k\":\"y\"}"},
         {t + 5, "{\"n\":5,\"k\":\"x\"}"}});
  PutOk("g", "s2", {{t + 2, "{\"n\":2,\"k\":\"x\"}"}, {t + 4, "{\"n\":4,\"k\":\"x\"}"}});
  FilterQuery q;
  q.pattern = "{ $.k = \"x\" }";
  auto all = store_.FilterLogEvents(scope_, "g", q);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> streams;
  for (auto& e : all->events) streams.push_back(e.stream + ":" + std::to_string(e.timestamp - t));
  EXPECT_EQ(streams, (std::vector<std::string>{"s1:1", "s2:2", "s2:4", "s1:5"}));
  EXPECT_FALSE(all->next);

  q.limit = 2;
  auto first = store_.FilterLogEvents(scope_, "g", q);
  ASSERT_EQ(first->events.size(), 2u);
  ASSERT_TRUE(first->next);
  // New events arrive between pages: those after the token's position are seen.
  PutOk("g", "s2", {{t + 6, "{\"n\":6,\"k\":\"x\"}"}});
  q.after = first->next;
  q.limit = 100;
  auto rest = store_.FilterLogEvents(scope_, "g", q);
  std::vector<int64_t> ts;
  for (auto& e : rest->events) ts.push_back(e.timestamp - t);
  EXPECT_EQ(ts, (std::vector<int64_t>{4, 5, 6}));

  FilterQuery by_stream;
  by_stream.stream_names = {"s2"};
  by_stream.start_time = t + 3;
  by_stream.end_time = t + 4;  // inclusive
  auto s2 = store_.FilterLogEvents(scope_, "g", by_stream);
  ASSERT_EQ(s2->events.size(), 1u);
  EXPECT_EQ(s2->events[0].timestamp, t + 4);
  FilterQuery bad;
  bad.pattern = "{ $.x = ";
  EXPECT_EQ(store_.FilterLogEvents(scope_, "g", bad).status().aws_code(),
            "InvalidParameterException");
}

TEST_F(LogStoreTest, FilterMatchesMessagesWithLineBreaks) {
  MakeStream("g", "s");
  int64_t t = Now() - 1000;
  PutOk("g", "s", {{t, "first line\nERROR in second"}, {t + 1, "ERROR plain"}, {t + 2, "fine"}});
  FilterQuery q;
  q.pattern = "ERROR";
  auto r = store_.FilterLogEvents(scope_, "g", q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Messages(r->events),
            (std::vector<std::string>{"first line\nERROR in second", "ERROR plain"}));
}

TEST_F(LogStoreTest, RetentionSweepDeletesExpiredChunks) {
  MakeStream("g", "s");
  int64_t day = 86400000;
  PutOk("g", "s", {{Now() - 2 * day, "older"}});
  PutOk("g", "s", {{Now() - 1000, "newer"}});
  ASSERT_TRUE(store_.PutRetentionPolicy(scope_, "g", 1).ok());
  EXPECT_EQ(store_.PutRetentionPolicy(scope_, "g", 2).aws_code(), "InvalidParameterException");
  auto swept = store_.SweepRetention();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1u);
  GetQuery q;
  q.forward = true;
  EXPECT_EQ(Messages(store_.GetLogEvents(scope_, "g", "s", q)->events),
            (std::vector<std::string>{"newer"}));
  EXPECT_EQ(store_.GetLogGroup(scope_, "g")->stored_bytes, 5);
}

TEST_F(LogStoreTest, CompactionMergesSmallChunksAndKeepsOrderAndTokens) {
  MakeStream("g", "s");
  int64_t t = Now() - 100000;
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) {
    PutOk("g", "s", {{t + (i % 7), "m" + std::to_string(i)}});
  }
  GetQuery q;
  q.forward = true;
  auto before = store_.GetLogEvents(scope_, "g", "s", q);
  q.limit = 5;
  auto page = store_.GetLogEvents(scope_, "g", "s", q);
  auto merged = store_.Compact();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(*merged, 19u);
  q.limit = 10000;
  auto after = store_.GetLogEvents(scope_, "g", "s", q);
  EXPECT_EQ(Messages(after->events), Messages(before->events));
  q.from = page->forward;
  auto rest = store_.GetLogEvents(scope_, "g", "s", q);
  EXPECT_EQ(rest->events.size(), 15u);
  EXPECT_EQ(rest->events[0].message, before->events[5].message);
}

TEST_F(LogStoreTest, DataKeysAreCachedThenCheckedAgain) {
  ASSERT_TRUE(store_.CreateLogGroup(scope_, "g", "key-1", {}, "").ok());
  ASSERT_TRUE(store_.CreateLogStream(scope_, "g", "s").ok());
  PutOk("g", "s", {{Now(), "a"}});
  EXPECT_EQ(keys_.decrypts, 0);  // the key from CreateLogGroup is cached
  keys_.broken.insert("key-1");
  PutOk("g", "s", {{Now(), "b"}});  // still cached
  store_.DropKeyCache();
  std::vector<InputEvent> one{{Now(), "c"}};
  EXPECT_EQ(store_.PutLogEvents(scope_, "g", "s", one).status().aws_code(), "DisabledException");
  FilterQuery all;
  EXPECT_EQ(store_.FilterLogEvents(scope_, "g", all).status().aws_code(), "DisabledException");
  keys_.broken.clear();
  PutOk("g", "s", {{Now(), "c"}});
  // A new key applies to new data only; old chunks still need the old one.
  EXPECT_EQ(store_.AssociateKmsKey(scope_, "g", "key-2").code(), Code::kOk);
  PutOk("g", "s", {{Now(), "d"}});
  keys_.broken.insert("key-1");
  store_.DropKeyCache();
  EXPECT_EQ(store_.FilterLogEvents(scope_, "g", all).status().aws_code(), "DisabledException");
  keys_.broken.clear();
  EXPECT_EQ(store_.FilterLogEvents(scope_, "g", all)->events.size(), 4u);
  EXPECT_EQ(store_.GetLogGroup(scope_, "g")->kms_key_id, "key-2");
  keys_.broken.insert("key-3");
  EXPECT_EQ(store_.AssociateKmsKey(scope_, "g", "key-3").aws_code(), "AccessDeniedException");
  EXPECT_EQ(store_.GetLogGroup(scope_, "g")->kms_key_id, "key-2");
  ASSERT_TRUE(store_.DisassociateKmsKey(scope_, "g").ok());
  EXPECT_EQ(store_.GetLogGroup(scope_, "g")->kms_key_id, "");
}

TEST_F(LogStoreTest, NoPlaintextEventReachesAFile) {
  MakeStream("g", "s");
  std::string secret = "kiroku-unique-needle-8c1f2e";
  for (int i = 0; i < 50; ++i) PutOk("g", "s", {{Now(), secret + std::to_string(i)}});
  ASSERT_TRUE(store_.Compact().ok());
  db_.reset();  // flush and close
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.Sub("db"))) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("kiroku-unique-needle"), std::string::npos) << entry.path();
  }
}

TEST_F(LogStoreTest, DeletingAStreamOrGroupDeletesItsData) {
  MakeStream("g", "s");
  MakeStream("g", "t");
  PutOk("g", "s", {{Now(), "in s"}});
  PutOk("g", "t", {{Now(), "in t"}});
  ASSERT_TRUE(store_.DeleteLogStream(scope_, "g", "s").ok());
  EXPECT_EQ(store_.DeleteLogStream(scope_, "g", "s").aws_code(), "ResourceNotFoundException");
  FilterQuery all;
  EXPECT_EQ(Messages(store_.FilterLogEvents(scope_, "g", all)->events),
            (std::vector<std::string>{"in t"}));
  ASSERT_TRUE(store_.DeleteLogGroup(scope_, "g").ok());
  EXPECT_EQ(store_.GetLogGroup(scope_, "g").status().aws_code(), "ResourceNotFoundException");
  MakeStream("g", "t");
  EXPECT_TRUE(store_.FilterLogEvents(scope_, "g", all)->events.empty());
}

TEST_F(LogStoreTest, ChunksRejectAnotherKeyOrPlace) {
  auto key = crypto::SecretBytes::Random(32);
  std::vector<internal::ChunkEvent> events{{1, 2, 3, "hello"}, {4, 5, 6, "world"}};
  auto sealed = internal::SealChunk(key, "k1", events);
  ASSERT_TRUE(sealed.ok());
  auto opened = internal::OpenChunk(key, "k1", *sealed);
  ASSERT_TRUE(opened.ok());
  ASSERT_EQ(opened->events.size(), 2u);
  EXPECT_EQ(opened->events[1].message, "world");
  EXPECT_EQ(opened->events[1].eid, 6u);
  EXPECT_EQ(opened->lines, "hello\nworld\n");
  EXPECT_FALSE(internal::OpenChunk(key, "k2", *sealed).ok());
  EXPECT_FALSE(internal::OpenChunk(crypto::SecretBytes::Random(32), "k1", *sealed).ok());
}

}  // namespace
}  // namespace kiroku::logs
