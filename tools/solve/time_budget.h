// The solver's wall-clock plan: prediction must fit in what fine-tuning leaves of --time_budget.
#ifndef TOOLS_SOLVE_TIME_BUDGET_H_
#define TOOLS_SOLVE_TIME_BUDGET_H_

#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace trm {

// What predicting the test split will cost, measured before fine-tuning.
struct PredictionEstimate {
  double seconds_per_batch = 0;  // timed on the first test batches
  int64_t batches = 0;           // test batches of this rank
  int64_t model_bytes = 0;       // the state dict, for the final checkpoint's write and read
};

class TimeBudget {
 public:
  // Safety factor on the timed prediction (the first batches include warm-up, later ones may be
  // slower on a shared machine).
  static constexpr double kPredictionSafety = 1.25;
  // Checkpoint write + read, in bytes per second (the state dict about four times: weights, live
  // copy, two optimizer moments; written and read back).
  static constexpr double kCheckpointBytesPerSecond = 100e6;
  // Building the model again and setting up the evaluators between the two phases.
  static constexpr absl::Duration kSwitchOver = absl::Seconds(1);

  // `budget` = absl::InfiniteDuration(): no limit.
  TimeBudget(absl::Time start, absl::Duration budget) : start_(start), budget_(budget) {}

  bool limited() const { return budget_ != absl::InfiniteDuration(); }
  double Elapsed() const { return absl::ToDoubleSeconds(absl::Now() - start_); }

  // Prediction takes no batch after this: the budget's end less the finishing margin (the vote,
  // writing the submission). Infinite future without a limit.
  absl::Time PredictionDeadline() const;

  // Fine-tuning takes no step after this, so that the checkpoint and the whole prediction still
  // fit. In the past when they do not (then fine-tuning does no step).
  absl::Time FinetuneDeadline(const PredictionEstimate& estimate) const;

  // What stays after the last prediction batch: 2% of the budget, at least 2 s, at most 2 min.
  absl::Duration FinishingMargin() const;

 private:
  absl::Time start_;
  absl::Duration budget_;
};

}  // namespace trm

#endif  // TOOLS_SOLVE_TIME_BUDGET_H_
