// Cost of the ARC evaluator at the scale of the ARC-AGI-2 evaluation (spec §7.9: 120 tasks, 172
// test inputs, about 1000 augmented variants of each, 170k test rows in batches of 768), next to
// the model's own cost (the evaluation forward: //tools:bench_trm's BM_EvalPass).
//   BM_UpdateBatch: crop, inverse augmentation, hashes and votes of one 768-row batch.
//   BM_Result:      ranking all candidates of every test input and building the submission.
//
//   bazel run -c opt //plugins/evaluators:arc_evaluator_benchmark
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "plugins/evaluators/arc_evaluator.h"
#include "plugins/evaluators/arc_testing.h"
#include "trm/base/file_util.h"
#include "plugins/arc/common/arc_json.h"

namespace trm::plugins {
namespace {

constexpr int kTasks = 120;
constexpr int kVariants = 1000;  // the original and 999 augmentations
constexpr int kCandidatesPerInput = 5;
constexpr int64_t kBatch = 768;
constexpr int kSide = 30;

Grid RandomGrid(std::mt19937& rng) {
  Grid grid(3 + rng() % 28, 3 + rng() % 28);
  for (uint8_t& cell : grid.cells) cell = rng() % kNumColors;
  return grid;
}

// A dataset folder with identifiers.json and test_puzzles.json, and a generator of test rows.
class Scale {
 public:
  Scale() : rng_(1) {
    dir_ = (std::filesystem::temp_directory_path() / "arc_evaluator_benchmark").string();
    std::filesystem::create_directories(dir_);
    OrderedJson puzzles = OrderedJson::object();
    OrderedJson identifiers = OrderedJson::array({"<blank>"});
    tasks_.resize(kTasks);
    for (int t = 0; t < kTasks; ++t) {
      const std::string id = absl::StrCat("task", t);
      const int inputs = t < 71 ? 1 : t < 117 ? 2 : 3;  // ARC-AGI-2's 71 / 46 / 3 split
      OrderedJson test = OrderedJson::array();
      for (int i = 0; i < inputs; ++i) {
        Task::Input input{RandomGrid(rng_), {}};
        for (int c = 0; c < kCandidatesPerInput; ++c) input.candidates.push_back(RandomGrid(rng_));
        test.push_back({{"input", GridToJsonValue(input.grid)},
                        {"output", GridToJsonValue(input.candidates[0])}});
        tasks_[t].inputs.push_back(std::move(input));
      }
      puzzles[id] = {{"train", OrderedJson::array()}, {"test", test}};
      for (int v = 0; v < kVariants; ++v) {
        DihedralColorAugmentation augmentation;
        if (v > 0) {
          augmentation.transform = rng_() % 8;
          std::shuffle(augmentation.colors.begin() + 1, augmentation.colors.end(), rng_);
        }
        tasks_[t].variants.push_back(static_cast<int32_t>(identifiers.size()));
        augmentations_.push_back(augmentation);
        identifiers.push_back(v == 0 ? id : AugmentedName(id, augmentation));
      }
    }
    augmentations_.insert(augmentations_.begin(), DihedralColorAugmentation{});  // blank
    (void)WriteFileAtomically(dir_ + "/identifiers.json", identifiers.dump());
    (void)WriteFileAtomically(dir_ + "/test_puzzles.json", puzzles.dump());
  }

  const std::string& dir() const { return dir_; }
  int64_t rows_per_pass() const {
    int64_t rows = 0;
    for (const Task& task : tasks_) rows += static_cast<int64_t>(task.inputs.size()) * kVariants;
    return rows;
  }

  // Rows [first, first + kBatch) of the test split (variant-major within a task, as stored).
  std::pair<Batch, std::map<std::string, at::Tensor>> MakeBatch(int64_t first) {
    Batch batch{at::zeros({kBatch, kSide * kSide}, at::kInt), at::Tensor(),
                at::zeros({kBatch}, at::kInt)};
    at::Tensor preds = at::zeros({kBatch, kSide * kSide}, at::kLong);
    at::Tensor q = at::randn({kBatch});
    for (int64_t b = 0; b < kBatch; ++b) {
      int64_t row = (first + b) % rows_per_pass();
      size_t t = 0;
      while (row >= static_cast<int64_t>(tasks_[t].inputs.size()) * kVariants) {
        row -= static_cast<int64_t>(tasks_[t].inputs.size()) * kVariants;
        ++t;
      }
      const Task& task = tasks_[t];
      const int32_t identifier = task.variants[row / task.inputs.size()];
      const Task::Input& input = task.inputs[row % task.inputs.size()];
      const DihedralColorAugmentation& augmentation = augmentations_[identifier];
      const Grid& candidate = input.candidates[std::min<int>(rng_() % 8, kCandidatesPerInput - 1)];
      const auto input_tokens = arc_testing::EncodeOnCanvas(augmentation.Apply(input.grid), kSide);
      const auto pred_tokens = arc_testing::EncodeOnCanvas(augmentation.Apply(candidate), kSide);
      std::copy(input_tokens.begin(), input_tokens.end(), batch.inputs[b].data_ptr<int32_t>());
      std::copy(pred_tokens.begin(), pred_tokens.end(), preds[b].data_ptr<int64_t>());
      batch.puzzle_identifiers[b] = identifier;
    }
    return {batch, {{"preds", preds}, {"q_halt_logits", q}}};
  }

 private:
  struct Task {
    struct Input {
      Grid grid;
      std::vector<Grid> candidates;
    };
    std::vector<Input> inputs;
    std::vector<int32_t> variants;
  };
  std::mt19937 rng_;
  std::string dir_;
  std::vector<Task> tasks_;
  std::vector<DihedralColorAugmentation> augmentations_;
};

Scale& TheScale() {
  static auto* const scale = new Scale;
  return *scale;
}

void BM_UpdateBatch(benchmark::State& state) {
  auto communicator = MakeSingleProcessCommunicator();
  ArcEvaluator evaluator(config::EvaluatorConfig(),
                         EvaluatorContext{TheScale().dir(), communicator.get()});
  if (!evaluator.BeginEval().ok()) state.SkipWithError("BeginEval failed");
  auto [batch, outputs] = TheScale().MakeBatch(12345);
  for (auto _ : state) {
    if (!evaluator.UpdateBatch(batch, outputs).ok()) state.SkipWithError("UpdateBatch failed");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_UpdateBatch)->Unit(benchmark::kMillisecond);

void BM_Result(benchmark::State& state) {
  auto communicator = MakeSingleProcessCommunicator();
  ArcEvaluator evaluator(config::EvaluatorConfig(),
                         EvaluatorContext{TheScale().dir(), communicator.get()});
  if (!evaluator.BeginEval().ok()) state.SkipWithError("BeginEval failed");
  const int64_t rows = TheScale().rows_per_pass();
  for (int64_t first = 0; first < rows; first += kBatch) {
    auto [batch, outputs] = TheScale().MakeBatch(first);
    if (!evaluator.UpdateBatch(batch, outputs).ok()) state.SkipWithError("UpdateBatch failed");
  }
  for (auto _ : state) {
    auto metrics = evaluator.Result("");
    if (!metrics.ok()) state.SkipWithError("Result failed");
    benchmark::DoNotOptimize(metrics);
  }
  state.counters["votes"] = static_cast<double>(evaluator.votes().num_votes());
}
BENCHMARK(BM_Result)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace trm::plugins
