#include "plugins/sudoku/sudoku_csv.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/base/file_util.h"

namespace trm::sudoku {
namespace {

using ::testing::HasSubstr;

constexpr char kQuestion[] =
    "..736..............365....26......1.34...19....1.3.2..9..81.5..7........1..9.24..";
constexpr char kAnswer[] =
    "217364859895127634436598172689245713342781965571639248964813527728456391153972486";

std::string TestData(const std::string& name) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/trm/plugins/sudoku/testdata/" + name;
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(SudokuCsvTest, ReadsTheTestData) {
  absl::StatusOr<std::vector<SudokuRow>> rows = ReadSudokuCsv(TestData("train.csv"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 10u);
  const SudokuRow& first = (*rows)[0];
  EXPECT_EQ(first.source, "puzzles0_kaggle");
  EXPECT_EQ(first.rating, 245);
  // 8..69..5. / 841693752
  EXPECT_EQ(first.question[0], 8);
  EXPECT_EQ(first.question[1], 0);
  EXPECT_EQ(first.question[3], 6);
  EXPECT_EQ(first.answer[1], 4);
  EXPECT_EQ(first.answer[80], 1);
}

TEST(SudokuCsvTest, WritesTheTextItReads) {
  const std::string path = TestData("train.csv");
  absl::StatusOr<std::vector<SudokuRow>> rows = ReadSudokuCsv(path);
  ASSERT_TRUE(rows.ok()) << rows.status();
  absl::StatusOr<std::string> text = ReadFileToString(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(SudokuCsvText(*rows), *text);
}

TEST(SudokuCsvTest, AcceptsCrlfAndAnyColumnOrder) {
  const std::string path =
      WriteTemp("reordered.csv", std::string("rating,answer,extra,question,source\r\n7,") +
                                     kAnswer + ",x," + kQuestion + ",s\r\n");
  absl::StatusOr<std::vector<SudokuRow>> rows = ReadSudokuCsv(path);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].source, "s");
  EXPECT_EQ((*rows)[0].rating, 7);
  EXPECT_EQ((*rows)[0].question[2], 7);
}

struct BadCsv {
  std::string name;
  std::string text;
  std::string expected;  // after "<path>:"
};

void PrintTo(const BadCsv& bad, std::ostream* os) { *os << bad.name; }

class SudokuCsvErrorTest : public ::testing::TestWithParam<BadCsv> {};

TEST_P(SudokuCsvErrorTest, OneLineNamingFileAndLine) {
  const std::string path = WriteTemp(GetParam().name + ".csv", GetParam().text);
  absl::StatusOr<std::vector<SudokuRow>> rows = ReadSudokuCsv(path);
  ASSERT_FALSE(rows.ok());
  const std::string message(rows.status().message());
  EXPECT_THAT(message, HasSubstr(path + ":" + GetParam().expected));
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

std::string Line(const std::string& question, const std::string& answer,
                 const std::string& rating = "0") {
  return "s," + question + "," + answer + "," + rating + "\n";
}

const std::string kHeader = "source,question,answer,rating\n";
const std::string kGood = Line(kQuestion, kAnswer);

INSTANTIATE_TEST_SUITE_P(
    Cases, SudokuCsvErrorTest,
    ::testing::Values(
        BadCsv{"missing_column", "source,question,rating\n", "1: no column 'answer' in the header"},
        BadCsv{"short_question", kHeader + kGood + Line(std::string(kQuestion).substr(1), kAnswer),
               "3: question has 80 characters, expected 81"},
        BadCsv{"zero_in_question", kHeader + Line("0" + std::string(kQuestion).substr(1), kAnswer),
               "2: question has '0' at position 1 (allowed: 1-9 and '.')"},
        BadCsv{"blank_in_answer", kHeader + Line(kQuestion, "." + std::string(kAnswer).substr(1)),
               "2: answer has '.' at position 1 (allowed: 1-9)"},
        BadCsv{"invalid_answer", kHeader + Line(kQuestion, "1" + std::string(kAnswer).substr(1)),
               "2: answer is not a valid Sudoku grid: row 1 holds 1 twice"},
        BadCsv{"inconsistent", kHeader + Line("..6" + std::string(kQuestion).substr(3), kAnswer),
               "2: question and answer disagree: cell 2 (row 1, column 3) is 6 in the question, "
               "7 in the answer"},
        BadCsv{"rating", kHeader + Line(kQuestion, kAnswer, "hard"),
               "2: rating 'hard' is not an integer"},
        BadCsv{"fields", kHeader + "s," + kQuestion + "\n", "2: 2 fields, the header has 4"},
        BadCsv{"empty", "", " empty file"}));

TEST(SudokuCsvTest, MissingFileIsNamed) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/absent.csv";
  absl::StatusOr<std::vector<SudokuRow>> rows = ReadSudokuCsv(path);
  ASSERT_FALSE(rows.ok());
  EXPECT_THAT(rows.status().message(), HasSubstr(path));
}

}  // namespace
}  // namespace trm::sudoku
