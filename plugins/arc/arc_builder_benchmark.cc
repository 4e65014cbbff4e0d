// The ARC builder's hot paths: the augmentation loop of one group (de-duplication included), the
// placement draws, and the encoding of rows onto the canvas.
//
//   bazel run -c opt //plugins/arc:arc_builder_benchmark -- --benchmark_min_time=0.5
#include <memory>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "plugins/arc/group_augmenter.h"
#include "plugins/augmentations/dihedral_color.h"
#include "plugins/augmentations/translate.h"
#include "plugins/arc/common/arc_encoding.h"

namespace trm::arc {
namespace {

// A typical ARC-AGI-2 puzzle: 4 pairs of 12 x 14 grids.
ArcTask MakeTask(int colours, int pairs = 4, int rows = 12, int cols = 14) {
  std::mt19937 rng(5);
  ArcTask task;
  task.id = "bench";
  auto grid = [&](int r, int c) {
    Grid g(r, c);
    for (uint8_t& cell : g.cells) cell = static_cast<uint8_t>(rng() % colours);
    return g;
  };
  for (int p = 0; p < pairs; ++p) task.train.push_back({grid(rows, cols), grid(cols, rows)});
  task.test.push_back({grid(rows, cols), grid(rows, cols)});
  return task;
}

AugmentationPipeline Pipeline() {
  std::vector<std::unique_ptr<VariantAugmentation>> variants;
  variants.push_back(std::make_unique<plugins::DihedralColor>(config::AugmentationConfig()));
  return AugmentationPipeline(std::move(variants),
                              std::make_unique<plugins::Translate>(config::AugmentationConfig()));
}

std::vector<const ArcPair*> Pairs(const ArcTask& task) {
  std::vector<const ArcPair*> pairs;
  for (const ArcPair& pair : task.train) pairs.push_back(&pair);
  for (const ArcPair& pair : task.test) pairs.push_back(&pair);
  return pairs;
}

// One group of num_aug + 1 members (the common case: every draw is new).
void BM_AugmentGroup(benchmark::State& state) {
  const ArcTask task = MakeTask(10);
  const AugmentationPipeline pipeline = Pipeline();
  NumpyRandomState rng(42);
  for (auto _ : state) {
    const GroupAugmenter augmenter(Pairs(task));
    benchmark::DoNotOptimize(augmenter.Augment(pipeline, static_cast<int>(state.range(0)), 5, rng));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AugmentGroup)->Arg(10)->Arg(1000)->Unit(benchmark::kMillisecond);

// A two-colour puzzle: at most 576 distinct members, so all 5000 draws of num_aug 1000 happen.
void BM_AugmentShortGroup(benchmark::State& state) {
  const ArcTask task = MakeTask(2);
  const AugmentationPipeline pipeline = Pipeline();
  NumpyRandomState rng(42);
  for (auto _ : state) {
    const GroupAugmenter augmenter(Pairs(task));
    benchmark::DoNotOptimize(augmenter.Augment(pipeline, 1000, 5, rng));
  }
  state.SetItemsProcessed(state.iterations() * 5000);
}
BENCHMARK(BM_AugmentShortGroup)->Unit(benchmark::kMillisecond);

// The sequential part of writing: one puzzle's anchored-example and translation draws.
void BM_PlacementDraws(benchmark::State& state) {
  const plugins::Translate translate{config::AugmentationConfig()};
  NumpyRandomState rng(42);
  const std::vector<ExampleExtent> extents = {{12, 14}, {14, 12}, {9, 9}, {20, 3}, {5, 5}};
  std::vector<Placement> placements(extents.size());
  for (auto _ : state) {
    translate.Place("train", extents, 30, rng, absl::MakeSpan(placements));
    benchmark::DoNotOptimize(placements.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(extents.size()));
}
BENCHMARK(BM_PlacementDraws);

// The parallel part: encode an (input, output) example onto two 900-token rows.
void BM_EncodeExample(benchmark::State& state) {
  const ArcTask task =
      MakeTask(10, 1, static_cast<int>(state.range(0)), static_cast<int>(state.range(0)));
  const DihedralColorAugmentation augmentation{7, {0, 3, 1, 2, 5, 4, 9, 8, 7, 6}};
  std::vector<uint8_t> input(900), label(900);
  for (auto _ : state) {
    EncodeAugmentedGrid(task.train[0].input, augmentation, {3, 4}, 30, input.data());
    EncodeAugmentedGrid(*task.train[0].output, augmentation, {3, 4}, 30, label.data());
    benchmark::DoNotOptimize(input.data());
    benchmark::DoNotOptimize(label.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * 1800);
}
BENCHMARK(BM_EncodeExample)->Arg(5)->Arg(15)->Arg(26);

}  // namespace
}  // namespace trm::arc
