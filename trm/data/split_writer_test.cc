#include "trm/data/split_writer.h"

#include <cstdlib>
#include <filesystem>
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

std::string FreshDir(const std::string& name) {
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  return dir.string();
}

template <class T>
std::vector<T> Values(const std::string& path) {
  absl::StatusOr<NpyArray> array = NpyArray::Map(path);
  if (!array.ok()) {
    ADD_FAILURE() << array.status();
    return {};
  }
  absl::StatusOr<const T*> data = array->TypedData<T>();
  if (!data.ok()) {
    ADD_FAILURE() << data.status();
    return {};
  }
  return std::vector<T>(*data, *data + array->num_elements());
}

TEST(SingleExampleSplitWriterTest, WritesRowsAndIndicesOfOneExamplePuzzles) {
  const std::string dir = FreshDir("split");
  auto writer = SingleExampleSplitWriter::Create(dir, "train", /*puzzles=*/3, /*groups=*/2,
                                                 /*seq_len=*/2);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const uint8_t a[] = {1, 2}, b[] = {3, 4}, c[] = {5, 6};
  ASSERT_TRUE(writer->AddPuzzle(a, b).ok());
  ASSERT_TRUE(writer->AddPuzzle(b, c).ok());
  ASSERT_TRUE(writer->EndGroup().ok());
  ASSERT_TRUE(writer->AddPuzzle(c, a).ok());
  ASSERT_TRUE(writer->EndGroup().ok());
  EXPECT_EQ(writer->puzzles_written(), 3);
  ASSERT_TRUE(writer->Close(/*vocab_size=*/7).ok());

  EXPECT_THAT(Values<uint8_t>(dir + "/all__inputs.npy"), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(Values<uint8_t>(dir + "/all__labels.npy"), ElementsAre(3, 4, 5, 6, 1, 2));
  EXPECT_THAT(Values<int32_t>(dir + "/all__puzzle_identifiers.npy"), ElementsAre(0, 0, 0));
  EXPECT_THAT(Values<int32_t>(dir + "/all__puzzle_indices.npy"), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(Values<int32_t>(dir + "/all__group_indices.npy"), ElementsAre(0, 2, 3));

  // The reference's Sudoku/Maze metadata: total_puzzles counts the groups.
  absl::StatusOr<DatasetMetadata> metadata = ReadDatasetMetadata(dir);
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  EXPECT_EQ(metadata->seq_len, 2);
  EXPECT_EQ(metadata->vocab_size, 7);
  EXPECT_EQ(metadata->num_puzzle_identifiers, 1);
  EXPECT_EQ(metadata->total_groups, 2);
  EXPECT_EQ(metadata->total_puzzles, 2);
  EXPECT_EQ(metadata->blank_identifier_id, 0);
}

TEST(SingleExampleSplitWriterTest, ShortSplitsAndHugeOnesAreErrors) {
  const std::string dir = FreshDir("short");
  auto writer = SingleExampleSplitWriter::Create(dir, "test", 2, 1, 2);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const uint8_t a[] = {1, 2};
  ASSERT_TRUE(writer->AddPuzzle(a, a).ok());
  EXPECT_FALSE(writer->Close(7).ok());

  auto huge = SingleExampleSplitWriter::Create(FreshDir("huge"), "train", int64_t{1} << 31, 1, 1);
  ASSERT_FALSE(huge.ok());
  EXPECT_THAT(huge.status().message(), HasSubstr("the train split has 2147483648 rows"));
  EXPECT_FALSE(fs::exists(std::string(std::getenv("TEST_TMPDIR")) + "/huge"));
}

}  // namespace
}  // namespace trm
