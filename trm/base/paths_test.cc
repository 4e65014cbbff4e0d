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
class ResolveConfiguredDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(std::getenv("TEST_TMPDIR")) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_ / "ws" / "trm");
    fs::create_directories(root_ / "ws" / "tasks");
    std::FILE* f = std::fopen((root_ / "ws" / "WORKSPACE").c_str(), "w");
    std::fclose(f);
    previous_ = fs::current_path();
    fs::current_path(root_);
    for (const char* name : {"BUILD_WORKSPACE_DIRECTORY", "BUILD_WORKING_DIRECTORY"}) unsetenv(name);
  }
  void TearDown() override { fs::current_path(previous_); }

  absl::StatusOr<std::string> Resolve(const std::string& flag, const std::string& config) {
    return ResolveConfiguredDir("--task_dir", flag, "data.task_dir", config);
  }

  fs::path root_, previous_;
};

TEST_F(ResolveConfiguredDirTest, NeitherSetIsEmpty) { EXPECT_EQ(*Resolve("", ""), ""); }

TEST_F(ResolveConfiguredDirTest, FlagWinsAndIsRelativeToTheUsersFolder) {
  fs::create_directories(root_ / "user" / "flag");
  setenv("BUILD_WORKING_DIRECTORY", (root_ / "user").c_str(), 1);
  setenv("BUILD_WORKSPACE_DIRECTORY", (root_ / "ws").c_str(), 1);
  EXPECT_EQ(*Resolve("flag", "tasks"), root_ / "user" / "flag");
}

TEST_F(ResolveConfiguredDirTest, ConfigIsRelativeToTheWorkspaceWhereverTheToolRuns) {
  setenv("BUILD_WORKSPACE_DIRECTORY", (root_ / "ws").c_str(), 1);
  EXPECT_EQ(*Resolve("", "tasks"), root_ / "ws" / "tasks");
  unsetenv("BUILD_WORKSPACE_DIRECTORY");
  fs::current_path(root_ / "ws" / "trm");  // found by walking up to WORKSPACE
  EXPECT_EQ(fs::canonical(*Resolve("", "tasks")), fs::canonical(root_ / "ws" / "tasks"));
}

TEST_F(ResolveConfiguredDirTest, ConfigRelativeToTheCurrentFolder) {
  // Under `bazel test` the current folder is the runfiles tree, which holds the shipped tasks.
  fs::create_directories(root_ / "my_tasks");
  const absl::StatusOr<std::string> dir = Resolve("", "my_tasks");
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(fs::canonical(*dir), fs::canonical(root_ / "my_tasks"));
}

TEST_F(ResolveConfiguredDirTest, MissingFoldersThatAreSetAreOneLineErrorsNamingThem) {
  const absl::StatusOr<std::string> flag = Resolve("nowhere", "tasks");
  ASSERT_FALSE(flag.ok());
  EXPECT_THAT(flag.status().message(), HasSubstr("--task_dir=nowhere: no such folder"));
  const absl::StatusOr<std::string> config = Resolve("", "no/such/folder");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(),
              AllOf(HasSubstr("data.task_dir 'no/such/folder'"), HasSubstr("searched")));
  EXPECT_EQ(config.status().message().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace trm
