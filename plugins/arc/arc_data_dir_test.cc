#include "plugins/arc/arc_data_dir.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm::arc {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

// Each test runs in a fresh folder holding a workspace (WORKSPACE + trm/) with
// shared/data/arc beside it, and none of the lookup variables set.
class ResolveArcTaskDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(std::getenv("TEST_TMPDIR")) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_ / "ws" / "trm");
    std::FILE* f = std::fopen((root_ / "ws" / "WORKSPACE").c_str(), "w");
    std::fclose(f);
    fs::create_directories(root_ / "shared" / "data" / "arc");
    previous_ = fs::current_path();
    fs::current_path(root_ / "ws" / "trm");
    for (const char* name : {"TRM_ARC_DIR", "BUILD_WORKSPACE_DIRECTORY", "BUILD_WORKING_DIRECTORY"})
      unsetenv(name);
  }
  void TearDown() override { fs::current_path(previous_); }

  fs::path root_, previous_;
};

TEST_F(ResolveArcTaskDirTest, AFolderTheToolResolvedWins) {
  setenv("TRM_ARC_DIR", "/no/such/arc", 1);
  EXPECT_EQ(*ResolveArcTaskDir("/given"), "/given");
}

TEST_F(ResolveArcTaskDirTest, EnvironmentThenSharedDataBesideTheWorkspace) {
  fs::create_directories(root_ / "env");
  setenv("TRM_ARC_DIR", (root_ / "env").c_str(), 1);
  EXPECT_EQ(*ResolveArcTaskDir(""), root_ / "env");
  unsetenv("TRM_ARC_DIR");
  const absl::StatusOr<std::string> dir = ResolveArcTaskDir("");
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(fs::canonical(*dir), fs::canonical(root_ / "shared" / "data" / "arc"));
}

TEST_F(ResolveArcTaskDirTest, NothingFoundNamesWhereItLookedAndHowToGetTheFiles) {
  fs::remove_all(root_ / "shared");
  const absl::StatusOr<std::string> dir = ResolveArcTaskDir("");
  ASSERT_FALSE(dir.ok());
  EXPECT_THAT(dir.status().message(),
              AllOf(HasSubstr("--task_dir"), HasSubstr("TRM_ARC_DIR"),
                    HasSubstr("tools/download_arc_data.sh"),
                    HasSubstr((root_ / "shared" / "data" / "arc").string())));
  EXPECT_EQ(dir.status().message().find('\n'), std::string::npos);
  setenv("TRM_ARC_DIR", "/no/such/arc", 1);
  EXPECT_THAT(ResolveArcTaskDir("").status().message(), HasSubstr("$TRM_ARC_DIR=/no/such/arc"));
}

}  // namespace
}  // namespace trm::arc
