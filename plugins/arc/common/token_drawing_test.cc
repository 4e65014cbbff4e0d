#include "plugins/arc/common/token_drawing.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

TEST(TokenDrawingTest, GridsWithoutColourAreDigitsWithTheirEosEdge) {
  const std::string drawing =
      DrawGrids({"input", "prediction"}, {Grid(1, 2, {3, 4}), Grid(2, 1, {5, 0})}, false);
  EXPECT_EQ(drawing,
            "input     prediction\n"
            " 3 4 #     5 # .\n"
            " # # .     0 # .\n"
            " . . .     # . .\n");
}

TEST(TokenDrawingTest, ColourDrawsTwoColumnsPerCellInThePalette) {
  const std::string drawing = DrawGrids({"g"}, {Grid(1, 1, {2})}, true);
  EXPECT_THAT(drawing, ::testing::HasSubstr("\x1b[48;2;255;65;54m  \x1b[0m"));  // colour 2: red
  EXPECT_THAT(drawing, ::testing::HasSubstr("::"));
}

TEST(TokenDrawingTest, CanvasesAreCroppedToTheirUsedPart) {
  // 3x3 canvas with one colour at (0, 0): one row, one column survive.
  const std::vector<int64_t> canvas = {5, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(DrawTokenCanvases({"a"}, {canvas}, 3, false), "a\n 3\n");
}

}  // namespace
}  // namespace trm
