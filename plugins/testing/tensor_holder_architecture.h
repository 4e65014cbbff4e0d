// A stand-in Architecture for weight-loading tests: it holds tensors with given keys, shapes,
// dtypes and kinds (parameter or buffer) and has no forward pass.
#ifndef PLUGINS_TESTING_TENSOR_HOLDER_ARCHITECTURE_H_
#define PLUGINS_TESTING_TENSOR_HOLDER_ARCHITECTURE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "trm/model/architecture.h"

namespace trm::testing {

struct TensorSpec {
  std::string key;  // StateDict() key, e.g. "inner.H_init"
  std::vector<int64_t> shape;
  at::ScalarType dtype = at::kFloat;
  bool parameter = true;
};

// Specs of the reference's TRM or HRM state dict (spec §13) for `config`: the keys, shapes and
// dtypes the architecture plugins hold (attention or mlp_t blocks, learned positions, puzzle table,
// H_init/L_init in the forward dtype).
std::vector<TensorSpec> ReferenceStateSpecs(const config::ArchConfig& config);

// Specs with the keys, shapes and dtypes of `tensors` (StateDict() keys); floating-point tensors
// are parameters except the reference's buffers (H_init, L_init, puzzle_emb.weights).
std::vector<TensorSpec> SpecsLike(const std::vector<std::pair<std::string, at::Tensor>>& tensors);

class TensorHolderArchitecture : public Architecture {
 public:
  // Tensors are filled from a generator seeded with `seed`; "inner.puzzle_emb.weights" is the
  // sparse-embedding table when present.
  TensorHolderArchitecture(config::ArchConfig config, const std::vector<TensorSpec>& specs,
                           uint64_t seed = 0);

  std::vector<std::string> StateNames() const override { return {}; }
  ActCarry InitialCarry(const Batch& batch) const override;
  std::pair<ActCarry, ActOutputs> Forward(const ActCarry& carry, const Batch& batch) override;
  std::optional<SparseEmbeddingState> SparseEmbedding() override;
  std::vector<std::pair<std::string, at::Tensor>> StateDict() const override { return state_; }

  at::Tensor Get(const std::string& key) const;

 private:
  std::vector<std::pair<std::string, at::Tensor>> state_;
};

}  // namespace trm::testing

#endif  // PLUGINS_TESTING_TENSOR_HOLDER_ARCHITECTURE_H_
