#include "trm/logging/run_logger.h"

#include <cstdlib>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/base/file_util.h"

namespace trm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string TempDir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

std::string ReadAll(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) text.append(buffer, n);
  return text;
}

TEST(RunLoggerTest, PlainLinesEveryLogEveryStepsAndJsonLinesEveryStep) {
  std::FILE* console = std::tmpfile();
  RunLoggerOptions options;
  options.dir = TempDir("plain");
  options.log_every = 2;
  options.total_steps = 4;
  options.console = console;
  options.is_terminal = false;
  {
    auto logger = RunLogger::Create(options);
    ASSERT_TRUE(logger.ok()) << logger.status();
    for (int step = 1; step <= 4; ++step) {
      ASSERT_TRUE((*logger)->LogTrain(step, {{"train/lm_loss", 1.0 / step}, {"train/accuracy", 0.5}}).ok());
    }
    ASSERT_TRUE((*logger)->LogEval(4, {{"ARC/pass@2", 0.25}}).ok());
  }
  const std::string text = ReadAll(console);
  // Means over the last 2 steps: loss (1 + 1/2) / 2.
  EXPECT_THAT(text, HasSubstr("step 2/4 (50.0%) | loss 0.7500 | acc 0.5000"));
  EXPECT_THAT(text, HasSubstr("step 4/4 (100.0%)"));
  EXPECT_THAT(text, Not(HasSubstr("step 1/4")));
  EXPECT_THAT(text, Not(HasSubstr("\r")));
  EXPECT_THAT(text, HasSubstr("eval at step 4 | ARC/pass@2 0.2500"));

  auto jsonl = ReadFileToString(options.dir + "/metrics.jsonl");
  ASSERT_TRUE(jsonl.ok());
  EXPECT_EQ(std::count(jsonl->begin(), jsonl->end(), '\n'), 5);
  EXPECT_THAT(*jsonl, HasSubstr("{\"step\":3,"));
  EXPECT_THAT(*jsonl, HasSubstr("\"ARC/pass@2\":0.25"));
  EXPECT_FALSE(std::filesystem::is_empty(options.dir + "/tensorboard"));
}

TEST(RunLoggerTest, TerminalShowsABarThatRedrawsInPlace) {
  std::FILE* console = std::tmpfile();
  RunLoggerOptions options;
  options.total_steps = 10;
  options.console = console;
  options.is_terminal = true;
  {
    auto logger = RunLogger::Create(options);
    ASSERT_TRUE(logger.ok());
    ASSERT_TRUE((*logger)->LogTrain(1, {{"train/lm_loss", 2.0}}).ok());
    ASSERT_TRUE((*logger)->LogTrain(5, {{"train/lm_loss", 1.0}}).ok());
    (*logger)->Info("hello");
  }
  const std::string text = ReadAll(console);
  EXPECT_THAT(text, HasSubstr("\r\033[K[############............] step 5/10 (50.0%) | loss 1.5000"));
  EXPECT_THAT(text, HasSubstr("steps/s | ETA "));
  EXPECT_THAT(text, HasSubstr("\nhello\n"));
}

TEST(RunLoggerTest, ResumeDropsLaterMetricsAndTornLines) {
  RunLoggerOptions options;
  options.dir = TempDir("resume");
  options.console = std::tmpfile();
  options.tensorboard = false;
  {
    auto logger = RunLogger::Create(options);
    ASSERT_TRUE(logger.ok());
    for (int step = 1; step <= 5; ++step) {
      ASSERT_TRUE((*logger)->LogTrain(step, {{"train/lm_loss", 1.0}}).ok());
    }
  }
  {  // a kill in the middle of a line
    std::FILE* f = std::fopen((options.dir + "/metrics.jsonl").c_str(), "a");
    std::fputs("{\"step\":6,\"train/lm", f);
    std::fclose(f);
  }
  options.resumed_at_step = 3;
  {
    auto logger = RunLogger::Create(options);
    ASSERT_TRUE(logger.ok()) << logger.status();
    ASSERT_TRUE((*logger)->LogTrain(4, {{"train/lm_loss", 0.5}}).ok());
  }
  auto jsonl = ReadFileToString(options.dir + "/metrics.jsonl");
  ASSERT_TRUE(jsonl.ok());
  EXPECT_EQ(std::count(jsonl->begin(), jsonl->end(), '\n'), 4);
  EXPECT_THAT(*jsonl, HasSubstr("{\"step\":4,"));
  EXPECT_THAT(*jsonl, HasSubstr("\"train/lm_loss\":0.5"));
  EXPECT_THAT(*jsonl, Not(HasSubstr("\"step\":5")));
}

TEST(RunLoggerTest, PerRowMetricsAverageOnlyStepsWithHaltedRows) {
  std::FILE* console = std::tmpfile();
  RunLoggerOptions options;
  options.log_every = 3;
  options.console = console;
  options.is_terminal = false;
  {
    auto logger = RunLogger::Create(options);
    ASSERT_TRUE(logger.ok());
    ASSERT_TRUE((*logger)->LogTrain(1, {{"train/count", 0}, {"train/accuracy", 0}, {"train/lm_loss", 3}}).ok());
    ASSERT_TRUE((*logger)->LogTrain(2, {{"train/count", 1}, {"train/accuracy", 0.8}, {"train/lm_loss", 2}}).ok());
    ASSERT_TRUE((*logger)->LogTrain(3, {{"train/count", 0}, {"train/accuracy", 0}, {"train/lm_loss", 1}}).ok());
  }
  EXPECT_THAT(ReadAll(console), HasSubstr("step 3 | loss 2.0000 | acc 0.8000"));
}

TEST(RunLoggerTest, FormatDuration) {
  EXPECT_EQ(RunLogger::FormatDuration(3723.4), "1:02:03");
  EXPECT_EQ(RunLogger::FormatDuration(-1), "?");
}

}  // namespace
}  // namespace trm
