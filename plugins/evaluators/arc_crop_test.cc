#include "plugins/evaluators/arc_crop.h"

#include <algorithm>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/evaluators/arc_testing.h"

namespace trm::plugins {
namespace {

using arc_testing::EncodeOnCanvas;
constexpr int32_t kPad = arc_testing::kPadToken;
constexpr int32_t kEos = arc_testing::kEosToken;

Grid Patterned(int rows, int cols) {
  Grid grid(rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) grid.at(r, c) = static_cast<uint8_t>((r * 7 + c * 3) % 10);
  return grid;
}

TEST(CanvasSideTest, SquareSequencesOnly) {
  EXPECT_EQ(*CanvasSide(900), 30);
  EXPECT_EQ(*CanvasSide(100), 10);
  EXPECT_EQ(*CanvasSide(1), 1);
  EXPECT_FALSE(CanvasSide(0).ok());
  EXPECT_FALSE(CanvasSide(81 + 1).ok());
  EXPECT_THAT(std::string(CanvasSide(899).status().message()), ::testing::HasSubstr("seq_len 899"));
  EXPECT_FALSE(CanvasSide(31 * 31).ok());  // larger than any ARC grid
}

TEST(CropTest, RecoversEncodedGridsOfEveryShapeOnA30Canvas) {
  for (int rows : {1, 2, 5, 29, 30}) {
    for (int cols : {1, 3, 17, 29, 30}) {
      const Grid grid = Patterned(rows, cols);
      EXPECT_EQ(CropGrid(EncodeOnCanvas(grid, 30).data(), 30), grid) << rows << "x" << cols;
    }
  }
}

TEST(CropTest, FullCanvasWithoutAnyEos) {
  const Grid grid = Patterned(30, 30);
  const std::vector<int32_t> tokens = EncodeOnCanvas(grid, 30);
  EXPECT_EQ(std::count(tokens.begin(), tokens.end(), kEos), 0);
  EXPECT_EQ(CropGrid(tokens.data(), 30), grid);
}

TEST(CropTest, OneByOne) {
  const Grid grid(1, 1, {7});
  EXPECT_EQ(CropGrid(EncodeOnCanvas(grid, 30).data(), 30), grid);
}

TEST(CropTest, MissingEosStopsAtPadding) {
  // No EOS border at all: the padding around the grid ends it just as well.
  const Grid grid = Patterned(4, 6);
  std::vector<int32_t> tokens(900, kPad);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 6; ++c) tokens[r * 30 + c] = grid.at(r, c) + kFirstColorToken;
  EXPECT_EQ(CropGrid(tokens.data(), 30), grid);
}

TEST(CropTest, GarbageAfterEosIsIgnored) {
  const Grid grid = Patterned(3, 4);
  std::vector<int32_t> tokens = EncodeOnCanvas(grid, 30);
  // Colour tokens right of the EOS column, below the EOS row and in the far corner.
  for (int r = 0; r < 30; ++r)
    for (int c = 0; c < 30; ++c)
      if ((r < 3 && c > 4) || r > 3) tokens[r * 30 + c] = kFirstColorToken + (r + c) % 10;
  EXPECT_EQ(CropGrid(tokens.data(), 30), grid);
}

TEST(CropTest, EosInsideTheFirstRowLimitsTheWidth) {
  // A rectangle's width only shrinks going down: the second row cannot widen it again.
  std::vector<int32_t> tokens(100, kPad);
  const int32_t a = kFirstColorToken + 1;
  for (int c = 0; c < 2; ++c) tokens[c] = a;  // row 0: 2 colours, then PAD
  for (int c = 0; c < 5; ++c) tokens[10 + c] = a;  // row 1: 5 colours
  EXPECT_EQ(CropGrid(tokens.data(), 10), Grid(2, 2, {1, 1, 1, 1}));
}

TEST(CropTest, LargestAreaWinsAndTheFirstOfEqualAreas) {
  std::vector<int32_t> tokens(100, kPad);
  const int32_t a = kFirstColorToken + 4;
  // Row 0 has 6 colours, rows 1..2 have 3: 1x6 (area 6) vs 3x3 (area 9) -> 3x3.
  for (int c = 0; c < 6; ++c) tokens[c] = a;
  for (int r = 1; r < 3; ++r)
    for (int c = 0; c < 3; ++c) tokens[r * 10 + c] = a;
  EXPECT_EQ(CropGrid(tokens.data(), 10), Grid(3, 3, std::vector<uint8_t>(9, 4)));
  // Rows 1 has 3 colours: 1x6 (area 6) vs 2x3 (area 6): the first one found wins.
  tokens[20] = kEos;
  EXPECT_EQ(CropGrid(tokens.data(), 10), Grid(1, 6, std::vector<uint8_t>(6, 4)));
}

TEST(CropTest, NonColourFirstTokenGivesEmptyGrid) {
  for (int32_t first : {kPad, kEos, kLastColorToken + 1, -3}) {
    std::vector<int32_t> tokens(900, kFirstColorToken);
    tokens[0] = first;
    EXPECT_EQ(CropGrid(tokens.data(), 30), Grid()) << first;
  }
}

TEST(CropTest, SmallCanvas) {
  const Grid grid = Patterned(3, 2);
  EXPECT_EQ(CropGrid(EncodeOnCanvas(grid, 10).data(), 10), grid);
  const Grid full = Patterned(10, 10);
  EXPECT_EQ(CropGrid(EncodeOnCanvas(full, 10).data(), 10), full);
}

}  // namespace
}  // namespace trm::plugins
