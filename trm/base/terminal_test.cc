#include "trm/base/terminal.h"

#include <cstdio>
#include <cstdlib>

#include "gtest/gtest.h"

namespace trm {
namespace {

TEST(WantsColorTest, NeverForAFileOrWhenNoColorIsSet) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  unsetenv("NO_COLOR");
  EXPECT_FALSE(WantsColor(file));
  std::fclose(file);
  // A pseudo-terminal is not available under `bazel test`; $NO_COLOR wins over any stream.
  setenv("NO_COLOR", "1", 1);
  EXPECT_FALSE(WantsColor(stderr));
}

}  // namespace
}  // namespace trm
