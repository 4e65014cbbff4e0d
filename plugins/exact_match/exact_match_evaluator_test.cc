#include "plugins/exact_match/exact_match_evaluator.h"

#include <filesystem>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/base/file_util.h"
#include "trm/config/experiment_loader.h"
#include "trm/data/dataset_metadata.h"
#include "trm/plugin/plugin_api.h"
#include "trm/testing/fake_communicator.h"

namespace trm::exact_match {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int32_t kIgnore = static_cast<int32_t>(kIgnoreLabel);
constexpr int64_t kSeqLen = 4;  // 2 x 2 boards

// Six test examples (labels, predictions) and what they score:
//   e0 exact 4/4, e1 3/4, e2 exact (its one wrong token is at an ignored position) 3/3,
//   e3 0/4, e4 exact 4/4, e5 3/4: accuracy 3/6, token accuracy 17/23.
const std::vector<std::vector<int32_t>> kLabels = {{2, 3, 4, 2}, {2, 3, 4, 2}, {2, kIgnore, 4, 2},
                                                   {3, 3, 3, 3}, {4, 4, 4, 4}, {2, 2, 2, 2}};
const std::vector<std::vector<int32_t>> kPreds = {{2, 3, 4, 2}, {2, 3, 4, 3}, {2, 0, 4, 2},
                                                  {2, 2, 2, 2}, {4, 4, 4, 4}, {2, 2, 2, 4}};

// Examples [begin, end) as a batch of `rows` rows, padded like the loader (inputs pad 0, labels
// ignored, blank identifier 0; the padding rows' predictions are whatever the model says).
std::pair<Batch, std::map<std::string, at::Tensor>> Rows(int begin, int end, int rows) {
  at::Tensor inputs = at::zeros({rows, kSeqLen}, at::kInt);
  at::Tensor labels = at::full({rows, kSeqLen}, kIgnore, at::kInt);
  at::Tensor preds = at::full({rows, kSeqLen}, 3, at::kLong);
  for (int e = begin; e < end; ++e) {
    inputs[e - begin] = 1 + e % 4;
    labels[e - begin] = at::tensor(kLabels[e], at::kInt);
    preds[e - begin] = at::tensor(kPreds[e], at::kLong);
  }
  return {Batch{inputs, labels, at::zeros({rows}, at::kInt)}, {{"preds", preds}}};
}

class ExactMatchEvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = ::testing::TempDir() + "/exact_match_data";
    std::filesystem::create_directories(data_ + "/test");
    DatasetMetadata metadata;
    metadata.seq_len = kSeqLen;
    metadata.vocab_size = 5;
    metadata.ignore_label_id = 0;
    metadata.num_puzzle_identifiers = 1;
    metadata.total_groups = 6;
    metadata.mean_puzzle_examples = 1;
    metadata.total_puzzles = 6;
    metadata.sets = {"all"};
    ASSERT_TRUE(WriteDatasetMetadata(data_ + "/test", metadata).ok());
    config_.set_name("exact_match");
    config_.MutableExtension(exact_match)->set_glyphs(" .abc");
    config_.MutableExtension(exact_match)->set_report_failed(2);
    communicator_ = MakeSingleProcessCommunicator();
  }

  std::unique_ptr<ExactMatchEvaluator> Make(Communicator& communicator) {
    return std::make_unique<ExactMatchEvaluator>(config_, EvaluatorContext{data_, &communicator});
  }

  // All six examples on one rank, global batch 4: [e0 e1 e2 e3], [e4 e5 pad pad].
  std::map<std::string, double> EvaluateOnOneRank(ExactMatchEvaluator& evaluator,
                                                  const std::string& output_dir) {
    EXPECT_TRUE(evaluator.BeginEval().ok());
    for (const auto& [batch, outputs] : {Rows(0, 4, 4), Rows(4, 6, 4)}) {
      EXPECT_TRUE(evaluator.UpdateBatch(batch, outputs).ok());
    }
    auto metrics = evaluator.Result(output_dir);
    EXPECT_TRUE(metrics.ok()) << metrics.status();
    return metrics.ok() ? *metrics : std::map<std::string, double>{};
  }

  std::string data_;
  config::EvaluatorConfig config_;
  std::unique_ptr<Communicator> communicator_;
};

TEST_F(ExactMatchEvaluatorTest, ScoresWholeBoardsAndTokensSkippingPaddingRows) {
  auto evaluator = Make(*communicator_);
  EXPECT_THAT(evaluator->RequiredOutputs(), ElementsAre("preds"));
  const std::string out = ::testing::TempDir() + "/exact_match_out";
  const std::map<std::string, double> metrics = EvaluateOnOneRank(*evaluator, out);
  EXPECT_EQ(metrics.size(), 3u);
  EXPECT_DOUBLE_EQ(metrics.at("exact_match/accuracy"), 0.5);
  EXPECT_DOUBLE_EQ(metrics.at("exact_match/token_accuracy"), 17.0 / 23);
  EXPECT_EQ(metrics.at("exact_match/count"), 6);
  const MergedTally& result = *evaluator->last_result();
  EXPECT_THAT(result.solved, ElementsAre(0, 2, 4));
  EXPECT_THAT(result.failed, ElementsAre(1, 3, 5));
  ASSERT_EQ(result.failed_samples.size(), 2u);  // report_failed
  EXPECT_EQ(result.failed_samples[1].index, 3);
  EXPECT_EQ(result.failed_samples[1].prediction, kPreds[3]);

  auto json = ReadFileToString(out + "/exact_match.json");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"exact_match/accuracy\":0.5"));
  EXPECT_THAT(*json, HasSubstr("\"exact_match/count\":6.0"));
  EXPECT_THAT(*json, HasSubstr("\"solved\":[0,2,4],\"failed\":[1,3,5]"));

  // A second round starts afresh.
  EXPECT_EQ(EvaluateOnOneRank(*evaluator, "").at("exact_match/count"), 6);
}

TEST_F(ExactMatchEvaluatorTest, TwoRanksGiveWhatOneRankGives) {
  auto single = Make(*communicator_);
  const std::map<std::string, double> expected = EvaluateOnOneRank(*single, "");
  const MergedTally& expected_result = *single->last_result();
  // Global batch 4 over two ranks: rank 0 [e0 e1], [e4 e5]; rank 1 [e2 e3], [pad pad].
  testing::RunOnFakeWorld(2, [&](int rank, Communicator& communicator) {
    auto evaluator = Make(communicator);
    ASSERT_TRUE(evaluator->BeginEval().ok());
    const auto first = rank == 0 ? Rows(0, 2, 2) : Rows(2, 4, 2);
    const auto second = rank == 0 ? Rows(4, 6, 2) : Rows(6, 6, 2);
    ASSERT_TRUE(evaluator->UpdateBatch(first.first, first.second).ok());
    ASSERT_TRUE(evaluator->UpdateBatch(second.first, second.second).ok());
    auto metrics = evaluator->Result("");
    ASSERT_TRUE(metrics.ok()) << metrics.status();
    if (rank != 0) {
      EXPECT_TRUE(metrics->empty());
      return;
    }
    EXPECT_EQ(*metrics, expected);
    const MergedTally& result = *evaluator->last_result();
    EXPECT_EQ(result.solved, expected_result.solved);
    EXPECT_EQ(result.failed, expected_result.failed);
    ASSERT_EQ(result.failed_samples.size(), expected_result.failed_samples.size());
    for (size_t i = 0; i < result.failed_samples.size(); ++i) {
      EXPECT_EQ(result.failed_samples[i].index, expected_result.failed_samples[i].index);
      EXPECT_EQ(result.failed_samples[i].label, expected_result.failed_samples[i].label);
    }
  });
}

TEST_F(ExactMatchEvaluatorTest, ReportAndSummaryDrawTheBoards) {
  auto evaluator = Make(*communicator_);
  EXPECT_EQ(evaluator->WriteReport(::testing::TempDir(), {}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(evaluator->Summary(false), "");
  EvaluateOnOneRank(*evaluator, "");
  const std::string dir = ::testing::TempDir() + "/exact_match_report";
  ASSERT_TRUE(evaluator->WriteReport(dir, {{"experiment", "tiny"}}).ok());
  auto html = ReadFileToString(dir + "/index.html");
  ASSERT_TRUE(html.ok()) << html.status();
  EXPECT_THAT(*html, HasSubstr("Failed (first 2 of 3)"));
  EXPECT_THAT(*html, HasSubstr("<span class=\"x\">a</span>"));  // e1's wrong last cell
  // e1: input 2 2 / 2 2 ('a'), prediction a b / c b with the last cell wrong, target a b / c a.
  EXPECT_EQ(evaluator->Summary(false),
            "exact_match: 3 of 6 test examples exactly right (50.00%), token accuracy 73.91%\n"
            "example 1, 1 wrong cell(s) marked *:\n"
            "input  prediction  target\n"
            "a a    a b         a b\n"
            "a a    c b*        c a\n");
  EXPECT_THAT(evaluator->Summary(true), HasSubstr("\x1b[41;97mb\x1b[0m"));
}

TEST_F(ExactMatchEvaluatorTest, BadBatchesAreErrors) {
  auto evaluator = Make(*communicator_);
  ASSERT_TRUE(evaluator->BeginEval().ok());
  auto [batch, outputs] = Rows(0, 2, 2);
  EXPECT_THAT(evaluator->UpdateBatch(batch, {}).message(), HasSubstr("'preds' missing"));
  outputs["preds"] = outputs["preds"].slice(1, 0, 3);
  EXPECT_THAT(evaluator->UpdateBatch(batch, outputs).message(),
              HasSubstr("inconsistent shapes: inputs [2,4], labels [2,4], preds [2,3]"));
}

// Through the registry, as the tools create it: bad options are one line naming the field.
TEST_F(ExactMatchEvaluatorTest, BadOptionsAreOneLineErrorsNamingTheField) {
  ASSERT_EQ(plugin_internal::CommitPending("exact_match_test"), nullptr);
  const auto create = [&](const config::EvaluatorConfig& config) {
    return EvaluatorRegistry()
        .Create("exact_match", config, EvaluatorContext{data_, communicator_.get()})
        .status();
  };
  EXPECT_TRUE(create(config_).ok());
  config::EvaluatorConfig config = config_;
  config.MutableExtension(exact_match)->set_glyphs(" .12");
  absl::Status status = create(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "evaluators 'exact_match': exact_match.glyphs: \" .12\" has 4 characters, the "
            "dataset's vocabulary 5 tokens (one glyph per token id)");
  config = config_;
  config.MutableExtension(exact_match)->set_grid_cols(3);
  EXPECT_THAT(create(config).message(), HasSubstr("exact_match.grid_cols: 3 does not divide"));
  config = config_;
  config.MutableExtension(exact_match)->set_report_solved(-1);
  EXPECT_THAT(create(config).message(), HasSubstr("exact_match.report_solved: -1 is negative"));
  status =
      EvaluatorRegistry()
          .Create("exact_match", config_, EvaluatorContext{data_ + "/nowhere", communicator_.get()})
          .status();
  EXPECT_THAT(status.message(), HasSubstr("nowhere/test"));
  EXPECT_THAT(status.message(), Not(HasSubstr("\n")));
}

// What an experiment writes, and `--set` into the extension.
TEST(ExactMatchOptionsTest, TextProtoAndOverridesReachTheExtension) {
  config::Experiment experiment;
  ASSERT_TRUE(
      config::ParseTextProto(
          R"(evaluators { name: "exact_match" [trm.exact_match.exact_match] { glyphs: " .123456789" } })",
          "inline", &experiment)
          .ok());
  ASSERT_TRUE(config::ApplyOverride("evaluators[0].[trm.exact_match.exact_match].report_failed=4",
                                    &experiment)
                  .ok());
  const ExactMatchOptions& options = experiment.evaluators(0).GetExtension(exact_match);
  EXPECT_EQ(options.glyphs(), " .123456789");
  EXPECT_EQ(options.report_failed(), 4);
  EXPECT_EQ(options.report_solved(), 6);
  const absl::Status typo =
      config::ApplyOverride("evaluators[0].[trm.exact_match.exact_match].glyph=x", &experiment);
  EXPECT_THAT(std::string(typo.message()),
              HasSubstr("ExactMatchOptions has no field 'glyph' (did you mean 'glyphs'?)"));
}

}  // namespace
}  // namespace trm::exact_match
