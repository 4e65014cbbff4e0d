// Cost of one loader batch (gathering rows from the memory-mapped arrays, int32 conversion, label
// mapping). Runs on $TRM_BENCH_DATA (a built dataset root) when set, else on a synthetic dataset
// shaped like ARC (1280 groups, 900-token rows) written to a temporary folder.
//
//   bazel run -c opt //trm/data:puzzle_dataset_benchmark -- --benchmark_min_time=1
//   TRM_BENCH_DATA=runs/data/arc2concept-aug-1000 bazel run ...
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "trm/data/dataset_metadata.h"
#include "trm/data/npy.h"
#include "trm/data/puzzle_dataset.h"

namespace trm {
namespace {

namespace fs = std::filesystem;

// 1280 groups of 8 puzzles with 2..6 examples each (about 41k rows).
std::string SyntheticDataset() {
  static const std::string root = [] {
    const fs::path dir =
        fs::temp_directory_path() / ("puzzle_dataset_benchmark_" + std::to_string(getpid()));
    for (const char* split : {"train", "test"}) {
      fs::create_directories(dir / split);
      std::mt19937 rng(1);
      std::vector<int32_t> groups = {0}, puzzles = {0}, identifiers;
      for (int g = 0; g < 1280; ++g) {
        for (int m = 0; m < 8; ++m) {
          identifiers.push_back(static_cast<int32_t>(identifiers.size() + 1));
          puzzles.push_back(puzzles.back() + 2 + static_cast<int32_t>(rng() % 5));
        }
        groups.push_back(static_cast<int32_t>(identifiers.size()));
      }
      const int64_t rows = puzzles.back();
      std::vector<uint8_t> tokens(rows * 900);
      for (uint8_t& t : tokens) t = static_cast<uint8_t>(rng() % 12);
      const std::string d = (dir / split).string();
      WriteNpy(d + "/all__inputs.npy", NpyDtype::kUint8, {rows, 900}, tokens.data()).IgnoreError();
      WriteNpy(d + "/all__labels.npy", NpyDtype::kUint8, {rows, 900}, tokens.data()).IgnoreError();
      WriteNpy(d + "/all__puzzle_identifiers.npy", NpyDtype::kInt32,
               {static_cast<int64_t>(identifiers.size())}, identifiers.data())
          .IgnoreError();
      WriteNpy(d + "/all__puzzle_indices.npy", NpyDtype::kInt32,
               {static_cast<int64_t>(puzzles.size())}, puzzles.data())
          .IgnoreError();
      WriteNpy(d + "/all__group_indices.npy", NpyDtype::kInt32,
               {static_cast<int64_t>(groups.size())}, groups.data())
          .IgnoreError();
      DatasetMetadata m;
      m.seq_len = 900;
      m.vocab_size = 12;
      m.ignore_label_id = 0;
      m.num_puzzle_identifiers = static_cast<int64_t>(identifiers.size()) + 1;
      m.total_groups = 1280;
      m.total_puzzles = static_cast<int64_t>(identifiers.size());
      m.mean_puzzle_examples = static_cast<double>(rows) / static_cast<double>(m.total_puzzles);
      m.sets = {"all"};
      WriteDatasetMetadata(d, m).IgnoreError();
    }
    return dir.string();
  }();
  return root;
}

std::string DataRoot() {
  const char* env = std::getenv("TRM_BENCH_DATA");
  return env != nullptr && *env != '\0' ? std::string(env) : SyntheticDataset();
}

// Times Next() (a new epoch starts when one is exhausted); items = rows.
void TimeBatches(benchmark::State& state, const PuzzleDatasetOptions& options) {
  auto dataset = PuzzleDataset::Open(options);
  if (!dataset.ok()) {
    state.SkipWithError(std::string(dataset.status().message()).c_str());
    return;
  }
  for (auto _ : state) {
    auto item = (*dataset)->Next();
    if (!item) item = (*dataset)->Next();
    benchmark::DoNotOptimize(item->batch.inputs.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * options.global_batch_size);
}

void BM_TrainBatch(benchmark::State& state) {
  PuzzleDatasetOptions options;
  options.dataset_paths = {DataRoot()};
  options.global_batch_size = state.range(0);
  options.epochs_per_iter = 100;
  TimeBatches(state, options);
}
BENCHMARK(BM_TrainBatch)->Arg(192)->Arg(768)->Unit(benchmark::kMillisecond);

void BM_TestBatch(benchmark::State& state) {
  PuzzleDatasetOptions options;
  options.dataset_paths = {DataRoot()};
  options.split = "test";
  options.test_set_mode = true;
  options.global_batch_size = state.range(0);
  TimeBatches(state, options);
}
BENCHMARK(BM_TestBatch)->Arg(768)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace trm
