#include "plugins/maze/maze_csv.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm::maze {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string WriteTemp(const std::string& name, const std::string& contents) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

TEST(MazeCsvTest, TokensFollowTheCharset) {
  EXPECT_EQ(MazeCharToken('#'), 1);
  EXPECT_EQ(MazeCharToken(' '), 2);
  EXPECT_EQ(MazeCharToken('S'), 3);
  EXPECT_EQ(MazeCharToken('G'), 4);
  EXPECT_EQ(MazeCharToken('o'), 5);
  EXPECT_EQ(MazeCharToken('.'), -1);
  EXPECT_EQ(MazeCharToken('\0'), -1);
}

TEST(MazeCsvTest, ReadsQuotedFieldsCrlfAndColumnsInAnyOrder) {
  const std::string path = WriteTemp("quoted.csv",
                                     "rating,answer,question,source\r\n3,S  G,S  G,\"a \"\"b\"\", "
                                     "c\"\r\n\r\n4,#SoG,#S G,\"x\"\r\n");
  absl::StatusOr<MazeCsv> csv = ReadMazeCsv(path);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->side, 2);
  ASSERT_THAT(csv->records, SizeIs(2));
  EXPECT_EQ(csv->records[0].source, "a \"b\", c");
  EXPECT_EQ(csv->records[0].question, "S  G");
  EXPECT_EQ(csv->records[0].rating, "3");
  EXPECT_EQ(csv->records[1].answer, "#SoG");
  EXPECT_EQ(csv->records[1].source, "x");
}

TEST(MazeCsvTest, TextRoundTrips) {
  const std::vector<MazeRecord> records = {{"plain", "S  G", "SooG", "3"},
                                           {"with, comma \"q\"", "#S G", "#SoG", "2"}};
  const std::string text = MazeCsvText(records);
  EXPECT_EQ(text,
            "source,question,answer,rating\nplain,S  G,SooG,3\n\"with, comma \"\"q\"\"\",#S G,"
            "#SoG,2\n");
  absl::StatusOr<MazeCsv> csv = ReadMazeCsv(WriteTemp("round.csv", text));
  ASSERT_TRUE(csv.ok()) << csv.status();
  ASSERT_THAT(csv->records, SizeIs(2));
  EXPECT_EQ(csv->records[1].source, records[1].source);
  EXPECT_EQ(csv->records[1].answer, records[1].answer);
}

TEST(MazeCsvTest, ErrorsNameFileAndLine) {
  const std::string path = WriteTemp(
      "bad.csv", "source,question,answer,rating\n\"multi\nline\",S  G,S  G,1\nx,S  Q,S  Q,1\n");
  absl::StatusOr<MazeCsv> csv = ReadMazeCsv(path);
  ASSERT_FALSE(csv.ok());
  // The record with a quoted line break starts on line 2; the bad one on line 4.
  EXPECT_THAT(csv.status().message(),
              HasSubstr(path + ":4: question character 3 is 'Q', expected one of \"# SGo\""));
}

}  // namespace
}  // namespace trm::maze
