#include "trm/base/paths.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

// Each test runs in a fresh folder with none of the lookup variables set.
class ResolveArcDataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(std::getenv("TEST_TMPDIR")) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_);
    previous_ = fs::current_path();
    fs::current_path(root_);
    for (const char* name : {"TRM_ARC_DIR", "BUILD_WORKSPACE_DIRECTORY", "BUILD_WORKING_DIRECTORY"})
      unsetenv(name);
  }
  void TearDown() override { fs::current_path(previous_); }

  // <root>/ws is a workspace (WORKSPACE + trm/) with <root>/shared/data/arc beside it.
  void MakeWorkspaceWithSharedData() {
    fs::create_directories(root_ / "ws" / "trm");
    fs::create_directories(root_ / "ws" / "third_party" / "arc_sample");
    std::FILE* f = std::fopen((root_ / "ws" / "WORKSPACE").c_str(), "w");
    std::fclose(f);
    fs::create_directories(root_ / "shared" / "data" / "arc");
  }

  fs::path root_, previous_;
};

const auto kNamesEveryWayToGetTheFiles = AllOf(HasSubstr("--arc_dir"), HasSubstr("TRM_ARC_DIR"),
                                               HasSubstr("tools/download_arc_data.sh"));

TEST_F(ResolveArcDataDirTest, NothingFoundNamesWhereItLookedAndHowToGetTheFiles) {
  MakeWorkspaceWithSharedData();
  fs::remove_all(root_ / "shared");
  fs::current_path(root_ / "ws");
  const absl::StatusOr<std::string> dir = ResolveArcDataDir("");
  ASSERT_FALSE(dir.ok());
  EXPECT_THAT(dir.status().message(), kNamesEveryWayToGetTheFiles);
  EXPECT_THAT(dir.status().message(), HasSubstr((root_ / "shared" / "data" / "arc").string()));
  EXPECT_EQ(dir.status().message().find('\n'), std::string::npos);
}

TEST_F(ResolveArcDataDirTest, SharedDataBesideTheWorkspaceIsTheDefault) {
  MakeWorkspaceWithSharedData();
  fs::current_path(root_ / "ws" / "trm");
  const absl::StatusOr<std::string> dir = ResolveArcDataDir("");
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(fs::canonical(*dir), fs::canonical(root_ / "shared" / "data" / "arc"));
}

TEST_F(ResolveArcDataDirTest, FlagThenConfigThenEnvironment) {
  MakeWorkspaceWithSharedData();
  fs::create_directories(root_ / "env");
  fs::create_directories(root_ / "flag");
  setenv("TRM_ARC_DIR", (root_ / "env").c_str(), 1);
  setenv("BUILD_WORKSPACE_DIRECTORY", (root_ / "ws").c_str(), 1);
  EXPECT_EQ(*ResolveArcDataDir(root_ / "flag", "third_party/arc_sample"), root_ / "flag");
  // A relative data.task_dir is taken from the workspace root, wherever the tool runs.
  EXPECT_EQ(*ResolveArcDataDir("", "third_party/arc_sample"),
            root_ / "ws" / "third_party" / "arc_sample");
  EXPECT_EQ(*ResolveArcDataDir(""), root_ / "env");
}

TEST_F(ResolveArcDataDirTest, ConfigRelativeToTheCurrentFolder) {
  // Under `bazel test` the current folder is the runfiles tree, which holds the shipped tasks.
  fs::create_directories(root_ / "my_tasks");
  const absl::StatusOr<std::string> dir = ResolveArcDataDir("", "my_tasks");
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(fs::canonical(*dir), fs::canonical(root_ / "my_tasks"));
}

TEST_F(ResolveArcDataDirTest, MissingSourcesThatAreSetAreErrorsNamingThem) {
  const absl::StatusOr<std::string> flag = ResolveArcDataDir("nowhere");
  ASSERT_FALSE(flag.ok());
  EXPECT_THAT(flag.status().message(),
              AllOf(HasSubstr("--arc_dir=nowhere"), HasSubstr("tools/download_arc_data.sh")));
  const absl::StatusOr<std::string> config = ResolveArcDataDir("", "no/such/folder");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("data.task_dir 'no/such/folder'"));
  setenv("TRM_ARC_DIR", "/no/such/arc", 1);
  const absl::StatusOr<std::string> env = ResolveArcDataDir("");
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.status().message(), HasSubstr("$TRM_ARC_DIR=/no/such/arc"));
}

}  // namespace
}  // namespace trm
