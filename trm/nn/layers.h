// The reference's building blocks (spec §2): casted linear / embedding layers (float32 master
// weights, cast to the activation dtype per call), gain-free RMS norm, rotary position embedding
// and the SwiGLU MLP. Module and parameter names are the reference's state-dict names.
#ifndef TRM_NN_LAYERS_H_
#define TRM_NN_LAYERS_H_

#include <ATen/ATen.h>

#include <cstdint>

#include "trm/nn/module.h"

namespace trm::nn {

// The dtype in which numerically sensitive steps run: float32 for reduced-precision activations
// (bf16, f16), otherwise the activation dtype itself (so a float64 model stays float64).
at::ScalarType AccumulationDtype(at::ScalarType activation_dtype);

// y = x Wᵀ (+ b) with W (and b) cast to x's dtype. `weight` [out, in] is truncated-normal with
// std 1/√in; `bias` (optional) starts at zero.
class CastedLinear : public Module {
 public:
  CastedLinear(int64_t in_features, int64_t out_features, bool bias);
  at::Tensor Forward(const at::Tensor& x) const;

  at::Tensor weight;
  at::Tensor bias;  // undefined without bias
};

// Row lookup in a float32 table `embedding_weight` [num, dim] (truncated normal with `init_std`),
// cast to `dtype` before gathering (as the reference: the whole table is cast).
class CastedEmbedding : public Module {
 public:
  CastedEmbedding(int64_t num_embeddings, int64_t embedding_dim, double init_std);
  at::Tensor Forward(const at::Tensor& ids, at::ScalarType dtype) const;

  at::Tensor embedding_weight;
};

// x · rsqrt(mean(x², last axis) + eps), computed in AccumulationDtype and cast back; no gain.
at::Tensor RmsNorm(const at::Tensor& x, double eps);

// Python's round() (half to even) of expansion·hidden·2/3, rounded up to a multiple of 256
// (spec §2.7). 512·4 -> 1536, 916·4 -> 2560, 513·0.75 -> 256.
int64_t SwigluIntermediateSize(int64_t hidden_size, double expansion);

// down_proj(silu(gate) · up) with [gate, up] = gate_up_proj(x) (gate = first half).
class SwiGLU : public Module {
 public:
  SwiGLU(int64_t hidden_size, double expansion);
  at::Tensor Forward(const at::Tensor& x) const;
  int64_t intermediate_size() const { return intermediate_size_; }

  std::shared_ptr<CastedLinear> gate_up_proj;
  std::shared_ptr<CastedLinear> down_proj;

 private:
  int64_t intermediate_size_;
};

// Half-split (GPT-NeoX) rotary tables, float32 [max_positions, dim], non-persistent buffers:
// inv_freq[i] = 1 / base^(2i/dim), angle[p, i] = angle[p, i + dim/2] = p · inv_freq[i].
class RotaryEmbedding : public Module {
 public:
  RotaryEmbedding(int64_t dim, int64_t max_positions, double base);

  at::Tensor cos_cached;
  at::Tensor sin_cached;
};

// Rotates x [B, T, heads, dim] by position: x·cos + rotate_half(x)·sin, with
// rotate_half(x) = [-x2, x1]. Computed in max(float32, x.dtype) and cast back to x's dtype.
at::Tensor ApplyRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

}  // namespace trm::nn

#endif  // TRM_NN_LAYERS_H_
