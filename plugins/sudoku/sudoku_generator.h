// Generates Sudoku puzzles with a unique solution and an exact number of givens: a random full
// grid (randomized backtracking), then cells removed in random order while the solution stays
// unique; a grid whose removal stalls above the target is dropped and another drawn. Every draw
// comes from NumPy's legacy generator (NumpyRandomState), so a seed gives the same puzzles on any
// platform.
#ifndef PLUGINS_SUDOKU_SUDOKU_GENERATOR_H_
#define PLUGINS_SUDOKU_SUDOKU_GENERATOR_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/sudoku/sudoku_board.h"
#include "trm/data/numpy_random.h"

namespace trm::sudoku {

struct GeneratedPuzzle {
  Board question{};
  Board answer{};
  // Difficulty: placements the solver (sudoku_solver.h) undoes while solving the question and
  // proving the solution unique; 0 = naked singles alone solve it.
  int64_t rating = 0;
};

// Grids tried per puzzle before giving up (only very low targets, below ~22 givens, get there).
constexpr int kMaxGridsPerPuzzle = 1000;

// `count` puzzles with exactly `givens` (17..81) filled cells.
absl::StatusOr<std::vector<GeneratedPuzzle>> GeneratePuzzles(int count, int givens,
                                                             NumpyRandomState& rng);

// The rating of a puzzle with a unique solution (see GeneratedPuzzle::rating).
int64_t Rating(const Board& question);

}  // namespace trm::sudoku

#endif  // PLUGINS_SUDOKU_SUDOKU_GENERATOR_H_
