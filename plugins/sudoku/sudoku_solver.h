// An exact Sudoku solver that counts solutions up to a limit: depth-first search that always
// branches on the blank cell with the fewest candidates (ties: the lowest cell index), digits in
// increasing order. Deterministic, so its node count is a reproducible difficulty measure.
#ifndef PLUGINS_SUDOKU_SUDOKU_SOLVER_H_
#define PLUGINS_SUDOKU_SUDOKU_SOLVER_H_

#include <cstdint>

#include "plugins/sudoku/sudoku_board.h"

namespace trm::sudoku {

struct SolveResult {
  int solutions = 0;  // min(number of solutions, limit)
  // Search nodes: 1 + one per digit placed. With a unique solution, nodes - blanks - 1 is the
  // number of placements that were undone (0: naked singles alone solve the puzzle).
  int64_t nodes = 0;
  Board solution{};  // the first solution found (valid when solutions > 0)
};

// Counts the completions of `puzzle` (0 = blank), stopping at `limit` (>= 1). A puzzle whose givens
// already conflict has 0 solutions.
SolveResult CountSolutions(const Board& puzzle, int limit);

}  // namespace trm::sudoku

#endif  // PLUGINS_SUDOKU_SUDOKU_SOLVER_H_
