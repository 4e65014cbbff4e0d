#include "plugins/schedules/warmup_cosine.h"

#include <cmath>

#include "gtest/gtest.h"

namespace trm::plugins {
namespace {

TEST(WarmupCosineTest, ReferenceDefaultIsWarmupThenConstant) {
  config::LrScheduleConfig config;  // warmup 2000, lr_min_ratio 1.0
  WarmupCosine schedule(config, 722098);
  EXPECT_DOUBLE_EQ(schedule.LearningRate(1e-4, 1), 1e-4 / 2000);
  EXPECT_DOUBLE_EQ(schedule.LearningRate(1e-4, 1000), 0.5e-4);
  EXPECT_DOUBLE_EQ(schedule.LearningRate(1e-4, 2000), 1e-4);
  EXPECT_DOUBLE_EQ(schedule.LearningRate(1e-4, 500000), 1e-4);
  EXPECT_DOUBLE_EQ(schedule.LearningRate(1e-2, 1), 5e-6);
}

TEST(WarmupCosineTest, CosineFallsToTheFloor) {
  config::LrScheduleConfig config;
  config.set_warmup_steps(10);
  config.set_lr_min_ratio(0.1);
  WarmupCosine schedule(config, 110);
  EXPECT_DOUBLE_EQ(schedule.LearningRate(1.0, 10), 1.0);
  // Half-way through the decay: 0.1 + 0.9 * 0.5 * (1 + cos(pi / 2)).
  EXPECT_NEAR(schedule.LearningRate(1.0, 60), 0.1 + 0.45, 1e-12);
  EXPECT_NEAR(schedule.LearningRate(1.0, 110), 0.1, 1e-12);
  EXPECT_NEAR(schedule.LearningRate(1.0, 35), 0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * 0.25)), 1e-12);
}

TEST(WarmupCosineTest, ZeroWarmupStartsAtTheBase) {
  config::LrScheduleConfig config;
  config.set_warmup_steps(0);
  WarmupCosine schedule(config, 100);
  EXPECT_DOUBLE_EQ(schedule.LearningRate(3.0, 1), 3.0);
}

}  // namespace
}  // namespace trm::plugins
