#include "trm/data/dataset_metadata.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/data/python_json.h"

namespace trm {
namespace {

using ::testing::HasSubstr;

DatasetMetadata ArcTrain() {
  DatasetMetadata m;
  m.seq_len = 900;
  m.vocab_size = 12;
  m.pad_id = 0;
  m.ignore_label_id = 0;
  m.blank_identifier_id = 0;
  m.num_puzzle_identifiers = 14079;
  m.total_groups = 1280;
  m.mean_puzzle_examples = 4.353956527915897;
  m.total_puzzles = 14078;
  m.sets = {"all"};
  return m;
}

TEST(DatasetMetadataTest, WritesTheReferenceBytes) {
  // train/dataset.json of the reference builder (num_aug 10, seed 42).
  EXPECT_EQ(
      DatasetMetadataToJson(ArcTrain()),
      R"({"pad_id": 0, "ignore_label_id": 0, "blank_identifier_id": 0, "vocab_size": 12, )"
      R"("seq_len": 900, "num_puzzle_identifiers": 14079, "total_groups": 1280, )"
      R"("mean_puzzle_examples": 4.353956527915897, "total_puzzles": 14078, "sets": ["all"]})");
  DatasetMetadata no_ignore = ArcTrain();
  no_ignore.ignore_label_id.reset();
  EXPECT_THAT(DatasetMetadataToJson(no_ignore), HasSubstr(R"("ignore_label_id": null)"));
}

TEST(DatasetMetadataTest, RoundTripsAndValidates) {
  auto parsed = DatasetMetadataFromJson(*ParseJson(DatasetMetadataToJson(ArcTrain()), "x"), "x");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(*parsed == ArcTrain());

  auto bad = [](const std::string& text) {
    return std::string(
        DatasetMetadataFromJson(*ParseJson(text, "d.json"), "d.json").status().message());
  };
  EXPECT_THAT(bad(R"({"seq_len": 900})"), HasSubstr("d.json: field 'vocab_size' is missing"));
  EXPECT_THAT(
      bad(R"({"pad_id": 0, "ignore_label_id": "x", "blank_identifier_id": 0, "vocab_size": 12,
                      "seq_len": 900, "num_puzzle_identifiers": 1, "total_groups": 1,
                      "mean_puzzle_examples": 1.0, "sets": ["all"]})"),
      HasSubstr("'ignore_label_id' is neither an integer nor null"));
  EXPECT_THAT(bad(R"({"pad_id": 0, "ignore_label_id": 0, "blank_identifier_id": 0, "vocab_size": 12,
                      "seq_len": 900.5, "num_puzzle_identifiers": 1, "total_groups": 1,
                      "mean_puzzle_examples": 1.0, "sets": ["all"]})"),
              HasSubstr("'seq_len' is not an integer"));
  EXPECT_THAT(bad(R"({"pad_id": 0, "ignore_label_id": 0, "blank_identifier_id": 0, "vocab_size": 12,
                      "seq_len": 900, "num_puzzle_identifiers": 1, "total_groups": 1,
                      "mean_puzzle_examples": 1.0, "sets": []})"),
              HasSubstr("'sets' is not a non-empty list"));
}

TEST(DatasetMetadataTest, MergeFollowsTheReference) {
  DatasetMetadata a = ArcTrain(), b = ArcTrain();
  b.total_puzzles = 100;
  b.total_groups = 10;
  b.mean_puzzle_examples = 2.0;
  auto merged = MergeDatasetMetadata({a, b}, {"a", "b"});
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->num_puzzle_identifiers, 2 * 14079);
  EXPECT_EQ(merged->total_groups, 1290);
  EXPECT_EQ(merged->total_puzzles, 14178);
  EXPECT_DOUBLE_EQ(merged->mean_puzzle_examples, (4.353956527915897 * 14078 + 200.0) / 14178);

  b.seq_len = 81;
  auto mismatch = MergeDatasetMetadata({a, b}, {"root_a", "root_b"});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_THAT(std::string(mismatch.status().message()),
              HasSubstr("root_b: seq_len is 81 but root_a has 900"));
}

TEST(DatasetMetadataTest, ReadWriteFiles) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/meta_split";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteDatasetMetadata(dir, ArcTrain()).ok());
  auto read = ReadDatasetMetadata(dir);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(*read == ArcTrain());
  EXPECT_EQ(ReadDatasetMetadata(dir + "/missing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace trm
