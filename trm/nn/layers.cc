#include "trm/nn/layers.h"

#include <cmath>

#include "trm/nn/init.h"

namespace trm::nn {

at::ScalarType AccumulationDtype(at::ScalarType activation_dtype) {
  return activation_dtype == at::kBFloat16 || activation_dtype == at::kHalf ? at::kFloat
                                                                        : activation_dtype;
}

CastedLinear::CastedLinear(int64_t in_features, int64_t out_features, bool with_bias) {
  at::Tensor w = at::empty({out_features, in_features}, at::kFloat);
  TruncNormalInit_(w, 1.0 / std::sqrt(static_cast<double>(in_features)));
  weight = register_parameter("weight", w);
  if (with_bias) bias = register_parameter("bias", at::zeros({out_features}, at::kFloat));
}

at::Tensor CastedLinear::Forward(const at::Tensor& x) const {
  const at::ScalarType dtype = x.scalar_type();
  return at::linear(x, weight.to(dtype), bias.defined() ? bias.to(dtype) : at::Tensor());
}

CastedEmbedding::CastedEmbedding(int64_t num_embeddings, int64_t embedding_dim, double init_std) {
  at::Tensor w = at::empty({num_embeddings, embedding_dim}, at::kFloat);
  TruncNormalInit_(w, init_std);
  embedding_weight = register_parameter("embedding_weight", w);
}

at::Tensor CastedEmbedding::Forward(const at::Tensor& ids, at::ScalarType dtype) const {
  return at::embedding(embedding_weight.to(dtype), ids.to(at::kLong));
}

at::Tensor RmsNorm(const at::Tensor& x, double eps) {
  const at::ScalarType dtype = x.scalar_type();
  const at::Tensor h = x.to(AccumulationDtype(dtype));
  const at::Tensor variance = h.square().mean(-1, /*keepdim=*/true);
  return (h * at::rsqrt(variance + eps)).to(dtype);
}

int64_t SwigluIntermediateSize(int64_t hidden_size, double expansion) {
  // Evaluated left to right in double like the reference; nearbyint rounds half to even.
  const double target = expansion * static_cast<double>(hidden_size) * 2 / 3;
  const auto rounded = static_cast<int64_t>(std::nearbyint(target));
  return (rounded + 255) / 256 * 256;
}

SwiGLU::SwiGLU(int64_t hidden_size, double expansion)
    : intermediate_size_(SwigluIntermediateSize(hidden_size, expansion)) {
  gate_up_proj = register_module(
      "gate_up_proj", std::make_shared<CastedLinear>(hidden_size, 2 * intermediate_size_, false));
  down_proj = register_module(
      "down_proj", std::make_shared<CastedLinear>(intermediate_size_, hidden_size, false));
}

at::Tensor SwiGLU::Forward(const at::Tensor& x) const {
  const at::Tensor gate_up = gate_up_proj->Forward(x);
  const at::Tensor gate = gate_up.narrow(-1, 0, intermediate_size_);
  const at::Tensor up = gate_up.narrow(-1, intermediate_size_, intermediate_size_);
  return down_proj->Forward(at::silu(gate) * up);
}

RotaryEmbedding::RotaryEmbedding(int64_t dim, int64_t max_positions, double base) {
  // float32 throughout, in the reference's order of operations.
  const at::Tensor exponents = at::arange(0, dim, 2, at::kFloat) / static_cast<double>(dim);
  const at::Tensor inv_freq = at::reciprocal(at::pow(base, exponents));
  const at::Tensor positions = at::arange(max_positions, at::kFloat);
  const at::Tensor freqs = at::outer(positions, inv_freq);
  const at::Tensor angles = at::cat({freqs, freqs}, -1);
  cos_cached = RegisterNonPersistentBuffer("cos_cached", angles.cos());
  sin_cached = RegisterNonPersistentBuffer("sin_cached", angles.sin());
}

at::Tensor ApplyRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const at::ScalarType dtype = x.scalar_type();
  const at::ScalarType compute = at::promote_types(dtype, at::kFloat);
  const int64_t positions = x.size(1);
  const int64_t dim = x.size(-1);
  const int64_t half = dim / 2;
  const at::Tensor xc = x.to(compute);
  const at::Tensor c = cos.narrow(0, 0, positions).to(compute).unsqueeze(-2);
  const at::Tensor s = sin.narrow(0, 0, positions).to(compute).unsqueeze(-2);
  const at::Tensor rotated =
      at::cat({-xc.narrow(-1, half, dim - half), xc.narrow(-1, 0, half)}, -1);
  return (xc * c + rotated * s).to(dtype);
}

}  // namespace trm::nn
