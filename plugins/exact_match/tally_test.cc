#include "plugins/exact_match/tally.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/model/batch.h"

namespace trm::exact_match {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int32_t kIgnore = static_cast<int32_t>(kIgnoreLabel);

// Adds a 2-token example whose prediction is right (`exact`) or has its second token wrong.
void Add(ExactMatchTally& tally, int32_t marker, bool exact) {
  const int32_t input[2] = {marker, 0};
  const int32_t label[2] = {marker, 1};
  const int32_t prediction[2] = {marker, exact ? 1 : 2};
  tally.AddExample(input, prediction, label, 2);
}

std::vector<int64_t> Indices(const std::vector<ExampleRecord>& records) {
  std::vector<int64_t> indices;
  for (const ExampleRecord& record : records) indices.push_back(record.index);
  return indices;
}

TEST(ExactMatchTallyTest, CountsScoredPositionsOnly) {
  ExactMatchTally tally(5, 5);
  tally.StartBatch();
  const int32_t input[3] = {1, 1, 1};
  const int32_t label[3] = {2, kIgnore, 3};
  const int32_t prediction[3] = {2, 9, 3};  // the wrong token is at the ignored position
  tally.AddExample(input, prediction, label, 3);
  auto merged = MergedTally::Merge({tally.Serialize()}, 5, 5);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->examples, 1);
  EXPECT_EQ(merged->exact, 1);
  EXPECT_EQ(merged->tokens, 2);
  EXPECT_EQ(merged->tokens_right, 2);
  ASSERT_EQ(merged->solved_samples.size(), 1u);
  EXPECT_EQ(merged->solved_samples[0].label, (std::vector<int32_t>{2, kIgnore, 3}));
  EXPECT_EQ(merged->solved_samples[0].WrongCells(), 0);
}

// Rank 0 has examples a b | e, rank 1 c d | (none): the loader's order is a b c d e.
TEST(ExactMatchTallyTest, MergeNumbersExamplesBatchByBatchRankByRank) {
  ExactMatchTally rank0(1, 2), rank1(1, 2);
  rank0.StartBatch();
  Add(rank0, 10, false);  // a
  Add(rank0, 11, true);   // b
  rank1.StartBatch();
  Add(rank1, 12, false);  // c
  Add(rank1, 13, true);   // d
  rank0.StartBatch();
  Add(rank0, 14, false);  // e
  rank1.StartBatch();     // only padding
  auto merged = MergedTally::Merge({rank0.Serialize(), rank1.Serialize()}, 1, 2);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->examples, 5);
  EXPECT_EQ(merged->exact, 2);
  EXPECT_THAT(merged->solved, ElementsAre(1, 3));
  EXPECT_THAT(merged->failed, ElementsAre(0, 2, 4));
  EXPECT_THAT(Indices(merged->solved_samples), ElementsAre(1));
  EXPECT_THAT(Indices(merged->failed_samples), ElementsAre(0, 2));
  EXPECT_EQ(merged->failed_samples[1].input[0], 12);  // c's board came with it
  EXPECT_EQ(merged->tokens, 10);
  EXPECT_EQ(merged->tokens_right, 7);
}

TEST(ExactMatchTallyTest, RanksWithDifferentBatchCountsAreRefused) {
  ExactMatchTally rank0(1, 1), rank1(1, 1);
  rank0.StartBatch();
  rank0.StartBatch();
  rank1.StartBatch();
  const absl::Status status =
      MergedTally::Merge({rank0.Serialize(), rank1.Serialize()}, 1, 1).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("rank 1 evaluated 1 batches"));
  EXPECT_EQ(MergedTally::Merge({"{"}, 1, 1).status().code(), absl::StatusCode::kDataLoss);
}

TEST(ExactMatchTallyTest, ClearForgetsEverything) {
  ExactMatchTally tally(1, 1);
  Add(tally, 1, true);
  tally.Clear();
  EXPECT_EQ(tally.examples(), 0);
  EXPECT_EQ(MergedTally::Merge({tally.Serialize()}, 1, 1)->solved_samples.size(), 0u);
}

}  // namespace
}  // namespace trm::exact_match
