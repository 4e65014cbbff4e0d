#include "trm/train/train_step.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace trm {

TrainStep::TrainStep(Architecture* model, LossHead* loss_head,
                     std::vector<ScheduledOptimizer> optimizers, const LrSchedule* schedule,
                     GradientReducer* reducer, Communicator* communicator, TrainStepOptions options)
    : model_(model),
      loss_head_(loss_head),
      optimizers_(std::move(optimizers)),
      schedule_(schedule),
      reducer_(reducer),
      communicator_(communicator),
      options_(options) {
  for (const auto& item : model_->named_parameters(/*recurse=*/true)) {
    parameters_.emplace_back(item.key(), item.value());
  }
}

std::string TrainStep::FirstNonFinite(const at::Tensor& loss) const {
  if (!at::isfinite(loss).all().item<bool>()) return "loss";
  for (const auto& [name, param] : parameters_) {
    const at::Tensor& grad = param.grad();
    if (grad.defined() && !at::isfinite(grad).all().item<bool>()) return "grad of " + name;
  }
  if (std::optional<SparseEmbeddingState> sparse = model_->SparseEmbedding()) {
    const at::Tensor& grad = sparse->local_weights.grad();
    if (grad.defined() && !at::isfinite(grad).all().item<bool>()) {
      return "grad of the puzzle embedding";
    }
  }
  return "";
}

std::map<std::string, double> ReduceTrainMetrics(const std::map<std::string, at::Tensor>& local,
                                                 int64_t global_batch_size,
                                                 Communicator& communicator) {
  // One collective for all metrics, in sorted key order (std::map) as the reference stacks them.
  std::vector<at::Tensor> values;
  for (const auto& [key, value] : local)
    values.push_back(value.detach().to(at::kDouble).reshape({}));
  std::vector<at::Tensor> stacked = {at::stack(values).cpu()};
  communicator.AllReduceSum(stacked);
  const auto* sums = stacked[0].data_ptr<double>();
  double count = 0;
  size_t i = 0;
  for (const auto& [key, value] : local) {
    if (key == "count") count = sums[i];
    ++i;
  }
  std::map<std::string, double> metrics;
  i = 0;
  for (const auto& [key, value] : local) {
    const double divisor =
        absl::EndsWith(key, "loss") ? static_cast<double>(global_batch_size) : std::max(count, 1.0);
    metrics["train/" + key] = sums[i++] / divisor;
  }
  return metrics;
}

absl::StatusOr<std::map<std::string, double>> TrainStep::Run(int64_t step, const Batch& batch) {
  model_->train();
  if (!carry_.has_value()) carry_ = model_->InitialCarry(batch);
  auto [new_carry, outputs] = model_->Forward(*carry_, batch);
  LossOutputs loss = loss_head_->Compute(new_carry, outputs);
  carry_ = std::move(new_carry);
  (loss.loss / static_cast<double>(options_.global_batch_size)).backward();

  if (options_.nan_guard) {
    // Every rank learns about a bad tensor anywhere, so that all stop before any update.
    const std::vector<std::string> bad = communicator_->AllGatherBytes(FirstNonFinite(loss.loss));
    for (size_t rank = 0; rank < bad.size(); ++rank) {
      if (bad[rank].empty()) continue;
      for (const ScheduledOptimizer& entry : optimizers_) entry.optimizer->ZeroGrad();
      return absl::FailedPreconditionError(
          absl::StrCat("step ", step, ": non-finite ", bad[rank], " on rank ", rank,
                       "; stopped before the optimizer step (the last checkpoint is intact)"));
    }
  }
  reducer_->AllReduceGradients();
  double lr = 0;
  for (const ScheduledOptimizer& entry : optimizers_) {
    lr = schedule_->LearningRate(entry.base_lr, step);
    if (entry.apply) entry.optimizer->Step(lr);
    entry.optimizer->ZeroGrad();
  }
  std::map<std::string, double> metrics =
      ReduceTrainMetrics(loss.metrics, options_.global_batch_size, *communicator_);
  metrics["train/lr"] = lr;  // the last optimizer's, as the reference logs it
  return metrics;
}

}  // namespace trm
