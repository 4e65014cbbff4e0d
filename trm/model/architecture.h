// The contract between the trainer/evaluator and an architecture plugin: a recurrent model wrapped
// in adaptive computation time (ACT), as in the reference (spec §3, §12).
#ifndef TRM_MODEL_ARCHITECTURE_H_
#define TRM_MODEL_ARCHITECTURE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>

#include "trm/config/experiment.pb.h"
#include "trm/model/batch.h"
#include "trm/registry/registry.h"

namespace trm {

// State carried from one ACT step to the next (and, in training, across optimizer steps).
struct ActCarry {
  std::vector<at::Tensor> states;  // latent states, named by Architecture::StateNames(), [B, T, D]
  at::Tensor steps;                // int32 [B] ACT steps taken on the current example
  at::Tensor halted;               // bool [B] rows to reset from the next batch
  Batch current_data;              // the example each row is working on
};

struct ActOutputs {
  at::Tensor logits;             // [B, S, V] in the forward dtype (prefix positions dropped)
  at::Tensor q_halt_logits;      // float32 [B]
  at::Tensor q_continue_logits;  // float32 [B]
  // float32 [B]; defined only when the architecture trains its continue head (HRM in training).
  at::Tensor target_q_continue;
};

// The sparse puzzle-embedding buffers (spec §5): a sign-SGD optimizer updates the rows `local_ids`
// of `table` from the gradient that the forward pass left in `local_weights`.
struct SparseEmbeddingState {
  at::Tensor table;          // float32 [num_puzzle_identifiers, E], persistent
  at::Tensor local_weights;  // float32 [B, E], requires grad
  at::Tensor local_ids;      // int32 [B]
};

class Architecture : public torch::nn::Module {
 public:
  explicit Architecture(config::ArchConfig config) : config_(std::move(config)) {}
  ~Architecture() override = default;

  // The config the model was built from, with derived fields resolved.
  const config::ArchConfig& arch_config() const { return config_; }

  // Names of ActCarry::states, e.g. {"z_H", "z_L"} for TRM.
  virtual std::vector<std::string> StateNames() const = 0;

  // A carry whose rows are all halted, so that the first Forward takes every row from `batch`.
  virtual ActCarry InitialCarry(const Batch& batch) const = 0;

  // One ACT step: resets halted rows from `batch`, runs the recursion, updates steps/halted.
  // In training mode halting follows the q-head (with exploration); in eval mode every row runs
  // exactly halt_max_steps steps.
  virtual std::pair<ActCarry, ActOutputs> Forward(const ActCarry& carry, const Batch& batch) = 0;

  // The puzzle embedding's buffers, if the model has one.
  virtual std::optional<SparseEmbeddingState> SparseEmbedding() { return std::nullopt; }

  // Persistent tensors under the reference's state-dict names without the loss head's "model."
  // prefix (e.g. "inner.H_init", "inner.L_level.layers.0.self_attn.qkv_proj.weight").
  virtual std::vector<std::pair<std::string, at::Tensor>> StateDict() const = 0;

 protected:
  config::ArchConfig config_;
};

TRM_DECLARE_REGISTRY(ArchitectureRegistry, Architecture, const config::ArchConfig&);

}  // namespace trm

#endif  // TRM_MODEL_ARCHITECTURE_H_
