// The adaptive-computation-time wrapper shared by every recurrent architecture (spec §3.5, §12):
// reset of halted rows from the new batch, step counting, the halting rule with exploration in
// training, a full unroll in evaluation, and HRM's bootstrapped Q-continue target.
#ifndef TRM_NN_ACT_MODEL_H_
#define TRM_NN_ACT_MODEL_H_

#include <ATen/ATen.h>

#include <string>
#include <utility>
#include <vector>

#include "trm/config/experiment.pb.h"
#include "trm/model/architecture.h"
#include "trm/model/batch.h"

namespace trm::nn {

// "float32", "bfloat16" (and "float64", used as a numerical oracle) -> dtype. Throws
// std::invalid_argument naming arch.forward_dtype otherwise.
at::ScalarType ForwardDtype(const config::ArchConfig& config);

struct HaltingPolicy {
  enum class Signal {
    kHaltLogitPositive,  // q_halt > 0 (TRM with no_ACT_continue)
    kHaltAboveContinue,  // q_halt > q_continue (HRM, the Transformer baseline)
  };
  Signal signal = Signal::kHaltLogitPositive;
  // Whether the q-head may stop a row before halt_max_steps in training / in evaluation.
  bool adaptive_in_training = true;
  bool adaptive_in_eval = false;
  // Training only: target_q_continue = sigmoid(is_last ? q_halt' : max(q_halt', q_continue'))
  // from an extra no-grad inner forward on the new carry (HRM).
  bool target_q_continue = false;
};

// One inner forward (one ACT step without the wrapper's bookkeeping).
struct InnerOutputs {
  std::vector<at::Tensor> states;  // detached, same order as StateNames()
  at::Tensor logits;               // [B, S, V]
  at::Tensor q_halt_logits;        // float32 [B]
  at::Tensor q_continue_logits;    // float32 [B]
};

class ActModel : public Architecture {
 public:
  // `config` must be resolved (derived fields filled in); its seq_len, puzzle_emb_len and
  // hidden_size give the state shape [B, seq_len + puzzle_emb_len, hidden_size].
  ActModel(config::ArchConfig config, HaltingPolicy policy);

  ActCarry InitialCarry(const Batch& batch) const override;
  std::pair<ActCarry, ActOutputs> Forward(const ActCarry& carry, const Batch& batch) override;
  std::vector<std::pair<std::string, at::Tensor>> StateDict() const override;

 protected:
  // The value each state is reset to, [hidden] in the forward dtype, in StateNames() order.
  virtual std::vector<at::Tensor> StateResetValues() const = 0;
  // The recursion on already-reset states and the rows' current data.
  virtual InnerOutputs InnerForward(const std::vector<at::Tensor>& states, const Batch& data) = 0;

  at::ScalarType forward_dtype() const { return forward_dtype_; }

 private:
  HaltingPolicy policy_;
  at::ScalarType forward_dtype_;
};

}  // namespace trm::nn

#endif  // TRM_NN_ACT_MODEL_H_
