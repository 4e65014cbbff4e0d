// The reference evaluator's golden output (fixtures/README.md §8): votes, ranking, attempts and
// ARC/pass@k reproduced exactly, in one process, in several batches, and on two ranks.
#include "plugins/evaluators/arc_evaluator.h"

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "plugins/evaluators/arc_crop.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cpp/runfiles/runfiles.h"
#include "trm/base/file_util.h"
#include "trm/checkpoint/safetensors.h"
#include "plugins/arc/common/arc_json.h"
#include "plugins/arc/common/kaggle_submission.h"
#include "trm/testing/fake_communicator.h"

namespace trm::plugins {
namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;
using ::testing::HasSubstr;

class ArcEvalFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
    ASSERT_NE(runfiles, nullptr) << error;
    dir_ = std::filesystem::path(runfiles->Rlocation("trm/tests/golden/arc_eval/case.json"))
               .parent_path()
               .string();
    auto tensors = ReadSafetensors(dir_ + "/inputs.safetensors");
    ASSERT_TRUE(tensors.ok()) << tensors.status();
    tensors_ = *std::move(tensors);
    auto expected = ParseJsonText(*ReadFileToString(dir_ + "/expected.json"), "expected.json");
    ASSERT_TRUE(expected.ok()) << expected.status();
    expected_ = *std::move(expected);
    communicator_ = MakeSingleProcessCommunicator();
  }

  std::unique_ptr<ArcEvaluator> MakeEvaluator(Communicator& communicator, bool aggregated = false) {
    config::EvaluatorConfig config;
    config.MutableExtension(arc::arc_evaluator)->set_aggregated_voting(aggregated);
    return std::make_unique<ArcEvaluator>(config, EvaluatorContext{dir_, &communicator});
  }

  // Rows [begin, end) of the fixture as a batch and the model outputs of its final step.
  std::pair<Batch, std::map<std::string, at::Tensor>> Rows(int64_t begin, int64_t end) {
    Batch batch;
    batch.inputs = tensors_.at("inputs").slice(0, begin, end);
    batch.labels = at::full_like(batch.inputs, kIgnoreLabel);
    batch.puzzle_identifiers = tensors_.at("puzzle_identifiers").slice(0, begin, end);
    std::map<std::string, at::Tensor> outputs = {
        {"preds", tensors_.at("preds").slice(0, begin, end).to(at::kLong)},
        {"q_halt_logits", tensors_.at("q_halt_logits").slice(0, begin, end)}};
    return {batch, outputs};
  }

  // The q of the i-th non-padding row is the i-th q of the batch, as the reference pairs them.
  static at::Tensor ReferencePairedLogits(const at::Tensor& logits, const at::Tensor& identifiers) {
    at::Tensor paired = logits.clone();
    int64_t next = 0;
    for (int64_t row = 0; row < identifiers.size(0); ++row) {
      if (identifiers[row].item<int64_t>() != 0) paired[row] = logits[next++];
    }
    return paired;
  }

  enum class Pairing { kOwnRow, kAsTheReference };

  void Feed(ArcEvaluator& evaluator, int64_t begin, int64_t end, Pairing pairing = Pairing::kOwnRow) {
    auto [batch, outputs] = Rows(begin, end);
    if (pairing == Pairing::kAsTheReference) {
      outputs["q_halt_logits"] = ReferencePairedLogits(outputs["q_halt_logits"], batch.puzzle_identifiers);
    }
    ASSERT_TRUE(evaluator.UpdateBatch(batch, outputs).ok());
  }

  void ExpectGoldenMetrics(const std::map<std::string, double>& metrics) {
    ASSERT_EQ(metrics.size(), expected_["metrics"].size());
    for (const auto& [name, value] : expected_["metrics"].items()) {
      ASSERT_TRUE(metrics.count(name)) << name;
      EXPECT_EQ(metrics.at(name), value.get<double>()) << name;  // bit-exact
    }
  }

  // The reference's submission, except that the input it skipped (no prediction) holds the
  // fallback grid in ours, so that the list stays aligned with the test inputs.
  void ExpectGoldenSubmission(const std::string& path) {
    auto submission = ReadSubmissionFile(path);
    ASSERT_TRUE(submission.ok()) << submission.status();
    const OrderedJson& golden = expected_["submission"];
    ASSERT_EQ(submission->tasks.size(), golden.size());
    for (const KaggleSubmission::Task& task : submission->tasks) {
      const OrderedJson& entries = golden[task.id];
      if (entries.empty()) {
        ASSERT_EQ(task.id, "0d3d703e");
        ASSERT_EQ(task.attempts.size(), 1u);
        EXPECT_EQ(task.attempts[0], std::vector<Grid>(2, FallbackGrid()));
        continue;
      }
      ASSERT_EQ(task.attempts.size(), entries.size()) << task.id;
      for (size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(task.attempts[i][0], *GridFromJson(entries[i]["attempt_1"], "golden")) << task.id;
        EXPECT_EQ(task.attempts[i][1], *GridFromJson(entries[i]["attempt_2"], "golden")) << task.id;
      }
    }
  }

  // Everything of the golden ranking. With `pairing` kOwnRow, the mean confidences of the
  // candidates voted by rows after the padding row are those rows' own (see the top comment).
  void ExpectGoldenRanking(const ArcResults& results, Pairing pairing) {
    const OrderedJson& rows = expected_["rows"];
    const auto q = [&](int row) { return rows[row]["q_sigmoid"].get<double>(); };
    // 25ff71a9: input 0 from rows 6 and 7 (same q), input 1 from rows 8 then 9.
    const std::vector<std::vector<double>> own_row_means = {{(q(6) + q(7)) / 2}, {q(8), q(9)}};
    for (size_t t = 0; t < results.tasks().size(); ++t) {
      const std::string& id = results.tasks()[t].id;
      const OrderedJson& golden = expected_["ranking"][id];
      ASSERT_EQ(results.outcomes()[t].size(), golden.size()) << id;
      for (size_t i = 0; i < golden.size(); ++i) {
        const ArcInputOutcome& outcome = results.outcomes()[t][i];
        ASSERT_EQ(outcome.candidates.size(), golden[i].size()) << id << " input " << i;
        for (size_t c = 0; c < golden[i].size(); ++c) {
          const RankedCandidate& candidate = outcome.candidates[c];
          EXPECT_EQ(results.CandidateGrid(candidate), *GridFromJson(golden[i][c]["grid"], "golden"));
          EXPECT_EQ(candidate.votes, golden[i][c]["votes"].get<int64_t>());
          EXPECT_EQ(outcome.label_rank == static_cast<int>(c), golden[i][c]["is_label"].get<bool>());
          const double mean_q = pairing == Pairing::kOwnRow && id == "25ff71a9"
                                    ? own_row_means[i][c]
                                    : golden[i][c]["mean_q"].get<double>();
          EXPECT_EQ(candidate.mean_confidence, mean_q) << id << " input " << i << " #" << c;
        }
      }
    }
  }

  std::string TempDir(const std::string& name) {
    return ::testing::TempDir() + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" + name;
  }

  std::string dir_;
  std::map<std::string, at::Tensor> tensors_;
  OrderedJson expected_;
  std::unique_ptr<Communicator> communicator_;
};

TEST_F(ArcEvalFixture, CropsAndInverseAugmentationsMatchEveryRow) {
  const at::Tensor inputs = tensors_.at("inputs");
  const at::Tensor preds = tensors_.at("preds");
  const at::Tensor ids = tensors_.at("puzzle_identifiers");
  const at::Tensor q = at::sigmoid(tensors_.at("q_halt_logits").to(at::kDouble));
  const OrderedJson identifiers = *ParseJsonText(*ReadFileToString(dir_ + "/identifiers.json"), "ids");
  for (int64_t row = 0; row < inputs.size(0); ++row) {
    const OrderedJson& golden = expected_["rows"][row];
    if (golden.is_null()) continue;  // the padding row
    const Grid input = CropGrid(inputs[row].contiguous().data_ptr<int32_t>(), 30);
    const Grid pred = CropGrid(preds[row].contiguous().data_ptr<int32_t>(), 30);
    EXPECT_EQ(input, *GridFromJson(golden["crop_input"], "golden")) << row;
    EXPECT_EQ(pred, *GridFromJson(golden["crop_pred"], "golden")) << row;
    auto name = ParseAugmentedName(identifiers[ids[row].item<int64_t>()].get<std::string>());
    ASSERT_TRUE(name.has_value());
    EXPECT_EQ(name->augmentation.Invert(pred), *GridFromJson(golden["pred_original_space"], "golden"))
        << row;
    EXPECT_EQ(q[row].item<double>(), golden["q_sigmoid"].get<double>()) << row;
  }
}

TEST_F(ArcEvalFixture, ReproducesEveryGoldenNumberWithTheReferencePairing) {
  auto evaluator = MakeEvaluator(*communicator_);
  ASSERT_TRUE(evaluator->BeginEval().ok());
  Feed(*evaluator, 0, 10, Pairing::kAsTheReference);
  auto metrics = evaluator->Result(TempDir("out"));
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  ExpectGoldenMetrics(*metrics);
  ExpectGoldenSubmission(TempDir("out") + "/submission.json");
  ExpectGoldenRanking(*evaluator->last_results(), Pairing::kAsTheReference);
}

TEST_F(ArcEvalFixture, ReproducesTheReferenceInOneBatch) {
  auto evaluator = MakeEvaluator(*communicator_);
  ASSERT_TRUE(evaluator->BeginEval().ok());
  Feed(*evaluator, 0, 10);
  EXPECT_EQ(evaluator->votes().num_votes(), 9);  // the padding row does not vote
  const std::string out = TempDir("out");
  auto metrics = evaluator->Result(out);
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  ExpectGoldenMetrics(*metrics);
  ExpectGoldenSubmission(out + "/submission.json");
  ExpectGoldenRanking(*evaluator->last_results(), Pairing::kOwnRow);
  EXPECT_EQ(evaluator->last_results()->inputs_without_votes(), 1);
}

TEST_F(ArcEvalFixture, SummaryListsTheSolvedTasksAndDrawsOne) {
  auto evaluator = MakeEvaluator(*communicator_);
  EXPECT_EQ(evaluator->Summary(false), "");  // nothing before a result
  ASSERT_TRUE(evaluator->BeginEval().ok());
  Feed(*evaluator, 0, 10);
  ASSERT_TRUE(evaluator->Result("").ok());
  // 25ff71a9: both inputs' labels among the 2 attempts; 6150a2bd: the label is attempt 2;
  // 0d3d703e: no votes.
  const std::string summary = evaluator->Summary(false);
  EXPECT_THAT(summary,
              ::testing::StartsWith("ARC: 2 of 3 tasks solved with 2 attempts: 25ff71a9 6150a2bd\n"
                                    "25ff71a9, test input 1 (attempt 1, 2 of 2 votes):\n"
                                    "input"));
  EXPECT_THAT(summary, HasSubstr("prediction\n"));
  EXPECT_THAT(summary, HasSubstr(" 0 1 0 #\n"));  // the last row of the predicted grid
}

TEST_F(ArcEvalFixture, BatchBoundariesDoNotMatter) {
  auto evaluator = MakeEvaluator(*communicator_);
  ASSERT_TRUE(evaluator->BeginEval().ok());
  for (auto [begin, end] : std::vector<std::pair<int64_t, int64_t>>{{0, 3}, {3, 4}, {4, 7}, {7, 10}}) {
    Feed(*evaluator, begin, end);
  }
  auto metrics = evaluator->Result("");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  ExpectGoldenMetrics(*metrics);
  ExpectGoldenRanking(*evaluator->last_results(), Pairing::kOwnRow);
}

TEST_F(ArcEvalFixture, TwoRanksMergeToTheSameResult) {
  // The test-mode loader gives each rank a contiguous slice of every global batch.
  const std::string out = TempDir("out");
  std::map<std::string, double> rank0_metrics, rank1_metrics;
  std::unique_ptr<ArcEvaluator> rank0_evaluator;
  testing::RunOnFakeWorld(2, [&](int rank, Communicator& communicator) {
    auto evaluator = MakeEvaluator(communicator);
    ASSERT_TRUE(evaluator->BeginEval().ok());
    Feed(*evaluator, rank * 5, rank * 5 + 5);
    auto metrics = evaluator->Result(rank == 0 ? out : "");
    ASSERT_TRUE(metrics.ok()) << metrics.status();
    (rank == 0 ? rank0_metrics : rank1_metrics) = *metrics;
    if (rank == 0) rank0_evaluator = std::move(evaluator);
  });
  EXPECT_TRUE(rank1_metrics.empty());
  ExpectGoldenMetrics(rank0_metrics);
  ExpectGoldenSubmission(out + "/submission.json");
  ExpectGoldenRanking(*rank0_evaluator->last_results(), Pairing::kOwnRow);
  EXPECT_EQ(rank0_evaluator->votes().num_votes(), 5);  // its own; the merge saw all 9
}

TEST_F(ArcEvalFixture, PredictionsThatCropToNothingStillGiveAValidSubmission) {
  // An untrained model often predicts no colour at the top-left corner: every crop is 0x0.
  auto evaluator = MakeEvaluator(*communicator_);
  ASSERT_TRUE(evaluator->BeginEval().ok());
  auto [batch, outputs] = Rows(0, 10);
  outputs["preds"] = at::zeros_like(outputs["preds"]);
  ASSERT_TRUE(evaluator->UpdateBatch(batch, outputs).ok());
  const std::string out = TempDir("out");
  auto metrics = evaluator->Result(out);
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(metrics->at("ARC/pass@1000"), 0.0);
  auto submission = ReadSubmissionFile(out + "/submission.json");
  ASSERT_TRUE(submission.ok()) << submission.status();
  for (const auto& task : submission->tasks) {
    for (const auto& attempts : task.attempts) EXPECT_EQ(attempts, std::vector<Grid>(2, FallbackGrid()));
  }
}

TEST_F(ArcEvalFixture, VotesAccumulateOnlyWithAggregatedVoting) {
  for (bool aggregated : {false, true}) {
    auto evaluator = MakeEvaluator(*communicator_, aggregated);
    for (int round = 0; round < 2; ++round) {
      ASSERT_TRUE(evaluator->BeginEval().ok());
      Feed(*evaluator, 0, 10);
      auto metrics = evaluator->Result("");
      ASSERT_TRUE(metrics.ok());
      ExpectGoldenMetrics(*metrics);  // identical rounds: doubling every vote keeps the order
    }
    EXPECT_EQ(evaluator->rounds(), aggregated ? 2 : 1);
    EXPECT_EQ(evaluator->votes().num_votes(), aggregated ? 18 : 9);
    const auto& top = evaluator->last_results()->outcomes()[2][0].candidates[0];
    EXPECT_EQ(top.votes, aggregated ? 4 : 2);
  }
}

TEST_F(ArcEvalFixture, ReportMentionsTheVotingMode) {
  auto evaluator = MakeEvaluator(*communicator_, /*aggregated=*/true);
  EXPECT_EQ(evaluator->WriteReport(TempDir("early"), {}).code(), absl::StatusCode::kFailedPrecondition);
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(evaluator->BeginEval().ok());
    Feed(*evaluator, 0, 10);
  }
  ASSERT_TRUE(evaluator->Result("").ok());
  // Kept by `bazel test` (bazel-testlogs/.../test.outputs/), to look at with tools/render_report.sh.
  const char* kept = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  const std::string report = kept != nullptr ? std::string(kept) + "/arc_eval_report" : TempDir("report");
  ASSERT_TRUE(evaluator->WriteReport(report, {{"checkpoint", "step_<1>"}}).ok());
  const std::string html = *ReadFileToString(report + "/index.html");
  EXPECT_THAT(html, HasSubstr("aggregated over 3 evaluation(s)"));
  EXPECT_THAT(html, HasSubstr("step_&lt;1&gt;"));
}

TEST_F(ArcEvalFixture, BadInputsAreErrors) {
  auto evaluator = MakeEvaluator(*communicator_);
  ASSERT_TRUE(evaluator->BeginEval().ok());
  auto [batch, outputs] = Rows(0, 4);

  Batch out_of_range = batch;
  out_of_range.puzzle_identifiers = batch.puzzle_identifiers.clone();
  out_of_range.puzzle_identifiers[1] = 99;
  absl::Status status = evaluator->UpdateBatch(out_of_range, outputs);
  EXPECT_THAT(std::string(status.message()), HasSubstr("puzzle identifier 99 is outside identifiers.json"));

  auto missing = outputs;
  missing.erase("q_halt_logits");
  EXPECT_THAT(std::string(evaluator->UpdateBatch(batch, missing).message()),
              HasSubstr("'q_halt_logits' missing"));

  auto short_preds = outputs;
  short_preds["preds"] = outputs["preds"].slice(1, 0, 899);
  EXPECT_THAT(std::string(evaluator->UpdateBatch(batch, short_preds).message()),
              HasSubstr("inconsistent shapes"));

  Batch odd = batch;
  odd.inputs = batch.inputs.slice(1, 0, 899);
  auto odd_outputs = outputs;
  odd_outputs["preds"] = outputs["preds"].slice(1, 0, 899);
  EXPECT_THAT(std::string(evaluator->UpdateBatch(odd, odd_outputs).message()),
              HasSubstr("seq_len 899"));
}

TEST_F(ArcEvalFixture, MissingOrMalformedDataFilesFailAtBeginEval) {
  const std::string dir = TempDir("data");
  std::filesystem::create_directories(dir);
  config::EvaluatorConfig config;
  {
    ArcEvaluator evaluator(config, EvaluatorContext{dir, communicator_.get()});
    EXPECT_THAT(std::string(evaluator.BeginEval().message()), HasSubstr(dir + "/identifiers.json"));
  }
  ASSERT_TRUE(WriteFileAtomically(dir + "/identifiers.json", R"(["<blank>", 3])").ok());
  {
    ArcEvaluator evaluator(config, EvaluatorContext{dir, communicator_.get()});
    EXPECT_THAT(std::string(evaluator.BeginEval().message()), HasSubstr("entry 1 is not a string"));
  }
  ASSERT_TRUE(WriteFileAtomically(dir + "/identifiers.json", R"(["<blank>", "a|||t1|||012"])").ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/test_puzzles.json", R"({"a": {"train": [], "test": [{"input": [[1]]}]}})").ok());
  {
    ArcEvaluator evaluator(config, EvaluatorContext{dir, communicator_.get()});
    ASSERT_TRUE(evaluator.BeginEval().ok());
    Batch batch{at::full({1, 900}, 2, at::kInt), at::full({1, 900}, -100, at::kInt), at::ones({1}, at::kInt)};
    std::map<std::string, at::Tensor> outputs = {{"preds", at::full({1, 900}, 2, at::kLong)},
                                                 {"q_halt_logits", at::zeros({1})}};
    EXPECT_THAT(std::string(evaluator.UpdateBatch(batch, outputs).message()),
                HasSubstr("malformed puzzle name 'a|||t1|||012'"));
  }
  ASSERT_TRUE(WriteFileAtomically(dir + "/test_puzzles.json", R"({"a": {"train": [], "test": []}})").ok());
  {
    ArcEvaluator evaluator(config, EvaluatorContext{dir, communicator_.get()});
    EXPECT_THAT(std::string(evaluator.BeginEval().message()), HasSubstr("test_puzzles.json: task 'a': no test pairs"));
  }
  config.MutableExtension(arc::arc_evaluator)->set_submission_k(0);
  ArcEvaluator evaluator(config, EvaluatorContext{dir_, communicator_.get()});
  EXPECT_THAT(std::string(evaluator.BeginEval().message()), HasSubstr("submission_k must be at least 1"));
}

}  // namespace
}  // namespace trm::plugins
