// Non-causal multi-head self-attention (spec §2.6) with the score computation behind a small
// kernel interface, so that a fused kernel (CUDA flash attention, a blocked CPU kernel, ...) can be
// swapped in without touching the layer.
#ifndef TRM_NN_ATTENTION_H_
#define TRM_NN_ATTENTION_H_

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>

#include "trm/nn/layers.h"
#include "trm/nn/module.h"

namespace trm::nn {

// softmax(scale · q kᵀ) v over every key position (no mask, no dropout).
class AttentionKernel {
 public:
  virtual ~AttentionKernel() = default;
  // q, k, v: [B, T, heads, head_dim], any strides, same dtype. Returns [B, T, heads, head_dim]
  // contiguous (so that merging the heads is free), differentiable when grad mode is on.
  virtual at::Tensor Forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                             double scale) const = 0;
};

// For CPUs: per head and block of query rows, scale · Q Kᵀ (scale fused into the GEMM), softmax
// in place and P V, all in a cache-resident score buffer; the backward recomputes P from the
// saved row log-sum-exp (as flash attention does), so no [B·heads, T, T] tensor is ever
// materialised. Reduced-precision inputs are computed in float32 (the reference's SDPA
// accumulates in float32 too).
const AttentionKernel& BlockedAttentionKernel();

// For accelerators, where one large launch beats many small ones: batched GEMMs over all heads,
// probabilities kept for the backward.
const AttentionKernel& BatchedAttentionKernel();

// The built-in choice: blocked for CPU tensors, PyTorch's SDPA for CUDA tensors (LibTorch >= 2.1),
// batched otherwise.
const AttentionKernel& DefaultAttentionKernel();

// Makes `kernel` the one that Attention layers constructed afterwards use (nullptr restores the
// built-in). For plugins that provide a faster kernel for their device.
void SetDefaultAttentionKernel(std::shared_ptr<const AttentionKernel> kernel);

// qkv_proj: hidden -> 3·heads·head_dim (rows: query heads, key heads, value heads), o_proj:
// heads·head_dim -> hidden, both without bias. head_dim = hidden / heads (rounded down, as in the
// reference's Transformer baseline with 12 heads of 42 channels).
class Attention : public Module {
 public:
  Attention(int64_t hidden_size, int64_t num_heads);

  // h [B, T, hidden]; rotary tables [>= T, head_dim] or undefined for no rotary embedding.
  at::Tensor Forward(const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin) const;

  int64_t head_dim() const { return head_dim_; }

  std::shared_ptr<CastedLinear> qkv_proj;
  std::shared_ptr<CastedLinear> o_proj;

 private:
  int64_t num_heads_;
  int64_t head_dim_;
  std::shared_ptr<const AttentionKernel> kernel_;
};

}  // namespace trm::nn

#endif  // TRM_NN_ATTENTION_H_
