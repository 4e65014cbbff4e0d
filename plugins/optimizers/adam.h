// Element-wise Adam optimizers over dense parameters (spec §6.1, §6.2): AdamATan2 as the
// reference's `adam_atan2` package computes it, and AdamW. Both keep, per parameter, a float32 step
// counter and first/second moments of the parameter's dtype. CPU tensors are updated in one fused
// host pass per tensor, tensors on other devices by a short sequence of ATen ops.
#ifndef PLUGINS_OPTIMIZERS_ADAM_H_
#define PLUGINS_OPTIMIZERS_ADAM_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "trm/config/experiment.pb.h"
#include "trm/optim/optimizer.h"
#include "trm/optim/parameter_groups.h"

namespace trm::plugins {

class AdamOptimizer : public Optimizer {
 public:
  enum class Rule {
    // theta -= lr/bc1 * atan2(m, sqrt(v)/sqrt(bc2)): no epsilon, no a/b constants.
    kAtan2,
    // theta -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps).
    kAdamW,
  };

  enum class Implementation {
    // The host loop for CPU tensors (the reference kernel's rounding), ATen ops elsewhere.
    kByDevice,
    // ATen ops on every device; lets tests run the accelerator path on CPU tensors.
    kTensorOps,
  };

  // The parameter groups must resolve (the trainer checks with ResolveParameterGroups first);
  // otherwise this throws c10::Error naming the group.
  AdamOptimizer(Rule rule, const config::OptimizerConfig& config, const OptimizerTarget& target,
                Implementation implementation = Implementation::kByDevice);

  void Step(double lr) override;
  void ZeroGrad() override;
  // "<param>.step", "<param>.exp_avg", "<param>.exp_avg_sq" for every parameter.
  std::vector<std::pair<std::string, at::Tensor>> StateTensors() const override;
  absl::Status LoadStateTensors(const std::map<std::string, at::Tensor>& state) override;

 private:
  struct ParameterState {
    std::string name;
    at::Tensor param;
    at::Tensor step;  // float32 scalar, as the reference keeps it
    at::Tensor exp_avg;
    at::Tensor exp_avg_sq;
    ParameterSettings settings;
  };

  void UpdateOne(ParameterState& state, const at::Tensor& grad, double lr);

  Rule rule_;
  Implementation implementation_;
  double beta1_;
  double beta2_;
  double eps_;
  std::vector<ParameterState> states_;
};

}  // namespace trm::plugins

#endif  // PLUGINS_OPTIMIZERS_ADAM_H_
