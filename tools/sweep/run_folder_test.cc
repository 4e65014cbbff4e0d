#include "tools/sweep/run_folder.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace trm::sweep {
namespace {

std::string NewFolder(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(RunFolderTest, RecordsRoundTripAndAFolderWithoutOneIsPending) {
  const RunFolder folder(NewFolder("a"));
  absl::StatusOr<RunRecord> empty = folder.Read();
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->state, RunState::kPending);
  RunRecord record;
  record.state = RunState::kFailed;
  record.attempts = 2;
  record.exit_code = 1;
  record.executor = "slurm:12";
  record.wall_seconds = 3.5;
  record.error = "rank 1 failed: boom";
  std::filesystem::create_directories(folder.path());
  ASSERT_TRUE(folder.Write(record).ok());
  absl::StatusOr<RunRecord> read = folder.Read();
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->state, RunState::kFailed);
  EXPECT_EQ(read->attempts, 2);
  EXPECT_EQ(read->executor, "slurm:12");
  EXPECT_EQ(read->wall_seconds, 3.5);
  EXPECT_EQ(read->error, "rank 1 failed: boom");

  std::ofstream(folder.record_path()) << "{\"state\": \"sleeping\"}";
  EXPECT_EQ(folder.Read().status().code(), absl::StatusCode::kDataLoss);
}

TEST(RunFolderTest, TheLockExcludesOthersAndDiesWithItsHolder) {
  const RunFolder folder(NewFolder("b"));
  absl::StatusOr<std::unique_ptr<FolderLock>> lock = folder.Lock();
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(folder.IsLocked());
  absl::StatusOr<std::unique_ptr<FolderLock>> second = folder.Lock();
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);

  // A record left "running" by a process that is gone reads as stopped; while the lock is held
  // it reads as running.
  RunRecord record;
  record.state = RunState::kRunning;
  ASSERT_TRUE(folder.Write(record).ok());
  EXPECT_EQ(folder.Read()->state, RunState::kRunning);
  lock->reset();
  EXPECT_FALSE(folder.IsLocked());
  EXPECT_EQ(folder.Read()->state, RunState::kStopped);

  // A child inherits the lock and holds it until it exits, even when killed.
  lock = folder.Lock();
  ASSERT_TRUE(lock.ok()) << lock.status();
  const pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  lock->reset();
  EXPECT_TRUE(folder.IsLocked());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_FALSE(folder.IsLocked());
}

}  // namespace
}  // namespace trm::sweep
