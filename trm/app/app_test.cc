#include "trm/app/app.h"

#include <stdexcept>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

// A tool that lets an exception escape after InitTool (from a thread: gtest would catch one thrown
// in the death-test statement itself).
void ToolThatThrows() {
  char name[] = "app_test";
  char* argv[] = {name, nullptr};
  InitTool(1, argv, "usage");
  std::thread([] { throw std::runtime_error("boom\nsecond line"); }).join();
}

TEST(AppDeathTest, AnEscapingExceptionIsOneLineAndExitStatusOne) {
  EXPECT_EXIT(ToolThatThrows(), ::testing::ExitedWithCode(1), "^error: boom\n$");
}

TEST(AppTest, CheckDeviceNamesWhatIsWrong) {
  EXPECT_TRUE(CheckDevice("cpu").ok());
  EXPECT_THAT(std::string(CheckDevice("gpu7").message()), ::testing::HasSubstr("device 'gpu7'"));
  EXPECT_THAT(std::string(CheckDevice("cuda:7").message()),
              ::testing::HasSubstr("device 'cuda:7'"));
}

}  // namespace
}  // namespace trm
