#include "trm/nn/attention.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include <torch/csrc/autograd/custom_function.h>

namespace trm::nn {
namespace {

// Score memory per no-grad block: a few heads' [T, T] scores at a time, reused, instead of one
// [B·heads, T, T] tensor per call (which glibc would mmap and unmap every time).
constexpr int64_t kScoreBlockBytes = int64_t{32} << 20;

at::ScalarType KernelDtype(const at::Tensor& x) {
  return x.is_cpu() ? AccumulationDtype(x.scalar_type()) : x.scalar_type();
}

// [B, T, heads, d] (any strides) -> [B·heads, T, d] contiguous, in `dtype`, in one copy.
at::Tensor ToHeadMajor(const at::Tensor& x, at::ScalarType dtype) {
  at::Tensor out = at::empty({x.size(0), x.size(2), x.size(1), x.size(3)},
                             x.options().dtype(dtype));
  out.copy_(x.transpose(1, 2));
  return out.view({-1, x.size(1), x.size(3)});
}

// [B·heads, T, d] -> [B, T, heads, d] contiguous in `dtype`.
at::Tensor FromHeadMajor(const at::Tensor& x, int64_t batch, at::ScalarType dtype) {
  const int64_t heads = x.size(0) / batch;
  at::Tensor out = at::empty({batch, x.size(1), heads, x.size(2)}, x.options().dtype(dtype));
  out.copy_(x.view({batch, heads, x.size(1), x.size(2)}).transpose(1, 2));
  return out;
}

// probs[i] = softmax(scale · q[i] k[i]ᵀ) for the head-major slices i, written into `probs`.
void SoftmaxScores(const at::Tensor& q, const at::Tensor& k, double scale, at::Tensor& probs) {
  // beta = 0: the (uninitialised) contents of `probs` are ignored, not multiplied.
  probs.baddbmm_(q, k.transpose(1, 2), /*beta=*/0.0, /*alpha=*/scale);
  at::_softmax_out(probs, probs, -1, /*half_to_float=*/false);
}

// Differentiable attention that keeps the probabilities (the backward needs them) and computes
// the softmax gradient in place: dS = P ⊙ (dP − rowsum(dO ⊙ O)).
class DenseAttentionFunction : public torch::autograd::Function<DenseAttentionFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& q,
                            const at::Tensor& k, const at::Tensor& v, double scale) {
    const at::ScalarType dtype = KernelDtype(q);
    const at::Tensor qh = ToHeadMajor(q, dtype);
    const at::Tensor kh = ToHeadMajor(k, dtype);
    const at::Tensor vh = ToHeadMajor(v, dtype);
    at::Tensor probs = at::empty({qh.size(0), qh.size(1), kh.size(1)}, qh.options());
    SoftmaxScores(qh, kh, scale, probs);
    const at::Tensor out = at::bmm(probs, vh);
    ctx->save_for_backward({qh, kh, vh, probs, out});
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["batch"] = q.size(0);
    return FromHeadMajor(out, q.size(0), q.scalar_type());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& qh = saved[0];
    const at::Tensor& kh = saved[1];
    const at::Tensor& vh = saved[2];
    const at::Tensor& probs = saved[3];
    const at::Tensor& out = saved[4];
    const double scale = ctx->saved_data["scale"].toDouble();
    const int64_t batch = ctx->saved_data["batch"].toInt();
    const at::ScalarType input_dtype = grad_outputs[0].scalar_type();

    const at::Tensor dout = ToHeadMajor(grad_outputs[0], qh.scalar_type());
    const at::Tensor dv = at::bmm(probs.transpose(1, 2), dout);
    at::Tensor ds = at::bmm(dout, vh.transpose(1, 2));
    ds.sub_((dout * out).sum(-1, /*keepdim=*/true)).mul_(probs);
    const at::Tensor dq = at::bmm(ds, kh).mul_(scale);
    const at::Tensor dk = at::bmm(ds.transpose(1, 2), qh).mul_(scale);
    return {FromHeadMajor(dq, batch, input_dtype), FromHeadMajor(dk, batch, input_dtype),
            FromHeadMajor(dv, batch, input_dtype), at::Tensor()};
  }
};

// Inference: blocks of heads through one reused score buffer, softmax in place.
at::Tensor BlockedAttentionNoGrad(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                  double scale) {
  const at::ScalarType dtype = KernelDtype(q);
  const at::Tensor qh = ToHeadMajor(q, dtype);
  const at::Tensor kh = ToHeadMajor(k, dtype);
  const at::Tensor vh = ToHeadMajor(v, dtype);
  const int64_t heads = qh.size(0);
  const int64_t tq = qh.size(1);
  const int64_t tk = kh.size(1);
  const int64_t bytes_per_head = tq * tk * static_cast<int64_t>(qh.element_size());
  const int64_t block = std::clamp<int64_t>(kScoreBlockBytes / std::max<int64_t>(1, bytes_per_head),
                                            1, heads);
  at::Tensor out = at::empty({heads, tq, vh.size(2)}, qh.options());
  at::Tensor scores = at::empty({block, tq, tk}, qh.options());
  for (int64_t start = 0; start < heads; start += block) {
    const int64_t n = std::min(block, heads - start);
    at::Tensor probs = scores.narrow(0, 0, n);
    SoftmaxScores(qh.narrow(0, start, n), kh.narrow(0, start, n), scale, probs);
    at::Tensor out_block = out.narrow(0, start, n);
    at::bmm_out(out_block, probs, vh.narrow(0, start, n));
  }
  return FromHeadMajor(out, q.size(0), q.scalar_type());
}

class BuiltinAttentionKernel : public AttentionKernel {
 public:
  at::Tensor Forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                     double scale) const override {
    const bool needs_grad =
        at::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad());
    if (needs_grad) return DenseAttentionFunction::apply(q, k, v, scale);
    return BlockedAttentionNoGrad(q, k, v, scale);
  }
};

std::mutex& KernelMutex() {
  static auto* const mu = new std::mutex;
  return *mu;
}

std::shared_ptr<const AttentionKernel>& KernelSlot() {
  static auto* const slot = new std::shared_ptr<const AttentionKernel>;
  return *slot;
}

std::shared_ptr<const AttentionKernel> CurrentKernel() {
  std::lock_guard<std::mutex> lock(KernelMutex());
  if (KernelSlot() == nullptr) {
    return std::shared_ptr<const AttentionKernel>(std::shared_ptr<void>(), &DefaultAttentionKernel());
  }
  return KernelSlot();
}

}  // namespace

const AttentionKernel& DefaultAttentionKernel() {
  static const BuiltinAttentionKernel kernel;
  return kernel;
}

void SetDefaultAttentionKernel(std::shared_ptr<const AttentionKernel> kernel) {
  std::lock_guard<std::mutex> lock(KernelMutex());
  KernelSlot() = std::move(kernel);
}

Attention::Attention(int64_t hidden_size, int64_t num_heads)
    : num_heads_(num_heads), head_dim_(hidden_size / num_heads), kernel_(CurrentKernel()) {
  qkv_proj = register_module(
      "qkv_proj", std::make_shared<CastedLinear>(hidden_size, 3 * num_heads * head_dim_, false));
  o_proj = register_module("o_proj",
                           std::make_shared<CastedLinear>(num_heads * head_dim_, hidden_size, false));
}

at::Tensor Attention::Forward(const at::Tensor& h, const at::Tensor& cos,
                              const at::Tensor& sin) const {
  const int64_t batch = h.size(0);
  const int64_t positions = h.size(1);
  const at::Tensor qkv =
      qkv_proj->Forward(h).view({batch, positions, 3 * num_heads_, head_dim_});
  at::Tensor query = qkv.narrow(2, 0, num_heads_);
  at::Tensor key = qkv.narrow(2, num_heads_, num_heads_);
  const at::Tensor value = qkv.narrow(2, 2 * num_heads_, num_heads_);
  if (cos.defined()) {
    query = ApplyRotary(query, cos, sin);
    key = ApplyRotary(key, cos, sin);
  }
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim_));
  const at::Tensor attended = kernel_->Forward(query, key, value, scale);
  return o_proj->Forward(attended.view({batch, positions, num_heads_ * head_dim_}));
}

}  // namespace trm::nn
