#include "trm/eval/evaluation.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/testing/fake_communicator.h"

namespace trm {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kVocab = 12;
constexpr int64_t kSeq = 4;

// Predicts every input token unchanged; q_halt = step - 2 + 0.1 * row.
class EchoModel : public Architecture {
 public:
  explicit EchoModel(config::ArchConfig config, bool never_halts = false, bool throws = false)
      : Architecture(std::move(config)), never_halts_(never_halts), throws_(throws) {
    scale_ = register_parameter("scale", at::ones({1}));
  }
  std::vector<std::string> StateNames() const override { return {"z"}; }
  ActCarry InitialCarry(const Batch& batch) const override {
    const int64_t b = batch.size();
    return ActCarry{{at::zeros({b, 1})}, at::zeros({b}, at::kInt), at::ones({b}, at::kBool), batch};
  }
  std::pair<ActCarry, ActOutputs> Forward(const ActCarry& carry, const Batch& batch) override {
    ++calls;
    if (throws_) at::zeros({2}) + at::zeros({3});  // a LibTorch error, as an exception
    grad_enabled_seen = grad_enabled_seen || at::GradMode::is_enabled();
    training_seen = training_seen || is_training();
    ActCarry next = carry;
    next.current_data = batch;  // every row was halted at the start of an evaluation batch
    next.steps = at::where(carry.halted, at::zeros_like(carry.steps), carry.steps) + 1;
    next.halted = never_halts_ ? at::zeros_like(carry.halted)
                               : next.steps >= arch_config().halt_max_steps();
    ActOutputs outputs;
    outputs.logits = at::one_hot(batch.inputs.to(at::kLong), kVocab).to(at::kFloat) * scale_;
    outputs.q_halt_logits =
        next.steps.to(at::kFloat) - 2 + 0.1 * at::arange(batch.size(), at::kFloat);
    outputs.q_continue_logits = at::zeros({batch.size()});
    return {next, outputs};
  }
  std::vector<std::pair<std::string, at::Tensor>> StateDict() const override {
    return {{"scale", scale_}};
  }

  int calls = 0;
  bool grad_enabled_seen = false;
  bool training_seen = false;

 private:
  bool never_halts_;
  bool throws_;
  at::Tensor scale_;
};

// count / exact_accuracy / steps over halted rows with labels, like the ACT loss head.
class CountingLoss : public LossHead {
 public:
  LossOutputs Compute(const ActCarry& carry, const ActOutputs& outputs) override {
    LossOutputs out;
    out.preds = outputs.logits.argmax(-1);
    const at::Tensor labels = carry.current_data.labels;
    const at::Tensor mask = labels != kIgnoreLabel;
    const at::Tensor live = carry.halted & mask.any(-1);
    const at::Tensor exact = ((out.preds == labels) | ~mask).all(-1);
    out.metrics["count"] = live.sum();
    out.metrics["exact_accuracy"] = (live & exact).sum();
    out.metrics["steps"] = (live * carry.steps).sum();
    out.loss = at::zeros({});
    return out;
  }
};

class RecordingEvaluator : public Evaluator {
 public:
  std::vector<std::string> RequiredOutputs() const override { return required; }
  absl::Status BeginEval() override {
    ++rounds;
    return begin_status;
  }
  absl::Status UpdateBatch(const Batch& batch, const std::map<std::string, at::Tensor>& outputs) override {
    for (const auto& [name, tensor] : outputs) {
      EXPECT_TRUE(tensor.device().is_cpu());
      EXPECT_FALSE(tensor.requires_grad());
    }
    rows += batch.size();
    last_q = outputs.count("q_halt_logits") ? outputs.at("q_halt_logits") : at::Tensor();
    last_preds = outputs.count("preds") ? outputs.at("preds") : at::Tensor();
    last_inputs = batch.inputs;
    return absl::OkStatus();
  }
  absl::StatusOr<std::map<std::string, double>> Result(const std::string& output_dir) override {
    last_output_dir = output_dir;
    return std::map<std::string, double>{{"fake/rows", static_cast<double>(rows)}};
  }

  std::vector<std::string> required = {"preds", "q_halt_logits"};
  absl::Status begin_status;
  int rounds = 0;
  int64_t rows = 0;
  at::Tensor last_q, last_preds, last_inputs;
  std::string last_output_dir;
};

config::ArchConfig Config(int halt_max_steps) {
  config::ArchConfig config;
  config.set_halt_max_steps(halt_max_steps);
  return config;
}

// `real` rows whose labels equal the inputs (so the echo model is right) except row `wrong`,
// padded with blank rows to `size`.
EvalBatch MakeBatch(const std::string& set, int64_t real, int64_t size, int64_t wrong = -1) {
  Batch batch;
  batch.inputs = at::zeros({size, kSeq}, at::kInt);
  batch.labels = at::full({size, kSeq}, kIgnoreLabel, at::kInt);
  batch.puzzle_identifiers = at::zeros({size}, at::kInt);
  for (int64_t r = 0; r < real; ++r) {
    batch.inputs[r] = at::arange(2, 2 + kSeq, at::kInt) + static_cast<int>(r % 3);
    batch.labels[r] = batch.inputs[r];
    if (r == wrong) batch.labels[r][0] = 11;
    batch.puzzle_identifiers[r] = static_cast<int>(r + 1);
  }
  return EvalBatch{set, batch, real};
}

EvalBatchSource FromList(std::vector<EvalBatch> batches) {
  auto items = std::make_shared<std::vector<EvalBatch>>(std::move(batches));
  auto next = std::make_shared<size_t>(0);
  return [items, next]() -> std::optional<EvalBatch> {
    if (*next >= items->size()) return std::nullopt;
    return (*items)[(*next)++];
  };
}

TEST(EvaluateTest, RunsEveryBatchToTheLastActStepWithoutAutograd) {
  EchoModel model(Config(3));
  model.train();
  CountingLoss loss;
  RecordingEvaluator evaluator;
  auto communicator = MakeSingleProcessCommunicator();
  std::vector<int64_t> progress_rows;
  EvaluationOptions options;
  options.output_dir = "/tmp/somewhere";
  options.on_batch = [&](const EvalProgress& p) { progress_rows.push_back(p.rows); };
  auto metrics = Evaluate(model, loss,
                          FromList({MakeBatch("all", 4, 4, /*wrong=*/1), MakeBatch("all", 1, 4),
                                    MakeBatch("all1", 2, 4)}),
                          {&evaluator}, *communicator, options);
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(model.calls, 3 * 3);  // halt_max_steps calls per batch
  EXPECT_FALSE(model.grad_enabled_seen);
  EXPECT_FALSE(model.training_seen);
  EXPECT_TRUE(model.is_training());  // restored
  EXPECT_EQ(progress_rows, (std::vector<int64_t>{4, 8, 12}));

  // Set "all": 5 counted rows (padding excluded), 4 exactly right, every row 3 steps.
  EXPECT_EQ(metrics->at("all/count"), 5);
  EXPECT_DOUBLE_EQ(metrics->at("all/exact_accuracy"), 4.0 / 5.0);
  EXPECT_EQ(metrics->at("all/steps"), 3);
  EXPECT_EQ(metrics->at("all1/count"), 2);
  EXPECT_EQ(metrics->at("all1/exact_accuracy"), 1.0);
  EXPECT_EQ(metrics->at("fake/rows"), 12);  // the evaluator sees padding rows too
  EXPECT_EQ(evaluator.last_output_dir, "/tmp/somewhere");

  // The evaluator got the final step's outputs: q = 3 - 2 + 0.1 * row, preds = inputs.
  EXPECT_TRUE(at::allclose(evaluator.last_q, at::tensor({1.0f, 1.1f, 1.2f, 1.3f})));
  EXPECT_TRUE(at::equal(evaluator.last_preds.to(at::kInt), evaluator.last_inputs));
}

TEST(EvaluateTest, StopEndsTheWalkAfterTheBatchInProgress) {
  EchoModel model(Config(2));
  CountingLoss loss;
  RecordingEvaluator evaluator;
  auto communicator = MakeSingleProcessCommunicator();
  int checks = 0;
  EvaluationOptions options;
  options.stop = [&] { return ++checks == 2; };  // e.g. a time budget running out
  auto metrics = Evaluate(model, loss,
                          FromList({MakeBatch("all", 4, 4), MakeBatch("all", 4, 4),
                                    MakeBatch("all", 4, 4), MakeBatch("all", 4, 4)}),
                          {&evaluator}, *communicator, options);
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(checks, 2);
  EXPECT_EQ(model.calls, 2 * 2);
  EXPECT_EQ(metrics->at("all/count"), 8);
  EXPECT_EQ(metrics->at("fake/rows"), 8);
}

TEST(EvaluateTest, TwoRanksSumTheirMetrics) {
  std::map<std::string, double> results[2];
  testing::RunOnFakeWorld(2, [&](int rank, Communicator& communicator) {
    EchoModel model(Config(2));
    CountingLoss loss;
    RecordingEvaluator evaluator;
    // Rank 1 saw set "all1" only; rank 0 only "all": both must still agree on the table.
    std::vector<EvalBatch> batches =
        rank == 0 ? std::vector<EvalBatch>{MakeBatch("all", 3, 3, 0)}
                  : std::vector<EvalBatch>{MakeBatch("all1", 2, 3), MakeBatch("all1", 1, 3, 0)};
    auto metrics = Evaluate(model, loss, FromList(batches), {&evaluator}, communicator);
    ASSERT_TRUE(metrics.ok()) << metrics.status();
    results[rank] = *metrics;
  });
  for (const auto& metrics : results) {
    EXPECT_EQ(metrics.at("all/count"), 3);
    EXPECT_DOUBLE_EQ(metrics.at("all/exact_accuracy"), 2.0 / 3.0);
    EXPECT_EQ(metrics.at("all1/count"), 3);
    EXPECT_DOUBLE_EQ(metrics.at("all1/exact_accuracy"), 2.0 / 3.0);
  }
  // The evaluator's own Result decides which ranks report; this one reports on both.
  EXPECT_EQ(results[0].at("fake/rows"), 3);
  EXPECT_EQ(results[1].at("fake/rows"), 6);
}

TEST(EvaluateTest, ModelThatNeverHaltsIsAnError) {
  EchoModel model(Config(4), /*never_halts=*/true);
  CountingLoss loss;
  auto communicator = MakeSingleProcessCommunicator();
  auto metrics = Evaluate(model, loss, FromList({MakeBatch("all", 1, 2)}), {}, *communicator);
  EXPECT_THAT(std::string(metrics.status().message()), HasSubstr("did not halt"));
  EXPECT_EQ(model.calls, 4);
}

TEST(EvaluateTest, LibTorchExceptionsBecomeErrors) {
  EchoModel model(Config(2), /*never_halts=*/false, /*throws=*/true);
  CountingLoss loss;
  auto communicator = MakeSingleProcessCommunicator();
  auto metrics = Evaluate(model, loss, FromList({MakeBatch("all", 1, 2)}), {}, *communicator);
  EXPECT_EQ(metrics.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(metrics.status().message()), HasSubstr("evaluation: batch 1: "));
  EXPECT_THAT(std::string(metrics.status().message()), HasSubstr("size of tensor"));
}

TEST(EvaluateTest, EvaluatorErrorsStopBeforeTheModelRuns) {
  EchoModel model(Config(2));
  CountingLoss loss;
  RecordingEvaluator evaluator;
  evaluator.begin_status = absl::NotFoundError("data/identifiers.json: cannot open");
  auto communicator = MakeSingleProcessCommunicator();
  auto metrics = Evaluate(model, loss, FromList({MakeBatch("all", 1, 2)}), {&evaluator}, *communicator);
  EXPECT_EQ(metrics.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(model.calls, 0);

  RecordingEvaluator unknown;
  unknown.required = {"attention_maps"};
  metrics = Evaluate(model, loss, FromList({MakeBatch("all", 1, 2)}), {&unknown}, *communicator);
  EXPECT_THAT(std::string(metrics.status().message()), HasSubstr("'attention_maps'"));
  EXPECT_EQ(model.calls, 0);
}

TEST(EvaluateTest, EmptyTestSplitIsAnError) {
  EchoModel model(Config(2));
  CountingLoss loss;
  auto communicator = MakeSingleProcessCommunicator();
  auto metrics = Evaluate(model, loss, FromList({}), {}, *communicator);
  EXPECT_EQ(metrics.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(metrics.status().message()), HasSubstr("no rows"));
}

TEST(EvaluateTest, SetOfPaddingOnlyReportsZeroCount) {
  EchoModel model(Config(1));
  CountingLoss loss;
  auto communicator = MakeSingleProcessCommunicator();
  auto metrics = Evaluate(model, loss, FromList({MakeBatch("all", 0, 2), MakeBatch("x", 1, 2)}), {},
                          *communicator);
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(metrics->at("all/count"), 0);
  EXPECT_FALSE(metrics->count("all/exact_accuracy"));
  EXPECT_EQ(metrics->at("x/exact_accuracy"), 1.0);
}

}  // namespace
}  // namespace trm
