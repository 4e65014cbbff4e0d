#include "trm/base/folder_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

using ::testing::HasSubstr;

std::string Dir(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

FolderLock::Options Named(const std::string& what, bool inheritable = false) {
  FolderLock::Options options;
  options.what = what;
  options.inheritable = inheritable;
  return options;
}

// Runs `body` in a child process and returns its exit status.
template <class Body>
int InChild(Body body) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(FolderLockTest, ASecondHolderIsRefusedWithTheFirstOnesPidAndHost) {
  const std::string dir = Dir("a/run");
  absl::StatusOr<std::unique_ptr<FolderLock>> lock =
      FolderLock::Acquire(dir, ".lock", Named("run folder"));
  ASSERT_TRUE(lock.ok()) << lock.status();
  EXPECT_TRUE(FolderLock::IsHeld(dir, ".lock"));
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  const std::string expected = "run folder " + dir + " is in use by pid " +
                               std::to_string(getpid()) + " on host " + host;
  EXPECT_EQ(InChild([&] {
              absl::StatusOr<std::unique_ptr<FolderLock>> other = FolderLock::Acquire(dir, ".lock");
              const std::string message(other.status().message());
              return !other.ok() && other.status().code() == absl::StatusCode::kUnavailable &&
                             message.find("is in use by pid " + std::to_string(getppid())) !=
                                 std::string::npos
                         ? 0
                         : 1;
            }),
            0);
  absl::StatusOr<std::unique_ptr<FolderLock>> again =
      FolderLock::Acquire(dir, ".lock", Named("run folder"));
  ASSERT_FALSE(again.ok());  // a second descriptor of this process conflicts too
  EXPECT_THAT(again.status().message(), HasSubstr(expected));
  lock->reset();
  EXPECT_FALSE(FolderLock::IsHeld(dir, ".lock"));
  EXPECT_TRUE(FolderLock::Acquire(dir, ".lock").ok());
}

TEST(FolderLockTest, AKilledHolderLeavesNoStaleLock) {
  const std::string dir = Dir("b");
  const pid_t holder = fork();
  if (holder == 0) {
    absl::StatusOr<std::unique_ptr<FolderLock>> lock = FolderLock::Acquire(dir, ".lock");
    if (!lock.ok()) _exit(1);
    pause();
    _exit(0);
  }
  while (!FolderLock::IsHeld(dir, ".lock")) usleep(1000);
  EXPECT_FALSE(FolderLock::Acquire(dir, ".lock").ok());
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  EXPECT_FALSE(FolderLock::IsHeld(dir, ".lock"));
  EXPECT_TRUE(FolderLock::Acquire(dir, ".lock").ok());
}

TEST(FolderLockTest, AnInheritableLockOutlivesItsCreatorInAChild) {
  const std::string dir = Dir("c");
  absl::StatusOr<std::unique_ptr<FolderLock>> lock =
      FolderLock::Acquire(dir, ".lock", Named("folder", /*inheritable=*/true));
  ASSERT_TRUE(lock.ok());
  const pid_t child = fork();
  if (child == 0) {
    execl("/bin/sleep", "sleep", "30", nullptr);
    _exit(127);
  }
  lock->reset();
  EXPECT_TRUE(FolderLock::IsHeld(dir, ".lock"));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_FALSE(FolderLock::IsHeld(dir, ".lock"));
}

}  // namespace
}  // namespace trm
