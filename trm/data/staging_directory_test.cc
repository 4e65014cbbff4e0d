#include "trm/data/staging_directory.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path TestDir(const std::string& name) {
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void Touch(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(StagingDirectoryTest, NothingAppearsBeforeCommit) {
  const fs::path root = TestDir("commit");
  const fs::path out = root / "dataset";
  {
    auto staging = StagingDirectory::Create(out.string(), false);
    ASSERT_TRUE(staging.ok()) << staging.status();
    Touch(fs::path((*staging)->path()) / "a.txt", "new");
    EXPECT_FALSE(fs::exists(out));
    ASSERT_TRUE((*staging)->Commit().ok());
  }
  EXPECT_EQ(Slurp(out / "a.txt"), "new");
  EXPECT_EQ(std::distance(fs::directory_iterator(root), fs::directory_iterator()), 1);
}

TEST(StagingDirectoryTest, AbandonedBuildLeavesNothing) {
  const fs::path root = TestDir("abandon");
  {
    auto staging = StagingDirectory::Create((root / "dataset").string(), false);
    ASSERT_TRUE(staging.ok());
    Touch(fs::path((*staging)->path()) / "half.npy", "x");
  }
  EXPECT_TRUE(fs::is_empty(root));
}

TEST(StagingDirectoryTest, ExistingOutputNeedsOverwrite) {
  const fs::path root = TestDir("overwrite");
  const fs::path out = root / "dataset";
  fs::create_directories(out);
  Touch(out / "old.txt", "old");
  auto refused = StagingDirectory::Create(out.string(), false);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("already exists"));
  EXPECT_EQ(Slurp(out / "old.txt"), "old");

  auto staging = StagingDirectory::Create(out.string(), true);
  ASSERT_TRUE(staging.ok()) << staging.status();
  Touch(fs::path((*staging)->path()) / "new.txt", "new");
  EXPECT_EQ(Slurp(out / "old.txt"), "old");  // untouched until the commit
  ASSERT_TRUE((*staging)->Commit().ok());
  EXPECT_FALSE(fs::exists(out / "old.txt"));
  EXPECT_EQ(Slurp(out / "new.txt"), "new");
  EXPECT_EQ(std::distance(fs::directory_iterator(root), fs::directory_iterator()), 1);
}

TEST(StagingDirectoryTest, CommitRefusesAnOutputThatAppearedMeanwhile) {
  const fs::path root = TestDir("race");
  const fs::path out = root / "dataset";
  auto staging = StagingDirectory::Create(out.string(), false);
  ASSERT_TRUE(staging.ok());
  fs::create_directories(out);
  const absl::Status status = (*staging)->Commit();
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
}

TEST(StagingDirectoryTest, RemovesLeftoversOfDeadProcesses) {
  const fs::path root = TestDir("leftovers");
  // A pid that cannot exist (above the kernel's pid_max of 4194304).
  const fs::path dead = root / ".dataset.partial-99999999-0";
  const fs::path alive = root / (".dataset.partial-" + std::to_string(getpid()) + "-77");
  fs::create_directories(dead);
  fs::create_directories(alive);
  auto staging = StagingDirectory::Create((root / "dataset").string(), false);
  ASSERT_TRUE(staging.ok());
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(alive));
}

TEST(StagingDirectoryTest, MissingParentIsAnError) {
  auto staging = StagingDirectory::Create("/nonexistent/parent/dataset", false);
  ASSERT_FALSE(staging.ok());
  EXPECT_THAT(std::string(staging.status().message()), HasSubstr("does not exist"));
}

}  // namespace
}  // namespace trm
