#include "trm/train/checkpoint_dir.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace trm {
namespace {

namespace fs = std::filesystem;

std::string FreshDir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  fs::remove_all(dir);
  return dir;
}

void Save(const CheckpointDir& dir, int64_t step, const std::string& content) {
  absl::StatusOr<std::string> staging = dir.BeginStaging(step);
  ASSERT_TRUE(staging.ok()) << staging.status();
  std::ofstream(*staging + "/file") << content;
  ASSERT_TRUE(dir.Commit(step).ok());
}

TEST(CheckpointDirTest, OnlyCommittedCheckpointsCount) {
  CheckpointDir dir(FreshDir("commit"));
  auto latest = dir.Latest();
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
  Save(dir, 5, "five");
  Save(dir, 12, "twelve");
  ASSERT_TRUE(dir.BeginStaging(20).ok());  // a run killed while writing step 20
  auto steps = dir.CompletedSteps();
  ASSERT_TRUE(steps.ok());
  EXPECT_EQ(*steps, (std::vector<int64_t>{5, 12}));
  latest = dir.Latest();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ(**latest, dir.root() + "/step_12");
  ASSERT_TRUE(dir.RemoveStaging().ok());
  EXPECT_FALSE(fs::exists(dir.StagingPathFor(20)));
}

TEST(CheckpointDirTest, RecommittingAStepReplacesIt) {
  CheckpointDir dir(FreshDir("replace"));
  Save(dir, 3, "old");
  Save(dir, 3, "new");
  std::ifstream in(dir.PathFor(3) + "/file");
  std::string content;
  in >> content;
  EXPECT_EQ(content, "new");
  EXPECT_FALSE(fs::exists(dir.PathFor(3) + ".old.tmp"));
}

TEST(CheckpointDirTest, PruneKeepsTheNewest) {
  CheckpointDir dir(FreshDir("prune"));
  for (int64_t step : {1, 2, 10, 30}) Save(dir, step, "x");
  ASSERT_TRUE(dir.Prune(2).ok());
  EXPECT_EQ(*dir.CompletedSteps(), (std::vector<int64_t>{10, 30}));
  ASSERT_TRUE(dir.Prune(0).ok());
  EXPECT_EQ(dir.CompletedSteps()->size(), 2u);
}

}  // namespace
}  // namespace trm
