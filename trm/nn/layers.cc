#include "trm/nn/layers.h"

#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "trm/nn/init.h"

namespace trm::nn {
namespace {

bool NeedsGrad(const at::Tensor& x) { return at::GradMode::is_enabled() && x.requires_grad(); }

// y = x · r with r = rsqrt(mean(x², last axis) + eps), in the accumulation dtype.
struct RmsNormResult {
  at::Tensor y;
  at::Tensor r;
};

RmsNormResult RmsNormForward(const at::Tensor& x, double eps) {
  const at::Tensor h = x.to(AccumulationDtype(x.scalar_type()));
  const at::Tensor r = at::rsqrt(h.square().mean(-1, /*keepdim=*/true) + eps);
  return {h * r, r};
}

// One node instead of five (square, mean, add, rsqrt, mul) and their temporaries:
// dx = r · (dy − y · mean(dy · y)).
class RmsNormFunction : public torch::autograd::Function<RmsNormFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                            double eps) {
    RmsNormResult result = RmsNormForward(x, eps);
    ctx->save_for_backward({result.y, result.r});
    return result.y.to(x.scalar_type());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& y = saved[0];
    const at::Tensor& r = saved[1];
    const at::Tensor dy = grad_outputs[0].to(y.scalar_type());
    const at::Tensor projection = (dy * y).mean(-1, /*keepdim=*/true);
    at::Tensor dx = dy - y * projection;
    dx.mul_(r);
    return {dx.to(grad_outputs[0].scalar_type()), at::Tensor()};
  }
};

// out = x·cos + rotate_half(x)·sin with rotate_half(x) = [−x2, x1], written half by half into
// one output. `inverse` rotates by −angle (the backward: dx = dy·cos + [s·dy2, −s·dy1]).
at::Tensor Rotate(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin, bool inverse) {
  const int64_t half = x.size(-1) / 2;
  at::Tensor out = at::empty(x.sizes(), x.options());
  const at::Tensor x1 = x.narrow(-1, 0, half);
  const at::Tensor x2 = x.narrow(-1, half, half);
  at::Tensor out1 = out.narrow(-1, 0, half);
  at::Tensor out2 = out.narrow(-1, half, half);
  const double sign = inverse ? -1.0 : 1.0;
  at::mul_out(out1, x1, cos.narrow(-1, 0, half));
  out1.addcmul_(x2, sin.narrow(-1, 0, half), -sign);
  at::mul_out(out2, x2, cos.narrow(-1, half, half));
  out2.addcmul_(x1, sin.narrow(-1, half, half), sign);
  return out;
}

class RotaryFunction : public torch::autograd::Function<RotaryFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                            const at::Tensor& cos, const at::Tensor& sin) {
    ctx->save_for_backward({cos, sin});
    return Rotate(x, cos, sin, /*inverse=*/false);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    return {Rotate(grad_outputs[0], saved[0], saved[1], /*inverse=*/true), at::Tensor(),
            at::Tensor()};
  }
};

}  // namespace

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
  if (NeedsGrad(x)) return RmsNormFunction::apply(x, eps);
  return RmsNormForward(x, eps).y.to(x.scalar_type());
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
  // chunk, not narrow: its backward concatenates instead of zero-filling twice.
  const std::vector<at::Tensor> gate_up = gate_up_proj->Forward(x).chunk(2, -1);
  return down_proj->Forward(at::silu(gate_up[0]) * gate_up[1]);
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
  TORCH_CHECK(x.size(-1) % 2 == 0, "rotary embedding needs an even head dimension, got ",
              x.size(-1));
  const at::ScalarType dtype = x.scalar_type();
  const at::ScalarType compute = at::promote_types(dtype, at::kFloat);
  const int64_t positions = x.size(1);
  const at::Tensor xc = x.to(compute);
  const at::Tensor c = cos.narrow(0, 0, positions).to(compute).unsqueeze(-2);
  const at::Tensor s = sin.narrow(0, 0, positions).to(compute).unsqueeze(-2);
  const at::Tensor rotated =
      NeedsGrad(xc) ? RotaryFunction::apply(xc, c, s) : Rotate(xc, c, s, /*inverse=*/false);
  return rotated.to(dtype);
}

}  // namespace trm::nn
