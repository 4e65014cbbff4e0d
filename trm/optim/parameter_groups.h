// Parameter groups of the dense optimizers (spec §6.1): parameters whose name matches a group's
// regex get that group's learning rate and weight decay.
#ifndef TRM_OPTIM_PARAMETER_GROUPS_H_
#define TRM_OPTIM_PARAMETER_GROUPS_H_

#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "absl/status/statusor.h"
#include "trm/config/experiment.pb.h"

namespace trm {

struct ParameterSettings {
  // Group lr / optimizer lr: schedules are linear in the base lr, so scaling the scheduled value
  // equals scheduling the group's own base lr.
  double lr_scale = 1.0;
  double weight_decay = 0.0;
};

// The settings of every parameter, in order; the first matching group wins, unmatched parameters
// use the optimizer's own lr and weight decay. Fails on a bad regex, a negative value, or a group
// lr when the optimizer's lr is 0.
absl::StatusOr<std::vector<ParameterSettings>> ResolveParameterGroups(
    const config::OptimizerConfig& config,
    const std::vector<std::pair<std::string, at::Tensor>>& parameters);

}  // namespace trm

#endif  // TRM_OPTIM_PARAMETER_GROUPS_H_
