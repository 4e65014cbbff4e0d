// What the recursive-reasoning architectures share (spec §3, §12): the reference's *_Inner module
// (token / puzzle / position embeddings, the output and halting heads, rotary tables, initial
// states) and the ACT wrapper around it. An architecture only supplies its recursion.
#ifndef PLUGINS_RECURSIVE_REASONING_RECURSIVE_MODEL_H_
#define PLUGINS_RECURSIVE_REASONING_RECURSIVE_MODEL_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "trm/config/experiment.pb.h"
#include "trm/model/architecture.h"
#include "trm/model/batch.h"
#include "trm/nn/act_model.h"
#include "trm/nn/layers.h"
#include "trm/nn/module.h"
#include "trm/nn/reasoning.h"
#include "trm/nn/sparse_embedding.h"

namespace trm::recursive_reasoning {

struct ConfigRules {
  // TRM family: arch.puzzle_emb_len as configured (0 = derived). HRM and the Transformer
  // baseline have no such field in the reference and always derive it.
  bool derive_puzzle_emb_len = false;
  bool allow_mlp_t = false;
  bool allow_no_positions = true;
  // Upper bound on L_cycles (trm_hier6 has one latent per L cycle); 0 = none.
  int max_l_cycles = 0;
  // The levels the architecture builds: each needs at least one layer (zero layers would train a
  // model without a network, silently).
  bool uses_h_layers = false;
  bool uses_l_layers = true;
};

// Fills the derived fields (puzzle_emb_ndim -1 -> hidden_size; puzzle_emb_len 0 or derived ->
// ceil(puzzle_emb_ndim / hidden_size)) and validates the rest. Throws std::invalid_argument with a
// one-line message naming the field.
config::ArchConfig ResolveConfig(const config::ArchConfig& config, const ConfigRules& rules);

// Halting of the TRM family: q_halt > 0 with no_ACT_continue (the reference default); otherwise
// q_halt > q_continue with HRM's bootstrapped Q-continue target (the reference's TRM crashes on
// that path, spec §16.27; this is what it evidently meant to do).
nn::HaltingPolicy TrmHaltingPolicy(const config::ArchConfig& resolved);

// The reference's inner model. Constructs, in the reference's order (= random-number order):
// embed_tokens, lm_head, q_head, puzzle_emb, rotary_emb or embed_pos. Subclasses then add their
// levels and initial states and call FinishConstruction().
class RecursiveInner : public nn::Module {
 public:
  explicit RecursiveInner(const config::ArchConfig& config);

  // Embeds the batch, runs the recursion, applies the heads; the returned states are detached.
  nn::InnerOutputs Forward(const std::vector<at::Tensor>& states, const Batch& data);

  // Reset values of the states, [hidden] each, in state order.
  virtual std::vector<at::Tensor> ResetValues() const = 0;

  std::optional<SparseEmbeddingState> PuzzleEmbeddingState() const;

  std::shared_ptr<nn::CastedEmbedding> embed_tokens;
  std::shared_ptr<nn::CastedLinear> lm_head;
  std::shared_ptr<nn::CastedLinear> q_head;
  std::shared_ptr<nn::SparseEmbedding> puzzle_emb;  // null when puzzle_emb_ndim == 0
  std::shared_ptr<nn::RotaryEmbedding> rotary_emb;  // pos_encodings == "rope"
  std::shared_ptr<nn::CastedEmbedding> embed_pos;   // pos_encodings == "learned"

 protected:
  // The states after one ACT step's recursion from `states` with input embedding `x`; only the
  // final cycle may record gradients.
  virtual std::vector<at::Tensor> Recur(std::vector<at::Tensor> states, const at::Tensor& x) = 0;
  // Which state the heads read (z_H in every architecture but trm_singlez).
  virtual size_t OutputState() const { return 0; }

  // net(hidden + injection) with the model's rotary tables.
  at::Tensor Apply(const nn::ReasoningModule& level, const at::Tensor& hidden,
                   const at::Tensor& injection) const;
  std::shared_ptr<nn::ReasoningModule> NewLevel(int64_t num_layers) const;
  // An initial state [hidden]: truncated normal, std 1, drawn in the forward dtype.
  at::Tensor NewInitialState() const;
  // q_head starts at weight 0, bias -5 (no row halts early until the head learns to).
  void FinishConstruction();

  const config::ArchConfig& config() const { return config_; }

 private:
  at::Tensor InputEmbedding(const Batch& data);

  config::ArchConfig config_;
  at::ScalarType forward_dtype_;
  int64_t prefix_length_;
  double embed_scale_;
};

// The ACT wrapper around an inner model, registered as the child "inner".
class RecursiveModel : public nn::ActModel {
 public:
  RecursiveModel(const config::ArchConfig& resolved, nn::HaltingPolicy policy,
                 std::vector<std::string> state_names, std::shared_ptr<RecursiveInner> inner);

  std::vector<std::string> StateNames() const override { return state_names_; }
  std::optional<SparseEmbeddingState> SparseEmbedding() override;

 protected:
  std::vector<at::Tensor> StateResetValues() const override;
  nn::InnerOutputs InnerForward(const std::vector<at::Tensor>& states, const Batch& data) override;

 private:
  std::vector<std::string> state_names_;
  std::shared_ptr<RecursiveInner> inner_;
};

// Factories of the registered architectures (also for direct use in tests).
std::unique_ptr<Architecture> MakeTrm(const config::ArchConfig& config);
std::unique_ptr<Architecture> MakeHrm(const config::ArchConfig& config);
std::unique_ptr<Architecture> MakeTransformerBaseline(const config::ArchConfig& config);
std::unique_ptr<Architecture> MakeTrmSingleZ(const config::ArchConfig& config);
std::unique_ptr<Architecture> MakeTrmHier6(const config::ArchConfig& config);

}  // namespace trm::recursive_reasoning

#endif  // PLUGINS_RECURSIVE_REASONING_RECURSIVE_MODEL_H_
