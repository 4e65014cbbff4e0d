#include "plugins/sudoku/sudoku_solver.h"

#include <string>

#include "gtest/gtest.h"

namespace trm::sudoku {
namespace {

Board FromText(const std::string& text) {
  Board board{};
  for (int cell = 0; cell < kCells; ++cell) board[cell] = text[cell] == '.' ? 0 : text[cell] - '0';
  return board;
}

// testdata/train.csv, line 2: 25 givens, a unique solution that needs search.
const Board kHardQuestion =
    FromText("8..69..5........3.......9.65...4.....3.7.2.1..7.9..2....321..9.7.....4..4...8...1");
const Board kHardAnswer =
    FromText("841693752269475138357821946528146379936752814174938265683214597712569483495387621");

TEST(SudokuSolverTest, FindsTheUniqueSolution) {
  const SolveResult result = CountSolutions(kHardQuestion, 2);
  EXPECT_EQ(result.solutions, 1);
  EXPECT_EQ(result.solution, kHardAnswer);
  EXPECT_GT(result.nodes, 81 - 25 + 1);  // some placements were undone
}

TEST(SudokuSolverTest, AFullGridIsOneNode) {
  const SolveResult result = CountSolutions(kHardAnswer, 2);
  EXPECT_EQ(result.solutions, 1);
  EXPECT_EQ(result.nodes, 1);
}

TEST(SudokuSolverTest, SinglesOnlyPuzzleVisitsOneNodePerBlank) {
  Board question = kHardAnswer;
  for (int cell : {0, 10, 20, 40, 80}) question[cell] = 0;  // each forced by its row
  const SolveResult result = CountSolutions(question, 2);
  EXPECT_EQ(result.solutions, 1);
  EXPECT_EQ(result.nodes, 5 + 1);
}

TEST(SudokuSolverTest, StopsCountingAtTheLimit) {
  EXPECT_EQ(CountSolutions(Board{}, 2).solutions, 2);
  EXPECT_EQ(CountSolutions(Board{}, 1).solutions, 1);
  // A rectangle of cells in two rows of one band holding x y / y x: blanking it leaves exactly two
  // completions (the digits can swap).
  Board ambiguous = kHardAnswer;
  bool found = false;
  for (int r1 = 0; r1 < kSide && !found; ++r1) {
    for (int r2 = r1 + 1; r2 < kSide && r2 / 3 == r1 / 3 && !found; ++r2) {
      for (int c1 = 0; c1 < kSide && !found; ++c1) {
        for (int c2 = c1 + 1; c2 < kSide && !found; ++c2) {
          if (kHardAnswer[r1 * kSide + c1] == kHardAnswer[r2 * kSide + c2] &&
              kHardAnswer[r1 * kSide + c2] == kHardAnswer[r2 * kSide + c1]) {
            for (int cell : {r1 * kSide + c1, r1 * kSide + c2, r2 * kSide + c1, r2 * kSide + c2})
              ambiguous[cell] = 0;
            found = true;
          }
        }
      }
    }
  }
  ASSERT_TRUE(found);
  EXPECT_EQ(CountSolutions(ambiguous, 2).solutions, 2);
  EXPECT_EQ(CountSolutions(ambiguous, 5).solutions, 2);
}

TEST(SudokuSolverTest, ConflictingGivensHaveNoSolution) {
  Board conflict{};
  conflict[0] = 7;
  conflict[8] = 7;  // same row
  EXPECT_EQ(CountSolutions(conflict, 2).solutions, 0);
  Board dead_end = kHardQuestion;
  dead_end[1] = 1;  // allowed by the givens, but the only solution has 4 there
  EXPECT_EQ(CountSolutions(dead_end, 2).solutions, 0);
}

}  // namespace
}  // namespace trm::sudoku
