#include "trm/nn/attention.h"

#include <cmath>
#include <string>

#include "gtest/gtest.h"
#include "torch/csrc/autograd/autograd.h"

namespace trm::nn {
namespace {

// softmax(scale · q kᵀ) v in float64 with autograd, [B, T, H, d] in and out.
at::Tensor NaiveAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                          double scale) {
  const at::Tensor qh = q.transpose(1, 2);
  const at::Tensor kh = k.transpose(1, 2);
  const at::Tensor vh = v.transpose(1, 2);
  const at::Tensor probs = at::softmax(at::matmul(qh, kh.transpose(-1, -2)) / (1 / scale), -1);
  return at::matmul(probs, vh).transpose(1, 2);
}

struct Inputs {
  at::Tensor q, k, v;
};

Inputs RandomInputs(int64_t batch, int64_t positions, int64_t heads, int64_t dim) {
  // A fused qkv tensor, sliced like the layer does, so the kernel sees non-contiguous views.
  const at::Tensor qkv = at::randn({batch, positions, 3 * heads, dim}, at::kDouble) * 2;
  return {qkv.narrow(2, 0, heads), qkv.narrow(2, heads, heads), qkv.narrow(2, 2 * heads, heads)};
}

struct KernelCase {
  const char* name;
  const AttentionKernel& (*kernel)();
};

class AttentionKernelTest : public ::testing::TestWithParam<KernelCase> {
 protected:
  const AttentionKernel& kernel() const { return GetParam().kernel(); }
};

INSTANTIATE_TEST_SUITE_P(Kernels, AttentionKernelTest,
                         ::testing::Values(KernelCase{"blocked", &BlockedAttentionKernel},
                                           KernelCase{"batched", &BatchedAttentionKernel},
                                           KernelCase{"default", &DefaultAttentionKernel}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_P(AttentionKernelTest, NoGradMatchesNaive) {
  at::manual_seed(0);
  const Inputs in = RandomInputs(2, 37, 3, 8);
  at::NoGradGuard no_grad;
  const at::Tensor expected = NaiveAttention(in.q, in.k, in.v, 0.3);
  const at::Tensor out =
      kernel().Forward(in.q.to(at::kFloat), in.k.to(at::kFloat), in.v.to(at::kFloat), 0.3);
  EXPECT_TRUE(out.is_contiguous());
  EXPECT_EQ(out.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::allclose(out.to(at::kDouble), expected, 1e-5, 1e-5));
}

TEST_P(AttentionKernelTest, ManyQueryBlocksMatchNaive) {
  // 1024 keys of float64: 64 query rows per 512 KiB score block, 16 blocks per head.
  at::manual_seed(1);
  const Inputs in = RandomInputs(2, 1024, 3, 4);
  at::NoGradGuard no_grad;
  const at::Tensor out = kernel().Forward(in.q, in.k, in.v, 0.5);
  EXPECT_TRUE(at::allclose(out, NaiveAttention(in.q, in.k, in.v, 0.5), 1e-10, 1e-10));
}

TEST_P(AttentionKernelTest, GradientsMatchAutogradOfTheNaiveFormula) {
  // 19 positions: one query block; 300 positions of float64: two blocks per head.
  for (const int64_t positions : {19, 300}) {
    at::manual_seed(2);
    const Inputs in = RandomInputs(2, positions, 2, 6);
    const at::Tensor q = in.q.clone().requires_grad_(true);
    const at::Tensor k = in.k.clone().requires_grad_(true);
    const at::Tensor v = in.v.clone().requires_grad_(true);
    const at::Tensor weights = at::randn({2, positions, 2, 6}, at::kDouble);

    const at::Tensor out = kernel().Forward(q, k, v, 0.4);
    const auto grads = torch::autograd::grad({(out * weights).sum()}, {q, k, v});
    const at::Tensor expected = NaiveAttention(q, k, v, 0.4);
    const auto expected_grads = torch::autograd::grad({(expected * weights).sum()}, {q, k, v});
    EXPECT_TRUE(at::allclose(out, expected, 1e-10, 1e-10)) << positions;
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(at::allclose(grads[i], expected_grads[i], 1e-9, 1e-9))
          << "input " << i << ", " << positions << " positions";
    }
  }
}

TEST_P(AttentionKernelTest, BFloat16InBFloat16Out) {
  at::manual_seed(3);
  const Inputs in = RandomInputs(1, 10, 2, 8);
  const at::Tensor q = in.q.to(at::kBFloat16).requires_grad_(true);
  const at::Tensor out = kernel().Forward(q, in.k.to(at::kBFloat16), in.v.to(at::kBFloat16), 0.25);
  EXPECT_EQ(out.scalar_type(), at::kBFloat16);
  out.sum().backward();
  EXPECT_EQ(q.grad().scalar_type(), at::kBFloat16);
  EXPECT_TRUE(
      at::allclose(out.to(at::kDouble), NaiveAttention(in.q, in.k, in.v, 0.25), 0.05, 0.05));
}

TEST(AttentionTest, LayerShapesAndHeadMajorLayout) {
  // 12 heads of 512: head_dim 42, qkv 512 -> 1512, o 504 -> 512 (the Transformer baseline).
  Attention baseline(512, 12);
  EXPECT_EQ(baseline.head_dim(), 42);
  EXPECT_EQ(baseline.qkv_proj->weight.sizes(), (at::IntArrayRef{1512, 512}));
  EXPECT_EQ(baseline.o_proj->weight.sizes(), (at::IntArrayRef{512, 504}));

  at::manual_seed(4);
  Attention layer(16, 2);
  const at::Tensor h = at::randn({2, 5, 16});
  const at::Tensor qkv = at::matmul(h, layer.qkv_proj->weight.t()).view({2, 5, 6, 8});
  const at::Tensor attended =
      NaiveAttention(qkv.narrow(2, 0, 2).to(at::kDouble), qkv.narrow(2, 2, 2).to(at::kDouble),
                     qkv.narrow(2, 4, 2).to(at::kDouble), 1 / std::sqrt(8.0));
  const at::Tensor expected =
      at::matmul(attended.reshape({2, 5, 16}).to(at::kFloat), layer.o_proj->weight.t());
  at::NoGradGuard no_grad;
  EXPECT_TRUE(at::allclose(layer.Forward(h, at::Tensor(), at::Tensor()), expected, 1e-5, 1e-5));
}

}  // namespace
}  // namespace trm::nn
