// Loss plugins turn one ACT step's outputs into a differentiable loss and summed metrics (spec §4).
#ifndef TRM_MODEL_LOSS_HEAD_H_
#define TRM_MODEL_LOSS_HEAD_H_

#include <map>
#include <string>

#include "trm/config/experiment.pb.h"
#include "trm/model/architecture.h"
#include "trm/registry/registry.h"

namespace trm {

struct LossOutputs {
  // Scalar summed over rows (not divided by the batch size), differentiable.
  at::Tensor loss;
  // Detached scalars, summed over the local batch: count, accuracy, exact_accuracy,
  // q_halt_accuracy, steps, lm_loss, q_halt_loss (and q_continue_loss when present).
  std::map<std::string, at::Tensor> metrics;
  // int64 [B, S] argmax of the logits.
  at::Tensor preds;
};

class LossHead {
 public:
  virtual ~LossHead() = default;
  // `carry` is the carry returned by the step that produced `outputs`.
  virtual LossOutputs Compute(const ActCarry& carry, const ActOutputs& outputs) = 0;
};

TRM_DECLARE_REGISTRY(LossRegistry, LossHead, const config::LossConfig&);

}  // namespace trm

#endif  // TRM_MODEL_LOSS_HEAD_H_
