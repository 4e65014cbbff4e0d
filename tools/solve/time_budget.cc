#include "tools/solve/time_budget.h"

#include <algorithm>

namespace trm {

absl::Duration TimeBudget::FinishingMargin() const {
  return std::clamp(budget_ * 0.02, absl::Seconds(2), absl::Minutes(2));
}

absl::Time TimeBudget::PredictionDeadline() const {
  if (!limited()) return absl::InfiniteFuture();
  return start_ + budget_ - FinishingMargin();
}

absl::Time TimeBudget::FinetuneDeadline(const PredictionEstimate& estimate) const {
  if (!limited()) return absl::InfiniteFuture();
  const absl::Duration prediction =
      absl::Seconds(estimate.seconds_per_batch * static_cast<double>(estimate.batches) *
                    kPredictionSafety);
  const absl::Duration checkpoint =
      absl::Seconds(4.0 * static_cast<double>(estimate.model_bytes) / kCheckpointBytesPerSecond);
  return PredictionDeadline() - prediction - checkpoint - kSwitchOver;
}

}  // namespace trm
