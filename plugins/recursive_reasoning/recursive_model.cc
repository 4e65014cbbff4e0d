#include "plugins/recursive_reasoning/recursive_model.h"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "absl/strings/str_cat.h"
#include "trm/nn/init.h"

namespace trm::recursive_reasoning {
namespace {

void Require(bool ok, const std::string& field, const std::string& message) {
  if (!ok) throw std::invalid_argument(absl::StrCat("arch.", field, ": ", message));
}

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

config::ArchConfig ResolveConfig(const config::ArchConfig& input, const ConfigRules& rules) {
  config::ArchConfig config = input;
  const char* const injected = "must be positive (injected from the dataset and the batch size)";
  Require(config.batch_size() > 0, "batch_size", injected);
  Require(config.seq_len() > 0, "seq_len", injected);
  Require(config.vocab_size() > 0, "vocab_size", injected);
  Require(config.hidden_size() > 0, "hidden_size", "must be positive");
  Require(config.num_heads() > 0 && config.num_heads() <= config.hidden_size(), "num_heads",
          absl::StrCat("must be in [1, hidden_size = ", config.hidden_size(), "]"));
  Require(config.expansion() > 0, "expansion", "must be positive");
  Require(config.h_cycles() >= 1, "H_cycles", "must be at least 1");
  Require(config.l_cycles() >= 1, "L_cycles", "must be at least 1");
  Require(config.h_layers() >= 0, "H_layers", "must not be negative");
  Require(config.l_layers() >= 0, "L_layers", "must not be negative");
  Require(!rules.uses_h_layers || config.h_layers() >= 1, "H_layers",
          "must be at least 1 for this architecture");
  Require(!rules.uses_l_layers || config.l_layers() >= 1, "L_layers",
          "must be at least 1 for this architecture");
  Require(config.halt_max_steps() >= 1, "halt_max_steps", "must be at least 1");
  Require(config.halt_exploration_prob() >= 0 && config.halt_exploration_prob() <= 1,
          "halt_exploration_prob", "must be in [0, 1]");
  Require(config.rms_norm_eps() > 0, "rms_norm_eps", "must be positive");
  Require(rules.max_l_cycles == 0 || config.l_cycles() <= rules.max_l_cycles, "L_cycles",
          absl::StrCat("must be at most ", rules.max_l_cycles, " for this architecture"));
  Require(rules.allow_mlp_t || !config.mlp_t(), "mlp_t",
          "the token-mixing MLP exists only in the TRM architectures");
  nn::ForwardDtype(config);  // validates forward_dtype

  const std::string& positions = config.pos_encodings();
  Require(positions == "rope" || positions == "learned" ||
              (positions == "none" && rules.allow_no_positions),
          "pos_encodings",
          absl::StrCat("unknown value '", positions, "' (expected rope, learned",
                       rules.allow_no_positions ? " or none)" : "; this architecture needs one)"));
  if (positions == "rope") {
    Require(config.rope_theta() > 0, "rope_theta", "must be positive");
    Require((config.hidden_size() / config.num_heads()) % 2 == 0, "num_heads",
            "rope needs an even head dimension (hidden_size / num_heads)");
  }

  Require(config.puzzle_emb_ndim() >= -1, "puzzle_emb_ndim", "must be -1 (= hidden_size) or >= 0");
  if (config.puzzle_emb_ndim() == -1) config.set_puzzle_emb_ndim(config.hidden_size());
  const int64_t ndim = config.puzzle_emb_ndim();
  if (ndim > 0) {
    Require(config.num_puzzle_identifiers() > 0, "num_puzzle_identifiers",
            "must be positive when puzzle_emb_ndim > 0");
  }
  Require(config.puzzle_emb_len() >= 0, "puzzle_emb_len", "must not be negative");
  if (rules.derive_puzzle_emb_len || config.puzzle_emb_len() == 0) {
    config.set_puzzle_emb_len(static_cast<int32_t>(CeilDiv(ndim, config.hidden_size())));
  }
  const int64_t prefix = config.puzzle_emb_len();
  Require(ndim > 0 || prefix == 0, "puzzle_emb_len",
          absl::StrCat(prefix, " prefix positions but puzzle_emb_ndim is 0; set it to 0"));
  Require(prefix * config.hidden_size() >= ndim, "puzzle_emb_len",
          absl::StrCat(prefix, " positions of ", config.hidden_size(),
                       " cannot hold a puzzle embedding of ", ndim));
  return config;
}

nn::HaltingPolicy TrmHaltingPolicy(const config::ArchConfig& resolved) {
  nn::HaltingPolicy policy;
  if (!resolved.no_act_continue()) {
    policy.signal = nn::HaltingPolicy::Signal::kHaltAboveContinue;
    policy.target_q_continue = true;
  }
  return policy;
}

RecursiveInner::RecursiveInner(const config::ArchConfig& config)
    : config_(config),
      forward_dtype_(nn::ForwardDtype(config)),
      prefix_length_(config.puzzle_emb_len()),
      embed_scale_(std::sqrt(static_cast<double>(config.hidden_size()))) {
  const int64_t hidden = config.hidden_size();
  const double embed_init_std = 1.0 / embed_scale_;
  embed_tokens = register_module("embed_tokens", std::make_shared<nn::CastedEmbedding>(
                                                     config.vocab_size(), hidden, embed_init_std));
  lm_head = register_module("lm_head",
                            std::make_shared<nn::CastedLinear>(hidden, config.vocab_size(), false));
  q_head = register_module("q_head", std::make_shared<nn::CastedLinear>(hidden, 2, true));
  if (config.puzzle_emb_ndim() > 0) {
    puzzle_emb = register_module("puzzle_emb", std::make_shared<nn::SparseEmbedding>(
                                                   config.num_puzzle_identifiers(),
                                                   config.puzzle_emb_ndim(), config.batch_size(),
                                                   /*init_std=*/0.0));
  }
  const int64_t positions = config.seq_len() + prefix_length_;
  if (config.pos_encodings() == "rope") {
    rotary_emb = register_module(
        "rotary_emb", std::make_shared<nn::RotaryEmbedding>(hidden / config.num_heads(), positions,
                                                            config.rope_theta()));
  } else if (config.pos_encodings() == "learned") {
    embed_pos = register_module(
        "embed_pos", std::make_shared<nn::CastedEmbedding>(positions, hidden, embed_init_std));
  }
}

std::shared_ptr<nn::ReasoningModule> RecursiveInner::NewLevel(int64_t num_layers) const {
  nn::BlockOptions options;
  options.hidden_size = config_.hidden_size();
  options.num_heads = config_.num_heads();
  options.expansion = config_.expansion();
  options.rms_norm_eps = config_.rms_norm_eps();
  options.mlp_t = config_.mlp_t();
  options.sequence_length = config_.seq_len() + prefix_length_;
  return std::make_shared<nn::ReasoningModule>(options, num_layers);
}

at::Tensor RecursiveInner::NewInitialState() const {
  at::Tensor state = at::empty({config_.hidden_size()}, at::TensorOptions().dtype(forward_dtype_));
  nn::TruncNormalInit_(state, 1.0);
  return state;
}

void RecursiveInner::FinishConstruction() {
  at::NoGradGuard no_grad;
  q_head->weight.zero_();
  q_head->bias.fill_(-5);
}

std::optional<SparseEmbeddingState> RecursiveInner::PuzzleEmbeddingState() const {
  if (puzzle_emb == nullptr) return std::nullopt;
  return puzzle_emb->State();
}

at::Tensor RecursiveInner::Apply(const nn::ReasoningModule& level, const at::Tensor& hidden,
                                 const at::Tensor& injection) const {
  if (rotary_emb != nullptr) {
    return level.Forward(hidden, injection, rotary_emb->cos_cached, rotary_emb->sin_cached);
  }
  return level.Forward(hidden, injection, at::Tensor(), at::Tensor());
}

at::Tensor RecursiveInner::InputEmbedding(const Batch& data) {
  at::Tensor embedding = embed_tokens->Forward(data.inputs, forward_dtype_);
  if (puzzle_emb != nullptr) {
    at::Tensor puzzle = puzzle_emb->Forward(data.puzzle_identifiers, forward_dtype_);
    const int64_t hidden = config_.hidden_size();
    const int64_t pad = prefix_length_ * hidden - puzzle.size(-1);
    if (pad > 0) puzzle = at::constant_pad_nd(puzzle, {0, pad});
    embedding = at::cat({puzzle.view({-1, prefix_length_, hidden}), embedding}, 1);
  }
  if (embed_pos != nullptr) {
    // The reference's truncated 1/√2.
    embedding = 0.707106781 * (embedding + embed_pos->embedding_weight.to(forward_dtype_));
  }
  return embed_scale_ * embedding;
}

nn::InnerOutputs RecursiveInner::Forward(const std::vector<at::Tensor>& states, const Batch& data) {
  const at::Tensor x = InputEmbedding(data);
  std::vector<at::Tensor> next = Recur(states, x);
  const at::Tensor& answer = next[OutputState()];
  nn::InnerOutputs out;
  out.logits = lm_head->Forward(answer.narrow(1, prefix_length_, config_.seq_len()));
  const at::Tensor q = q_head->Forward(answer.select(1, 0)).to(at::kFloat);
  out.q_halt_logits = q.select(-1, 0);
  out.q_continue_logits = q.select(-1, 1);
  for (at::Tensor& state : next) out.states.push_back(state.detach());
  return out;
}

RecursiveModel::RecursiveModel(const config::ArchConfig& resolved, nn::HaltingPolicy policy,
                               std::vector<std::string> state_names,
                               std::shared_ptr<RecursiveInner> inner)
    : nn::ActModel(resolved, policy), state_names_(std::move(state_names)) {
  inner_ = register_module("inner", std::move(inner));
}

std::optional<SparseEmbeddingState> RecursiveModel::SparseEmbedding() {
  return inner_->PuzzleEmbeddingState();
}

std::vector<at::Tensor> RecursiveModel::StateResetValues() const { return inner_->ResetValues(); }

nn::InnerOutputs RecursiveModel::InnerForward(const std::vector<at::Tensor>& states,
                                              const Batch& data) {
  return inner_->Forward(states, data);
}

}  // namespace trm::recursive_reasoning
