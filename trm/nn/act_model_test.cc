#include "trm/nn/act_model.h"

#include <vector>

#include "gtest/gtest.h"

namespace trm::nn {
namespace {

constexpr int64_t kRows = 3;
constexpr int64_t kSeqLen = 4;
constexpr int64_t kPrefix = 1;
constexpr int64_t kHidden = 2;
constexpr int64_t kVocab = 5;

config::ArchConfig ToyConfig(int max_steps, double exploration) {
  config::ArchConfig config;
  config.set_seq_len(kSeqLen);
  config.set_puzzle_emb_len(kPrefix);
  config.set_hidden_size(kHidden);
  config.set_vocab_size(kVocab);
  config.set_batch_size(kRows);
  config.set_halt_max_steps(max_steps);
  config.set_halt_exploration_prob(exploration);
  config.set_forward_dtype("float32");
  return config;
}

// One state z; each inner forward adds 1 to it. The q logits are whatever the test scripts.
class ToyModel : public ActModel {
 public:
  ToyModel(const config::ArchConfig& config, HaltingPolicy policy) : ActModel(config, policy) {}

  std::vector<std::string> StateNames() const override { return {"z"}; }

  at::Tensor q_halt = at::full({kRows}, -1.0f);
  at::Tensor q_continue = at::full({kRows}, -2.0f);
  int inner_calls = 0;

 protected:
  std::vector<at::Tensor> StateResetValues() const override { return {at::full({kHidden}, 7.0f)}; }

  InnerOutputs InnerForward(const std::vector<at::Tensor>& states, const Batch& data) override {
    ++inner_calls;
    InnerOutputs out;
    out.states = {states[0] + 1};
    out.logits = at::zeros({data.size(), kSeqLen, kVocab});
    out.q_halt_logits = q_halt.clone();
    out.q_continue_logits = q_continue.clone();
    return out;
  }
};

at::Tensor Bools(std::vector<int> values) { return at::tensor(values, at::kInt).to(at::kBool); }

Batch MakeBatch(int first_id) {
  Batch batch;
  batch.inputs = at::arange(kRows * kSeqLen, at::kInt).view({kRows, kSeqLen}) + first_id;
  batch.labels = batch.inputs.clone();
  batch.puzzle_identifiers = at::arange(first_id, first_id + kRows, at::kInt);
  return batch;
}

TEST(ActModelTest, InitialCarryHasEveryRowHalted) {
  ToyModel model(ToyConfig(4, 0.0), {});
  const ActCarry carry = model.InitialCarry(MakeBatch(0));
  ASSERT_EQ(carry.states.size(), 1u);
  EXPECT_EQ(carry.states[0].sizes(), (at::IntArrayRef{kRows, kSeqLen + kPrefix, kHidden}));
  EXPECT_TRUE(carry.halted.all().item<bool>());
  EXPECT_EQ(carry.steps.abs().sum().item<int64_t>(), 0);
  EXPECT_EQ(carry.steps.scalar_type(), at::kInt);
}

TEST(ActModelTest, HaltedRowsAreResetFromTheNewBatchOthersKeepTheirExample) {
  ToyModel model(ToyConfig(4, 0.0), {});
  model.train();
  const Batch first = MakeBatch(0);
  auto [carry, out] = model.Forward(model.InitialCarry(first), first);
  EXPECT_TRUE(at::equal(carry.current_data.puzzle_identifiers, first.puzzle_identifiers));
  EXPECT_TRUE(at::equal(carry.states[0], at::full({kRows, kSeqLen + kPrefix, kHidden}, 8.0f)));
  EXPECT_TRUE(at::equal(carry.steps, at::ones({kRows}, at::kInt)));
  EXPECT_FALSE(carry.halted.any().item<bool>());

  // Row 1 wants to halt (q_halt > 0).
  model.q_halt = at::tensor({-1.0f, 0.5f, -1.0f});
  std::tie(carry, out) = model.Forward(carry, first);
  EXPECT_TRUE(at::equal(carry.halted, Bools({0, 1, 0})));
  EXPECT_TRUE(at::equal(carry.steps, at::full({kRows}, 2, at::kInt)));

  // Next step: only row 1 restarts, on the new batch's row 1.
  model.q_halt = at::full({kRows}, -1.0f);
  const Batch second = MakeBatch(100);
  std::tie(carry, out) = model.Forward(carry, second);
  EXPECT_TRUE(at::equal(carry.current_data.puzzle_identifiers, at::tensor({0, 101, 2}, at::kInt)));
  EXPECT_TRUE(at::equal(carry.current_data.inputs[1], second.inputs[1]));
  EXPECT_TRUE(at::equal(carry.current_data.inputs[0], first.inputs[0]));
  EXPECT_TRUE(at::equal(carry.steps, at::tensor({3, 1, 3}, at::kInt)));
  EXPECT_EQ(carry.states[0][1][0][0].item<float>(), 8.0f);
  EXPECT_EQ(carry.states[0][0][0][0].item<float>(), 10.0f);
}

TEST(ActModelTest, HaltsAtTheMaximumAndEvaluationIgnoresTheQHead) {
  ToyModel model(ToyConfig(2, 0.0), {});
  model.eval();
  model.q_halt = at::full({kRows}, 3.0f);
  const Batch batch = MakeBatch(0);
  auto [carry, out] = model.Forward(model.InitialCarry(batch), batch);
  EXPECT_FALSE(carry.halted.any().item<bool>());
  std::tie(carry, out) = model.Forward(carry, batch);
  EXPECT_TRUE(carry.halted.all().item<bool>());
  EXPECT_FALSE(out.target_q_continue.defined());
}

TEST(ActModelTest, ExplorationVetoesHaltingBeforeTheDrawnStep) {
  // With probability 1 every row draws a minimum in [2, 16], so nothing halts at step 1.
  ToyModel model(ToyConfig(16, 1.0), {});
  model.train();
  model.q_halt = at::full({kRows}, 3.0f);
  const Batch batch = MakeBatch(0);
  auto [carry, out] = model.Forward(model.InitialCarry(batch), batch);
  EXPECT_FALSE(carry.halted.any().item<bool>());
}

TEST(ActModelTest, ExplorationDrawsForEveryRowEvenWithProbabilityZero) {
  ToyModel model(ToyConfig(16, 0.0), {});
  model.train();
  const Batch batch = MakeBatch(0);
  const ActCarry initial = model.InitialCarry(batch);
  at::manual_seed(11);
  model.Forward(initial, batch);
  const at::Tensor after_step = at::rand({4});
  at::manual_seed(11);
  at::rand({kRows});
  at::randint(2, 17, {kRows}, at::kInt);
  EXPECT_TRUE(at::equal(after_step, at::rand({4})));
}

TEST(ActModelTest, HaltAboveContinueWithBootstrappedTarget) {
  HaltingPolicy policy;
  policy.signal = HaltingPolicy::Signal::kHaltAboveContinue;
  policy.target_q_continue = true;
  ToyModel model(ToyConfig(2, 0.0), policy);
  model.train();
  model.q_halt = at::tensor({-1.0f, 0.5f, -3.0f});
  model.q_continue = at::tensor({-2.0f, 1.0f, -2.5f});
  const Batch batch = MakeBatch(0);
  auto [carry, out] = model.Forward(model.InitialCarry(batch), batch);
  EXPECT_EQ(model.inner_calls, 2);  // the extra no-grad forward for the target
  EXPECT_TRUE(at::equal(carry.halted, Bools({1, 0, 0})));
  // Not the last step: sigmoid(max(q_halt', q_continue')).
  EXPECT_TRUE(at::allclose(out.target_q_continue, at::sigmoid(at::tensor({-1.0f, 1.0f, -2.5f}))));

  std::tie(carry, out) = model.Forward(carry, batch);
  // Row 0 was reset (step 1 again), rows 1 and 2 reach the maximum: target = sigmoid(q_halt').
  EXPECT_TRUE(at::equal(carry.steps, at::tensor({1, 2, 2}, at::kInt)));
  EXPECT_TRUE(at::allclose(out.target_q_continue, at::sigmoid(at::tensor({-1.0f, 0.5f, -3.0f}))));
  model.eval();
  model.inner_calls = 0;
  std::tie(carry, out) = model.Forward(model.InitialCarry(batch), batch);
  EXPECT_EQ(model.inner_calls, 1);
  EXPECT_FALSE(out.target_q_continue.defined());
}

}  // namespace
}  // namespace trm::nn
