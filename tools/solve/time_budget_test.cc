#include "tools/solve/time_budget.h"

#include "gtest/gtest.h"

namespace trm {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'000'000);

TEST(TimeBudgetTest, UnlimitedNeverStops) {
  const TimeBudget budget(kStart, absl::InfiniteDuration());
  EXPECT_FALSE(budget.limited());
  EXPECT_EQ(budget.PredictionDeadline(), absl::InfiniteFuture());
  EXPECT_EQ(budget.FinetuneDeadline({1.0, 1000, 1 << 30}), absl::InfiniteFuture());
}

TEST(TimeBudgetTest, FinetuningLeavesTimeForCheckpointAndPrediction) {
  const TimeBudget budget(kStart, absl::Hours(12));
  EXPECT_TRUE(budget.limited());
  EXPECT_EQ(budget.FinishingMargin(), absl::Minutes(2));  // 2% of 12 h, capped
  EXPECT_EQ(budget.PredictionDeadline(), kStart + absl::Hours(12) - absl::Minutes(2));
  // 2000 batches of 1.2 s, times 1.25 = 50 min; 4 x 3 GB at 100 MB/s = 2 min; 1 s to switch.
  const PredictionEstimate estimate{1.2, 2000, 3'000'000'000};
  EXPECT_EQ(budget.FinetuneDeadline(estimate), budget.PredictionDeadline() - absl::Minutes(50) -
                                                   absl::Minutes(2) - absl::Seconds(1));
}

TEST(TimeBudgetTest, TinyBudgetLeavesNoFinetuning) {
  const TimeBudget budget(kStart, absl::Seconds(10));
  EXPECT_EQ(budget.FinishingMargin(), absl::Seconds(2));
  EXPECT_LT(budget.FinetuneDeadline({5.0, 4, 0}), kStart);
}

}  // namespace
}  // namespace trm
