#include "plugins/evaluators/arc_votes.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm::plugins {
namespace {

const Grid kA(1, 1, {1});
const Grid kB(1, 2, {2, 2});
const Grid kC(2, 1, {3, 3});

TEST(ArcVoteTableTest, RanksByVotesThenMeanConfidenceStably) {
  ArcVoteTable table;
  table.Add("t", "in", kA, 0.9);  // A: 1 vote, mean 0.9
  table.Add("t", "in", kB, 0.2);  // B: 2 votes, mean 0.35
  table.Add("t", "in", kB, 0.5);
  table.Add("t", "in", kC, 0.4);  // C: 2 votes, mean 0.35 (tie with B: B was seen first)
  table.Add("t", "in", kC, 0.3);
  table.Add("t", "other", kA, 1.0);
  table.Add("u", "in", kA, 1.0);
  const std::vector<RankedCandidate> ranked = RankCandidates({&table}, "t", "in");
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].hash, GridHash(kB));
  EXPECT_EQ(ranked[1].hash, GridHash(kC));
  EXPECT_EQ(ranked[2].hash, GridHash(kA));
  EXPECT_EQ(ranked[0].votes, 2);
  EXPECT_DOUBLE_EQ(ranked[0].mean_confidence, (0.2 + 0.5) / 2);
  EXPECT_DOUBLE_EQ(ranked[1].mean_confidence, (0.4 + 0.3) / 2);
  EXPECT_EQ(table.num_votes(), 7);
  EXPECT_TRUE(RankCandidates({&table}, "t", "missing").empty());
  EXPECT_TRUE(RankCandidates({&table}, "missing", "in").empty());
}

TEST(ArcVoteTableTest, TablesAreTalliedInRankOrder) {
  // Full ties keep first-seen order, and "first" is rank 0's list before rank 1's.
  ArcVoteTable rank0, rank1;
  rank0.Add("t", "in", kB, 0.5);
  rank1.Add("t", "in", kA, 0.5);
  EXPECT_EQ(RankCandidates({&rank0, &rank1}, "t", "in")[0].hash, GridHash(kB));
  EXPECT_EQ(RankCandidates({&rank1, &rank0}, "t", "in")[0].hash, GridHash(kA));
  // Votes for one grid from several ranks add up.
  rank1.Add("t", "in", kB, 0.1);
  const auto ranked = RankCandidates({&rank0, &rank1}, "t", "in");
  EXPECT_EQ(ranked[0].votes, 2);
  EXPECT_DOUBLE_EQ(ranked[0].mean_confidence, 0.3);
  EXPECT_EQ(*FindGridInTables({&rank0, &rank1}, GridHash(kA)), kA);
  EXPECT_EQ(FindGridInTables({&rank0}, GridHash(kC)), nullptr);
}

TEST(ArcVoteTableTest, NanConfidenceRanksLastAmongEqualVotes) {
  ArcVoteTable table;
  table.Add("t", "in", kA, std::nan(""));
  table.Add("t", "in", kB, 0.0);
  table.Add("t", "in", kC, 0.1);
  table.Add("t", "in", kC, 0.1);
  const auto ranked = RankCandidates({&table}, "t", "in");
  EXPECT_EQ(ranked[0].hash, GridHash(kC));
  EXPECT_EQ(ranked[1].hash, GridHash(kB));
  EXPECT_EQ(ranked[2].hash, GridHash(kA));
}

TEST(ArcVoteTableTest, SerializationRoundTripsExactly) {
  ArcVoteTable table;
  table.Add("t", "in", kA, 0.1 + 0.2);  // not representable in decimal: must survive exactly
  table.Add("t", "in", kB, 1.0 / 3.0);
  table.Add("u", "x", Grid(), 0.5);     // an empty crop is a legitimate prediction
  auto copy = ArcVoteTable::Deserialize(table.Serialize());
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ(copy->num_votes(), 3);
  ASSERT_NE(copy->Find("t", "in"), nullptr);
  EXPECT_EQ((*copy->Find("t", "in"))[0].confidence, 0.1 + 0.2);
  EXPECT_EQ((*copy->Find("t", "in"))[1].prediction_hash, GridHash(kB));
  EXPECT_EQ(*copy->FindGrid(GridHash(kB)), kB);
  EXPECT_EQ(*copy->FindGrid(GridHash(Grid())), Grid());
  EXPECT_EQ(copy->Serialize(), table.Serialize());
}

TEST(ArcVoteTableTest, DamagedBytesAreAnErrorNeverACrash) {
  ArcVoteTable table;
  table.Add("t", "in", kA, 0.25);
  table.Add("t", "in", kC, 0.75);
  const std::string bytes = table.Serialize();
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_FALSE(ArcVoteTable::Deserialize(bytes.substr(0, size)).ok()) << size;
  }
  EXPECT_FALSE(ArcVoteTable::Deserialize(bytes + "x").ok());
  std::string huge_count = bytes;
  huge_count[30] = '\x7f';  // high byte of the task count
  auto damaged = ArcVoteTable::Deserialize(huge_count);
  EXPECT_FALSE(damaged.ok());
  EXPECT_THAT(std::string(damaged.status().message()), ::testing::HasSubstr("damaged"));
  std::string bad_colour = bytes;
  bad_colour[bad_colour.size() - 1] = 11;  // last cell of the last grid
  EXPECT_FALSE(ArcVoteTable::Deserialize(bad_colour).ok());
}

TEST(ArcVoteTableTest, ClearForgetsEverything) {
  ArcVoteTable table;
  table.Add("t", "in", kA, 0.25);
  table.Clear();
  EXPECT_EQ(table.num_votes(), 0);
  EXPECT_EQ(table.Find("t", "in"), nullptr);
  EXPECT_EQ(table.FindGrid(GridHash(kA)), nullptr);
}

}  // namespace
}  // namespace trm::plugins
