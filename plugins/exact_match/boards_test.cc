#include "plugins/exact_match/boards.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/model/batch.h"

namespace trm::exact_match {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ExactMatchOptions Options(const std::string& glyphs, int grid_cols = 0) {
  ExactMatchOptions options;
  if (!glyphs.empty()) options.set_glyphs(glyphs);
  options.set_grid_cols(grid_cols);
  return options;
}

TEST(BoardLayoutTest, ColumnsDefaultToTheSquareSideElseOneRow) {
  auto sudoku = MakeBoardLayout(Options(" .123456789"), 81, 11);
  ASSERT_TRUE(sudoku.ok()) << sudoku.status();
  EXPECT_EQ(sudoku->cols, 9);
  EXPECT_EQ(sudoku->rows, 9);
  auto line = MakeBoardLayout(Options(""), 10, 3);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->cols, 10);
  EXPECT_EQ(line->rows, 1);
  auto explicit_cols = MakeBoardLayout(Options("", 5), 10, 3);
  ASSERT_TRUE(explicit_cols.ok()) << explicit_cols.status();
  EXPECT_EQ(explicit_cols->rows, 2);
}

TEST(BoardLayoutTest, BadOptionsNameTheField) {
  const absl::Status short_glyphs = MakeBoardLayout(Options(" # SG"), 900, 6).status();
  EXPECT_THAT(short_glyphs.message(), HasSubstr("exact_match.glyphs: \" # SG\" has 5 characters"));
  EXPECT_THAT(short_glyphs.message(), HasSubstr("vocabulary 6 tokens"));
  EXPECT_THAT(MakeBoardLayout(Options("ab\xff"), 4, 3).status().message(),
              HasSubstr("exact_match.glyphs: not valid UTF-8 at byte 2"));
  EXPECT_THAT(MakeBoardLayout(Options("", 7), 81, 11).status().message(),
              HasSubstr("exact_match.grid_cols: 7 does not divide the dataset's seq_len 81"));
  EXPECT_THAT(MakeBoardLayout(Options("", -3), 81, 11).status().message(),
              HasSubstr("exact_match.grid_cols: -3 is negative"));
}

TEST(BoardLayoutTest, GlyphsAreUtf8CharactersElseIds) {
  auto layout = MakeBoardLayout(Options("·█x"), 4, 3);
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->Glyph(0), "·");
  EXPECT_EQ(layout->Glyph(1), "█");
  EXPECT_EQ(layout->Glyph(2), "x");
  EXPECT_EQ(layout->Glyph(12), "12");  // beyond the glyphs
  EXPECT_EQ(layout->Glyph(kIgnoreLabel), "");
  EXPECT_EQ(MakeBoardLayout(Options(""), 4, 3)->Glyph(2), "2");
}

TEST(DrawBoardsTextTest, SideBySideWithWrongCellsMarked) {
  const BoardLayout layout = *MakeBoardLayout(Options(" .12"), 4, 4);
  const std::vector<BoardView> boards = {
      {"in", {1, 2, 3, 1}, {}, {}},
      {"pred", {2, 2, 3, 3}, {false, false, false, true}, {}},
  };
  EXPECT_EQ(DrawBoardsText(boards, layout, /*color=*/false),
            "in    pred\n"
            ". 1   1 1\n"
            "2 .   2 2*\n");
  const std::string colored = DrawBoardsText(boards, layout, /*color=*/true);
  EXPECT_THAT(colored, HasSubstr("\x1b[41;97m2\x1b[0m"));
  EXPECT_THAT(colored, Not(HasSubstr("*")));
}

TEST(DrawBoardsTextTest, PrintedIdsAreRightAligned) {
  const BoardLayout layout = *MakeBoardLayout(Options(""), 4, 12);
  EXPECT_EQ(DrawBoardsText({{"ids", {1, 11, 0, 7}, {}, {}}}, layout, false),
            "ids\n"
            " 1 11\n"
            " 0  7\n");
}

TEST(BoardHtmlTest, CellsEscapedWithTheirClasses) {
  const BoardLayout layout = *MakeBoardLayout(Options("<&ab"), 4, 4);
  const std::string html = BoardHtml(
      {"t", {0, 1, 2, 3}, {false, true, false, false}, {false, false, true, false}}, layout);
  EXPECT_EQ(html,
            "<div class=\"board\" style=\"grid-template-columns:repeat(2,auto)\">"
            "<span>&lt;</span><span class=\"x\">&amp;</span><span class=\"i\">a</span>"
            "<span>b</span></div>");
}

}  // namespace
}  // namespace trm::exact_match
