// A 9x9 Sudoku board and the reference's validity-preserving shuffle (spec §11.1).
#ifndef PLUGINS_SUDOKU_SUDOKU_BOARD_H_
#define PLUGINS_SUDOKU_SUDOKU_BOARD_H_

#include <array>
#include <cstdint>
#include <string>

#include "trm/data/numpy_random.h"

namespace trm::sudoku {

constexpr int kSide = 9;
constexpr int kCells = kSide * kSide;

// Row-major cells: 0 = blank, 1..9 = digits.
using Board = std::array<uint8_t, kCells>;

// Why `answer` is not a complete valid grid ("row 3 holds 5 twice"); "" when it is.
std::string SolutionError(const Board& answer);
// Why the givens of `question` disagree with `answer` ("cell 12 (row 2, column 4) is 5 in the
// question, 7 in the answer"); "" when every given matches.
std::string GivensError(const Board& question, const Board& answer);
int CountGivens(const Board& board);

// One shuffle: new cell (i, j) takes old cell (row_perm[i], col_perm[j]) of the board, transposed
// first when `transpose`; then digit d becomes digit_map[d] (digit_map[0] = 0 keeps blanks).
struct SudokuShuffle {
  std::array<uint8_t, 10> digit_map{};
  bool transpose = false;
  std::array<int, kSide> row_perm{};
  std::array<int, kSide> col_perm{};

  // The reference's draws, in its order: digit map, transpose flag, band order, the rows of each
  // band (in band order), stack order, the columns of each stack.
  static SudokuShuffle Draw(NumpyRandomState& rng);
  Board Apply(const Board& board) const;
};

}  // namespace trm::sudoku

#endif  // PLUGINS_SUDOKU_SUDOKU_BOARD_H_
