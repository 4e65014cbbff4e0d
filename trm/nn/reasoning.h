// Post-norm transformer blocks and the "reasoning module" that applies a stack of them to
// hidden + injection (spec §3.1, §3.2).
#ifndef TRM_NN_REASONING_H_
#define TRM_NN_REASONING_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "trm/nn/attention.h"
#include "trm/nn/layers.h"
#include "trm/nn/module.h"

namespace trm::nn {

struct BlockOptions {
  int64_t hidden_size = 0;
  int64_t num_heads = 0;
  double expansion = 4.0;
  double rms_norm_eps = 1e-5;
  // Token-mixing SwiGLU over the sequence axis instead of attention (the Sudoku variant).
  bool mlp_t = false;
  // Model sequence length T (prefix included); sizes the token-mixing MLP.
  int64_t sequence_length = 0;
};

// Attention variant: h = norm(h + attn(h)); h = norm(h + mlp(h)).
// Token-MLP variant: on hᵀ [B, D, T]: hᵀ = norm(hᵀ + mlp_t(hᵀ)) — normalised over the token axis,
// as the reference does — then back to [B, T, D] and h = norm(h + mlp(h)).
class Block : public Module {
 public:
  explicit Block(const BlockOptions& options);
  at::Tensor Forward(const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin) const;

  std::shared_ptr<Attention> self_attn;  // null in the token-MLP variant
  std::shared_ptr<SwiGLU> mlp_t;         // null in the attention variant
  std::shared_ptr<SwiGLU> mlp;

 private:
  double eps_;
};

// Children named "0", "1", ... like torch.nn.ModuleList.
class BlockList : public Module {
 public:
  void Append(std::shared_ptr<Block> block);
  const std::vector<std::shared_ptr<Block>>& blocks() const { return blocks_; }

 private:
  std::vector<std::shared_ptr<Block>> blocks_;
};

// layers(hidden + injection); an undefined injection means none.
class ReasoningModule : public Module {
 public:
  ReasoningModule(const BlockOptions& options, int64_t num_layers);
  at::Tensor Forward(const at::Tensor& hidden, const at::Tensor& injection, const at::Tensor& cos,
                     const at::Tensor& sin) const;

  std::shared_ptr<BlockList> layers;
};

}  // namespace trm::nn

#endif  // TRM_NN_REASONING_H_
