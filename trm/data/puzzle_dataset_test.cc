#include "trm/data/puzzle_dataset.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/data/dataset_metadata.h"
#include "trm/data/npy.h"

namespace trm {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kSeqLen = 6;

// A synthetic split: group g has `members[g]` puzzles, puzzle p has `examples(p)` rows. Row r holds
// inputs [r, r, ...] and labels [0, r + 1, r + 1, ...] (token 0 is the ignore label), and puzzle p
// has identifier p + 1 (so identifier - 1 tells the puzzle).
struct SplitSpec {
  std::vector<int> members;
  std::function<int(int64_t)> examples = [](int64_t) { return 2; };
};

void WriteSplit(const std::string& root, const std::string& split, const SplitSpec& spec) {
  const std::string dir = root + "/" + split;
  fs::create_directories(dir);
  std::vector<int32_t> group_indices = {0}, puzzle_indices = {0}, identifiers;
  int64_t puzzles = 0, rows = 0;
  for (int members : spec.members) {
    for (int m = 0; m < members; ++m, ++puzzles) {
      identifiers.push_back(static_cast<int32_t>(puzzles + 1));
      rows += spec.examples(puzzles);
      puzzle_indices.push_back(static_cast<int32_t>(rows));
    }
    group_indices.push_back(static_cast<int32_t>(puzzles));
  }
  std::vector<int32_t> inputs(rows * kSeqLen), labels(rows * kSeqLen);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < kSeqLen; ++j) {
      inputs[r * kSeqLen + j] = static_cast<int32_t>(r);
      labels[r * kSeqLen + j] = j == 0 ? 0 : static_cast<int32_t>(r + 1);
    }
  }
  ASSERT_TRUE(
      WriteNpy(dir + "/all__inputs.npy", NpyDtype::kInt32, {rows, kSeqLen}, inputs.data()).ok());
  ASSERT_TRUE(
      WriteNpy(dir + "/all__labels.npy", NpyDtype::kInt32, {rows, kSeqLen}, labels.data()).ok());
  ASSERT_TRUE(WriteNpy(dir + "/all__puzzle_identifiers.npy", NpyDtype::kInt32, {puzzles},
                       identifiers.data())
                  .ok());
  ASSERT_TRUE(WriteNpy(dir + "/all__puzzle_indices.npy", NpyDtype::kInt32, {puzzles + 1},
                       puzzle_indices.data())
                  .ok());
  ASSERT_TRUE(WriteNpy(dir + "/all__group_indices.npy", NpyDtype::kInt32,
                       {static_cast<int64_t>(spec.members.size()) + 1}, group_indices.data())
                  .ok());
  DatasetMetadata metadata;
  metadata.seq_len = kSeqLen;
  metadata.vocab_size = 1000;
  metadata.pad_id = 0;
  metadata.ignore_label_id = 0;
  metadata.blank_identifier_id = 0;
  metadata.num_puzzle_identifiers = puzzles + 1;
  metadata.total_groups = static_cast<int64_t>(spec.members.size());
  metadata.total_puzzles = puzzles;
  metadata.mean_puzzle_examples = static_cast<double>(rows) / static_cast<double>(puzzles);
  metadata.sets = {"all"};
  ASSERT_TRUE(WriteDatasetMetadata(dir, metadata).ok());
}

std::string FreshRoot(const std::string& name) {
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

PuzzleDatasetOptions Train(const std::string& root, int64_t batch, int64_t epochs, int rank = 0,
                           int replicas = 1) {
  PuzzleDatasetOptions options;
  options.dataset_paths = {root};
  options.global_batch_size = batch;
  options.epochs_per_iter = epochs;
  options.rank = rank;
  options.num_replicas = replicas;
  options.seed = 17;
  return options;
}

std::unique_ptr<PuzzleDataset> OpenOrDie(const PuzzleDatasetOptions& options) {
  auto dataset = PuzzleDataset::Open(options);
  EXPECT_TRUE(dataset.ok()) << dataset.status();
  return dataset.ok() ? *std::move(dataset) : nullptr;
}

std::vector<PuzzleDataset::Item> Pass(PuzzleDataset& dataset) {
  std::vector<PuzzleDataset::Item> items;
  while (auto item = dataset.Next()) items.push_back(*std::move(item));
  return items;
}

bool SameBatch(const Batch& a, const Batch& b) {
  return a.inputs.equal(b.inputs) && a.labels.equal(b.labels) &&
         a.puzzle_identifiers.equal(b.puzzle_identifiers);
}

TEST(PuzzleDatasetTest, EveryGroupOncePerEpoch) {
  const std::string root = FreshRoot("epochs");
  const std::vector<int> members = {1, 3, 2, 5, 1, 1, 4, 2, 2, 3, 1, 6};  // 12 groups
  WriteSplit(root, "train", {members});
  std::vector<int> group_of_puzzle;
  for (int g = 0; g < static_cast<int>(members.size()); ++g)
    group_of_puzzle.insert(group_of_puzzle.end(), members[g], g);

  // 2 examples per puzzle and a batch of 8: no visit is truncated, 3 epochs = 72 rows = 9 batches.
  auto dataset = OpenOrDie(Train(root, 8, 3));
  const auto items = Pass(*dataset);
  ASSERT_EQ(items.size(), 9u);
  std::vector<int> visits;  // group of each visit, in order
  for (const auto& item : items) {
    EXPECT_EQ(item.global_effective_count, 8);
    const auto ids = item.batch.puzzle_identifiers;
    const auto inputs = item.batch.inputs;
    for (int64_t r = 0; r < 8; r += 2) {
      const int puzzle = ids[r].item<int>() - 1;
      EXPECT_EQ(ids[r + 1].item<int>(), puzzle + 1);
      // The two rows are the puzzle's two examples, in either order.
      std::set<int> rows = {inputs[r][0].item<int>(), inputs[r + 1][0].item<int>()};
      EXPECT_EQ(rows, (std::set<int>{2 * puzzle, 2 * puzzle + 1}));
      visits.push_back(group_of_puzzle[puzzle]);
    }
  }
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::multiset<int> groups(visits.begin() + 12 * epoch, visits.begin() + 12 * (epoch + 1));
    EXPECT_EQ(groups.size(), 12u);
    for (int g = 0; g < 12; ++g)
      EXPECT_EQ(groups.count(g), 1u) << "epoch " << epoch << " group " << g;
  }
  // The next pass is a different shuffle.
  const auto next = Pass(*dataset);
  ASSERT_EQ(next.size(), 9u);
  bool differs = false;
  for (size_t i = 0; i < next.size(); ++i) differs |= !SameBatch(next[i].batch, items[i].batch);
  EXPECT_TRUE(differs);
}

TEST(PuzzleDatasetTest, TruncatesPuzzlesAtBatchEndsAndDropsThePartialBatch) {
  const std::string root = FreshRoot("truncate");
  WriteSplit(root, "train", {{1, 1, 1}, [](int64_t) { return 5; }});  // 3 groups x 5 examples
  auto dataset = OpenOrDie(Train(root, 4, 1));
  const auto items = Pass(*dataset);
  // Every visit finds a batch of 4 with room for 4 of its 5 examples: 3 visits, 3 batches, each
  // holding 4 distinct examples of one puzzle.
  ASSERT_EQ(items.size(), 3u);
  for (const auto& item : items) {
    std::set<int> rows;
    for (int r = 0; r < 4; ++r) rows.insert(item.batch.inputs[r][0].item<int>());
    EXPECT_EQ(rows.size(), 4u);  // distinct examples
    const int puzzle = item.batch.puzzle_identifiers[0].item<int>() - 1;
    for (int row : rows) EXPECT_EQ(row / 5, puzzle);
  }
}

TEST(PuzzleDatasetTest, TwoRankShardsAreDisjointAndComplete) {
  const std::string root = FreshRoot("shards");
  WriteSplit(root, "train", {{2, 1, 3, 1, 2, 2, 1, 4}, [](int64_t p) { return 1 + p % 3; }});
  auto whole = OpenOrDie(Train(root, 6, 4));
  auto rank0 = OpenOrDie(Train(root, 6, 4, 0, 2));
  auto rank1 = OpenOrDie(Train(root, 6, 4, 1, 2));
  EXPECT_EQ(rank0->local_batch_size(), 3);
  const auto all = Pass(*whole), first = Pass(*rank0), second = Pass(*rank1);
  ASSERT_GT(all.size(), 3u);
  ASSERT_EQ(first.size(), all.size());
  ASSERT_EQ(second.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const Batch& a = first[i].batch;
    const Batch& b = second[i].batch;
    EXPECT_TRUE(at::cat({a.inputs, b.inputs}).equal(all[i].batch.inputs)) << i;
    EXPECT_TRUE(at::cat({a.labels, b.labels}).equal(all[i].batch.labels)) << i;
    EXPECT_TRUE(at::cat({a.puzzle_identifiers, b.puzzle_identifiers})
                    .equal(all[i].batch.puzzle_identifiers))
        << i;
    EXPECT_EQ(first[i].global_effective_count, 6);
  }
}

TEST(PuzzleDatasetTest, TestModeWalksEveryExampleInOrderWithPadding) {
  const std::string root = FreshRoot("test_mode");
  WriteSplit(root, "test", {{2, 3}, [](int64_t p) { return 1 + p % 2; }});  // 5 puzzles, 7 rows
  PuzzleDatasetOptions options = Train(root, 4, 1);
  options.split = "test";
  options.test_set_mode = true;
  std::vector<std::vector<PuzzleDataset::Item>> ranks;
  for (int rank = 0; rank < 2; ++rank) {
    options.rank = rank;
    options.num_replicas = 2;
    ranks.push_back(Pass(*OpenOrDie(options)));
  }
  // Windows [0, 4) and [4, 7): rank 0 gets rows 0-1 and 4-5, rank 1 rows 2-3 and 6 + padding.
  ASSERT_EQ(ranks[0].size(), 2u);
  ASSERT_EQ(ranks[1].size(), 2u);
  EXPECT_EQ(ranks[0][0].global_effective_count, 4);
  EXPECT_EQ(ranks[1][1].global_effective_count, 3);
  const Batch& last = ranks[1][1].batch;
  EXPECT_EQ(last.inputs[0][0].item<int>(), 6);
  // Puzzle row ranges: p0 [0,1), p1 [1,3), p2 [3,4), p3 [4,6), p4 [6,7): row 6 is puzzle 4.
  EXPECT_EQ(last.puzzle_identifiers[0].item<int>(), 5);
  EXPECT_TRUE(last.inputs[1].eq(0).all().item<bool>());  // pad_id
  EXPECT_TRUE(last.labels[1].eq(kIgnoreLabel).all().item<bool>());
  EXPECT_EQ(last.puzzle_identifiers[1].item<int>(), 0);               // blank identifier
  EXPECT_EQ(ranks[0][0].batch.puzzle_identifiers[1].item<int>(), 2);  // row 1 is puzzle 1
  // Ignore-label tokens became -100; the rest kept their values.
  EXPECT_EQ(ranks[0][1].batch.labels[0][0].item<int>(), kIgnoreLabel);
  EXPECT_EQ(ranks[0][1].batch.labels[0][1].item<int>(), 5);
}

TEST(PuzzleDatasetTest, SavedPositionContinuesTheSameStream) {
  const std::string root = FreshRoot("resume");
  WriteSplit(root, "train", {{2, 1, 3, 1, 2}, [](int64_t p) { return 1 + p % 4; }});
  auto original = OpenOrDie(Train(root, 5, 3));
  std::vector<PuzzleDataset::Position> positions;
  std::vector<std::optional<PuzzleDataset::Item>> stream;
  for (int i = 0; i < 40; ++i) {  // several passes, ends of pass included
    positions.push_back(original->SavePosition());
    stream.push_back(original->Next());
  }
  for (int start : {0, 3, 7, 12, 25}) {
    auto resumed = OpenOrDie(Train(root, 5, 3));
    auto parsed = PuzzleDataset::Position::FromString(positions[start].ToString());
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(*parsed == positions[start]);
    ASSERT_TRUE(resumed->RestorePosition(*parsed).ok());
    for (int i = start; i < 40; ++i) {
      auto item = resumed->Next();
      ASSERT_EQ(item.has_value(), stream[i].has_value()) << "from " << start << " at " << i;
      if (item) {
        ASSERT_TRUE(SameBatch(item->batch, stream[i]->batch)) << "from " << start << " at " << i;
      }
    }
  }
  // Another seed is another stream, and its positions do not fit this one.
  PuzzleDatasetOptions other = Train(root, 5, 3);
  other.seed = 18;
  auto reseeded = OpenOrDie(other);
  EXPECT_FALSE(SameBatch(reseeded->Next()->batch, stream[0]->batch));
  EXPECT_EQ(reseeded->RestorePosition(positions[3]).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(PuzzleDataset::Position::FromString("puzzle_dataset_position v1 cursor=3").ok());
}

TEST(PuzzleDatasetTest, PrefetchingGivesTheSameStreamAndPositions) {
  const std::string root = FreshRoot("prefetch");
  WriteSplit(root, "train", {{2, 1, 3, 1, 2, 4}, [](int64_t p) { return 1 + p % 3; }});
  PuzzleDatasetOptions options = Train(root, 4, 2);
  auto plain = OpenOrDie(options);
  options.prefetch = 3;
  auto ahead = OpenOrDie(options);
  std::vector<PuzzleDataset::Position> positions;
  for (int i = 0; i < 30; ++i) {
    auto a = plain->Next(), b = ahead->Next();
    ASSERT_EQ(a.has_value(), b.has_value()) << i;
    if (a) {
      ASSERT_TRUE(SameBatch(a->batch, b->batch)) << i;
    }
    ASSERT_TRUE(plain->SavePosition() == ahead->SavePosition()) << i;
    positions.push_back(plain->SavePosition());
  }
  // Restoring drops what was made ahead and continues from the restored position.
  ASSERT_TRUE(ahead->RestorePosition(positions[4]).ok());
  ASSERT_TRUE(plain->RestorePosition(positions[4]).ok());
  for (int i = 0; i < 10; ++i) {
    auto a = plain->Next(), b = ahead->Next();
    ASSERT_EQ(a.has_value(), b.has_value()) << i;
    if (a) {
      ASSERT_TRUE(SameBatch(a->batch, b->batch)) << i;
    }
  }
}

TEST(PuzzleDatasetTest, ReadsTheReferenceBuildersDataset) {
  const std::string root = "tests/golden/arc_tiny/reference_seed42_aug8";
  PuzzleDatasetOptions options;
  options.dataset_paths = {root};
  options.split = "test";
  options.test_set_mode = true;
  options.global_batch_size = 16;
  auto dataset = OpenOrDie(options);
  EXPECT_EQ(dataset->metadata().seq_len, 900);
  EXPECT_EQ(dataset->metadata().num_puzzle_identifiers, 56);
  auto inputs = NpyArray::Map(root + "/test/all__inputs.npy");
  auto labels = NpyArray::Map(root + "/test/all__labels.npy");
  ASSERT_TRUE(inputs.ok() && labels.ok());
  const uint8_t* raw_inputs = *inputs->TypedData<uint8_t>();
  const uint8_t* raw_labels = *labels->TypedData<uint8_t>();
  int64_t row = 0;
  for (const auto& item : Pass(*dataset)) {
    for (int64_t r = 0; r < item.global_effective_count; ++r, ++row) {
      for (int64_t j = 0; j < 900; ++j) {
        ASSERT_EQ(item.batch.inputs[r][j].item<int>(), raw_inputs[row * 900 + j]);
        const int label = raw_labels[row * 900 + j];
        ASSERT_EQ(item.batch.labels[r][j].item<int>(), label == 0 ? kIgnoreLabel : label);
      }
    }
  }
  EXPECT_EQ(row, inputs->shape()[0]);

  options.split = "train";
  options.test_set_mode = false;
  options.global_batch_size = 8;
  auto train = OpenOrDie(options);
  EXPECT_FALSE(Pass(*train).empty());
}

TEST(PuzzleDatasetTest, SeveralRootsAreMerged) {
  const std::string a = FreshRoot("merge_a"), b = FreshRoot("merge_b");
  WriteSplit(a, "train", {{1, 2}});
  WriteSplit(b, "train", {{1, 2}});
  PuzzleDatasetOptions options = Train(a, 2, 1);
  options.dataset_paths = {a, b};
  auto dataset = OpenOrDie(options);
  EXPECT_THAT(dataset->set_names(), ElementsAre("all", "all1"));
  EXPECT_EQ(dataset->metadata().total_groups, 4);
  EXPECT_EQ(dataset->metadata().num_puzzle_identifiers, 8);
  std::set<std::string> seen;
  for (const auto& item : Pass(*dataset)) seen.insert(item.set_name);
  EXPECT_EQ(seen, (std::set<std::string>{"all", "all1"}));
}

TEST(PuzzleDatasetTest, BadDataAndOptionsAreOneLineErrors) {
  const std::string root = FreshRoot("bad");
  WriteSplit(root, "train", {{2, 2}});
  EXPECT_THAT(std::string(PuzzleDataset::Open(Train(root, 5, 1, 0, 2)).status().message()),
              HasSubstr("multiple of the number of replicas"));
  EXPECT_THAT(std::string(PuzzleDataset::Open(Train(root + "/missing", 4, 1)).status().message()),
              HasSubstr("missing/train/dataset.json"));
  const std::vector<int32_t> broken = {0, 3, 2, 8, 8};  // decreasing puzzle indices
  fs::remove(root + "/train/all__puzzle_indices.npy");
  ASSERT_TRUE(
      WriteNpy(root + "/train/all__puzzle_indices.npy", NpyDtype::kInt32, {5}, broken.data()).ok());
  const std::string message(PuzzleDataset::Open(Train(root, 4, 1)).status().message());
  EXPECT_THAT(message, HasSubstr("all__puzzle_indices.npy: puzzle indices decrease at entry 2"));
}

// Tokens beyond dataset.json's vocabulary (another domain's data, or corruption) are refused when
// the dataset opens, naming the file, row and position; the ignore label may lie outside.
TEST(PuzzleDatasetTest, TokensOutsideTheVocabularyAreRefusedOnOpen) {
  const std::string root = FreshRoot("vocabulary");
  WriteSplit(root, "train", {{2, 2}});  // 8 rows: inputs hold r, labels r + 1 (and 0)
  DatasetMetadata metadata = *ReadDatasetMetadata(root + "/train");
  metadata.vocab_size = 8;  // label 8 of row 7 is outside
  ASSERT_TRUE(WriteDatasetMetadata(root + "/train", metadata).ok());
  const std::string labels(PuzzleDataset::Open(Train(root, 4, 1)).status().message());
  EXPECT_THAT(labels, HasSubstr("all__labels.npy: row 7 position 1 holds label 8, outside the "
                                "vocabulary [0, 8) of dataset.json (vocab_size)"));
  metadata.vocab_size = 7;  // input 7 of row 7 too, found first
  ASSERT_TRUE(WriteDatasetMetadata(root + "/train", metadata).ok());
  EXPECT_THAT(std::string(PuzzleDataset::Open(Train(root, 4, 1)).status().message()),
              HasSubstr("all__inputs.npy: row 7 position 0 holds input token 7"));
  metadata.vocab_size = 9;
  ASSERT_TRUE(WriteDatasetMetadata(root + "/train", metadata).ok());
  EXPECT_TRUE(PuzzleDataset::Open(Train(root, 4, 1)).ok());
}

}  // namespace
}  // namespace trm
