#include "plugins/optimizers/adam.h"

#include <cmath>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/checkpoint/safetensors.h"
#include "trm/testing/test_device.h"

namespace trm::plugins {
namespace {

constexpr char kFixture[] = "tests/golden/adam_atan2/";

std::map<std::string, at::Tensor> ReadOrDie(const std::string& path) {
  auto tensors = ReadSafetensors(path);
  TORCH_CHECK(tensors.ok(), std::string(tensors.status().message()));
  return *tensors;
}

// |a - b| <= atol + rtol * |b| everywhere.
::testing::AssertionResult AllClose(const at::Tensor& a, const at::Tensor& b, double atol,
                                    double rtol) {
  const at::Tensor excess = (a - b).abs() - (atol + rtol * b.abs());
  const double worst = excess.max().item<double>();
  if (worst <= 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max excess over tolerance " << worst
                                       << ", max |a-b| = " << (a - b).abs().max().item<double>();
}

config::OptimizerConfig ReferenceConfig() {
  config::OptimizerConfig config;
  config.set_name("adam_atan2");
  config.set_beta1(0.9);
  config.set_beta2(0.95);
  config.set_weight_decay(0.1);
  return config;
}

OptimizerTarget TargetOf(const std::vector<std::pair<std::string, at::Tensor>>& params) {
  OptimizerTarget target;
  target.parameters = params;
  return target;
}

TEST(AdamAtan2Test, ReproducesTheReferencePackageOnTheFixture) {
  const auto inputs = ReadOrDie(std::string(kFixture) + "inputs.safetensors");
  const auto expected = ReadOrDie(std::string(kFixture) + "expected.safetensors");
  const std::vector<std::string> names = {"w", "b", "s"};
  std::vector<std::pair<std::string, at::Tensor>> params;
  for (const std::string& name : names) {
    params.emplace_back(name, inputs.at("param0." + name).clone());
  }
  AdamOptimizer optimizer(AdamOptimizer::Rule::kAtan2, ReferenceConfig(), TargetOf(params));
  const double lrs[] = {0.01, 0.005, 0.02};
  for (int t = 1; t <= 3; ++t) {
    for (auto& [name, param] : params) {
      param.mutable_grad() = inputs.at("step" + std::to_string(t) + ".grad." + name).clone();
    }
    optimizer.Step(lrs[t - 1]);
    optimizer.ZeroGrad();
    std::map<std::string, at::Tensor> state;
    for (const auto& [key, tensor] : optimizer.StateTensors()) state[key] = tensor;
    for (const auto& [name, param] : params) {
      const std::string prefix = "step" + std::to_string(t) + ".";
      SCOPED_TRACE("step " + std::to_string(t) + " tensor " + name);
      EXPECT_FALSE(param.grad().defined());
      EXPECT_TRUE(AllClose(param, expected.at(prefix + "param." + name), 1e-6, 1e-6));
      EXPECT_TRUE(AllClose(state.at(name + ".exp_avg"), expected.at(prefix + "exp_avg." + name),
                           1e-7, 1e-6));
      EXPECT_TRUE(AllClose(state.at(name + ".exp_avg_sq"),
                           expected.at(prefix + "exp_avg_sq." + name), 1e-12, 1e-6));
      EXPECT_EQ(state.at(name + ".step").item<float>(), static_cast<float>(t));
    }
  }
}

TEST(AdamAtan2Test, ZeroGradientAndZeroMomentsGiveNoStep) {
  // atan2(0, 0) = 0: only the weight decay moves the parameter.
  std::vector<std::pair<std::string, at::Tensor>> params = {{"p", at::full({3}, 2.0f)}};
  AdamOptimizer optimizer(AdamOptimizer::Rule::kAtan2, ReferenceConfig(), TargetOf(params));
  params[0].second.mutable_grad() = at::zeros({3});
  optimizer.Step(0.5);
  EXPECT_TRUE(at::equal(params[0].second, at::full({3}, 2.0f * static_cast<float>(1 - 0.5 * 0.1))));
}

TEST(AdamAtan2Test, ParametersWithoutGradientAreSkipped) {
  std::vector<std::pair<std::string, at::Tensor>> params = {{"a", at::ones({2})},
                                                            {"b", at::ones({2})}};
  AdamOptimizer optimizer(AdamOptimizer::Rule::kAtan2, ReferenceConfig(), TargetOf(params));
  params[0].second.mutable_grad() = at::ones({2});
  optimizer.Step(0.1);
  std::map<std::string, at::Tensor> state;
  for (const auto& [key, tensor] : optimizer.StateTensors()) state[key] = tensor;
  EXPECT_EQ(state.at("a.step").item<float>(), 1.0f);
  EXPECT_EQ(state.at("b.step").item<float>(), 0.0f);
  EXPECT_TRUE(at::equal(params[1].second, at::ones({2})));
  EXPECT_FALSE(at::equal(params[0].second, at::ones({2})));
}

TEST(AdamWTest, MatchesTheTextbookFormulaInDouble) {
  at::manual_seed(1);
  const at::Tensor initial = at::randn({64}, at::kDouble);
  std::vector<std::pair<std::string, at::Tensor>> params = {{"p", initial.clone()}};
  config::OptimizerConfig config = ReferenceConfig();
  config.set_name("adamw");
  config.set_eps(1e-8);
  AdamOptimizer optimizer(AdamOptimizer::Rule::kAdamW, config, TargetOf(params));
  at::Tensor p = initial.clone(), m = at::zeros_like(p), v = at::zeros_like(p);
  for (int t = 1; t <= 5; ++t) {
    const at::Tensor g = at::randn({64}, at::kDouble);
    const double lr = 0.01 * t;
    params[0].second.mutable_grad() = g.clone();
    optimizer.Step(lr);
    p = p * (1 - lr * 0.1);
    m = 0.9 * m + 0.1 * g;
    v = 0.95 * v + 0.05 * g * g;
    const at::Tensor denom = v.sqrt() / std::sqrt(1 - std::pow(0.95, t)) + 1e-8;
    p = p - lr / (1 - std::pow(0.9, t)) * m / denom;
  }
  EXPECT_TRUE(AllClose(params[0].second, p, 1e-12, 1e-12));
}

TEST(AdamTest, ParameterGroupScalesTheLearningRateAndOverridesDecay) {
  config::OptimizerConfig grouped = ReferenceConfig();
  grouped.set_lr(1e-2);
  auto* group = grouped.add_param_groups();
  group->set_name_regex("^fast");
  group->set_lr(3e-2);
  group->set_weight_decay(0.0);
  config::OptimizerConfig plain = ReferenceConfig();
  plain.set_weight_decay(0.0);

  const at::Tensor initial = at::linspace(-1, 1, 8);
  const at::Tensor grad = at::linspace(2, -3, 8);
  std::vector<std::pair<std::string, at::Tensor>> a = {{"fast.w", initial.clone()}};
  std::vector<std::pair<std::string, at::Tensor>> b = {{"w", initial.clone()}};
  AdamOptimizer with_group(AdamOptimizer::Rule::kAtan2, grouped, TargetOf(a));
  AdamOptimizer without(AdamOptimizer::Rule::kAtan2, plain, TargetOf(b));
  a[0].second.mutable_grad() = grad.clone();
  b[0].second.mutable_grad() = grad.clone();
  with_group.Step(0.5);  // scheduled value of the base lr 1e-2: the group gets 3x
  without.Step(1.5);
  EXPECT_TRUE(AllClose(a[0].second, b[0].second, 1e-7, 1e-6));
}

TEST(AdamTest, StateRoundTripContinuesBitExactly) {
  at::manual_seed(3);
  const at::Tensor initial = at::randn({5, 7});
  std::vector<at::Tensor> grads;
  for (int i = 0; i < 4; ++i) grads.push_back(at::randn({5, 7}));

  std::vector<std::pair<std::string, at::Tensor>> straight = {{"w", initial.clone()}};
  AdamOptimizer reference(AdamOptimizer::Rule::kAtan2, ReferenceConfig(), TargetOf(straight));
  for (const at::Tensor& g : grads) {
    straight[0].second.mutable_grad() = g.clone();
    reference.Step(0.01);
  }

  std::vector<std::pair<std::string, at::Tensor>> first = {{"w", initial.clone()}};
  AdamOptimizer before(AdamOptimizer::Rule::kAtan2, ReferenceConfig(), TargetOf(first));
  for (int i = 0; i < 2; ++i) {
    first[0].second.mutable_grad() = grads[i].clone();
    before.Step(0.01);
  }
  std::map<std::string, at::Tensor> saved;
  for (const auto& [key, tensor] : before.StateTensors()) saved[key] = tensor.clone();

  std::vector<std::pair<std::string, at::Tensor>> resumed = {{"w", first[0].second.clone()}};
  AdamOptimizer after(AdamOptimizer::Rule::kAtan2, ReferenceConfig(), TargetOf(resumed));
  ASSERT_TRUE(after.LoadStateTensors(saved).ok());
  for (int i = 2; i < 4; ++i) {
    resumed[0].second.mutable_grad() = grads[i].clone();
    after.Step(0.01);
  }
  EXPECT_TRUE(at::equal(resumed[0].second, straight[0].second));
}

// The ATen path (what accelerators run) on CPU tensors against the host loop, over several steps
// of both rules, with weight decay, in float32 and float64.
// Six steps of the tensor-op update (on `device`; on the CPU forced with kTensorOps, elsewhere
// chosen by the device) against the host loop on the CPU.
void ExpectTensorOpsMatchTheHostLoop(const at::Device& device) {
  for (const auto rule : {AdamOptimizer::Rule::kAtan2, AdamOptimizer::Rule::kAdamW}) {
    for (const auto dtype : {at::kFloat, at::kDouble}) {
      SCOPED_TRACE(std::string(rule == AdamOptimizer::Rule::kAtan2 ? "atan2 " : "adamw ") +
                   c10::toString(dtype) + " on " + device.str());
      at::manual_seed(5);
      const at::Tensor initial = at::randn({33, 65}, dtype);
      config::OptimizerConfig config = ReferenceConfig();
      config.set_eps(1e-8);
      std::vector<std::pair<std::string, at::Tensor>> host = {{"w", initial.clone()}};
      std::vector<std::pair<std::string, at::Tensor>> ops = {{"w", initial.to(device)}};
      AdamOptimizer host_loop(rule, config, TargetOf(host));
      AdamOptimizer tensor_ops(rule, config, TargetOf(ops),
                               device.is_cpu() ? AdamOptimizer::Implementation::kTensorOps
                                               : AdamOptimizer::Implementation::kByDevice);
      for (int t = 1; t <= 6; ++t) {
        const at::Tensor g = at::randn({33, 65}, dtype);
        host[0].second.mutable_grad() = g.clone();
        ops[0].second.mutable_grad() = g.to(device);
        host_loop.Step(0.01 * t);
        tensor_ops.Step(0.01 * t);
      }
      const double tolerance = dtype == at::kFloat ? 1e-6 : 1e-14;
      EXPECT_TRUE(AllClose(ops[0].second.cpu(), host[0].second, tolerance, tolerance));
      const auto host_state = host_loop.StateTensors();
      const auto ops_state = tensor_ops.StateTensors();
      for (size_t i = 0; i < host_state.size(); ++i) {
        SCOPED_TRACE(host_state[i].first);
        EXPECT_TRUE(
            AllClose(ops_state[i].second.cpu(), host_state[i].second, tolerance, tolerance));
      }
    }
  }
}

TEST(AdamTest, TensorOpsMatchTheHostLoop) { ExpectTensorOpsMatchTheHostLoop(at::kCPU); }

// The device run of tools/gpu/device_check.sh sets TRM_TEST_DEVICE=cuda: then a missing GPU is a
// failure, not a skip.
TEST(AdamTest, CudaMatchesTheHostLoop) {
  if (trm::testing::TestDevice() != "cuda") {
    GTEST_SKIP() << "CUDA case: runs with TRM_TEST_DEVICE=cuda";
  }
  ASSERT_TRUE(at::hasCUDA()) << "TRM_TEST_DEVICE=cuda but this LibTorch or machine has no CUDA";
  ExpectTensorOpsMatchTheHostLoop(at::Device(at::kCUDA, 0));
}

TEST(AdamTest, LoadStateRejectsMissingAndMisshapenTensors) {
  std::vector<std::pair<std::string, at::Tensor>> params = {{"w", at::zeros({2, 3})}};
  AdamOptimizer optimizer(AdamOptimizer::Rule::kAtan2, ReferenceConfig(), TargetOf(params));
  std::map<std::string, at::Tensor> state;
  for (const auto& [key, tensor] : optimizer.StateTensors()) state[key] = tensor.clone();
  state.erase("w.exp_avg");
  EXPECT_THAT(std::string(optimizer.LoadStateTensors(state).message()),
              ::testing::HasSubstr("'w.exp_avg'"));
  state["w.exp_avg"] = at::zeros({3, 2});
  EXPECT_THAT(std::string(optimizer.LoadStateTensors(state).message()),
              ::testing::HasSubstr("'w.exp_avg' has"));
}

TEST(AdamTest, RejectsHalfPrecisionParameters) {
  std::vector<std::pair<std::string, at::Tensor>> params = {{"h", at::zeros({2}, at::kBFloat16)}};
  EXPECT_THROW(AdamOptimizer(AdamOptimizer::Rule::kAtan2, ReferenceConfig(), TargetOf(params)),
               c10::Error);
}

}  // namespace
}  // namespace trm::plugins
