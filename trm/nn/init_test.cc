#include "trm/nn/init.h"

#include <cmath>

#include "gtest/gtest.h"

namespace trm::nn {
namespace {

TEST(TruncNormalInitTest, CorrectionFactorIsTheReferenceConstant) {
  // fixtures/ops/case.json: comp_std / std.
  EXPECT_DOUBLE_EQ(TruncNormalStdCorrection(), 1.1368472343385565);
}

TEST(TruncNormalInitTest, SameOpsAndConstantsAsTheReference) {
  // The reference's observed calls for std = 1 (fixtures/ops/case.json: trunc_normal_init).
  at::manual_seed(7);
  at::Tensor expected = at::empty({1000}, at::kFloat);
  expected.uniform_(-0.9544997361036416, 0.9544997361036416);
  expected.erfinv_();
  expected.mul_(1.607744777147931);
  expected.clamp_(-2.273694468677113, 2.273694468677113);

  at::manual_seed(7);
  at::Tensor actual = at::empty({1000}, at::kFloat);
  TruncNormalInit_(actual, 1.0);
  EXPECT_TRUE(at::equal(actual, expected));
}

TEST(TruncNormalInitTest, SamplesHaveTheRequestedStdAndBounds) {
  at::manual_seed(0);
  at::Tensor t = at::empty({2000000}, at::kDouble);
  TruncNormalInit_(t, 1.0);
  EXPECT_NEAR(t.mean().item<double>(), 0.0, 3e-3);
  EXPECT_NEAR(t.std().item<double>(), 1.0, 3e-3);
  EXPECT_LE(t.abs().max().item<double>(), 2.0 * 1.1368472343385565 + 1e-12);
  EXPECT_GT(t.abs().max().item<double>(), 2.27);  // the truncation is actually reached
}

TEST(TruncNormalInitTest, ZeroStdFillsZerosWithoutConsumingRandomness) {
  at::manual_seed(3);
  at::Tensor t = at::ones({5, 5}, at::kFloat);
  TruncNormalInit_(t, 0.0);
  EXPECT_EQ(t.abs().sum().item<float>(), 0.0f);
  const at::Tensor after = at::rand({4});
  at::manual_seed(3);
  EXPECT_TRUE(at::equal(after, at::rand({4})));
}

TEST(TruncNormalInitTest, DrawsInTheTensorsOwnDtype) {
  at::manual_seed(1);
  at::Tensor t = at::empty({4096}, at::kBFloat16);
  TruncNormalInit_(t, 1.0);
  EXPECT_EQ(t.scalar_type(), at::kBFloat16);
  EXPECT_NEAR(t.to(at::kFloat).std().item<float>(), 1.0f, 0.05f);
}

}  // namespace
}  // namespace trm::nn
