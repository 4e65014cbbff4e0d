#include "trm/train/ema.h"

#include "gtest/gtest.h"

namespace trm {
namespace {

TEST(EmaTest, UpdateFollowsTheReferenceFormula) {
  at::Tensor param = at::tensor({1.0f, -2.0f});
  ExponentialMovingAverage ema({{"p", param}}, 0.9);
  param.copy_(at::tensor({3.0f, 0.0f}));
  ema.Update();
  const at::Tensor expected = at::mul(at::tensor({3.0f, 0.0f}), 1.0 - 0.9) +
                              at::mul(at::tensor({1.0f, -2.0f}), 0.9);
  EXPECT_TRUE(at::equal(ema.ShadowTensors()[0].second, expected));
}

TEST(EmaTest, SwapInUsesShadowsAndRestoresLiveValuesExactly) {
  at::Tensor param = at::randn({4, 3});
  ExponentialMovingAverage ema({{"p", param}}, 0.999);
  param.add_(1.0);
  ema.Update();
  const at::Tensor live = param.clone();
  {
    auto swap = ema.SwapIn();
    EXPECT_TRUE(at::equal(param, ema.ShadowTensors()[0].second));
  }
  EXPECT_TRUE(at::equal(param, live));
}

TEST(EmaTest, ShadowTensorsRoundTrip) {
  at::Tensor param = at::randn({3});
  ExponentialMovingAverage a({{"p", param}}, 0.5);
  param.add_(2.0);
  a.Update();
  ExponentialMovingAverage b({{"p", param}}, 0.5);
  std::map<std::string, at::Tensor> saved;
  for (const auto& [name, t] : a.ShadowTensors()) saved[name] = t.clone();
  ASSERT_TRUE(b.LoadShadowTensors(saved).ok());
  EXPECT_TRUE(at::equal(b.ShadowTensors()[0].second, a.ShadowTensors()[0].second));
  saved["extra"] = at::zeros({1});
  EXPECT_FALSE(b.LoadShadowTensors(saved).ok());
  EXPECT_FALSE(b.LoadShadowTensors({{"p", at::zeros({4})}}).ok());
}

}  // namespace
}  // namespace trm
