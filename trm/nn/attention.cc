#include "trm/nn/attention.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/version.h>

#include <algorithm>
#include <mutex>
#include <utility>

namespace trm::nn {
namespace {

// Scores are computed a block of query rows at a time into a buffer of about this size, which
// stays in the L2 cache: softmax and the second GEMM then read it from cache, and no
// [B·heads, T, T] tensor is ever written (writing one is several times slower than the GEMMs
// themselves, and glibc maps and unmaps it on every call).
constexpr int64_t kScoreBlockBytes = int64_t{512} << 10;

at::ScalarType KernelDtype(const at::Tensor& x) {
  return x.is_cpu() ? AccumulationDtype(x.scalar_type()) : x.scalar_type();
}

// [B, T, heads, d] (any strides) -> [B·heads, T, d] contiguous, in `dtype`, in one copy.
at::Tensor ToHeadMajor(const at::Tensor& x, at::ScalarType dtype) {
  at::Tensor out =
      at::empty({x.size(0), x.size(2), x.size(1), x.size(3)}, x.options().dtype(dtype));
  out.copy_(x.transpose(1, 2));
  return out.view({-1, x.size(1), x.size(3)});
}

// q, k, v in head-major layout and the kernel's compute dtype.
struct HeadMajorQkv {
  at::Tensor q, k, v;
};

HeadMajorQkv ToHeadMajorQkv(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  const at::ScalarType dtype = KernelDtype(q);
  return {ToHeadMajor(q, dtype), ToHeadMajor(k, dtype), ToHeadMajor(v, dtype)};
}

// [B·heads, T, d] -> [B, T, heads, d] contiguous in `dtype`.
at::Tensor FromHeadMajor(const at::Tensor& x, int64_t batch, at::ScalarType dtype) {
  const int64_t heads = x.size(0) / batch;
  at::Tensor out = at::empty({batch, x.size(1), heads, x.size(2)}, x.options().dtype(dtype));
  out.copy_(x.view({batch, heads, x.size(1), x.size(2)}).transpose(1, 2));
  return out;
}

int64_t QueryBlockRows(const at::Tensor& qh, const at::Tensor& kh) {
  const int64_t row_bytes = kh.size(1) * static_cast<int64_t>(qh.element_size());
  return std::clamp<int64_t>(kScoreBlockBytes / std::max<int64_t>(1, row_bytes), 16, qh.size(1));
}

// The blocked forward on head-major q, k, v [BH, T, d]: per head and block of query rows,
// P = softmax(scale · Q Kᵀ) in a cache-resident buffer, O = P V. Also returns the row
// log-sum-exp [BH, T] when `lse` is given (for the backward's recomputation of P).
at::Tensor BlockedForward(const at::Tensor& qh, const at::Tensor& kh, const at::Tensor& vh,
                          double scale, at::Tensor* lse) {
  const int64_t heads = qh.size(0);
  const int64_t tq = qh.size(1);
  const int64_t rows = QueryBlockRows(qh, kh);
  at::Tensor out = at::empty({heads, tq, vh.size(2)}, qh.options());
  if (lse != nullptr) *lse = at::empty({heads, tq}, qh.options());
  // Heads in parallel: the per-block GEMMs are too small for the BLAS library to split.
  at::parallel_for(0, heads, 1, [&](int64_t first_head, int64_t end_head) {
    at::Tensor buffer = at::empty({rows, kh.size(1)}, qh.options());
    for (int64_t h = first_head; h < end_head; ++h) {
      const at::Tensor k = kh[h];
      const at::Tensor v = vh[h];
      for (int64_t start = 0; start < tq; start += rows) {
        const int64_t n = std::min(rows, tq - start);
        at::Tensor scores = buffer.narrow(0, 0, n);
        // beta = 0: the buffer's previous contents are ignored, not multiplied.
        scores.addmm_(qh[h].narrow(0, start, n), k.t(), /*beta=*/0.0, /*alpha=*/scale);
        if (lse == nullptr) {
          at::_softmax_out(scores, scores, -1, /*half_to_float=*/false);
        } else {
          const at::Tensor row_max = scores.amax(-1, /*keepdim=*/true);
          scores.sub_(row_max).exp_();
          const at::Tensor row_sum = scores.sum(-1, /*keepdim=*/true);
          scores.div_(row_sum);
          lse->select(0, h).narrow(0, start, n).copy_((row_max + row_sum.log()).squeeze(-1));
        }
        at::Tensor out_block = out.select(0, h).narrow(0, start, n);
        at::mm_out(out_block, scores, v);
      }
    }
  });
  return out;
}

// Flash-attention-style backward: P is recomputed per block from the saved log-sum-exp, and
// dS = P ⊙ (dP − rowsum(dO ⊙ O)).
struct BlockedGrads {
  at::Tensor dq, dk, dv;
};

BlockedGrads BlockedBackward(const at::Tensor& qh, const at::Tensor& kh, const at::Tensor& vh,
                             const at::Tensor& out, const at::Tensor& lse, const at::Tensor& dout,
                             double scale) {
  const int64_t heads = qh.size(0);
  const int64_t tq = qh.size(1);
  const int64_t rows = QueryBlockRows(qh, kh);
  BlockedGrads grads{at::empty_like(qh), at::zeros_like(kh), at::zeros_like(vh)};
  const at::Tensor delta = (dout * out).sum(-1, /*keepdim=*/true);  // [BH, T, 1]
  at::parallel_for(0, heads, 1, [&](int64_t first_head, int64_t end_head) {
    at::Tensor probs_buffer = at::empty({rows, kh.size(1)}, qh.options());
    at::Tensor dscores_buffer = at::empty({rows, kh.size(1)}, qh.options());
    for (int64_t h = first_head; h < end_head; ++h) {
      const at::Tensor k = kh[h];
      const at::Tensor v = vh[h];
      at::Tensor dk = grads.dk[h];
      at::Tensor dv = grads.dv[h];
      for (int64_t start = 0; start < tq; start += rows) {
        const int64_t n = std::min(rows, tq - start);
        const at::Tensor q = qh[h].narrow(0, start, n);
        const at::Tensor dout_block = dout[h].narrow(0, start, n);
        at::Tensor probs = probs_buffer.narrow(0, 0, n);
        probs.addmm_(q, k.t(), /*beta=*/0.0, /*alpha=*/scale);
        probs.sub_(lse[h].narrow(0, start, n).unsqueeze(-1)).exp_();
        dv.addmm_(probs.t(), dout_block);
        at::Tensor dscores = dscores_buffer.narrow(0, 0, n);
        dscores.addmm_(dout_block, v.t(), /*beta=*/0.0, /*alpha=*/1.0);
        dscores.sub_(delta[h].narrow(0, start, n)).mul_(probs);
        at::Tensor dq = grads.dq[h].narrow(0, start, n);
        dq.addmm_(dscores, k, /*beta=*/0.0, /*alpha=*/scale);
        dk.addmm_(dscores.t(), q, /*beta=*/1.0, /*alpha=*/scale);
      }
    }
  });
  return grads;
}

class BlockedAttentionFunction : public torch::autograd::Function<BlockedAttentionFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& q,
                            const at::Tensor& k, const at::Tensor& v, double scale) {
    const auto [qh, kh, vh] = ToHeadMajorQkv(q, k, v);
    at::Tensor lse;
    const at::Tensor out = BlockedForward(qh, kh, vh, scale, &lse);
    ctx->save_for_backward({qh, kh, vh, out, lse});
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["batch"] = q.size(0);
    return FromHeadMajor(out, q.size(0), q.scalar_type());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const double scale = ctx->saved_data["scale"].toDouble();
    const int64_t batch = ctx->saved_data["batch"].toInt();
    const at::ScalarType input_dtype = grad_outputs[0].scalar_type();
    const at::Tensor dout = ToHeadMajor(grad_outputs[0], saved[0].scalar_type());
    const BlockedGrads g =
        BlockedBackward(saved[0], saved[1], saved[2], saved[3], saved[4], dout, scale);
    return {FromHeadMajor(g.dq, batch, input_dtype), FromHeadMajor(g.dk, batch, input_dtype),
            FromHeadMajor(g.dv, batch, input_dtype), at::Tensor()};
  }
};

// Accelerators: batched GEMMs over every head at once.
struct DenseResult {
  at::Tensor probs;
  at::Tensor out;
};

DenseResult DenseForward(const at::Tensor& qh, const at::Tensor& kh, const at::Tensor& vh,
                         double scale) {
  at::Tensor probs = at::empty({qh.size(0), qh.size(1), kh.size(1)}, qh.options());
  probs.baddbmm_(qh, kh.transpose(1, 2), /*beta=*/0.0, /*alpha=*/scale);
  at::_softmax_out(probs, probs, -1, /*half_to_float=*/false);
  return {probs, at::bmm(probs, vh)};
}

// The probabilities are kept for the backward.
class DenseAttentionFunction : public torch::autograd::Function<DenseAttentionFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& q,
                            const at::Tensor& k, const at::Tensor& v, double scale) {
    const auto [qh, kh, vh] = ToHeadMajorQkv(q, k, v);
    const DenseResult result = DenseForward(qh, kh, vh, scale);
    ctx->save_for_backward({qh, kh, vh, result.probs, result.out});
    ctx->saved_data["scale"] = scale;
    ctx->saved_data["batch"] = q.size(0);
    return FromHeadMajor(result.out, q.size(0), q.scalar_type());
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

bool NeedsGrad(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
  return at::GradMode::is_enabled() &&
         (q.requires_grad() || k.requires_grad() || v.requires_grad());
}

class Blocked : public AttentionKernel {
 public:
  at::Tensor Forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                     double scale) const override {
    if (NeedsGrad(q, k, v)) return BlockedAttentionFunction::apply(q, k, v, scale);
    const auto [qh, kh, vh] = ToHeadMajorQkv(q, k, v);
    const at::Tensor out = BlockedForward(qh, kh, vh, scale, /*lse=*/nullptr);
    return FromHeadMajor(out, q.size(0), q.scalar_type());
  }
};

class Batched : public AttentionKernel {
 public:
  at::Tensor Forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                     double scale) const override {
    if (NeedsGrad(q, k, v)) return DenseAttentionFunction::apply(q, k, v, scale);
    const auto [qh, kh, vh] = ToHeadMajorQkv(q, k, v);
    const at::Tensor out = DenseForward(qh, kh, vh, scale).out;
    return FromHeadMajor(out, q.size(0), q.scalar_type());
  }
};

// PyTorch's SDPA has the `scale` argument since 2.1.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
#define TRM_HAS_SDPA 1
// CUDA: PyTorch's fused SDPA (flash or memory-efficient kernels), as the reference computes it.
class Sdpa : public AttentionKernel {
 public:
  at::Tensor Forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                     double scale) const override {
    // SDPA takes [B, heads, T, d].
    const at::Tensor out = at::scaled_dot_product_attention(
        q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), /*attn_mask=*/{},
        /*dropout_p=*/0.0, /*is_causal=*/false, scale);
    return out.transpose(1, 2).contiguous();
  }
};
#endif

class ByDevice : public AttentionKernel {
 public:
  at::Tensor Forward(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                     double scale) const override {
    if (q.is_cpu()) return BlockedAttentionKernel().Forward(q, k, v, scale);
#ifdef TRM_HAS_SDPA
    static const Sdpa sdpa;
    if (q.is_cuda()) return sdpa.Forward(q, k, v, scale);
#endif
    return BatchedAttentionKernel().Forward(q, k, v, scale);
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
    return std::shared_ptr<const AttentionKernel>(std::shared_ptr<void>(),
                                                  &DefaultAttentionKernel());
  }
  return KernelSlot();
}

}  // namespace

const AttentionKernel& BlockedAttentionKernel() {
  static const Blocked kernel;
  return kernel;
}

const AttentionKernel& BatchedAttentionKernel() {
  static const Batched kernel;
  return kernel;
}

const AttentionKernel& DefaultAttentionKernel() {
  static const ByDevice kernel;
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
  o_proj = register_module(
      "o_proj", std::make_shared<CastedLinear>(num_heads * head_dim_, hidden_size, false));
}

at::Tensor Attention::Forward(const at::Tensor& h, const at::Tensor& cos,
                              const at::Tensor& sin) const {
  const int64_t batch = h.size(0);
  const int64_t positions = h.size(1);
  const at::Tensor qkv = qkv_proj->Forward(h).view({batch, positions, 3 * num_heads_, head_dim_});
  // split, not narrow: its backward concatenates instead of zero-filling three times.
  const std::vector<at::Tensor> parts = qkv.split(num_heads_, 2);
  at::Tensor query = parts[0];
  at::Tensor key = parts[1];
  const at::Tensor& value = parts[2];
  if (cos.defined()) {
    query = ApplyRotary(query, cos, sin);
    key = ApplyRotary(key, cos, sin);
  }
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim_));
  const at::Tensor attended = kernel_->Forward(query, key, value, scale);
  return o_proj->Forward(attended.view({batch, positions, num_heads_ * head_dim_}));
}

}  // namespace trm::nn
