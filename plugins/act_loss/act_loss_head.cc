#include "plugins/act_loss/act_loss_head.h"

#include <stdexcept>

#include "trm/model/batch.h"
#include "trm/nn/cross_entropy.h"
#include "trm/plugin/plugin_api.h"

namespace trm::act_loss {

ActLossHead::ActLossHead(const config::LossConfig& config)
    : stablemax_(config.loss_type() == "stablemax_cross_entropy"),
      q_loss_weight_(config.q_loss_weight()) {
  if (!stablemax_ && config.loss_type() != "softmax_cross_entropy") {
    throw std::invalid_argument("loss.loss_type: unknown '" + config.loss_type() +
                                "' (expected stablemax_cross_entropy or softmax_cross_entropy)");
  }
}

LossOutputs ActLossHead::Compute(const ActCarry& carry, const ActOutputs& outputs) {
  const at::Tensor& labels = carry.current_data.labels;
  const at::Tensor mask = labels.ne(kIgnoreLabel);
  const at::Tensor counts = mask.sum(-1);
  const at::Tensor divisor = counts.clamp_min(1).unsqueeze(-1);

  LossOutputs result;
  at::Tensor seq_is_correct;
  {
    at::NoGradGuard no_grad;
    result.preds = outputs.logits.argmax(-1);
    const at::Tensor is_correct = mask & result.preds.eq(labels);
    seq_is_correct = is_correct.sum(-1).eq(counts);
    // Metrics look only at rows that halted in this step and have something to predict.
    const at::Tensor valid = carry.halted & counts.gt(0);
    const at::Tensor token_accuracy = (is_correct.to(at::kFloat) / divisor).sum(-1);
    result.metrics["count"] = valid.sum();
    result.metrics["accuracy"] =
        at::where(valid, token_accuracy, at::zeros_like(token_accuracy)).sum();
    result.metrics["exact_accuracy"] = (valid & seq_is_correct).sum();
    result.metrics["q_halt_accuracy"] =
        (valid & outputs.q_halt_logits.ge(0).eq(seq_is_correct)).sum();
    result.metrics["steps"] = at::where(valid, carry.steps, at::zeros_like(carry.steps)).sum();
  }

  const at::Tensor token_loss = stablemax_ ? nn::StablemaxCrossEntropy(outputs.logits, labels, mask)
                                           : nn::SoftmaxCrossEntropy(outputs.logits, labels, mask);
  const at::Tensor lm_loss = (token_loss / divisor).sum();
  const at::Tensor q_halt_loss = at::binary_cross_entropy_with_logits(
      outputs.q_halt_logits, seq_is_correct.to(outputs.q_halt_logits.scalar_type()),
      /*weight=*/{}, /*pos_weight=*/{}, at::Reduction::Sum);
  at::Tensor q_loss = q_halt_loss;
  result.metrics["lm_loss"] = lm_loss.detach();
  result.metrics["q_halt_loss"] = q_halt_loss.detach();
  if (outputs.target_q_continue.defined()) {
    const at::Tensor q_continue_loss =
        at::binary_cross_entropy_with_logits(outputs.q_continue_logits, outputs.target_q_continue,
                                             /*weight=*/{}, /*pos_weight=*/{}, at::Reduction::Sum);
    result.metrics["q_continue_loss"] = q_continue_loss.detach();
    q_loss = q_loss + q_continue_loss;
  }
  result.loss = lm_loss + q_loss_weight_ * q_loss;
  return result;
}

TRM_REGISTER_CLASS(LossRegistry, "act_loss_head", ActLossHead,
                   "the reference's ACTLossHead: stablemax (float64) or softmax cross entropy, "
                   "q-halt / q-continue BCE, metrics over halted rows");

}  // namespace trm::act_loss
