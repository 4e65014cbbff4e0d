#include "plugins/act_loss/act_loss_head.h"

#include <cmath>
#include <stdexcept>

#include "gtest/gtest.h"
#include "trm/model/batch.h"
#include "trm/nn/cross_entropy.h"

namespace trm::act_loss {
namespace {

constexpr int64_t kVocab = 4;

// Rows: 0 halted and exactly right; 1 right but still running; 2 halted with one wrong token;
// 3 a padding row (nothing to predict) that halted.
struct Step {
  ActCarry carry;
  ActOutputs outputs;
};

Step HandBuiltStep() {
  Step s;
  s.carry.halted = at::tensor({1, 0, 1, 1}, at::kInt).to(at::kBool);
  s.carry.steps = at::tensor({3, 2, 5, 1}, at::kInt);
  // Row 0 has 3 labelled tokens, rows 1 and 2 four, row 3 none.
  s.carry.current_data.labels =
      at::tensor({1, 2, -100, 3, 0, 1, 2, 3, 2, 2, 0, 1, -100, -100, -100, -100}, at::kInt)
          .view({4, 4});
  // Logits whose argmax is the label except row 2, position 1 (predicts 3 instead of 2).
  at::Tensor preds = s.carry.current_data.labels.clamp_min(0).to(at::kLong);
  preds[2][1] = 3;
  s.outputs.logits = at::one_hot(preds, kVocab).to(at::kFloat) * 2 - 0.5;
  s.outputs.q_halt_logits = at::tensor({0.5f, -1.0f, 0.0f, -2.0f});
  s.outputs.q_continue_logits = at::tensor({0.1f, 0.2f, 0.3f, 0.4f});
  return s;
}

double Bce(double logit, double target) {
  return std::log1p(std::exp(-std::abs(logit))) + std::max(logit, 0.0) - logit * target;
}

TEST(ActLossHeadTest, MetricsCountHaltedRowsLossesCountEveryRow) {
  ActLossHead head(config::LossConfig{});
  const Step s = HandBuiltStep();
  const LossOutputs out = head.Compute(s.carry, s.outputs);

  EXPECT_EQ(out.preds.scalar_type(), at::kLong);
  EXPECT_EQ(out.preds[2][1].item<int64_t>(), 3);
  // Rows 0 and 2 halted with labels; the padding row has nothing to predict.
  EXPECT_EQ(out.metrics.at("count").item<int64_t>(), 2);
  EXPECT_EQ(out.metrics.at("exact_accuracy").item<int64_t>(), 1);
  EXPECT_FLOAT_EQ(out.metrics.at("accuracy").item<float>(), 1.0f + 3.0f / 4.0f);
  EXPECT_EQ(out.metrics.at("steps").item<int64_t>(), 3 + 5);
  // q_halt >= 0 predicts "correct": row 0 (0.5, correct) and row 2 (0.0, wrong -> miss).
  EXPECT_EQ(out.metrics.at("q_halt_accuracy").item<int64_t>(), 1);

  // lm_loss: per-row mean over valid tokens, summed over all rows (the running row included).
  const at::Tensor per_token =
      nn::StablemaxCrossEntropy(s.outputs.logits, s.carry.current_data.labels);
  const double expected_lm =
      (per_token[0].sum() / 3 + per_token[1].sum() / 4 + per_token[2].sum() / 4).item<double>();
  EXPECT_NEAR(out.metrics.at("lm_loss").item<double>(), expected_lm, 1e-12);
  EXPECT_EQ(out.metrics.at("lm_loss").scalar_type(), at::kDouble);
  // BCE against "row entirely right", over every row; the padding row counts as right.
  const double expected_halt = Bce(0.5, 1) + Bce(-1.0, 1) + Bce(0.0, 0) + Bce(-2.0, 1);
  EXPECT_NEAR(out.metrics.at("q_halt_loss").item<float>(), expected_halt, 1e-5);
  EXPECT_EQ(out.metrics.count("q_continue_loss"), 0u);
  EXPECT_NEAR(out.loss.item<double>(), expected_lm + 0.5 * expected_halt, 1e-5);
}

TEST(ActLossHeadTest, ContinueLossWhenTheModelGivesATarget) {
  ActLossHead head(config::LossConfig{});
  Step s = HandBuiltStep();
  s.outputs.target_q_continue = at::tensor({0.25f, 0.5f, 0.75f, 1.0f});
  const LossOutputs out = head.Compute(s.carry, s.outputs);
  const double expected = Bce(0.1, 0.25) + Bce(0.2, 0.5) + Bce(0.3, 0.75) + Bce(0.4, 1.0);
  EXPECT_NEAR(out.metrics.at("q_continue_loss").item<float>(), expected, 1e-5);
  EXPECT_NEAR(out.loss.item<double>(),
              out.metrics.at("lm_loss").item<double>() +
                  0.5 * (out.metrics.at("q_halt_loss").item<double>() + expected),
              1e-5);
}

TEST(ActLossHeadTest, GradientReachesTheLogitsOfEveryRow) {
  ActLossHead head(config::LossConfig{});
  Step s = HandBuiltStep();
  s.outputs.logits.requires_grad_(true);
  s.outputs.q_halt_logits.requires_grad_(true);
  head.Compute(s.carry, s.outputs).loss.backward();
  for (int row = 0; row < 3; ++row) {
    EXPECT_GT(s.outputs.logits.grad()[row].abs().sum().item<float>(), 0.0f) << row;
  }
  EXPECT_EQ(s.outputs.logits.grad()[3].abs().sum().item<float>(), 0.0f);  // nothing to predict
  EXPECT_GT(s.outputs.q_halt_logits.grad().abs().min().item<float>(), 0.0f);
}

TEST(ActLossHeadTest, SoftmaxCrossEntropyIsSelectable) {
  config::LossConfig config;
  config.set_loss_type("softmax_cross_entropy");
  ActLossHead head(config);
  const Step s = HandBuiltStep();
  const LossOutputs out = head.Compute(s.carry, s.outputs);
  const at::Tensor per_token =
      nn::SoftmaxCrossEntropy(s.outputs.logits, s.carry.current_data.labels);
  const double expected_lm =
      (per_token[0].sum() / 3 + per_token[1].sum() / 4 + per_token[2].sum() / 4).item<double>();
  EXPECT_NEAR(out.metrics.at("lm_loss").item<double>(), expected_lm, 1e-5);
}

TEST(ActLossHeadTest, UnknownLossTypeNamesTheField) {
  config::LossConfig config;
  config.set_loss_type("hinge");
  try {
    ActLossHead head(config);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("loss.loss_type"), std::string::npos);
  }
}

}  // namespace
}  // namespace trm::act_loss
