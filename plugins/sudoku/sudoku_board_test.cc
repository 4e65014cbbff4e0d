#include "plugins/sudoku/sudoku_board.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm::sudoku {
namespace {

using ::testing::ElementsAre;

Board FromText(const std::string& text) {
  Board board{};
  for (int cell = 0; cell < kCells; ++cell) board[cell] = text[cell] == '.' ? 0 : text[cell] - '0';
  return board;
}

// A valid grid and a question with 30 of its cells given (testdata/test.csv, line 4).
const Board kAnswer =
    FromText("657341289128659473439287156216935748895174362374826915941563827762498531583712694");
const Board kQuestion =
    FromText("....4.......6..47...92...5..1...57..8.5....6.3....69.5.4..63.2.7.24..5.1.837...9.");

// The board the shuffle came from, computed from the definition (spec §11.1) backwards: old cell
// (row_perm[i], col_perm[j]) of the optionally transposed board holds new cell (i, j)'s digit
// before recolouring.
Board Unshuffle(const SudokuShuffle& s, const Board& shuffled) {
  std::array<uint8_t, 10> inverse_digit{};
  for (int d = 0; d <= 9; ++d) inverse_digit[s.digit_map[d]] = static_cast<uint8_t>(d);
  Board transposed_or_not{};
  for (int i = 0; i < kSide; ++i) {
    for (int j = 0; j < kSide; ++j) {
      transposed_or_not[s.row_perm[i] * kSide + s.col_perm[j]] =
          inverse_digit[shuffled[i * kSide + j]];
    }
  }
  Board original{};
  for (int r = 0; r < kSide; ++r) {
    for (int c = 0; c < kSide; ++c) {
      original[r * kSide + c] =
          s.transpose ? transposed_or_not[c * kSide + r] : transposed_or_not[r * kSide + c];
    }
  }
  return original;
}

TEST(SudokuBoardTest, ValidGridAndAgreeingGivensHaveNoError) {
  EXPECT_EQ(SolutionError(kAnswer), "");
  EXPECT_EQ(GivensError(kQuestion, kAnswer), "");
  EXPECT_EQ(CountGivens(kQuestion), 30);
  EXPECT_EQ(CountGivens(kAnswer), 81);
}

TEST(SudokuBoardTest, NamesTheBrokenUnitOrCell) {
  Board swapped = kAnswer;
  std::swap(swapped[0], swapped[1]);  // row 1 stays a permutation; columns 1 and 2 break
  EXPECT_EQ(SolutionError(swapped), "column 1 holds 5 twice");
  Board blank = kAnswer;
  blank[80] = 0;
  EXPECT_EQ(SolutionError(blank), "cell 80 is 0, not a digit 1-9");
  Board wrong_given = kQuestion;
  wrong_given[4] = 5;  // row 1, column 5 is 4 in the answer
  EXPECT_EQ(GivensError(wrong_given, kAnswer),
            "cell 4 (row 1, column 5) is 5 in the question, 4 in the answer");
}

TEST(SudokuShuffleTest, DigitMapIsTheFirstDrawOfTheStream) {
  // np.random.seed(200); np.random.permutation(np.arange(1, 10)) -> [9 4 6 7 2 8 3 5 1]
  // (the NumPy value of trm/data/numpy_random_test.cc, ReferenceAugmentationDraw).
  NumpyRandomState rng(200);
  const SudokuShuffle shuffle = SudokuShuffle::Draw(rng);
  EXPECT_THAT(shuffle.digit_map, ElementsAre(0, 9, 4, 6, 7, 2, 8, 3, 5, 1));
}

TEST(SudokuShuffleTest, DrawsInTheReferenceOrder) {
  // Digit map, transpose flag, band order, rows of each band, stack order, columns of each stack.
  NumpyRandomState rng(5), replay(5);
  const SudokuShuffle shuffle = SudokuShuffle::Draw(rng);
  std::vector<int64_t> digits = replay.Permutation(9);
  for (int d = 0; d < 9; ++d) EXPECT_EQ(shuffle.digit_map[d + 1], digits[d] + 1);
  EXPECT_EQ(shuffle.transpose, replay.RandomSample() < 0.5);
  for (const auto* perm : {&shuffle.row_perm, &shuffle.col_perm}) {
    const std::vector<int64_t> blocks = replay.Permutation(3);
    for (int b = 0; b < 3; ++b) {
      const std::vector<int64_t> lines = replay.Permutation(3);
      for (int k = 0; k < 3; ++k) EXPECT_EQ((*perm)[3 * b + k], 3 * blocks[b] + lines[k]);
    }
  }
  EXPECT_EQ(rng.state(), replay.state());
}

TEST(SudokuShuffleTest, KeepsPuzzlesValidAndInverts) {
  NumpyRandomState rng(1);
  int transposed = 0;
  for (int n = 0; n < 200; ++n) {
    const SudokuShuffle shuffle = SudokuShuffle::Draw(rng);
    transposed += shuffle.transpose;
    const Board question = shuffle.Apply(kQuestion), answer = shuffle.Apply(kAnswer);
    ASSERT_EQ(SolutionError(answer), "");
    ASSERT_EQ(GivensError(question, answer), "");
    ASSERT_EQ(CountGivens(question), 30);
    ASSERT_EQ(Unshuffle(shuffle, question), kQuestion);
    ASSERT_EQ(Unshuffle(shuffle, answer), kAnswer);
  }
  EXPECT_GT(transposed, 50);
  EXPECT_LT(transposed, 150);
}

TEST(SudokuShuffleTest, TransposeAndLinePermutationsMoveCells) {
  SudokuShuffle shuffle;
  for (int d = 0; d <= 9; ++d) shuffle.digit_map[d] = static_cast<uint8_t>(d);
  shuffle.transpose = true;
  shuffle.row_perm = {3, 4, 5, 0, 1, 2, 6, 7, 8};  // bands 2, 1, 3
  shuffle.col_perm = {0, 1, 2, 3, 4, 5, 8, 7, 6};  // last stack reversed
  const Board out = shuffle.Apply(kAnswer);
  // New (0, 0) = transposed (3, 0) = old (0, 3); new (0, 6) = transposed (3, 8) = old (8, 3).
  EXPECT_EQ(out[0], kAnswer[0 * kSide + 3]);
  EXPECT_EQ(out[6], kAnswer[8 * kSide + 3]);
  EXPECT_EQ(SolutionError(out), "");
}

}  // namespace
}  // namespace trm::sudoku
