// The S3 engine without HTTP: encrypted blobs (round trip, ranges, tampering, no plaintext on
// disk), bucket rules, listings with delimiters and continuation, multipart completion.
#include "s3/s3_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/encoding.h"
#include "crypto/checksum.h"
#include "crypto/hash.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::s3 {
namespace {

std::string ReadBlob(BlobStore& blobs, const std::string& id, const crypto::SecretBytes& key,
                     uint64_t size, uint64_t start, uint64_t end) {
  auto reader = blobs.Open(id, key.Copy(), size, start, end);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  std::string out;
  char buf[7777];  // deliberately not a divisor of the chunk size
  while (true) {
    auto n = (*reader)->Read(buf, sizeof(buf));
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
    out.append(buf, *n);
  }
  return out;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 1000) % 26);
  return s;
}

std::string FileContents(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class BlobStoreTest : public ::testing::Test {
 protected:
  kiroku::testing::TempDir dir_;
  std::unique_ptr<BlobStore> blobs_ = *BlobStore::Open(dir_.Sub("objects"));
};

TEST_F(BlobStoreTest, RoundTripsAcrossChunkBoundariesAndRanges) {
  crypto::SecretBytes key = crypto::SecretBytes::Random(32);
  std::string data = Pattern(kBlobChunkBytes * 2 + 12345);
  auto writer = blobs_->Create(key.Copy());
  ASSERT_TRUE(writer.ok());
  for (size_t pos = 0; pos < data.size(); pos += 100000) {
    ASSERT_TRUE((*writer)->Append(std::string_view(data).substr(pos, 100000)).ok());
  }
  ASSERT_TRUE((*writer)->Commit().ok());
  std::string id = (*writer)->id();
  EXPECT_EQ((*writer)->size(), data.size());
  EXPECT_EQ(ReadBlob(*blobs_, id, key, data.size(), 0, data.size()), data);
  uint64_t a = kBlobChunkBytes - 10, b = kBlobChunkBytes * 2 + 5;
  EXPECT_EQ(ReadBlob(*blobs_, id, key, data.size(), a, b), data.substr(a, b - a));
  EXPECT_EQ(ReadBlob(*blobs_, id, key, data.size(), data.size() - 1, data.size()),
            data.substr(data.size() - 1));
}

TEST_F(BlobStoreTest, StoresNoPlaintextAndDetectsTampering) {
  crypto::SecretBytes key = crypto::SecretBytes::Random(32);
  std::string secret = "THE-PLAINTEXT-MARKER-" + std::string(5000, 'x');
  auto writer = blobs_->Create(key.Copy());
  ASSERT_TRUE((*writer)->Append(secret).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  std::string id = (*writer)->id();
  std::filesystem::path file = std::filesystem::path(dir_.Sub("objects")) / id.substr(0, 2) / id;
  std::string on_disk = FileContents(file);
  EXPECT_EQ(on_disk.size(), secret.size() + 16);
  EXPECT_EQ(on_disk.find("PLAINTEXT-MARKER"), std::string::npos);
  EXPECT_EQ(on_disk.find("xxxxxxxx"), std::string::npos);

  // A wrong key or a flipped bit fails authentication instead of returning bytes.
  auto wrong = blobs_->Open(id, crypto::SecretBytes::Random(32), secret.size(), 0, secret.size());
  char buf[64];
  EXPECT_FALSE((*wrong)->Read(buf, sizeof(buf)).ok());
  on_disk[100] ^= 1;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << on_disk;
  auto tampered = blobs_->Open(id, key.Copy(), secret.size(), 0, secret.size());
  EXPECT_FALSE((*tampered)->Read(buf, sizeof(buf)).ok());
}

TEST_F(BlobStoreTest, UncommittedWriterLeavesNothing) {
  {
    auto writer = blobs_->Create(crypto::SecretBytes::Random(32));
    ASSERT_TRUE((*writer)->Append("partial").ok());
  }
  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.Sub("objects"))) {
    files += e.is_regular_file();
  }
  EXPECT_EQ(files, 0u);
}

class S3StoreTest : public ::testing::Test {
 protected:
  S3StoreTest()
      : db_(*store::RocksStore::Open(dir_.Sub("db"), {"meta"})),
        blobs_(*BlobStore::Open(dir_.Sub("objects"))),
        store_(*db_, *blobs_, clock_) {}

  BucketRecord Bucket(std::string name, std::string account = "111122223333") {
    BucketRecord b;
    b.name = std::move(name);
    b.account = std::move(account);
    b.region = "ap-northeast-1";
    return b;
  }

  // Stores an object of `size` pattern bytes (no real encryption key bookkeeping needed here).
  Segment PutBlob(size_t size) {
    auto writer = blobs_->Create(crypto::SecretBytes::Random(32));
    EXPECT_TRUE((*writer)->Append(Pattern(size)).ok());
    EXPECT_TRUE((*writer)->Commit().ok());
    Segment s;
    s.blob = (*writer)->id();
    s.size = size;
    s.sse = "AES256";
    return s;
  }

  void PutKey(const std::string& bucket, const std::string& key) {
    ObjectRecord o;
    o.key = key;
    o.segments.push_back(PutBlob(3));
    o.size = 3;
    o.etag = "\"x\"";
    ASSERT_TRUE(store_.PutObject(bucket, o).ok());
  }

  kiroku::testing::TempDir dir_;
  kiroku::testing::FakeClock clock_;
  std::unique_ptr<store::RocksStore> db_;
  std::unique_ptr<BlobStore> blobs_;
  S3Store store_;
};

TEST(BucketNames, FollowS3Rules) {
  for (const char* good : {"abc", "my-bucket.logs", "a1-b2", "cloudtrail-627061731860"}) {
    EXPECT_TRUE(ValidateBucketName(good).ok()) << good;
  }
  for (const char* bad : {"ab", "Upper", "under_score", "-start", "end-", "a..b", "192.168.1.1",
                          "xn--punycode", "ends-s3alias", "a.-b"}) {
    Status s = ValidateBucketName(bad);
    EXPECT_EQ(s.aws_code(), "InvalidBucketName") << bad;
  }
  EXPECT_FALSE(ValidateBucketName(std::string(64, 'a')).ok());
}

TEST_F(S3StoreTest, BucketOwnershipAndEmptiness) {
  ASSERT_TRUE(store_.CreateBucket(Bucket("logs-bucket")).ok());
  EXPECT_EQ(store_.CreateBucket(Bucket("logs-bucket")).aws_code(), "BucketAlreadyOwnedByYou");
  EXPECT_EQ(store_.CreateBucket(Bucket("logs-bucket", "999988887777")).aws_code(),
            "BucketAlreadyExists");
  EXPECT_EQ(store_.GetBucket("nope-bucket").status().aws_code(), "NoSuchBucket");
  PutKey("logs-bucket", "a");
  EXPECT_EQ(store_.DeleteBucket("logs-bucket").aws_code(), "BucketNotEmpty");
  ASSERT_TRUE(*store_.DeleteObject("logs-bucket", "a"));
  EXPECT_FALSE(*store_.DeleteObject("logs-bucket", "a"));
  EXPECT_TRUE(store_.DeleteBucket("logs-bucket").ok());
  EXPECT_EQ(store_.DeleteBucket("logs-bucket").aws_code(), "NoSuchBucket");
}

TEST_F(S3StoreTest, ListsWithPrefixDelimiterAndContinuation) {
  ASSERT_TRUE(store_.CreateBucket(Bucket("list-bucket")).ok());
  for (const char* k : {"AWSLogs/1/a.json", "AWSLogs/1/b.json", "AWSLogs/2/c.json", "AWSLogs/top",
                        "other", "AWSLogs0"}) {
    PutKey("list-bucket", k);
  }
  ListOptions o;
  o.prefix = "AWSLogs/";
  o.delimiter = "/";
  auto r = store_.ListObjects("list-bucket", o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->common_prefixes, (std::vector<std::string>{"AWSLogs/1/", "AWSLogs/2/"}));
  ASSERT_EQ(r->objects.size(), 1u);
  EXPECT_EQ(r->objects[0].key, "AWSLogs/top");
  EXPECT_FALSE(r->truncated);

  // Page by one: each page resumes after the previous key or common prefix.
  o.max_keys = 1;
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    auto p = store_.ListObjects("list-bucket", o);
    ASSERT_TRUE(p.ok());
    for (auto& c : p->common_prefixes) seen.push_back(c);
    for (auto& obj : p->objects) seen.push_back(obj.key);
    if (!p->truncated) break;
    o.start_after = p->next_marker;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"AWSLogs/1/", "AWSLogs/2/", "AWSLogs/top"}));

  ListOptions all;
  auto everything = store_.ListObjects("list-bucket", all);
  ASSERT_EQ(everything->objects.size(), 6u);
  EXPECT_EQ(everything->objects.front().key, "AWSLogs/1/a.json");
  EXPECT_EQ(everything->objects.back().key, "other");
}

TEST_F(S3StoreTest, MultipartEtagPartRulesAndCleanup) {
  ASSERT_TRUE(store_.CreateBucket(Bucket("mpu-bucket")).ok());
  UploadRecord upload;
  upload.upload_id = "upload-1";
  upload.key = "big";
  ASSERT_TRUE(store_.CreateUpload("mpu-bucket", upload).ok());
  const uint64_t five_mib = 5 * 1024 * 1024;
  std::vector<std::pair<uint32_t, std::string>> chosen;
  std::string md5s;
  for (uint32_t n : {1u, 2u, 3u}) {
    PartRecord part;
    part.number = n;
    part.segment = PutBlob(n == 3 ? 10 : five_mib);
    std::string md5 = HexEncode(crypto::Sha256("part" + std::to_string(n))).substr(0, 32);
    part.etag = "\"" + md5 + "\"";
    ASSERT_TRUE(store_.PutPart("mpu-bucket", "big", "upload-1", part).ok());
    if (n != 2) {
      chosen.emplace_back(n, part.etag);
      md5s += *HexDecode(md5);
    }
  }
  EXPECT_EQ(
      store_.CompleteUpload("mpu-bucket", "big", "upload-1", {{2, "\"nope\""}}).status().aws_code(),
      "InvalidPart");
  EXPECT_EQ(store_.CompleteUpload("mpu-bucket", "big", "upload-1", {chosen[1], chosen[0]})
                .status()
                .aws_code(),
            "InvalidPartOrder");
  EXPECT_EQ(store_.CompleteUpload("mpu-bucket", "big", "upload-1", {chosen[0], {4, "\"x\""}})
                .status()
                .aws_code(),
            "InvalidPart");
  auto done = store_.CompleteUpload("mpu-bucket", "big", "upload-1", chosen);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  crypto::Md5Hasher md5;
  md5.Update(md5s);
  EXPECT_EQ(done->etag, "\"" + HexEncode(md5.Finish()) + "-2\"");
  EXPECT_EQ(done->size, five_mib + 10);
  EXPECT_EQ(done->segments.size(), 2u);
  EXPECT_EQ(store_.GetUpload("mpu-bucket", "big", "upload-1").status().aws_code(), "NoSuchUpload");
  EXPECT_TRUE(store_.ListParts("upload-1")->empty());
  // The unused part's blob is gone; the used ones remain.
  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.Sub("objects"))) {
    files += e.is_regular_file();
  }
  EXPECT_EQ(files, 2u);
}

TEST_F(S3StoreTest, SmallNonLastPartIsTooSmall) {
  ASSERT_TRUE(store_.CreateBucket(Bucket("mpu-small")).ok());
  UploadRecord upload;
  upload.upload_id = "u";
  upload.key = "k";
  ASSERT_TRUE(store_.CreateUpload("mpu-small", upload).ok());
  for (uint32_t n : {1u, 2u}) {
    PartRecord part;
    part.number = n;
    part.segment = PutBlob(100);
    part.etag = "\"00\"";
    ASSERT_TRUE(store_.PutPart("mpu-small", "k", "u", part).ok());
  }
  EXPECT_EQ(store_.CompleteUpload("mpu-small", "k", "u", {{1, "\"00\""}, {2, "\"00\""}})
                .status()
                .aws_code(),
            "EntityTooSmall");
  EXPECT_TRUE(store_.AbortUpload("mpu-small", "k", "u").ok());
  EXPECT_EQ(store_.AbortUpload("mpu-small", "k", "u").aws_code(), "NoSuchUpload");
}

// Issue 15 item 8: checksums are kept with objects and parts, records written before them read
// back without one, and a completed upload gets S3's composite checksum.
TEST_F(S3StoreTest, ChecksumsAreKeptAndComposedAndOldRecordsReadBack) {
  ASSERT_TRUE(store_.CreateBucket(Bucket("sum-bucket")).ok());
  PutKey("sum-bucket", "old");  // no checksum members at all, as records written before
  auto old = store_.GetObject("sum-bucket", "old");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->checksum_algorithm, "");
  EXPECT_EQ(old->checksum, "");
  ObjectRecord o;
  o.key = "new";
  o.segments.push_back(PutBlob(3));
  o.size = 3;
  o.etag = "\"x\"";
  o.checksum_algorithm = "CRC32";
  o.checksum = "AAAAAA==";
  o.checksum_type = "FULL_OBJECT";
  ASSERT_TRUE(store_.PutObject("sum-bucket", o).ok());
  auto got = store_.GetObject("sum-bucket", "new");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->checksum_algorithm, "CRC32");
  EXPECT_EQ(got->checksum, "AAAAAA==");
  EXPECT_EQ(got->checksum_type, "FULL_OBJECT");

  for (const char* algorithm : {"SHA256", "CRC64NVME"}) {
    UploadRecord upload;
    upload.upload_id = std::string("u-") + algorithm;
    upload.key = "mp";
    upload.object.checksum_algorithm = algorithm;
    ASSERT_TRUE(store_.CreateUpload("sum-bucket", upload).ok());
    std::string raw_parts, whole;
    std::vector<std::pair<uint32_t, std::string>> chosen;
    for (uint32_t n : {1u, 2u}) {
      PartRecord part;
      part.number = n;
      size_t size = n == 1 ? 5 * 1024 * 1024 : 10;
      part.segment = PutBlob(size);
      part.etag = "\"00\"";
      whole += Pattern(size);
      std::string raw =
          crypto::ComputeChecksum(*crypto::ParseChecksumAlgorithm(algorithm), Pattern(size));
      raw_parts += raw;
      part.checksum_algorithm = algorithm;
      part.checksum = Base64Encode(raw);
      ASSERT_TRUE(store_.PutPart("sum-bucket", "mp", upload.upload_id, part).ok());
      chosen.emplace_back(n, part.etag);
    }
    auto parts = store_.ListParts(upload.upload_id);
    ASSERT_TRUE(parts.ok());
    ASSERT_EQ(parts->size(), 2u);
    EXPECT_EQ((*parts)[0].checksum_algorithm, algorithm);
    EXPECT_EQ((*parts)[1].checksum, Base64Encode(crypto::ComputeChecksum(
                                        *crypto::ParseChecksumAlgorithm(algorithm), Pattern(10))));
    auto done = store_.CompleteUpload("sum-bucket", "mp", upload.upload_id, chosen);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    if (std::string(algorithm) == "SHA256") {
      EXPECT_EQ(done->checksum, Base64Encode(crypto::ComputeChecksum(
                                    crypto::ChecksumAlgorithm::kSha256, raw_parts)) +
                                    "-2");
      EXPECT_EQ(done->checksum_type, "COMPOSITE");
      EXPECT_EQ(done->checksum_algorithm, "SHA256");
    } else {
      // CRC64NVME is a full-object checksum: the parts' CRCs combined into the CRC of the
      // whole object.
      EXPECT_EQ(done->checksum, Base64Encode(crypto::ComputeChecksum(
                                    crypto::ChecksumAlgorithm::kCrc64Nvme, whole)));
      EXPECT_EQ(done->checksum_type, "FULL_OBJECT");
    }
    EXPECT_EQ(store_.GetObject("sum-bucket", "mp")->checksum, done->checksum);
  }
}

}  // namespace
}  // namespace kiroku::s3
