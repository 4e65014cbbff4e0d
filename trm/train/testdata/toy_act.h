// A small ACT model and loss head with the same contract as the real ones (persistent carry,
// halted rows refilled from the next batch, q-head halting with random exploration, a sparse
// puzzle embedding, summed metrics), so the trainer can be tested without the TRM plugins.
#ifndef TRM_TRAIN_TESTDATA_TOY_ACT_H_
#define TRM_TRAIN_TESTDATA_TOY_ACT_H_

#include <torch/nn/module.h>

#include "trm/model/architecture.h"
#include "trm/model/loss_head.h"

namespace trm::testing {

// A small configuration for ToyActModel: hidden 8, vocabulary 5, 6 positions, batch 4, 10 puzzle
// identifiers.
config::ArchConfig ToyArchConfig();

// z <- tanh(z + embed(inputs) + puzzle(ids)) ; logits = z W ; q = mean_t(z) Q + b.
class ToyActModel : public Architecture {
 public:
  explicit ToyActModel(const config::ArchConfig& config);

  std::vector<std::string> StateNames() const override { return {"z"}; }
  ActCarry InitialCarry(const Batch& batch) const override;
  std::pair<ActCarry, ActOutputs> Forward(const ActCarry& carry, const Batch& batch) override;
  std::optional<SparseEmbeddingState> SparseEmbedding() override;
  std::vector<std::pair<std::string, at::Tensor>> StateDict() const override;

 private:
  at::Tensor embed_, head_, q_weight_, q_bias_;   // parameters
  at::Tensor table_, local_weights_, local_ids_;  // puzzle embedding buffers
};

// Cross-entropy (mean over valid tokens per row, summed over rows) + 0.5 * BCE(q_halt, row
// correct).
class ToyLossHead : public LossHead {
 public:
  explicit ToyLossHead(const config::LossConfig&) {}
  LossOutputs Compute(const ActCarry& carry, const ActOutputs& outputs) override;
};

}  // namespace trm::testing

#endif  // TRM_TRAIN_TESTDATA_TOY_ACT_H_
