// The reference's ACTLossHead (spec §4): per-token cross entropy averaged over each row's valid
// tokens and summed over rows, plus the halting head's binary cross entropies; metrics are sums
// over the rows that halted in this step.
#ifndef PLUGINS_ACT_LOSS_ACT_LOSS_HEAD_H_
#define PLUGINS_ACT_LOSS_ACT_LOSS_HEAD_H_

#include "trm/config/experiment.pb.h"
#include "trm/model/loss_head.h"

namespace trm::act_loss {

class ActLossHead : public LossHead {
 public:
  // loss_type "stablemax_cross_entropy" (float64) or "softmax_cross_entropy" (float32); throws
  // std::invalid_argument naming loss.loss_type otherwise.
  explicit ActLossHead(const config::LossConfig& config);

  // loss = lm_loss + q_loss_weight · (q_halt_loss + q_continue_loss), where q_continue_loss is
  // present only when the model emitted target_q_continue.
  LossOutputs Compute(const ActCarry& carry, const ActOutputs& outputs) override;

 private:
  bool stablemax_;
  double q_loss_weight_;
};

}  // namespace trm::act_loss

#endif  // PLUGINS_ACT_LOSS_ACT_LOSS_HEAD_H_
