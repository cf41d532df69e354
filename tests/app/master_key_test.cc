// The master key file: created 0600 on first start, refused when the group or others may read
// it, and never silently re-created for a data dir that already holds a store.
#include "app/master_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "testing/temp_dir.h"

namespace kiroku::app {
namespace {

namespace fs = std::filesystem;

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

TEST(MasterKeyTest, CreatedOnFirstStartWithMode0600AndReadBack) {
  kiroku::testing::TempDir dir;
  fs::path path = fs::path(dir.path()) / "keys" / "master.key";
  fs::create_directories(path.parent_path());
  ::umask(022);
  auto created = LoadMasterKey(path, /*store_exists=*/false);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(fs::file_size(path), 32u);
  auto again = LoadMasterKey(path, /*store_exists=*/true);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->view(), created->view());
}

TEST(MasterKeyTest, GroupOrWorldAccessIsRefused) {
  kiroku::testing::TempDir dir;
  fs::path path = fs::path(dir.path()) / "master.key";
  ASSERT_TRUE(LoadMasterKey(path, false).ok());
  for (mode_t mode : {0640u, 0604u, 0620u, 0644u, 0660u}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto refused = LoadMasterKey(path, true);
    ASSERT_FALSE(refused.ok()) << std::oct << mode;
    EXPECT_NE(refused.status().message().find("chmod 600"), std::string::npos)
        << refused.status().message();
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(LoadMasterKey(path, true).ok());
}

TEST(MasterKeyTest, MissingKeyForAnExistingStoreIsRefusedNotRecreated) {
  kiroku::testing::TempDir dir;
  fs::path data = fs::path(dir.path()) / "data";
  fs::create_directories(data / "db");
  EXPECT_FALSE(StoreExists(data));
  std::ofstream(data / "db" / "CURRENT") << "MANIFEST-000001\n";
  EXPECT_TRUE(StoreExists(data));
  fs::path path = fs::path(dir.path()) / "elsewhere.key";
  auto refused = LoadMasterKey(path, StoreExists(data));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("already holds a store"), std::string::npos)
      << refused.status().message();
  EXPECT_FALSE(fs::exists(path));
}

TEST(MasterKeyTest, WrongSizeAndNonRegularFilesAreRefused) {
  kiroku::testing::TempDir dir;
  fs::path path = fs::path(dir.path()) / "short.key";
  std::ofstream(path) << "too short";
  ::chmod(path.c_str(), 0600);
  auto refused = LoadMasterKey(path, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("exactly 32 bytes"), std::string::npos);
  fs::path folder = fs::path(dir.path()) / "folder.key";
  fs::create_directories(folder);
  ::chmod(folder.c_str(), 0700);
  EXPECT_FALSE(LoadMasterKey(folder, false).ok());
}

}  // namespace
}  // namespace kiroku::app
