#include "plugins/sudoku/sudoku_board.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace trm::sudoku {
namespace {

// The cells of the 27 units: rows, columns, boxes.
struct Unit {
  const char* kind;
  int number;  // 1-based
  std::array<int, kSide> cells;
};

std::vector<Unit> Units() {
  std::vector<Unit> units;
  for (int u = 0; u < kSide; ++u) {
    Unit row{"row", u + 1, {}}, column{"column", u + 1, {}}, box{"box", u + 1, {}};
    for (int k = 0; k < kSide; ++k) {
      row.cells[k] = u * kSide + k;
      column.cells[k] = k * kSide + u;
      box.cells[k] = (u / 3 * 3 + k / 3) * kSide + u % 3 * 3 + k % 3;
    }
    units.push_back(row);
    units.push_back(column);
    units.push_back(box);
  }
  return units;
}

// A permutation of {3 * block + 0, 1, 2} for each block, blocks in a drawn order.
std::array<int, kSide> DrawLinePermutation(NumpyRandomState& rng) {
  std::array<int, kSide> perm{};
  const std::vector<int64_t> blocks = rng.Permutation(3);
  for (int b = 0; b < 3; ++b) {
    const std::vector<int64_t> lines = rng.Permutation(3);
    for (int k = 0; k < 3; ++k) perm[b * 3 + k] = static_cast<int>(3 * blocks[b] + lines[k]);
  }
  return perm;
}

}  // namespace

std::string SolutionError(const Board& answer) {
  for (int cell = 0; cell < kCells; ++cell) {
    if (answer[cell] < 1 || answer[cell] > 9) {
      return absl::StrCat("cell ", cell, " is ", answer[cell], ", not a digit 1-9");
    }
  }
  for (const Unit& unit : Units()) {
    int seen = 0;
    for (int cell : unit.cells) {
      const int bit = 1 << answer[cell];
      if (seen & bit) {
        return absl::StrCat(unit.kind, " ", unit.number, " holds ", answer[cell], " twice");
      }
      seen |= bit;
    }
  }
  return "";
}

std::string GivensError(const Board& question, const Board& answer) {
  for (int cell = 0; cell < kCells; ++cell) {
    if (question[cell] != 0 && question[cell] != answer[cell]) {
      return absl::StrCat("cell ", cell, " (row ", cell / kSide + 1, ", column ", cell % kSide + 1,
                          ") is ", question[cell], " in the question, ", answer[cell],
                          " in the answer");
    }
  }
  return "";
}

int CountGivens(const Board& board) {
  int givens = 0;
  for (uint8_t value : board) givens += value != 0;
  return givens;
}

SudokuShuffle SudokuShuffle::Draw(NumpyRandomState& rng) {
  SudokuShuffle shuffle;
  // permutation(arange(1, 10)) shuffles a copy of 1..9: the same swaps as permutation(9), plus 1.
  const std::vector<int64_t> digits = rng.Permutation(9);
  shuffle.digit_map[0] = 0;
  for (int d = 0; d < 9; ++d) shuffle.digit_map[d + 1] = static_cast<uint8_t>(digits[d] + 1);
  shuffle.transpose = rng.RandomSample() < 0.5;
  shuffle.row_perm = DrawLinePermutation(rng);
  shuffle.col_perm = DrawLinePermutation(rng);
  return shuffle;
}

Board SudokuShuffle::Apply(const Board& board) const {
  Board out{};
  for (int i = 0; i < kSide; ++i) {
    for (int j = 0; j < kSide; ++j) {
      const int r = row_perm[i], c = col_perm[j];
      const uint8_t value = transpose ? board[c * kSide + r] : board[r * kSide + c];
      out[i * kSide + j] = digit_map[value];
    }
  }
  return out;
}

}  // namespace trm::sudoku
