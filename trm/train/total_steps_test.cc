#include "trm/train/total_steps.h"

#include "gtest/gtest.h"

namespace trm {
namespace {

TEST(TotalStepsTest, ArcAgi2Recipe) {
  // Spec §1.3: int(1e5 * 1280 * 4.332593232186176 / 768) = 722,098.
  EXPECT_EQ(ReferenceTotalSteps(100000, 1280, 4.332593232186176, 768), 722098);
}

TEST(TotalStepsTest, TruncatesTowardZero) {
  EXPECT_EQ(ReferenceTotalSteps(3, 10, 1.0, 4), 7);  // 7.5
  EXPECT_EQ(ReferenceTotalSteps(1, 1, 0.5, 2), 0);
}

}  // namespace
}  // namespace trm
