#include "trm/train/checkpoint_dir.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/base/file_util.h"

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

TEST(ChecksumFileTest, CatchesTruncationAndBitFlipsAndAcceptsFilesWithoutOne) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/weights.bin";
  std::string bytes(10000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok());
  EXPECT_TRUE(VerifyChecksumFile(path).ok());  // no checksum yet: older checkpoints load as before
  ASSERT_TRUE(WriteChecksumFile(path).ok());
  EXPECT_TRUE(VerifyChecksumFile(path).ok());

  std::string flipped = bytes;
  flipped[1234] ^= 1;
  ASSERT_TRUE(WriteFileAtomically(path, flipped).ok());
  absl::Status status = VerifyChecksumFile(path);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("(corrupted)"));

  ASSERT_TRUE(WriteFileAtomically(path, bytes.substr(0, 5000)).ok());
  status = VerifyChecksumFile(path);
  EXPECT_THAT(std::string(status.message()),
              ::testing::HasSubstr("5000 bytes, 10000 when written (truncated?)"));

  ASSERT_TRUE(WriteFileAtomically(path + ".crc32c", "nonsense").ok());
  EXPECT_THAT(std::string(VerifyChecksumFile(path).message()),
              ::testing::HasSubstr("not a checksum file"));
}

}  // namespace
}  // namespace trm
