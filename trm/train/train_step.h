// One optimizer step of the reference's training program (spec §6.4, Appendix A), independent of
// which architecture, loss, optimizers and schedule plugins are in use.
#ifndef TRM_TRAIN_TRAIN_STEP_H_
#define TRM_TRAIN_TRAIN_STEP_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "trm/distributed/communicator.h"
#include "trm/distributed/gradient_reducer.h"
#include "trm/model/architecture.h"
#include "trm/model/loss_head.h"
#include "trm/optim/optimizer.h"

namespace trm {

// An optimizer and the base learning rate its schedule scales.
struct ScheduledOptimizer {
  std::string role;  // "puzzle_emb" or "dense", names its state in checkpoints
  Optimizer* optimizer = nullptr;
  double base_lr = 0;
  // false: gradients are computed and reduced but not applied (train.freeze_weights).
  bool apply = true;
};

struct TrainStepOptions {
  int64_t global_batch_size = 0;
  bool nan_guard = true;
};

class TrainStep {
 public:
  // Nothing is owned; everything must outlive the TrainStep. `optimizers` are stepped in order.
  TrainStep(Architecture* model, LossHead* loss_head, std::vector<ScheduledOptimizer> optimizers,
            const LrSchedule* schedule, GradientReducer* reducer, Communicator* communicator,
            TrainStepOptions options);

  // Forward + loss + backward of `batch` (already on the model's device) with the persistent ACT
  // carry, gradient all-reduce, then every optimizer at schedule(base_lr, step). Returns the
  // reduced metrics ("train/lm_loss", ..., "train/lr"), the same on every rank.
  // FailedPrecondition (before any optimizer step, on every rank) if the loss or a gradient is not
  // finite; the message names the step, the tensor and the rank.
  absl::StatusOr<std::map<std::string, double>> Run(int64_t step, const Batch& batch);

  // The ACT carry that persists across steps (none before the first step).
  const std::optional<ActCarry>& carry() const { return carry_; }
  void set_carry(std::optional<ActCarry> carry) { carry_ = std::move(carry); }

 private:
  // Name of the first non-finite tensor among the loss and the local gradients, or "".
  std::string FirstNonFinite(const at::Tensor& loss) const;

  Architecture* model_;
  LossHead* loss_head_;
  std::vector<ScheduledOptimizer> optimizers_;
  const LrSchedule* schedule_;
  GradientReducer* reducer_;
  Communicator* communicator_;
  TrainStepOptions options_;
  std::vector<std::pair<std::string, at::Tensor>> parameters_;
  std::optional<ActCarry> carry_;
};

// Sums the per-rank metric sums over all ranks and normalises them as the reference does: keys
// ending in "loss" by the global batch size, the others by max(count, 1). Adds the "train/" prefix.
std::map<std::string, double> ReduceTrainMetrics(const std::map<std::string, at::Tensor>& local,
                                                 int64_t global_batch_size,
                                                 Communicator& communicator);

}  // namespace trm

#endif  // TRM_TRAIN_TRAIN_STEP_H_
