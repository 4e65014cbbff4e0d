#include "plugins/sudoku/sudoku_generator.h"

#include <array>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "plugins/sudoku/sudoku_solver.h"

namespace trm::sudoku {
namespace {

bool Allowed(const Board& board, int cell, int digit) {
  const int r = cell / kSide, c = cell % kSide;
  const int box_row = r / 3 * 3, box_col = c / 3 * 3;
  for (int k = 0; k < kSide; ++k) {
    if (board[r * kSide + k] == digit || board[k * kSide + c] == digit ||
        board[(box_row + k / 3) * kSide + box_col + k % 3] == digit) {
      return false;
    }
  }
  return true;
}

// Fills cells `cell`.. in order, each trying the digits in a freshly drawn order.
bool FillFrom(Board& board, int cell, NumpyRandomState& rng) {
  if (cell == kCells) return true;
  const std::vector<int64_t> order = rng.Permutation(9);
  for (int64_t d : order) {
    const int digit = static_cast<int>(d) + 1;
    if (!Allowed(board, cell, digit)) continue;
    board[cell] = static_cast<uint8_t>(digit);
    if (FillFrom(board, cell + 1, rng)) return true;
  }
  board[cell] = 0;
  return false;
}

}  // namespace

int64_t Rating(const Board& question) {
  const int blanks = kCells - CountGivens(question);
  return CountSolutions(question, 2).nodes - blanks - 1;
}

absl::StatusOr<std::vector<GeneratedPuzzle>> GeneratePuzzles(int count, int givens,
                                                             NumpyRandomState& rng) {
  if (givens < 17 || givens > kCells) {
    return absl::InvalidArgumentError(
        absl::StrCat("givens is ", givens, ", must be in [17, 81] (no 9x9 Sudoku with fewer than ",
                     "17 givens has a unique solution)"));
  }
  std::vector<GeneratedPuzzle> puzzles;
  puzzles.reserve(count);
  while (static_cast<int>(puzzles.size()) < count) {
    bool found = false;
    for (int attempt = 0; attempt < kMaxGridsPerPuzzle && !found; ++attempt) {
      GeneratedPuzzle puzzle;
      FillFrom(puzzle.answer, 0, rng);
      puzzle.question = puzzle.answer;
      std::array<int, kCells> order;
      std::iota(order.begin(), order.end(), 0);
      rng.Shuffle(order.data(), order.size());
      int filled = kCells;
      for (int k = 0; k < kCells && filled > givens; ++k) {
        const int cell = order[k];
        const uint8_t digit = puzzle.question[cell];
        puzzle.question[cell] = 0;
        if (CountSolutions(puzzle.question, 2).solutions == 1) {
          --filled;
        } else {
          puzzle.question[cell] = digit;
        }
      }
      if (filled != givens) continue;
      puzzle.rating = Rating(puzzle.question);
      puzzles.push_back(puzzle);
      found = true;
    }
    if (!found) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no puzzle with ", givens, " givens and a unique solution in ", kMaxGridsPerPuzzle,
          " grids (removing cells in random order rarely gets below ~22 givens)"));
    }
  }
  return puzzles;
}

}  // namespace trm::sudoku
