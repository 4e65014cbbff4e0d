#include "trm/train/train_step.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/train/testdata/toy_act.h"

namespace trm {
namespace {

// Plain SGD, enough to see updates happen (or not).
class Sgd : public Optimizer {
 public:
  explicit Sgd(std::vector<at::Tensor> params) : params_(std::move(params)) {}
  void Step(double lr) override {
    at::NoGradGuard no_grad;
    ++steps;
    for (at::Tensor& p : params_) {
      if (p.grad().defined()) p.sub_(p.grad() * lr);
    }
  }
  void ZeroGrad() override {
    for (at::Tensor& p : params_) p.mutable_grad().reset();
  }
  std::vector<std::pair<std::string, at::Tensor>> StateTensors() const override { return {}; }
  absl::Status LoadStateTensors(const std::map<std::string, at::Tensor>&) override {
    return absl::OkStatus();
  }
  int steps = 0;

 private:
  std::vector<at::Tensor> params_;
};

class ConstantSchedule : public LrSchedule {
 public:
  double LearningRate(double base, int64_t step) const override { return base * step; }
};

config::ArchConfig ToyConfig() {
  config::ArchConfig config = testing::ToyArchConfig();
  config.set_halt_max_steps(3);
  config.set_halt_exploration_prob(0.5);
  return config;
}

Batch ToyBatch(int64_t seed) {
  at::manual_seed(seed);
  return Batch{at::randint(0, 5, {4, 6}, at::kInt), at::randint(0, 5, {4, 6}, at::kInt),
               at::randint(1, 10, {4}, at::kInt)};
}

struct Fixture {
  Fixture() : model(ToyConfig()), loss(config::LossConfig()) {
    std::vector<at::Tensor> params;
    for (const auto& p : model.parameters()) params.push_back(p);
    sgd = std::make_unique<Sgd>(params);
    communicator = MakeSingleProcessCommunicator();
    reducer = std::make_unique<GradientReducer>(params, 1 << 20, communicator.get());
    step = std::make_unique<TrainStep>(&model, &loss,
                                       std::vector<ScheduledOptimizer>{{"dense", sgd.get(), 0.1, true}},
                                       &schedule, reducer.get(), communicator.get(),
                                       TrainStepOptions{4, true});
  }
  testing::ToyActModel model;
  testing::ToyLossHead loss;
  ConstantSchedule schedule;
  std::unique_ptr<Sgd> sgd;
  std::unique_ptr<Communicator> communicator;
  std::unique_ptr<GradientReducer> reducer;
  std::unique_ptr<TrainStep> step;
};

TEST(TrainStepTest, MetricsAreNormalisedAsTheReference) {
  Fixture f;
  auto metrics = f.step->Run(1, ToyBatch(1));
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_THAT(*metrics, ::testing::Contains(::testing::Key("train/lm_loss")));
  EXPECT_DOUBLE_EQ(metrics->at("train/lr"), 0.1);  // schedule(0.1, step 1)
  // count / max(count, 1) is 1 when a row halted, else 0.
  EXPECT_TRUE(metrics->at("train/count") == 0.0 || metrics->at("train/count") == 1.0);
  EXPECT_EQ(f.sgd->steps, 1);
  for (const auto& p : f.model.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(TrainStepTest, CarryPersistsAcrossSteps) {
  Fixture f;
  ASSERT_TRUE(f.step->Run(1, ToyBatch(1)).ok());
  const ActCarry after_one = *f.step->carry();
  EXPECT_TRUE(at::equal(after_one.steps, at::ones({4}, at::kInt)));
  ASSERT_TRUE(f.step->Run(2, ToyBatch(2)).ok());
  const ActCarry& after_two = *f.step->carry();
  // Rows that had not halted keep their example and count on; halted rows take the new batch.
  const Batch second = ToyBatch(2);
  for (int64_t row = 0; row < 4; ++row) {
    if (after_one.halted[row].item<bool>()) {
      EXPECT_EQ(after_two.steps[row].item<int>(), 1);
      EXPECT_TRUE(at::equal(after_two.current_data.inputs[row], second.inputs[row]));
    } else {
      EXPECT_EQ(after_two.steps[row].item<int>(), 2);
      EXPECT_TRUE(at::equal(after_two.current_data.inputs[row], after_one.current_data.inputs[row]));
    }
  }
}

TEST(TrainStepTest, NonFiniteGradientStopsBeforeTheUpdate) {
  Fixture f;
  auto head = f.model.named_parameters()["head"];
  {
    at::NoGradGuard no_grad;
    head[0][0] = std::numeric_limits<float>::quiet_NaN();
  }
  const at::Tensor embed_before = f.model.named_parameters()["embed"].clone();
  auto metrics = f.step->Run(7, ToyBatch(1));
  ASSERT_FALSE(metrics.ok());
  EXPECT_EQ(metrics.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(metrics.status().message()), ::testing::HasSubstr("step 7: non-finite loss"));
  EXPECT_EQ(f.sgd->steps, 0);
  EXPECT_TRUE(at::equal(f.model.named_parameters()["embed"], embed_before));
}

TEST(TrainStepTest, ReduceTrainMetricsDividesLossesByTheGlobalBatch) {
  auto communicator = MakeSingleProcessCommunicator();
  const auto metrics = ReduceTrainMetrics({{"count", at::tensor(int64_t{2})},
                                           {"accuracy", at::tensor(1.5f)},
                                           {"lm_loss", at::tensor(8.0, at::kDouble)},
                                           {"q_halt_loss", at::tensor(4.0f)}},
                                          16, *communicator);
  EXPECT_DOUBLE_EQ(metrics.at("train/count"), 1.0);
  EXPECT_DOUBLE_EQ(metrics.at("train/accuracy"), 0.75);
  EXPECT_DOUBLE_EQ(metrics.at("train/lm_loss"), 0.5);
  EXPECT_DOUBLE_EQ(metrics.at("train/q_halt_loss"), 0.25);
}

}  // namespace
}  // namespace trm
