#include "trm/nn/layers.h"

#include <cmath>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "torch/csrc/autograd/autograd.h"
#include "trm/nn/module.h"

namespace trm::nn {
namespace {

TEST(SwigluIntermediateSizeTest, MatchesTheReferenceIncludingBankersRounding) {
  // (hidden, expansion, intermediate) from fixtures/ops/case.json: swiglu_intermediate_sizes.
  const std::vector<std::tuple<int64_t, double, int64_t>> cases = {
      {64, 4, 256},    {96, 2.5, 256},   {32, 4, 256},   {97, 4, 512},
      {916, 4, 2560},  {96, 4, 256},     {512, 4, 1536}, {384, 2.6666666666666665, 768},
      {100, 1.5, 256}, {513, 0.75, 256}, {3, 2.25, 256}, {1, 1, 256},
      {1024, 4, 2816}};
  for (const auto& [hidden, expansion, expected] : cases) {
    EXPECT_EQ(SwigluIntermediateSize(hidden, expansion), expected)
        << "hidden " << hidden << " expansion " << expansion;
  }
}

TEST(CastedLinearTest, ShapesInitAndForwardInTheInputDtype) {
  at::manual_seed(0);
  CastedLinear layer(256, 512, /*bias=*/true);
  EXPECT_EQ(layer.weight.sizes(), (at::IntArrayRef{512, 256}));
  EXPECT_EQ(layer.weight.scalar_type(), at::kFloat);
  EXPECT_NEAR(layer.weight.std().item<float>(), 1.0 / 16, 2e-3);
  EXPECT_EQ(layer.bias.abs().sum().item<float>(), 0.0f);

  const at::Tensor x = at::randn({2, 3, 256});
  const at::Tensor y = layer.Forward(x);
  EXPECT_TRUE(at::allclose(y, at::matmul(x, layer.weight.t()), 1e-5, 1e-5));
  EXPECT_EQ(layer.Forward(x.to(at::kBFloat16)).scalar_type(), at::kBFloat16);
  EXPECT_EQ(layer.Forward(x.to(at::kDouble)).scalar_type(), at::kDouble);
}

TEST(CastedEmbeddingTest, GathersRowsInTheTargetDtype) {
  CastedEmbedding embedding(10, 4, 0.5);
  const at::Tensor ids = at::tensor({3, 0, 9}, at::kInt);
  const at::Tensor out = embedding.Forward(ids, at::kBFloat16);
  EXPECT_EQ(out.scalar_type(), at::kBFloat16);
  EXPECT_TRUE(at::equal(
      out, embedding.embedding_weight.index_select(0, ids.to(at::kLong)).to(at::kBFloat16)));
}

TEST(RmsNormTest, NormalisesTheLastAxisWithoutGain) {
  const at::Tensor x = at::randn({3, 5, 8}, at::kDouble) * 7;
  const at::Tensor expected = x / at::sqrt(x.square().mean(-1, true) + 1e-5);
  EXPECT_TRUE(at::allclose(RmsNorm(x, 1e-5), expected, 1e-12, 1e-12));
  EXPECT_TRUE(at::allclose(RmsNorm(x.to(at::kFloat), 1e-5), expected.to(at::kFloat), 1e-5, 1e-6));
  const at::Tensor y = RmsNorm(x.to(at::kBFloat16), 1e-5);
  EXPECT_EQ(y.scalar_type(), at::kBFloat16);
  EXPECT_TRUE(at::allclose(y.to(at::kDouble), expected, 1e-2, 1e-2));
}

TEST(RmsNormTest, GradientMatchesAutogradOfTheFormula) {
  const at::Tensor x = (at::randn({2, 3, 8}, at::kDouble) * 3).requires_grad_(true);
  const at::Tensor weights = at::randn({2, 3, 8}, at::kDouble);
  const at::Tensor grad = torch::autograd::grad({(RmsNorm(x, 1e-5) * weights).sum()}, {x})[0];
  const at::Tensor naive = x / at::sqrt(x.square().mean(-1, true) + 1e-5);
  const at::Tensor expected = torch::autograd::grad({(naive * weights).sum()}, {x})[0];
  EXPECT_TRUE(at::allclose(grad, expected, 1e-12, 1e-12));
}

TEST(RotaryEmbeddingTest, TablesFollowTheHalfSplitLayout) {
  RotaryEmbedding rope(8, 20, 10000.0);
  ASSERT_EQ(rope.cos_cached.sizes(), (at::IntArrayRef{20, 8}));
  for (int p : {0, 1, 7, 19}) {
    for (int i = 0; i < 8; ++i) {
      const double angle = p / std::pow(10000.0, 2.0 * (i % 4) / 8);
      EXPECT_NEAR(rope.cos_cached[p][i].item<float>(), std::cos(angle), 1e-6);
      EXPECT_NEAR(rope.sin_cached[p][i].item<float>(), std::sin(angle), 1e-6);
    }
  }
  // Not part of the state dict.
  EXPECT_TRUE(PersistentState(rope).empty());
}

TEST(RotaryEmbeddingTest, RotatesPairsHalfApart) {
  RotaryEmbedding rope(4, 3, 10000.0);
  // x [1, T=3, heads=1, d=4] = e_0 at every position: component 0 pairs with component 2.
  at::Tensor x = at::zeros({1, 3, 1, 4});
  x.select(-1, 0).fill_(1);
  const at::Tensor y = ApplyRotary(x, rope.cos_cached, rope.sin_cached);
  for (int p = 0; p < 3; ++p) {
    EXPECT_NEAR(y[0][p][0][0].item<float>(), std::cos(p), 1e-6);
    EXPECT_NEAR(y[0][p][0][2].item<float>(), std::sin(p), 1e-6);
    EXPECT_EQ(y[0][p][0][1].item<float>(), 0.0f);
    EXPECT_EQ(y[0][p][0][3].item<float>(), 0.0f);
  }
  EXPECT_EQ(ApplyRotary(x.to(at::kBFloat16), rope.cos_cached, rope.sin_cached).scalar_type(),
            at::kBFloat16);
}

TEST(RotaryEmbeddingTest, GradientIsTheInverseRotation) {
  RotaryEmbedding rope(6, 5, 100.0);
  const at::Tensor x = at::randn({2, 5, 3, 6}, at::kDouble).requires_grad_(true);
  const at::Tensor weights = at::randn({2, 5, 3, 6}, at::kDouble);
  const at::Tensor y = ApplyRotary(x, rope.cos_cached, rope.sin_cached);
  const at::Tensor grad = torch::autograd::grad({(y * weights).sum()}, {x})[0];
  // The reference's formula with autograd: x·cos + cat(-x2, x1)·sin.
  const at::Tensor c = rope.cos_cached.to(at::kDouble).unsqueeze(-2);
  const at::Tensor s = rope.sin_cached.to(at::kDouble).unsqueeze(-2);
  const at::Tensor naive = x * c + at::cat({-x.narrow(-1, 3, 3), x.narrow(-1, 0, 3)}, -1) * s;
  EXPECT_TRUE(at::allclose(y, naive, 1e-12, 1e-12));
  const at::Tensor expected = torch::autograd::grad({(naive * weights).sum()}, {x})[0];
  EXPECT_TRUE(at::allclose(grad, expected, 1e-12, 1e-12));
}

TEST(SwiGLUTest, GateIsTheFirstHalf) {
  SwiGLU mlp(8, 4.0);
  ASSERT_EQ(mlp.intermediate_size(), 256);
  const at::Tensor x = at::randn({2, 8});
  const at::Tensor gate = at::matmul(x, mlp.gate_up_proj->weight.narrow(0, 0, 256).t());
  const at::Tensor up = at::matmul(x, mlp.gate_up_proj->weight.narrow(0, 256, 256).t());
  const at::Tensor expected = at::matmul(at::silu(gate) * up, mlp.down_proj->weight.t());
  EXPECT_TRUE(at::allclose(mlp.Forward(x), expected, 1e-5, 1e-6));
}

class Holder : public Module {
 public:
  Holder() {
    register_parameter("w", at::zeros({1}));
    register_buffer("persistent", at::zeros({2}));
    RegisterNonPersistentBuffer("scratch", at::zeros({3}));
    register_module("child", std::make_shared<CastedLinear>(2, 2, true));
  }
};

TEST(PersistentStateTest, PyTorchOrderWithoutNonPersistentBuffers) {
  Holder holder;
  std::vector<std::string> keys;
  for (const auto& [key, tensor] : PersistentState(holder)) keys.push_back(key);
  EXPECT_THAT(keys, ::testing::ElementsAre("w", "persistent", "child.weight", "child.bias"));
  // The tensors are the module's own: writing into them changes the module.
  PersistentState(holder)[0].second.data().fill_(5);
  EXPECT_EQ(holder.named_parameters()["w"].item<float>(), 5.0f);
}

}  // namespace
}  // namespace trm::nn
