#include "trm/distributed/launcher.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace trm {
namespace {

const std::string kProbe = "trm/distributed/launcher_probe";

std::string TempDir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(LauncherTest, EveryWorkerGetsTheTorchrunEnvironment) {
  const std::string dir = TempDir("env");
  setenv("MASTER_PORT", "23456", 1);
  unsetenv("OMP_WAIT_POLICY");
  absl::StatusOr<int> status = LaunchLocalWorkers(kProbe, {dir, "-1", "0", "0"}, 3);
  unsetenv("MASTER_PORT");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, 0);
  for (int rank = 0; rank < 3; ++rank) {
    const std::string r = std::to_string(rank);
    EXPECT_EQ(ReadLine(dir + "/rank" + r + ".txt"), r + " " + r + " 3 127.0.0.1 23456 passive");
  }
}

TEST(LauncherTest, AFailingWorkerStopsTheOthers) {
  const std::string dir = TempDir("fail");
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<int> status = LaunchLocalWorkers(kProbe, {dir, "1", "7", "120"}, 3);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, 7);
  EXPECT_LT(elapsed, std::chrono::seconds(60));  // the sleepers were terminated
}

TEST(LauncherTest, MissingExecutableFails) {
  absl::StatusOr<int> status = LaunchLocalWorkers("/nonexistent/tool", {}, 2);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 127);
}

TEST(LauncherTest, ArgsWithoutFlagDropsBothSpellings) {
  const char* argv[] = {"tool", "--nproc_per_node=2", "--a=1", "--nproc_per_node", "3", "b"};
  EXPECT_EQ(ArgsWithoutFlag(6, const_cast<char**>(argv), "nproc_per_node"),
            (std::vector<std::string>{"--a=1", "b"}));
}

}  // namespace
}  // namespace trm
