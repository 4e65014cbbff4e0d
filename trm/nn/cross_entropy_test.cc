#include "trm/nn/cross_entropy.h"

#include <cmath>

#include "gtest/gtest.h"
#include "trm/model/batch.h"

namespace trm::nn {
namespace {

TEST(StablemaxTest, SpecExample) {
  // s([0, 1, -1]) = [1, 2, 0.5]; probabilities [1, 2, 0.5] / 3.5.
  const at::Tensor logits = at::tensor({0.0f, 1.0f, -1.0f}).view({1, 3});
  EXPECT_TRUE(at::allclose(Stablemax(logits), at::tensor({1.0f, 2.0f, 0.5f}).view({1, 3})));
  const at::Tensor labels = at::tensor({1}, at::kInt);
  const at::Tensor loss = StablemaxCrossEntropy(logits, labels);
  EXPECT_EQ(loss.scalar_type(), at::kDouble);
  EXPECT_DOUBLE_EQ(loss.item<double>(), -std::log(2.0 / 3.5));
}

TEST(StablemaxTest, IgnoredAndMaskedPositionsAreZero) {
  const at::Tensor logits = at::randn({2, 3, 5});
  const at::Tensor labels = at::tensor({1, -100, 4, 0, 2, -100}, at::kInt).view({2, 3});
  const at::Tensor loss = StablemaxCrossEntropy(logits, labels);
  EXPECT_EQ(loss[0][1].item<double>(), 0.0);
  EXPECT_EQ(loss[1][2].item<double>(), 0.0);
  EXPECT_GT(loss[0][0].item<double>(), 0.0);
  const at::Tensor mask = labels.ne(kIgnoreLabel) & (at::arange(3) != 0).view({1, 3});
  const at::Tensor masked = StablemaxCrossEntropy(logits, labels, mask);
  EXPECT_EQ(masked[0][0].item<double>(), 0.0);
  EXPECT_EQ(masked[0][2].item<double>(), loss[0][2].item<double>());
}

TEST(StablemaxTest, ExtremeLogitsStayFinite) {
  const at::Tensor logits =
      at::tensor({1e4f, -1e4f, 50.0f, -50.0f, 0.0f}).view({1, 5}).requires_grad_(true);
  const at::Tensor loss = StablemaxCrossEntropy(logits, at::tensor({1}, at::kInt));
  loss.sum().backward();
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
  EXPECT_TRUE(logits.grad().isfinite().all().item<bool>());
}

TEST(SoftmaxCrossEntropyTest, MatchesLogSoftmaxAndHonoursTheMask) {
  const at::Tensor logits = at::randn({2, 4, 6});
  const at::Tensor labels = at::randint(0, 6, {2, 4}, at::kInt);
  const at::Tensor expected =
      -at::log_softmax(logits, -1).gather(-1, labels.to(at::kLong).unsqueeze(-1)).squeeze(-1);
  const at::Tensor loss = SoftmaxCrossEntropy(logits, labels);
  EXPECT_EQ(loss.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::allclose(loss, expected, 1e-5, 1e-6));
  at::Tensor mask = at::ones({2, 4}, at::kBool);
  mask[1][3] = false;
  EXPECT_EQ(SoftmaxCrossEntropy(logits, labels, mask)[1][3].item<float>(), 0.0f);
}

}  // namespace
}  // namespace trm::nn
