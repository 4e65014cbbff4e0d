#include "plugins/arc/group_augmenter.h"

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/arc/test_util.h"
#include "plugins/augmentations/dihedral_color.h"
#include "trm/data/sha256.h"

namespace trm::arc {
namespace {

AugmentationPipeline ReferencePipeline() {
  std::vector<std::unique_ptr<VariantAugmentation>> variants;
  variants.push_back(std::make_unique<plugins::DihedralColor>(config::AugmentationConfig()));
  return AugmentationPipeline(std::move(variants), nullptr);
}

std::vector<const ArcPair*> AllPairs(const ArcTask& task) {
  std::vector<const ArcPair*> pairs;
  for (const ArcPair& pair : task.train) pairs.push_back(&pair);
  for (const ArcPair& pair : task.test) pairs.push_back(&pair);
  return pairs;
}

// The reference's puzzle_hash, spelled out: SHA-256 over the sorted "<grid hash>|<grid hash>" list.
std::string PuzzleHash(const std::vector<const ArcPair*>& pairs,
                       const DihedralColorAugmentation& aug) {
  std::vector<std::string> hashes;
  for (const ArcPair* pair : pairs) {
    hashes.push_back(GridHash(aug.Apply(pair->input)) + "|" + GridHash(aug.Apply(*pair->output)));
  }
  std::sort(hashes.begin(), hashes.end());
  return Sha256Hex(absl::StrJoin(hashes, "|"));
}

// The reference's loop, spelled out.
std::vector<DihedralColorAugmentation> ReferenceAugment(const std::vector<const ArcPair*>& pairs,
                                                        int num_aug, NumpyRandomState& rng) {
  const AugmentationPipeline pipeline = ReferencePipeline();
  std::vector<DihedralColorAugmentation> group = {DihedralColorAugmentation{}};
  std::set<std::string> hashes = {PuzzleHash(pairs, group[0])};
  for (int trial = 0; trial < 5 * num_aug; ++trial) {
    const DihedralColorAugmentation candidate = pipeline.DrawVariant(rng);
    if (hashes.insert(PuzzleHash(pairs, candidate)).second) group.push_back(candidate);
    if (static_cast<int>(group.size()) >= num_aug + 1) break;
  }
  return group;
}

Grid RandomGrid(std::mt19937& rng, int rows, int cols, const std::vector<uint8_t>& colours) {
  Grid grid(rows, cols);
  for (uint8_t& cell : grid.cells) cell = colours[rng() % colours.size()];
  return grid;
}

void ExpectSameAsReference(const ArcTask& task, int num_aug, uint32_t seed) {
  const std::vector<const ArcPair*> pairs = AllPairs(task);
  NumpyRandomState ours(seed), reference(seed);
  const auto got = GroupAugmenter(pairs).Augment(ReferencePipeline(), num_aug, 5, ours);
  const auto want = ReferenceAugment(pairs, num_aug, reference);
  ASSERT_EQ(got.size(), want.size()) << task.id;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(AugmentedName(task.id, got[i]), AugmentedName(task.id, want[i]))
        << task.id << " member " << i;
  }
  EXPECT_TRUE(ours.state() == reference.state()) << task.id << ": a different number of draws";
}

TEST(GroupAugmenterTest, MatchesTheReferenceOnSyntheticPuzzles) {
  std::mt19937 rng(11);
  const std::vector<std::vector<uint8_t>> palettes = {
      {0}, {3}, {0, 4}, {1, 2}, {0, 1, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {5, 6, 7}};
  for (int t = 0; t < 40; ++t) {
    ArcTask task;
    task.id = "synthetic" + std::to_string(t);
    const auto& palette = palettes[t % palettes.size()];
    const bool square = t % 3 == 0;
    for (int p = 0; p < 1 + t % 3; ++p) {
      const int rows = 1 + rng() % 4, cols = square ? rows : 1 + rng() % 4;
      task.train.push_back(
          {RandomGrid(rng, rows, cols, palette), RandomGrid(rng, cols, rows, palette)});
    }
    task.test.push_back({RandomGrid(rng, 2, 2, palette), RandomGrid(rng, 2, 2, palette)});
    ExpectSameAsReference(task, t % 2 == 0 ? 30 : 200, 1000 + t);
  }
}

TEST(GroupAugmenterTest, MatchesTheReferenceOnSymmetricPuzzles) {
  // Symmetric grids make distinct transforms collide: duplicates the key cannot see.
  const Grid cross(3, 3, {0, 1, 0, 1, 1, 1, 0, 1, 0});
  const Grid checker(2, 2, {1, 2, 2, 1});
  ArcTask task;
  task.id = "sym";
  task.train.push_back({cross, checker});
  task.test.push_back({checker, cross});
  ExpectSameAsReference(task, 300, 42);
  ArcTask swapped_pairs;  // a puzzle whose pairs are exchanged by a transform
  swapped_pairs.id = "swap";
  swapped_pairs.train.push_back({Grid(1, 2, {1, 2}), Grid(1, 2, {2, 1})});
  swapped_pairs.train.push_back({Grid(1, 2, {2, 1}), Grid(1, 2, {1, 2})});
  swapped_pairs.test.push_back({Grid(1, 1, {1}), Grid(1, 1, {2})});
  ExpectSameAsReference(swapped_pairs, 300, 43);
}

// Real puzzles: the tasks shipped in the repository, or with TRM_FULL_ARC_DATA (the full-data
// suite) every ARC-AGI-2 task, sampled.
#ifdef TRM_FULL_ARC_DATA
constexpr size_t kRealTasks = 1280;
constexpr size_t kStride = 16;
constexpr int kShortTasks = 4;
#else
constexpr size_t kRealTasks = 31;
constexpr size_t kStride = 1;
constexpr int kShortTasks = 2;
#endif

class RealTasksTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef TRM_FULL_ARC_DATA
    const std::string dir = testing::ArcDataDir();
    ASSERT_FALSE(dir.empty()) << testing::kMissingArcData;
    const std::vector<std::string> subsets = {"training2", "evaluation2", "concept"};
#else
    const std::string dir = testing::SampleDataDir();
    const std::vector<std::string> subsets = {"training2", "evaluation2"};
#endif
    ReadOptions options;
    options.task_dir = dir;
    for (const std::string& subset : subsets) {
      auto tasks = ReadArcSubset(options, subset);
      ASSERT_TRUE(tasks.ok()) << tasks.status();
      for (LoadedTask& loaded : *tasks) tasks_.push_back(std::move(loaded.task));
    }
    ASSERT_EQ(tasks_.size(), kRealTasks);
  }
  std::vector<ArcTask> tasks_;
};

TEST_F(RealTasksTest, MatchesTheReferenceOnRealPuzzles) {
  // Every kStride-th task with a moderate num_aug, plus the few-colour tasks that end up short.
  for (size_t i = 0; i < tasks_.size(); i += kStride) ExpectSameAsReference(tasks_[i], 40, 7 + i);
  int short_tasks = 0;
  for (size_t i = 0; i < tasks_.size() && short_tasks < kShortTasks; ++i) {
    std::set<uint8_t> colours;
    for (const ArcPair* pair : AllPairs(tasks_[i])) {
      colours.insert(pair->input.cells.begin(), pair->input.cells.end());
      colours.insert(pair->output->cells.begin(), pair->output->cells.end());
    }
    if (colours.size() <= 2) {
      ExpectSameAsReference(tasks_[i], 120, 99);
      ++short_tasks;
    }
  }
  EXPECT_EQ(short_tasks, kShortTasks);
}

TEST_F(RealTasksTest, EveryTransformAndColourMapInvertsOnEveryTask) {
  NumpyRandomState rng(1);
  const AugmentationPipeline pipeline = ReferencePipeline();
  for (const ArcTask& task : tasks_) {
    for (int t = 0; t < kNumDihedral; ++t) {
      for (int k = 0; k < 4; ++k) {
        DihedralColorAugmentation aug = pipeline.DrawVariant(rng);
        aug.transform = t;
        const auto parsed = ParseAugmentedName(AugmentedName(task.id, aug));
        ASSERT_TRUE(parsed.has_value());
        ASSERT_EQ(parsed->id, task.id);
        for (const ArcPair* pair : AllPairs(task)) {
          for (const Grid* grid : {&pair->input, &*pair->output}) {
            ASSERT_EQ(parsed->augmentation.Invert(aug.Apply(*grid)), *grid) << task.id << " t" << t;
          }
        }
      }
    }
  }
}

TEST(GroupAugmenterTest, PackingRoundTrips) {
  NumpyRandomState rng(3);
  const AugmentationPipeline pipeline = ReferencePipeline();
  for (int i = 0; i < 1000; ++i) {
    const DihedralColorAugmentation aug = pipeline.DrawVariant(rng);
    EXPECT_TRUE(UnpackAugmentation(PackAugmentation(aug)) == aug);
  }
}

}  // namespace
}  // namespace trm::arc
