#include "trm/data/numpy_random.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// Every expected value below was printed by NumPy 1.24.2 (Debian 12) with the call in the comment.

TEST(NumpyRandomStateTest, RawWordsAfterIntegerSeed) {
  // np.random.seed(42); np.random.randint(0, 2**32, size=5, dtype=np.uint64)
  NumpyRandomState rng(42);
  std::vector<uint32_t> words;
  for (int i = 0; i < 5; ++i) words.push_back(rng.NextUint32());
  EXPECT_THAT(words, ElementsAre(1608637542U, 3421126067U, 4083286876U, 787846414U, 3143890026U));
}

TEST(NumpyRandomStateTest, RawWordsAfterArraySeed) {
  // np.random.seed([1, 2, 3]); np.random.randint(0, 2**32, size=3, dtype=np.uint64)
  NumpyRandomState rng;
  rng.SeedByArray({1, 2, 3});
  EXPECT_EQ(rng.NextUint32(), 2619334238U);
  EXPECT_EQ(rng.NextUint32(), 1552691353U);
  EXPECT_EQ(rng.NextUint32(), 3808334787U);
}

TEST(NumpyRandomStateTest, LegacyBoundedRandint) {
  // np.random.seed(42); [np.random.randint(0, 8) for _ in range(10)]
  NumpyRandomState rng(42);
  std::vector<int64_t> values;
  for (int i = 0; i < 10; ++i) values.push_back(rng.RandInt(0, 8));
  EXPECT_THAT(values, ElementsAre(6, 3, 4, 6, 2, 7, 4, 4, 6, 1));

  // np.random.seed(0); [np.random.randint(5, 10**9 + 7) for _ in range(4)]  (rejections happen)
  rng.Seed(0);
  values.clear();
  for (int i = 0; i < 4; ++i) values.push_back(rng.RandInt(5, 1000000007));
  EXPECT_THAT(values, ElementsAre(209652401, 398764596, 924231290, 404868293));

  // np.random.seed(11); [np.random.randint(-5, 5) for _ in range(6)]
  rng.Seed(11);
  values.clear();
  for (int i = 0; i < 6; ++i) values.push_back(rng.RandInt(-5, 5));
  EXPECT_THAT(values, ElementsAre(4, -5, -4, 2, -4, 2));

  // np.random.seed(4294967295); [np.random.randint(0, 1000) for _ in range(3)]
  rng.Seed(4294967295U);
  EXPECT_EQ(rng.RandInt(0, 1000), 419);
  EXPECT_EQ(rng.RandInt(0, 1000), 290);
  EXPECT_EQ(rng.RandInt(0, 1000), 12);
}

TEST(NumpyRandomStateTest, SixtyFourBitRangesUseTwoWordsHighFirst) {
  // np.random.seed(0); [np.random.randint(0, 2**40) for _ in range(3)]
  NumpyRandomState rng(0);
  EXPECT_EQ(rng.RandInt(0, int64_t{1} << 40), 741280623151);
  EXPECT_EQ(rng.RandInt(0, int64_t{1} << 40), 506137267392);
  EXPECT_EQ(rng.RandInt(0, int64_t{1} << 40), 291447657211);
}

TEST(NumpyRandomStateTest, SingleValueRangeDrawsNothing) {
  // np.random.seed(5); np.random.randint(0, 1), np.random.randint(0, 100) -> 0, 99, and 99 is also
  // the first draw without the randint(0, 1) call.
  NumpyRandomState rng(5);
  EXPECT_EQ(rng.RandInt(0, 1), 0);
  EXPECT_EQ(rng.RandInt(0, 100), 99);
}

TEST(NumpyRandomStateTest, PermutationAndShuffle) {
  // np.random.seed(42); np.random.permutation(10)
  NumpyRandomState rng(42);
  EXPECT_THAT(rng.Permutation(10), ElementsAre(8, 1, 5, 0, 7, 2, 9, 4, 3, 6));

  // np.random.seed(3); l = list(range(20)); np.random.shuffle(l)  (same for a uint8 array)
  rng.Seed(3);
  std::vector<uint8_t> values(20);
  for (int i = 0; i < 20; ++i) values[i] = static_cast<uint8_t>(i);
  rng.Shuffle(values.data(), values.size());
  EXPECT_THAT(values, ElementsAreArray<uint8_t>(
                          {14, 2, 1, 17, 4, 16, 6, 7, 15, 12, 9, 11, 19, 18, 13, 5, 0, 8, 3, 10}));
}

TEST(NumpyRandomStateTest, ReferenceAugmentationDraw) {
  // The reference's aug(): np.random.seed(200); np.random.randint(0, 8);
  // np.random.permutation(np.arange(1, 10)) -> 2, [9 4 6 7 2 8 3 5 1] (fixture arc_aug: the name
  // 49d1d64f|||t2|||0946728351).
  NumpyRandomState rng(200);
  EXPECT_EQ(rng.RandInt(0, 8), 2);
  std::vector<int> colors = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  rng.Shuffle(colors.data(), colors.size());
  EXPECT_THAT(colors, ElementsAre(9, 4, 6, 7, 2, 8, 3, 5, 1));
}

TEST(NumpyRandomStateTest, RandomSample) {
  // np.random.seed(7); [np.random.random_sample() for _ in range(3)]
  NumpyRandomState rng(7);
  EXPECT_DOUBLE_EQ(rng.RandomSample(), 0.07630828937395717);
  EXPECT_DOUBLE_EQ(rng.RandomSample(), 0.7799187922401146);
  EXPECT_DOUBLE_EQ(rng.RandomSample(), 0.4384092314408935);
}

TEST(NumpyRandomStateTest, LongStreamsCrossStateRefills) {
  // np.random.seed(42); 1000 x randint(0, 8); then np.random.randint(0, 2**31)
  NumpyRandomState rng(42);
  for (int i = 0; i < 1000; ++i) rng.RandInt(0, 8);
  EXPECT_EQ(rng.RandInt(0, int64_t{1} << 31), 851098101);
}

TEST(NumpyRandomStateTest, StateSnapshotsReplayTheStream) {
  NumpyRandomState rng(9);
  for (int i = 0; i < 700; ++i) rng.NextUint32();
  const NumpyRandomState::State snapshot = rng.state();
  std::vector<uint32_t> first;
  for (int i = 0; i < 1000; ++i) first.push_back(rng.NextUint32());
  NumpyRandomState replay;
  replay.set_state(snapshot);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(replay.NextUint32(), first[i]) << i;
  EXPECT_TRUE(replay.state() == rng.state());
}

}  // namespace
}  // namespace trm
