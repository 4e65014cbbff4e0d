// End-to-end tests of //tools:solve: a tiny model pre-trained on four ARC tasks solves three
// others. Checked: the trained embedding rows and (for --finetune=embeddings) every other tensor
// stay bit-identical; a time budget ends fine-tuning and still gives a complete submission; tasks
// that cannot be predicted keep fallback attempts; bad inputs are one-line errors that leave the
// disk as it was.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "plugins/arc/common/arc_task.h"
#include "plugins/arc/common/kaggle_submission.h"
#include "tools/testing/tool_process.h"
#include "trm/base/file_util.h"
#include "trm/checkpoint/safetensors.h"

namespace trm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::RunTool;
using testing::ToolResult;
using json = nlohmann::ordered_json;

constexpr char kTable[] = "model.inner.puzzle_emb.weights";
constexpr char kSampleDir[] = "third_party/arc_sample";

std::string TestTmp() { return std::getenv("TEST_TMPDIR"); }

json ReadJson(const std::string& path) { return json::parse(ReadFileToString(path).value()); }

// A challenges file (and its solutions) of the given sample tasks.
void WriteTasks(const std::vector<std::string>& ids, const std::string& challenges,
                const std::string& solutions) {
  json out_challenges = json::object(), out_solutions = json::object();
  for (const char* subset : {"training2", "evaluation2"}) {
    const std::string stem = absl::StrCat(kSampleDir, "/arc-agi_", subset);
    const json c = ReadJson(stem + "_challenges.json");
    const json s = ReadJson(stem + "_solutions.json");
    for (const std::string& id : ids) {
      if (c.contains(id)) {
        out_challenges[id] = c[id];
        out_solutions[id] = s[id];
      }
    }
  }
  ASSERT_EQ(out_challenges.size(), ids.size());
  ASSERT_TRUE(WriteFileAtomically(challenges, out_challenges.dump()).ok());
  ASSERT_TRUE(WriteFileAtomically(solutions, out_solutions.dump()).ok());
}

std::map<std::string, at::Tensor> Weights(const std::string& path) {
  auto tensors = ReadSafetensors(path);
  EXPECT_TRUE(tensors.ok()) << tensors.status();
  return tensors.ok() ? *tensors : std::map<std::string, at::Tensor>{};
}

bool BitIdentical(const at::Tensor& a, const at::Tensor& b) {
  if (a.sizes() != b.sizes() || a.scalar_type() != b.scalar_type()) return false;
  const at::Tensor x = a.contiguous(), y = b.contiguous();
  return std::memcmp(x.data_ptr(), y.data_ptr(), x.nbytes()) == 0;
}

// The weights file of the newest checkpoint under `run_dir`/checkpoints.
std::string LatestWeights(const std::string& run_dir) {
  std::string latest;
  int64_t best = -1;
  for (const auto& entry : fs::directory_iterator(run_dir + "/checkpoints")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("step_", 0) != 0) continue;
    const int64_t step = std::stoll(name.substr(5));
    if (step > best) best = step, latest = entry.path().string();
  }
  return latest + "/model.safetensors";
}

class SolveToolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = TestTmp() + "/pretrained";
    pretrain_ = new ToolResult(RunTool({"tools/train", "--experiment=arc2_trm_tiny",
                                        "--run_dir=" + dir, "--data_root=" + TestTmp() + "/data",
                                        "--task_dir=" + std::string(kSampleDir)}));
    WriteTasks({"25d8a9c8", "25ff71a9", "3618c87e"}, Challenges(), Solutions());
  }
  static void TearDownTestSuite() { delete pretrain_; }
  void SetUp() override { ASSERT_TRUE(pretrain_->exited_ok()) << pretrain_->output; }

  static std::string Pretrained() { return TestTmp() + "/pretrained"; }
  static std::string Challenges() { return TestTmp() + "/unseen_challenges.json"; }
  static std::string Solutions() { return TestTmp() + "/unseen_solutions.json"; }

  // The solver on the pre-trained run, with the tiny experiment plus the ARC evaluator.
  static ToolResult Solve(const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"tools/solve/solve",
                                     "--experiment=" + Pretrained() + "/config.textproto",
                                     "--set=evaluators[0]={name: \"arc\"}",
                                     "--checkpoint=" + Pretrained(), "--out=" + out};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunTool(args);
  }

  // The submission answers every task of `challenges`, 2 attempts per test input.
  static void ExpectCompleteSubmission(const std::string& out, const std::string& challenges) {
    auto tasks = ReadArcTasksFile(challenges);
    ASSERT_TRUE(tasks.ok()) << tasks.status();
    auto submission = ReadSubmissionFile(out + "/submission.json");
    ASSERT_TRUE(submission.ok()) << submission.status();
    EXPECT_TRUE(ValidateSubmission(*submission, *tasks, challenges).ok());
  }

  static ToolResult* pretrain_;
};

ToolResult* SolveToolTest::pretrain_ = nullptr;

TEST_F(SolveToolTest, EmbeddingsOnlyFinetuningChangesOnlyTheNewRows) {
  const std::string out = TestTmp() + "/embeddings";
  const ToolResult result = Solve(out, {"--challenges=" + Challenges(), "--finetune=embeddings",
                                        "--finetune_steps=12", "--solutions=" + Solutions()});
  ASSERT_TRUE(result.exited_ok()) << result.output;
  ExpectCompleteSubmission(out, Challenges());

  const auto before = Weights(LatestWeights(Pretrained()));
  const auto after = Weights(LatestWeights(out + "/finetune"));
  ASSERT_EQ(before.size(), after.size());
  const at::Tensor trained = before.at(kTable), grown = after.at(kTable);
  const int64_t rows = trained.size(0);
  ASSERT_GT(grown.size(0), rows);
  EXPECT_EQ(ReadJson(out + "/solve.json")["first_new_identifier"], rows);
  EXPECT_TRUE(BitIdentical(grown.narrow(0, 0, rows), trained));
  EXPECT_FALSE(at::equal(grown.narrow(0, rows, grown.size(0) - rows),
                         trained.narrow(0, 1, rows - 1).mean(0).expand({grown.size(0) - rows, -1})))
      << "the new rows did not train";
  for (const auto& [key, tensor] : before) {
    if (key != kTable) EXPECT_TRUE(BitIdentical(after.at(key), tensor)) << key;
  }
  const json summary = ReadJson(out + "/solve.json");
  EXPECT_EQ(summary["finetune"]["steps_done"], 12);
  EXPECT_EQ(summary["finetune"]["demonstrations"]["last_tenth"]["steps"], "12-12");
  EXPECT_TRUE(summary["finetune"]["demonstrations"]["first_tenth"].contains("train/exact_accuracy"));
  EXPECT_TRUE(summary["predict"]["complete"].get<bool>());
  EXPECT_EQ(summary["tasks_predicted"], 3);
  EXPECT_TRUE(summary.contains("score"));
  EXPECT_TRUE(summary["metrics"].contains("ARC/pass@2"));
}

TEST_F(SolveToolTest, FullFinetuningTrainsTheModelAndKeepsTheTrainedRows) {
  const std::string out = TestTmp() + "/all";
  const ToolResult result = Solve(
      out, {"--challenges=" + Challenges(), "--finetune=all", "--finetune_steps=12", "--new_rows=blank"});
  ASSERT_TRUE(result.exited_ok()) << result.output;
  ExpectCompleteSubmission(out, Challenges());
  const auto before = Weights(LatestWeights(Pretrained()));
  const auto after = Weights(LatestWeights(out + "/finetune"));
  const int64_t rows = before.at(kTable).size(0);
  EXPECT_TRUE(BitIdentical(after.at(kTable).narrow(0, 0, rows), before.at(kTable)));
  int changed = 0;
  for (const auto& [key, tensor] : before) {
    if (key != kTable && !BitIdentical(after.at(key), tensor)) ++changed;
  }
  EXPECT_GT(changed, 0);
}

TEST_F(SolveToolTest, TimeBudgetEndsFinetuningAndTheSubmissionIsComplete) {
  const std::string out = TestTmp() + "/budget";
  // A million steps would take hours: only the budget can end this run.
  const ToolResult result = Solve(out, {"--challenges=" + Challenges(), "--finetune=all",
                                        "--finetune_steps=1000000", "--time_budget=4s"});
  ASSERT_TRUE(result.exited_ok()) << result.output;
  ExpectCompleteSubmission(out, Challenges());
  const json summary = ReadJson(out + "/solve.json");
  EXPECT_TRUE(summary["finetune"]["cut_by_time_budget"].get<bool>());
  EXPECT_LT(summary["finetune"]["steps_done"].get<int64_t>(), 1000000);
  EXPECT_THAT(result.output, HasSubstr("cut by the time budget"));
}

TEST_F(SolveToolTest, TwoProcessesFinetuneAndPredictTogether) {
  const std::string out = TestTmp() + "/two_processes";
  const ToolResult result = Solve(out, {"--challenges=" + Challenges(), "--finetune_steps=6",
                                        "--nproc_per_node=2", "--solutions=" + Solutions()});
  ASSERT_TRUE(result.exited_ok()) << result.output;
  ExpectCompleteSubmission(out, Challenges());
  const json summary = ReadJson(out + "/solve.json");
  EXPECT_EQ(summary["processes"], 2);
  EXPECT_EQ(summary["finetune"]["steps_done"], 6);
  EXPECT_EQ(summary["tasks_predicted"], 3);
  EXPECT_TRUE(summary["predict"]["complete"].get<bool>());
}

TEST_F(SolveToolTest, ReferenceCheckpointSolvesUnseenTasks) {
  // The Python reference's torch.save checkpoint of the trm_att fixture (10 identifiers, canvas
  // 30), on the two sample evaluation tasks it never saw.
  const std::string challenges = TestTmp() + "/reference_challenges.json";
  WriteTasks({"28a6681f", "d35bdbdc"}, challenges, TestTmp() + "/reference_solutions.json");
  const std::string out = TestTmp() + "/reference";
  const ToolResult result = RunTool(
      {"tools/solve/solve", "--experiment=tools/testdata/eval_reference_trm_att.textproto",
       "--set=evaluators[0]={name: \"arc\"}", "--set=optimizer={name: \"adam_atan2\"}",
       "--set=puzzle_emb_optimizer={name: \"sparse_sign_sgd\"}",
       "--checkpoint=tests/golden/trm_att/reference_checkpoint.pt", "--out=" + out,
       "--challenges=" + challenges, "--finetune=embeddings", "--finetune_steps=2"});
  ASSERT_TRUE(result.exited_ok()) << result.output;
  ExpectCompleteSubmission(out, challenges);
  const json summary = ReadJson(out + "/solve.json");
  EXPECT_EQ(summary["first_new_identifier"], 10);
  EXPECT_EQ(summary["tasks_predicted"], 2);
  EXPECT_EQ(summary["finetune"]["steps_done"], 2);
}

TEST_F(SolveToolTest, TasksTooLargeForTheCanvasKeepFallbackAttempts) {
  const std::string challenges = TestTmp() + "/mixed_challenges.json";
  WriteTasks({"25d8a9c8", "28a6681f"}, challenges, TestTmp() + "/mixed_solutions.json");
  const std::string out = TestTmp() + "/mixed";
  const ToolResult result = Solve(out, {"--challenges=" + challenges, "--finetune=none"});
  ASSERT_TRUE(result.exited_ok()) << result.output;
  ExpectCompleteSubmission(out, challenges);
  const json summary = ReadJson(out + "/solve.json");
  EXPECT_EQ(summary["tasks"], 2);
  EXPECT_EQ(summary["tasks_predicted"], 1);  // 28a6681f has 10x10 grids, the canvas is 6x6
  const json submission = ReadJson(out + "/submission.json");
  EXPECT_EQ(submission["28a6681f"][0]["attempt_1"], json::parse("[[0]]"));
}

TEST_F(SolveToolTest, BadInputsAreOneLineErrorsAndChangeNothing) {
  const std::string dir = TestTmp() + "/bad";
  fs::create_directories(dir);
  const std::map<std::string, std::string> files = {
      {"not_json.json", "{\"a\": [1,"},
      {"no_demos.json", R"({"a": {"train": [], "test": [{"input": [[1]]}]}})"},
      {"no_test.json", R"({"a": {"train": [{"input": [[1]], "output": [[2]]}], "test": []}})"},
      {"bad_grid.json",
       R"({"a": {"train": [{"input": [[1, 2], [3]], "output": [[2]]}], "test": [{"input": [[1]]}]}})"},
      {"empty.json", "{}"},
  };
  for (const auto& [name, text] : files) {
    const std::string path = dir + "/" + name;
    ASSERT_TRUE(WriteFileAtomically(path, text).ok());
    const std::string out = dir + "/out_" + name;
    const ToolResult result = Solve(out, {"--challenges=" + path, "--finetune_steps=1"});
    EXPECT_TRUE(result.exited_with(1)) << name << ": " << result.output;
    EXPECT_THAT(result.output, StartsWith("error: " + path)) << name;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
    EXPECT_FALSE(fs::exists(out)) << name;
  }

  // Solutions that do not answer the challenges.
  const std::string wrong = dir + "/wrong_solutions.json";
  ASSERT_TRUE(WriteFileAtomically(wrong, R"({"25d8a9c8": [[[1]]]})").ok());
  ToolResult result =
      Solve(dir + "/out_wrong", {"--challenges=" + Challenges(), "--solutions=" + wrong,
                                 "--finetune=none"});
  EXPECT_TRUE(result.exited_with(1)) << result.output;
  EXPECT_THAT(result.output, StartsWith("error: " + wrong));

  // An existing folder with something in it is never written to.
  const std::string used = dir + "/used";
  fs::create_directories(used);
  ASSERT_TRUE(WriteFileAtomically(used + "/submission.json", "precious").ok());
  result = Solve(used, {"--challenges=" + Challenges(), "--finetune=none"});
  EXPECT_TRUE(result.exited_with(1));
  EXPECT_THAT(result.output, HasSubstr("exists and is not empty"));
  EXPECT_EQ(ReadFileToString(used + "/submission.json").value(), "precious");

  // Flags.
  for (const std::vector<std::string>& flags :
       std::vector<std::vector<std::string>>{{"--finetune=most", "--finetune_steps=1"},
                                             {"--finetune=all"},
                                             {"--finetune=none", "--new_rows=random"}}) {
    std::vector<std::string> args = {"--challenges=" + Challenges()};
    args.insert(args.end(), flags.begin(), flags.end());
    result = Solve(dir + "/out_flags", args);
    EXPECT_TRUE(result.exited_with(1)) << result.output;
    EXPECT_THAT(result.output, StartsWith("error: --")) << flags[0];
  }
  EXPECT_FALSE(fs::exists(dir + "/out_flags"));
}

}  // namespace
}  // namespace trm
