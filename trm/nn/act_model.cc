#include "trm/nn/act_model.h"

#include <stdexcept>

#include "trm/nn/module.h"

namespace trm::nn {
namespace {

// Takes `fresh` where `reset` is true, else `old`; `reset` is [B] and broadcast over the rest.
at::Tensor SelectRows(const at::Tensor& reset, const at::Tensor& fresh, const at::Tensor& old) {
  std::vector<int64_t> shape(old.dim(), 1);
  shape[0] = reset.size(0);
  return at::where(reset.view(shape), fresh, old);
}

}  // namespace

at::ScalarType ForwardDtype(const config::ArchConfig& config) {
  const std::string& name = config.forward_dtype();
  if (name == "bfloat16") return at::kBFloat16;
  if (name == "float32") return at::kFloat;
  if (name == "float64") return at::kDouble;
  throw std::invalid_argument("arch.forward_dtype: unknown dtype '" + name +
                              "' (expected bfloat16, float32 or float64)");
}

ActModel::ActModel(config::ArchConfig config, HaltingPolicy policy)
    : Architecture(std::move(config)), policy_(policy), forward_dtype_(ForwardDtype(config_)) {}

ActCarry ActModel::InitialCarry(const Batch& batch) const {
  const int64_t rows = batch.size();
  const at::TensorOptions options = batch.inputs.options();
  ActCarry carry;
  const int64_t positions = config_.seq_len() + config_.puzzle_emb_len();
  for (size_t i = 0; i < StateNames().size(); ++i) {
    carry.states.push_back(
        at::zeros({rows, positions, config_.hidden_size()}, options.dtype(forward_dtype_)));
  }
  carry.steps = at::zeros({rows}, options.dtype(at::kInt));
  carry.halted = at::ones({rows}, options.dtype(at::kBool));
  carry.current_data = Batch{at::zeros_like(batch.inputs), at::zeros_like(batch.labels),
                             at::zeros_like(batch.puzzle_identifiers)};
  return carry;
}

std::pair<ActCarry, ActOutputs> ActModel::Forward(const ActCarry& carry, const Batch& batch) {
  const at::Tensor& reset = carry.halted;
  ActCarry next;
  {
    at::NoGradGuard no_grad;
    const std::vector<at::Tensor> reset_values = StateResetValues();
    TORCH_CHECK(carry.states.size() == reset_values.size(), "the carry has ", carry.states.size(),
                " states but the model expects ", reset_values.size());
    for (size_t i = 0; i < reset_values.size(); ++i) {
      next.states.push_back(SelectRows(reset, reset_values[i], carry.states[i]));
    }
    next.steps = at::where(reset, at::zeros_like(carry.steps), carry.steps);
    next.current_data =
        Batch{SelectRows(reset, batch.inputs, carry.current_data.inputs),
              SelectRows(reset, batch.labels, carry.current_data.labels),
              SelectRows(reset, batch.puzzle_identifiers, carry.current_data.puzzle_identifiers)};
  }

  InnerOutputs inner = InnerForward(next.states, next.current_data);
  next.states = std::move(inner.states);
  ActOutputs outputs{inner.logits, inner.q_halt_logits, inner.q_continue_logits, at::Tensor()};

  at::NoGradGuard no_grad;
  const int64_t max_steps = config_.halt_max_steps();
  next.steps = next.steps + 1;
  const at::Tensor is_last = next.steps >= max_steps;
  next.halted = is_last;
  const bool adaptive =
      max_steps > 1 && (is_training() ? policy_.adaptive_in_training : policy_.adaptive_in_eval);
  if (adaptive) {
    const at::Tensor wants_halt = policy_.signal == HaltingPolicy::Signal::kHaltLogitPositive
                                      ? outputs.q_halt_logits > 0
                                      : outputs.q_halt_logits > outputs.q_continue_logits;
    next.halted = next.halted | wants_halt;
    if (is_training()) {
      // Exploration: per row and step, with probability p, veto halting before a random step in
      // [2, max]. Both draws happen for every row every step, whatever p is.
      const at::Tensor explore =
          at::rand_like(outputs.q_halt_logits) < config_.halt_exploration_prob();
      const at::Tensor min_halt_steps = explore * at::randint_like(next.steps, 2, max_steps + 1);
      next.halted = next.halted & (next.steps >= min_halt_steps);
      if (policy_.target_q_continue) {
        const InnerOutputs bootstrap = InnerForward(next.states, next.current_data);
        outputs.target_q_continue = at::sigmoid(
            at::where(is_last, bootstrap.q_halt_logits,
                      at::maximum(bootstrap.q_halt_logits, bootstrap.q_continue_logits)));
      }
    }
  }
  return {std::move(next), std::move(outputs)};
}

std::vector<std::pair<std::string, at::Tensor>> ActModel::StateDict() const {
  return PersistentState(*this);
}

}  // namespace trm::nn
