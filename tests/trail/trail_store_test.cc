#include "trail/trail_store.h"

#include <gtest/gtest.h>

#include "store/rocks_store.h"
#include "testing/temp_dir.h"

namespace kiroku::trail {
namespace {

constexpr std::string_view kAccount = "111122223333";

TrailConfig Trail(std::string name, std::string region, bool multi = false) {
  TrailConfig t;
  t.account_id = std::string(kAccount);
  t.name = std::move(name);
  t.home_region = std::move(region);
  t.s3_bucket = "bucket";
  t.multi_region = multi;
  return t;
}

class TrailStoreTest : public ::testing::Test {
 protected:
  TrailStoreTest() : db_(*store::RocksStore::Open(dir_.Sub("db"), {"meta"})), trails_(*db_) {}

  testing::TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  TrailStore trails_;
};

TEST_F(TrailStoreTest, NamesAreTakenInEveryRegionATrailCovers) {
  ASSERT_TRUE(trails_.Create(Trail("single", "us-east-1")).ok());
  // Another region may reuse a single-region trail's name...
  EXPECT_TRUE(trails_.Create(Trail("single", "eu-west-1")).ok());
  // ...but not a multi-region trail's, nor become multi-region over an existing name.
  ASSERT_TRUE(trails_.Create(Trail("everywhere", "us-east-1", true)).ok());
  EXPECT_EQ(trails_.Create(Trail("everywhere", "eu-west-1")).aws_code(),
            "TrailAlreadyExistsException");
  EXPECT_EQ(trails_.Create(Trail("single", "ap-northeast-1", true)).aws_code(),
            "TrailAlreadyExistsException");
  TrailConfig grow = *trails_.Get(kAccount, "eu-west-1", "single");
  grow.multi_region = true;
  EXPECT_EQ(trails_.Update(grow).aws_code(), "TrailAlreadyExistsException");

  auto shadow = trails_.Find(kAccount, "sa-east-1", "everywhere");
  ASSERT_TRUE(shadow.ok());
  EXPECT_EQ(shadow->home_region, "us-east-1");
  EXPECT_EQ(trails_.Find(kAccount, "sa-east-1", "single").status().message(),
            "Unknown trail: single for the user: 111122223333");
  EXPECT_TRUE(
      trails_.Find(kAccount, "sa-east-1", "arn:aws:cloudtrail:eu-west-1:111122223333:trail/single")
          .ok());
  EXPECT_EQ(trails_.Visible(kAccount, "sa-east-1", true)->size(), 1u);
  EXPECT_EQ(trails_.Visible(kAccount, "sa-east-1", false)->size(), 0u);
}

TEST_F(TrailStoreTest, FiveTrailsPerRegionShadowsIncluded) {
  ASSERT_TRUE(trails_.Create(Trail("multi", "us-west-2", true)).ok());
  for (std::string name : {"t0", "t1", "t2", "t3"}) {
    ASSERT_TRUE(trails_.Create(Trail(name, "us-east-1")).ok());
  }
  EXPECT_EQ(trails_.Create(Trail("t4", "us-east-1")).aws_code(),
            "MaximumNumberOfTrailsExceededException");
  ASSERT_TRUE(trails_.Create(Trail("other", "eu-west-1")).ok());
  // A fifth trail elsewhere cannot become multi-region: us-east-1 is full.
  TrailConfig grow = *trails_.Get(kAccount, "eu-west-1", "other");
  grow.multi_region = true;
  EXPECT_EQ(trails_.Update(grow).aws_code(), "MaximumNumberOfTrailsExceededException");
  // Updating a multi-region trail does not count it twice.
  TrailConfig multi = *trails_.Get(kAccount, "us-west-2", "multi");
  multi.log_file_validation = true;
  EXPECT_TRUE(trails_.Update(multi).ok());
}

TEST_F(TrailStoreTest, ModifyIsReadModifyWriteAndMayRefuse) {
  ASSERT_TRUE(trails_.Create(Trail("m", "us-east-1")).ok());
  uint64_t before = trails_.generation();
  auto changed = trails_.Modify(kAccount, "us-east-1", "m", [](TrailConfig& t) {
    t.tags.emplace_back("k", "v");
    return Status::Ok();
  });
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->tags.size(), 1u);
  EXPECT_GT(trails_.generation(), before);
  EXPECT_EQ(trails_.Get(kAccount, "us-east-1", "m")->tags.size(), 1u);

  auto refused = trails_.Modify(kAccount, "us-east-1", "m", [](TrailConfig& t) {
    t.tags.clear();
    return Status::InvalidArgument("no").WithAwsCode("InvalidTagParameterException");
  });
  EXPECT_EQ(refused.status().aws_code(), "InvalidTagParameterException");
  EXPECT_EQ(trails_.Get(kAccount, "us-east-1", "m")->tags.size(), 1u);
  EXPECT_EQ(
      trails_.Modify(kAccount, "us-east-1", "missing", [](TrailConfig&) { return Status::Ok(); })
          .status()
          .aws_code(),
      "TrailNotFoundException");
}

}  // namespace
}  // namespace kiroku::trail
