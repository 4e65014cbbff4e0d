#include "trm/train/testdata/toy_act.h"

#include <ATen/ATen.h>

namespace trm::testing {

config::ArchConfig ToyArchConfig() {
  config::ArchConfig config;
  config.set_hidden_size(8);
  config.set_vocab_size(5);
  config.set_seq_len(6);
  config.set_batch_size(4);
  config.set_num_puzzle_identifiers(10);
  return config;
}

ToyActModel::ToyActModel(const config::ArchConfig& config) : Architecture(config) {
  const int64_t d = config.hidden_size();
  embed_ = register_parameter("embed", at::randn({config.vocab_size(), d}) * 0.5);
  head_ = register_parameter("head", at::randn({d, config.vocab_size()}) * 0.5);
  q_weight_ = register_parameter("q_weight", at::randn({d, 2}) * 0.1);
  q_bias_ = register_parameter("q_bias", at::full({2}, -1.0f));
  table_ = register_buffer("table", at::zeros({config.num_puzzle_identifiers(), d}));
  local_weights_ = at::zeros({config.batch_size(), d}).requires_grad_();
  local_ids_ = at::zeros({config.batch_size()}, at::kInt);
}

ActCarry ToyActModel::InitialCarry(const Batch& batch) const {
  const int64_t b = batch.size();
  return ActCarry{{at::zeros({b, batch.inputs.size(1), config_.hidden_size()})},
                  at::zeros({b}, at::kInt),
                  at::ones({b}, at::kBool),
                  Batch{at::zeros_like(batch.inputs), at::full_like(batch.labels, kIgnoreLabel),
                        at::zeros_like(batch.puzzle_identifiers)}};
}

std::pair<ActCarry, ActOutputs> ToyActModel::Forward(const ActCarry& carry, const Batch& batch) {
  const at::Tensor reset = carry.halted;
  const at::Tensor row_reset = reset.view({-1, 1});
  Batch data{at::where(row_reset, batch.inputs, carry.current_data.inputs),
             at::where(row_reset, batch.labels, carry.current_data.labels),
             at::where(reset, batch.puzzle_identifiers, carry.current_data.puzzle_identifiers)};
  at::Tensor z =
      at::where(reset.view({-1, 1, 1}), at::zeros_like(carry.states[0]), carry.states[0]);
  at::Tensor steps = at::where(reset, at::zeros_like(carry.steps), carry.steps);

  const at::Tensor ids = data.puzzle_identifiers.to(at::kLong);
  at::Tensor puzzle;
  if (is_training()) {
    at::NoGradGuard no_grad;
    local_weights_.copy_(table_.index_select(0, ids));
    local_ids_.copy_(data.puzzle_identifiers);
  }
  puzzle = is_training() ? local_weights_ : table_.index_select(0, ids);
  z = at::tanh(z +
               embed_.index_select(0, data.inputs.to(at::kLong).reshape({-1}))
                   .view({z.size(0), z.size(1), -1}) +
               puzzle.unsqueeze(1));
  ActOutputs outputs;
  outputs.logits = at::matmul(z, head_);
  const at::Tensor q = at::matmul(z.mean(1), q_weight_) + q_bias_;
  outputs.q_halt_logits = q.select(1, 0);
  outputs.q_continue_logits = q.select(1, 1);

  steps = steps + 1;
  at::Tensor halted = steps >= config_.halt_max_steps();
  if (is_training()) {
    halted = halted | (outputs.q_halt_logits.detach() > 0);
    const at::Tensor explore = at::rand({z.size(0)}) < config_.halt_exploration_prob();
    const at::Tensor min_steps =
        at::randint(2, config_.halt_max_steps() + 1, {z.size(0)}, at::kInt);
    halted = halted & ~(explore & (steps < min_steps));
  }
  return {ActCarry{{z.detach()}, steps, halted, data}, outputs};
}

std::optional<SparseEmbeddingState> ToyActModel::SparseEmbedding() {
  return SparseEmbeddingState{table_, local_weights_, local_ids_};
}

std::vector<std::pair<std::string, at::Tensor>> ToyActModel::StateDict() const {
  return {{"embed", embed_},
          {"head", head_},
          {"q_weight", q_weight_},
          {"q_bias", q_bias_},
          {"table", table_}};
}

LossOutputs ToyLossHead::Compute(const ActCarry& carry, const ActOutputs& outputs) {
  const at::Tensor labels = carry.current_data.labels.to(at::kLong);
  const at::Tensor mask = labels != kIgnoreLabel;
  const at::Tensor count = mask.sum(-1);
  const at::Tensor divisor = count.clamp_min(1).to(at::kDouble);
  const at::Tensor logp = at::log_softmax(outputs.logits.to(at::kDouble), -1);
  const at::Tensor token_loss =
      -logp.gather(-1, at::where(mask, labels, at::zeros_like(labels)).unsqueeze(-1)).squeeze(-1) *
      mask;
  const at::Tensor lm_loss = (token_loss.sum(-1) / divisor).sum();
  LossOutputs out;
  out.preds = outputs.logits.argmax(-1);
  const at::Tensor correct = mask & (out.preds == labels);
  const at::Tensor seq_correct = correct.sum(-1) == count;
  const at::Tensor q_halt_loss = at::binary_cross_entropy_with_logits(
      outputs.q_halt_logits, seq_correct.to(at::kFloat), {}, {}, at::Reduction::Sum);
  out.loss = lm_loss + 0.5 * q_halt_loss;
  const at::Tensor live = carry.halted & (count > 0);
  out.metrics = {
      {"count", live.sum()},
      {"accuracy", (live.to(at::kDouble) * correct.sum(-1).to(at::kDouble) / divisor).sum()},
      {"exact_accuracy", (live & seq_correct).sum()},
      {"q_halt_accuracy", (live & ((outputs.q_halt_logits >= 0) == seq_correct)).sum()},
      {"steps", (live * carry.steps).sum()},
      {"lm_loss", lm_loss.detach()},
      {"q_halt_loss", q_halt_loss.detach()},
  };
  return out;
}

}  // namespace trm::testing
