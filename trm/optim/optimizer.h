// Optimizer and learning-rate schedule plugins (spec §5.2, §6.1-§6.3).
#ifndef TRM_OPTIM_OPTIMIZER_H_
#define TRM_OPTIM_OPTIMIZER_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "trm/config/experiment.pb.h"
#include "trm/distributed/communicator.h"
#include "trm/model/architecture.h"
#include "trm/registry/registry.h"

namespace trm {

// What an optimizer updates: dense parameters (by name), the sparse puzzle embedding, or both.
struct OptimizerTarget {
  std::vector<std::pair<std::string, at::Tensor>> parameters;
  std::optional<SparseEmbeddingState> sparse_embedding;
  // Collectives for optimizers that exchange data between ranks; never null.
  Communicator* communicator = nullptr;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update with learning rate `lr` (the schedule's value for this step).
  virtual void Step(double lr) = 0;
  // Forgets the gradients of every target tensor.
  virtual void ZeroGrad() = 0;
  // Everything needed to continue bit-exactly (moments, step counters), by stable names.
  virtual std::vector<std::pair<std::string, at::Tensor>> StateTensors() const = 0;
  virtual absl::Status LoadStateTensors(const std::map<std::string, at::Tensor>& state) = 0;
};

TRM_DECLARE_REGISTRY(OptimizerRegistry, Optimizer, const config::OptimizerConfig&,
                     const OptimizerTarget&);

class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  // Learning rate at optimizer step `step` (1-based: the first update uses step 1).
  virtual double LearningRate(double base_lr, int64_t step) const = 0;
};

// Created from the schedule config and the run's total number of optimizer steps.
TRM_DECLARE_REGISTRY(LrScheduleRegistry, LrSchedule, const config::LrScheduleConfig&, int64_t);

}  // namespace trm

#endif  // TRM_OPTIM_OPTIMIZER_H_
